//! Evaluation rounds and the units they evaluate: read, opened, evaluators assigned, advanced
//! one guarded step at a time.

use crate::supervision::model::RoundInput;
use crate::web::transition::Step;
use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub year: i32,
    pub name: String,
    pub framework_id: i64,
    pub self_due: NaiveDate,
    pub review_due: NaiveDate,
    pub status: String,
    pub evaluator_weight: i32,
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
    pub published_on: Option<NaiveDate>,
    pub version: i32,
    /// The town school running the round over its teaching points; none for the district's.
    pub owner_unit_id: Option<i64>,
    pub owner_name: Option<String>,
    /// The public notice of its results, once the office has made them public.
    pub public_notice: Option<i64>,
}

impl Round {
    /// A town's own round over its teaching points.
    pub fn by_town(&self) -> bool {
        self.owner_unit_id.is_some()
    }

    /// The catalogue key of the reviewers' score: the supervision office's, or the town's in
    /// its own round (kept as the `supervisor` kind of score either way).
    pub fn reviewer_key(&self) -> &'static str {
        if self.by_town() {
            "round.town_score"
        } else {
            "round.supervisor"
        }
    }

    pub fn status_label(&self) -> String {
        format!("round.{}", self.status)
    }

    pub fn published(&self) -> bool {
        self.status == "published"
    }
}

const ROUND: &str = "select r.id, r.year, r.name, r.framework_id, r.self_due, r.review_due, r.status, r.evaluator_weight,
        r.excellent::float8 as excellent, r.good::float8 as good, r.pass::float8 as pass, r.published_on, r.version,
        r.owner_unit_id, o.name as owner_name, n.id as public_notice
   from evaluation_round r left join org_unit o on o.tenant_id = r.tenant_id and o.id = r.owner_unit_id
   left join public_notice n on n.tenant_id = r.tenant_id and n.subject_kind = 'evaluation_round' and n.subject_id = r.id";

/// Every round of the district, the district's own and the towns'.
pub async fn rounds(conn: &mut PgConnection) -> sqlx::Result<Vec<Round>> {
    sqlx::query_as(&format!("{ROUND} order by r.year desc, r.id desc"))
        .fetch_all(conn)
        .await
}

pub async fn round(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!("{ROUND} where r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundUnit {
    pub id: i64,
    pub round_id: i64,
    pub org_unit_id: i64,
    pub unit_name: String,
    pub self_submitted_on: Option<NaiveDate>,
    pub strengths: String,
    pub problems: String,
}

const ROUND_UNIT: &str = "select r.id, r.round_id, r.org_unit_id, u.name as unit_name, r.self_submitted_on, r.strengths, r.problems
   from round_unit r join org_unit u on u.tenant_id = r.tenant_id and u.id = r.org_unit_id";

pub async fn round_units(conn: &mut PgConnection, round: i64) -> sqlx::Result<Vec<RoundUnit>> {
    sqlx::query_as(&format!(
        "{ROUND_UNIT} where r.round_id = $1 order by u.code"
    ))
    .bind(round)
    .fetch_all(conn)
    .await
}

pub async fn round_unit(
    conn: &mut PgConnection,
    round: i64,
    id: i64,
) -> sqlx::Result<Option<RoundUnit>> {
    sqlx::query_as(&format!("{ROUND_UNIT} where r.round_id = $1 and r.id = $2"))
        .bind(round)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Round units of a town school, or those assigned to an evaluator, across every round.
pub async fn own_round_units(
    conn: &mut PgConnection,
    town: Option<i64>,
    evaluator: Option<i64>,
) -> sqlx::Result<Vec<RoundUnit>> {
    sqlx::query_as(&format!(
        "{ROUND_UNIT} where r.org_unit_id = $1
            or exists (select 1 from round_evaluator e where e.round_unit_id = r.id and e.account_id = $2)
         order by r.round_id desc, u.code"
    ))
    .bind(town)
    .bind(evaluator)
    .fetch_all(conn)
    .await
}

/// Whether `account` is an evaluator assigned to the round unit.
pub async fn evaluates(
    conn: &mut PgConnection,
    round_unit: i64,
    account: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from round_evaluator where round_unit_id = $1 and account_id = $2)",
    )
    .bind(round_unit)
    .bind(account)
    .fetch_one(conn)
    .await
}

