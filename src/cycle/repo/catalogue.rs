//! SQL for the public catalogue: the lists of published years as they were published (the
//! `catalogue_resource` and `catalogue_plan` tables `publish_catalogue` writes), filtered,
//! counted, a page at a time or all of them, with what is new and gone since the year before.
//!
//! Every query of a year shares one statement for a page, the print view and the exports:
//! its rows are `$7` from the `$8`th (all of them: [`ALL_ROWS`]).

use crate::cycle::model::yuan;
use crate::db::like_literal;
use crate::web::list::ListQuery;
use futures_util::Stream;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::{PgConnection, Postgres};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicResource {
    pub filer_key: String,
    pub filer_name: String,
    pub area: String,
    pub member_unit_id: Option<i64>,
    pub category: String,
    pub name: String,
    pub description: String,
    pub place: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
    #[sqlx(default)]
    pub new: bool,
}

impl PublicResource {
    pub fn category_label(&self) -> String {
        format!("resource.{}", self.category)
    }

    pub fn sharing_label(&self) -> String {
        format!("sharing.{}", self.sharing)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicPlan {
    pub filer_key: String,
    pub filer_name: String,
    pub area: String,
    pub member_unit_id: Option<i64>,
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget: i64,
    pub responsible: String,
}

impl PublicPlan {
    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn period_label(&self) -> String {
        format!("period.{}", self.period)
    }

    pub fn budget_text(&self) -> String {
        yuan(self.budget)
    }
}

/// The filters by name in the query string, in the order links write them.
pub const FILTERS: [&str; 5] = ["q", "category", "population", "town", "member"];

/// The catalogue's filters over a published item `i` of year $1 (a row of `catalogue_resource`
/// or `catalogue_plan`): words ($2) in any of its texts, category, population, town, member unit.
const WHERE: &str = "i.year = $1
    and ($2 = '' or i.search like '%' || $2 || '%')
    and ($3 = '' or i.category = $3)
    and ($4 = '' or $4 = any(i.populations) or 'all' = any(i.populations))
    and ($5 = '' or i.area = $5)
    and ($6::bigint is null or i.member_unit_id = $6)";

const RESOURCE: &str = "i.filer_key, i.filer_name, i.area, i.member_unit_id, i.category, i.name,
    i.description, i.place, i.capacity, i.opening_times, i.populations, i.sharing, i.contact";

/// Whether the filer of row `i` listed an item of that name in year `year`: one index probe.
fn listed_in(year: &str) -> String {
    format!(
        "exists (select 1 from catalogue_resource o where o.year = {year}
                    and o.filer_key = i.filer_key and lower(o.name) = lower(i.name))"
    )
}

/// Rows $7 from the $8th: every row.
pub const ALL_ROWS: (i64, i64) = (i64::MAX, 0);

/// Published resources of year $1 matching the filters, in the catalogue's order, each marked
/// new when year $9's list (the year before) did not have it; $7 of them from the $8th.
pub fn resources_sql() -> String {
    format!(
        "select {RESOURCE}, ($9::int is not null and not {listed}) as new
           from catalogue_resource i
          where {WHERE}
          order by i.filer_rank, i.submission_id, i.item_id
          limit $7 offset $8",
        listed = listed_in("$9"),
    )
}

/// Published action plans of year $1 matching the filters, $7 of them from the $8th.
pub fn plans_sql() -> String {
    format!(
        "select i.filer_key, i.filer_name, i.area, i.member_unit_id, i.title, i.category,
                i.populations, i.period, i.place, i.participants, i.budget, i.responsible
           from catalogue_plan i
          where {WHERE}
          order by i.period, i.submission_id, i.item_id limit $7 offset $8"
    )
}

type CatalogueQuery<'q, O> = QueryAs<'q, Postgres, O, PgArguments>;

/// Binds the year ($1) and the catalogue's filters ($2–$6) that every catalogue query shares.
fn filtered<'q, O>(
    query: CatalogueQuery<'q, O>,
    year: i32,
    q: &'q ListQuery,
) -> CatalogueQuery<'q, O> {
    query
        .bind(year)
        .bind(like_literal(q.get("q")))
        .bind(q.get("category"))
        .bind(q.get("population"))
        .bind(q.get("town"))
        .bind(q.id("member"))
}

