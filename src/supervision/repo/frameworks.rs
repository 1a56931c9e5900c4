//! Frameworks and their indicator trees: read, added to, copied, adopted from the platform's
//! shared template.

use crate::supervision::model::{Indicator, IndicatorInput};
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Framework {
    pub id: i64,
    pub year: i32,
    pub name: String,
    pub rounds: i64,
    /// The town school whose framework it is; none for the district's.
    pub owner_unit_id: Option<i64>,
}

const FRAMEWORK: &str = "select f.id, f.year, f.name,
        (select count(*) from evaluation_round r where r.framework_id = f.id) as rounds, f.owner_unit_id
   from framework f";

/// The frameworks of one owner: the district's (`None`) or a town school's.
pub async fn frameworks(
    conn: &mut PgConnection,
    owner: Option<i64>,
) -> sqlx::Result<Vec<Framework>> {
    sqlx::query_as(&format!(
        "{FRAMEWORK} where f.owner_unit_id is not distinct from $1 order by f.year desc, f.id desc"
    ))
    .bind(owner)
    .fetch_all(conn)
    .await
}

pub async fn framework(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Framework>> {
    sqlx::query_as(&format!("{FRAMEWORK} where f.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn indicators(conn: &mut PgConnection, framework: i64) -> sqlx::Result<Vec<Indicator>> {
    sqlx::query_as(
        "select id, parent_id, code, name, max_score::float8 as max_score, guidance, evidence, metric
           from indicator where framework_id = $1
          order by string_to_array(code, '.')::int[], id",
    )
    .bind(framework)
    .fetch_all(conn)
    .await
}

/// An indicator to delete: its code, its name, and whether it has children.
pub async fn indicator_to_delete(
    conn: &mut PgConnection,
    framework: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, bool)>> {
    sqlx::query_as(
        "select i.code, i.name, exists (select 1 from indicator c where c.parent_id = i.id)
           from indicator i where i.id = $1 and i.framework_id = $2",
    )
    .bind(id)
    .bind(framework)
    .fetch_optional(conn)
    .await
}

/// A new indicator, or `false` when the framework has its code already (DO NOTHING keeps the
/// transaction usable to show the form again).
pub async fn insert_indicator(
    conn: &mut PgConnection,
    tenant_id: i64,
    framework: i64,
    i: &IndicatorInput,
) -> sqlx::Result<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "insert into indicator (tenant_id, framework_id, parent_id, code, name, max_score, guidance, evidence, metric)
         values ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9)
         on conflict on constraint indicator_code_once do nothing returning id",
    )
    .bind(tenant_id)
    .bind(framework)
    .bind(i.parent)
    .bind(&i.code)
    .bind(&i.name)
    .bind(i.max_score)
    .bind(&i.guidance)
    .bind(&i.evidence)
    .bind(&i.metric)
    .fetch_optional(conn)
    .await?;
    Ok(id.is_some())
}

pub async fn delete_indicator(
    conn: &mut PgConnection,
    framework: i64,
    id: i64,
) -> sqlx::Result<()> {
    sqlx::query("delete from indicator where id = $1 and framework_id = $2")
        .bind(id)
        .bind(framework)
        .execute(conn)
        .await?;
    Ok(())
}

/// The platform's shared framework: its name and its indicators.
pub async fn template(
    conn: &mut PgConnection,
) -> sqlx::Result<Option<(String, serde_json::Value)>> {
    sqlx::query_as("select name, indicators from framework_template order by id limit 1")
        .fetch_optional(conn)
        .await
}

/// A new framework of `owner` (none for the district) and `year` holding a copy of
/// `indicators` (with their tree).
pub async fn insert_framework(
    conn: &mut PgConnection,
    tenant_id: i64,
    owner: Option<i64>,
    year: i32,
    name: &str,
    indicators: &[Indicator],
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "insert into framework (tenant_id, year, name, owner_unit_id) values ($1, $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(name)
    .bind(owner)
    .fetch_one(&mut *conn)
    .await?;
    // Two statements however many indicators: all of them, then each child's parent found by
    // the parent's code (unique in a framework).
    let code_of = |id: i64| {
        indicators
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.code.clone())
    };
    let column = |f: fn(&Indicator) -> String| indicators.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "insert into indicator (tenant_id, framework_id, code, name, max_score, guidance, evidence, metric)
         select $1, $2, t.code, t.name, t.max_score::numeric, t.guidance, t.evidence, t.metric
           from unnest($3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[])
                as t(code, name, max_score, guidance, evidence, metric)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(column(|i| i.code.clone()))
    .bind(column(|i| i.name.clone()))
    .bind(indicators.iter().map(|i| i.max_score).collect::<Vec<_>>())
    .bind(column(|i| i.guidance.clone()))
    .bind(column(|i| i.evidence.clone()))
    .bind(indicators.iter().map(|i| i.metric.clone()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    let (children, parents): (Vec<String>, Vec<String>) = indicators
        .iter()
        .filter_map(|i| Some((i.code.clone(), code_of(i.parent_id?)?)))
        .unzip();
    sqlx::query(
        "update indicator c set parent_id = p.id
           from unnest($2::text[], $3::text[]) as t(code, parent_code)
           join indicator p on p.framework_id = $1 and p.code = t.parent_code
          where c.framework_id = $1 and c.code = t.code",
    )
    .bind(id)
    .bind(&children)
    .bind(&parents)
    .execute(conn)
    .await?;
    Ok(id)
}