/// The active town schools, which rounds evaluate.
pub async fn towns(conn: &mut PgConnection) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select id, name from org_unit where kind = 'town_school' and status = 'active' order by code",
    )
    .fetch_all(conn)
    .await
}

/// A town school's active teaching points, which its own rounds evaluate.
pub async fn points(conn: &mut PgConnection, town: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select id, name from org_unit where kind = 'teaching_point' and status = 'active' and parent_id = $1 order by code",
    )
    .bind(town)
    .fetch_all(conn)
    .await
}

/// Whether `unit` is one of the round's units.
pub async fn in_round(conn: &mut PgConnection, round: i64, unit: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from round_unit where round_id = $1 and org_unit_id = $2)",
    )
    .bind(round)
    .bind(unit)
    .fetch_one(conn)
    .await
}

/// The district's enabled third-party evaluators.
pub async fn evaluators(conn: &mut PgConnection) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select id, display_name from account where role = 'evaluator' and not disabled order by username",
    )
    .fetch_all(conn)
    .await
}

/// A new round of `owner` over the units chosen (all when none is): for the district's, its
/// active town schools; for a town's, that town's active teaching points. Its id and how
/// many units.
pub async fn insert_round(
    conn: &mut PgConnection,
    tenant_id: i64,
    owner: Option<i64>,
    r: &RoundInput,
) -> sqlx::Result<(i64, u64)> {
    let id: i64 = sqlx::query_scalar(
        "insert into evaluation_round (tenant_id, year, name, framework_id, self_due, review_due, evaluator_weight, excellent, good, pass, owner_unit_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11) returning id",
    )
    .bind(tenant_id)
    .bind(r.year)
    .bind(&r.name)
    .bind(r.framework)
    .bind(r.self_due)
    .bind(r.review_due)
    .bind(r.evaluator_weight)
    .bind(r.excellent)
    .bind(r.good)
    .bind(r.pass)
    .bind(owner)
    .fetch_one(&mut *conn)
    .await?;
    let units = sqlx::query(
        "insert into round_unit (tenant_id, round_id, org_unit_id)
         select $1, $2, id from org_unit
          where status = 'active' and (cardinality($3::bigint[]) = 0 or id = any($3))
            and case when $4::bigint is null then kind = 'town_school'
                     else kind = 'teaching_point' and parent_id = $4 end",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&r.units)
    .bind(owner)
    .execute(conn)
    .await?
    .rows_affected();
    Ok((id, units))
}

/// Assigns an evaluator to a unit of the round; false when either is not what it should be.
pub async fn assign_evaluator(
    conn: &mut PgConnection,
    tenant_id: i64,
    round: i64,
    round_unit: Option<i64>,
    account: Option<i64>,
) -> sqlx::Result<bool> {
    let valid: bool = sqlx::query_scalar(
        "select exists (select 1 from account where id = $1 and role = 'evaluator')
            and exists (select 1 from round_unit where id = $2 and round_id = $3)",
    )
    .bind(account)
    .bind(round_unit)
    .bind(round)
    .fetch_one(&mut *conn)
    .await?;
    if valid {
        sqlx::query(
            "insert into round_evaluator (tenant_id, round_unit_id, account_id) values ($1, $2, $3)
             on conflict do nothing",
        )
        .bind(tenant_id)
        .bind(round_unit)
        .bind(account)
        .execute(conn)
        .await?;
    }
    Ok(valid)
}

/// The round's next step, over the status and version the page showed; false when it had
/// moved on. Publishing dates the notice.
pub async fn advance_round(
    conn: &mut PgConnection,
    round: &Round,
    to: &str,
    version: i32,
) -> sqlx::Result<bool> {
    Step {
        table: "evaluation_round",
        id: round.id,
        from: &[round.status.as_str()],
        to,
        version: Some(version),
        also: if to == "published" {
            "published_on = $5"
        } else {
            ""
        },
        note: "",
    }
    .apply(conn)
    .await
}