/// A catalogue query of year $1 with the filters ($2–$6) and its rows ($7, $8).
fn rows_of<'q, O: for<'r> sqlx::FromRow<'r, PgRow>>(
    sql: &'q str,
    year: i32,
    q: &'q ListQuery,
    (limit, offset): (i64, i64),
) -> CatalogueQuery<'q, O> {
    filtered(sqlx::query_as(sql), year, q)
        .bind(limit)
        .bind(offset)
}

/// Rows `rows` (how many, from which) of year's resources, marked new against `compare_to`.
pub async fn resources(
    conn: &mut PgConnection,
    year: i32,
    compare_to: Option<i32>,
    q: &ListQuery,
    rows: (i64, i64),
) -> sqlx::Result<Vec<PublicResource>> {
    let sql = resources_sql();
    rows_of(&sql, year, q, rows)
        .bind(compare_to)
        .fetch_all(conn)
        .await
}

/// Every resource of the year that matches, as it comes, read by [`resources_sql`].
pub fn all_resources<'c>(
    conn: &'c mut PgConnection,
    year: i32,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<PublicResource>> + 'c {
    rows_of(sql, year, q, ALL_ROWS)
        .bind(None::<i32>)
        .fetch(conn)
}

/// Rows `rows` of the year's action plans.
pub async fn plans(
    conn: &mut PgConnection,
    year: i32,
    q: &ListQuery,
    rows: (i64, i64),
) -> sqlx::Result<Vec<PublicPlan>> {
    let sql = plans_sql();
    rows_of(&sql, year, q, rows).fetch_all(conn).await
}

/// Every action plan of the year that matches, as it comes, read by [`plans_sql`].
pub fn all_plans<'c>(
    conn: &'c mut PgConnection,
    year: i32,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<PublicPlan>> + 'c {
    rows_of(sql, year, q, ALL_ROWS).fetch(conn)
}

/// Resources of `previous` (filtered) that `year`'s list no longer has.
pub async fn gone(
    conn: &mut PgConnection,
    year: i32,
    previous: i32,
    q: &ListQuery,
) -> sqlx::Result<Vec<PublicResource>> {
    let sql = format!(
        "select {RESOURCE}, false as new from catalogue_resource i
          where {WHERE} and not {listed}
          order by i.filer_rank, i.submission_id, i.item_id limit 200",
        listed = listed_in("$7"),
    );
    filtered(sqlx::query_as(&sql), previous, q)
        .bind(year)
        .fetch_all(conn)
        .await
}

/// How many published resources and plans of year $1 match the filters, in one query.
pub async fn totals(conn: &mut PgConnection, year: i32, q: &ListQuery) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "select (select count(*) from catalogue_resource i where {WHERE}),
                (select count(*) from catalogue_plan i where {WHERE})"
    );
    filtered(sqlx::query_as(&sql), year, q)
        .fetch_one(conn)
        .await
}

/// The district's published years, latest first.
pub async fn years(conn: &mut PgConnection) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "select year from reporting_cycle where status = 'published' order by year desc",
    )
    .fetch_all(conn)
    .await
}

/// The towns as the year's lists were published: the filter compares with those names.
pub async fn towns(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select area from catalogue_resource where year = $1 and area <> ''
          union select area from catalogue_plan where year = $1 and area <> '' order by 1",
    )
    .bind(year)
    .fetch_all(conn)
    .await
}

/// The district's member units, for the filter.
pub async fn member_units(conn: &mut PgConnection) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("select id, name from member_unit order by sort, code")
        .fetch_all(conn)
        .await
}

/// The districts that have published lists: code, name and latest year.
pub async fn districts(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, String, i32)>> {
    sqlx::query_as("select code, name, latest from public_districts()")
        .fetch_all(conn)
        .await
}
