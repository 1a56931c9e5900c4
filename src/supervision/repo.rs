//! SQL for frameworks, rounds, scores, evidence and the computed indicators.

use super::model::Indicator;
use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::HashMap;

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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Framework {
    pub id: i64,
    pub year: i32,
    pub name: String,
    pub rounds: i64,
}

pub async fn frameworks(conn: &mut PgConnection) -> sqlx::Result<Vec<Framework>> {
    sqlx::query_as(
        "select f.id, f.year, f.name, (select count(*) from evaluation_round r where r.framework_id = f.id) as rounds
           from framework f order by f.year desc, f.id desc",
    )
    .fetch_all(conn)
    .await
}

pub async fn framework(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Framework>> {
    sqlx::query_as(
        "select f.id, f.year, f.name, (select count(*) from evaluation_round r where r.framework_id = f.id) as rounds
           from framework f where f.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

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
}

impl Round {
    pub fn status_label(&self) -> String {
        format!("round.{}", self.status)
    }

    pub fn published(&self) -> bool {
        self.status == "published"
    }
}

const ROUND: &str = "select id, year, name, framework_id, self_due, review_due, status, evaluator_weight,
        excellent::float8 as excellent, good::float8 as good, pass::float8 as pass, published_on, version from evaluation_round";

pub async fn rounds(conn: &mut PgConnection) -> sqlx::Result<Vec<Round>> {
    sqlx::query_as(&format!("{ROUND} order by year desc, id desc"))
        .fetch_all(conn)
        .await
}

pub async fn round(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!("{ROUND} where id = $1"))
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Score {
    pub round_unit_id: i64,
    pub indicator_id: i64,
    pub scorer_kind: String,
    pub scorer_id: i64,
    pub scorer_name: String,
    pub value: f64,
    pub note: String,
}

pub async fn scores(conn: &mut PgConnection, round_units: &[i64]) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(
        "select round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value::float8 as value, note
           from score where round_unit_id = any($1) order by id",
    )
    .bind(round_units)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub indicator_id: i64,
    pub file_name: String,
    pub size: i32,
}

pub async fn evidence(conn: &mut PgConnection, round_unit: i64) -> sqlx::Result<Vec<Evidence>> {
    sqlx::query_as("select id, indicator_id, file_name, size from evidence where round_unit_id = $1 order by id")
        .bind(round_unit)
        .fetch_all(conn)
        .await
}

/// A computed indicator's value (0–100 %) and what it rests on.
#[derive(Debug, Clone)]
pub struct Computed {
    pub pct: f64,
    pub detail: String,
}

/// Values of the computed indicators for a town school in a year, from cedu's own records.
pub async fn computed(
    conn: &mut PgConnection,
    year: i32,
    unit: i64,
) -> sqlx::Result<HashMap<&'static str, Computed>> {
    Ok(computed_for(conn, year, &[unit])
        .await?
        .remove(&unit)
        .unwrap_or_default())
}

#[derive(sqlx::FromRow)]
struct Facts {
    id: i64,
    submitted_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    list_status: Option<String>,
    points: i64,
    villages_total: Option<i32>,
    transformed_on: Option<NaiveDate>,
    approved: i64,
    satisfied: i64,
    answers: i64,
}

/// The computed indicators of many units at once: one query, however many units.
pub async fn computed_for(
    conn: &mut PgConnection,
    year: i32,
    units: &[i64],
) -> sqlx::Result<HashMap<i64, HashMap<&'static str, Computed>>> {
    let facts: Vec<Facts> = sqlx::query_as(
        "select u.id, f.submitted_on, f.due_on, f.status as list_status,
                (select count(*) from org_unit p where p.tenant_id = u.tenant_id and p.parent_id = u.id and p.status = 'active') as points,
                u.villages_total, u.transformed_on,
                (select count(*) from demonstration d where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved') as approved,
                coalesce(v.satisfied, 0) as satisfied, coalesce(v.answers, 0) as answers
           from org_unit u
           left join lateral (select s.submitted_on, c.due_on, s.status from submission s
                                join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
                               where s.tenant_id = u.tenant_id and s.org_unit_id = u.id and c.year = $2) f on true
           left join lateral (select count(*) filter (where a >= 4) as satisfied, count(*) as answers
                                from survey_response r, unnest(r.answers) as a
                               where r.tenant_id = u.tenant_id and r.org_unit_id = u.id
                                 -- the year's survey found once, not joined per answer
                                 and r.survey_id = (select sv.id from survey sv where sv.year = $2)) v on true
          where u.id = any($1)",
    )
    .bind(units)
    .bind(year)
    .fetch_all(conn)
    .await?;
    let mut all = HashMap::new();
    for f in facts {
        let mut out = HashMap::new();
        let on_time = f
            .submitted_on
            .zip(f.due_on)
            .is_some_and(|(s, due)| s <= due);
        let detail = match (f.submitted_on, f.due_on, &f.list_status) {
            (s, Some(due), Some(status)) => format!(
                "{} / {due} · {status}",
                s.map_or("—".into(), |s| s.to_string())
            ),
            _ => "—".into(),
        };
        out.insert(
            "lists_on_time",
            Computed {
                pct: if on_time { 100.0 } else { 0.0 },
                detail,
            },
        );
        let coverage = f
            .villages_total
            .filter(|v| *v > 0)
            .map_or(0.0, |v| (f.points as f64 * 100.0 / f64::from(v)).min(100.0));
        out.insert(
            "village_coverage",
            Computed {
                pct: coverage,
                detail: format!(
                    "{} / {}",
                    f.points,
                    f.villages_total.map_or("—".into(), |v| v.to_string())
                ),
            },
        );
        out.insert(
            "transformed",
            Computed {
                pct: if f.transformed_on.is_some() {
                    100.0
                } else {
                    0.0
                },
                detail: f.transformed_on.map_or("—".into(), |d| d.to_string()),
            },
        );
        out.insert(
            "demonstration",
            Computed {
                pct: if f.approved > 0 { 100.0 } else { 0.0 },
                detail: f.approved.to_string(),
            },
        );
        let rate = if f.answers == 0 {
            0.0
        } else {
            f.satisfied as f64 * 100.0 / f.answers as f64
        };
        out.insert(
            "satisfaction",
            Computed {
                pct: rate,
                detail: format!("{} / {}", f.satisfied, f.answers),
            },
        );
        all.insert(f.id, out);
    }
    Ok(all)
}
