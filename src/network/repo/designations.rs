//! Demonstration designations of a unit: candidate, declared, approved or not. Their steps are
//! guarded updates (`web::transition::Step`) on `demonstration`.

use super::Unit;
use crate::network::model::{DesignationInput, designation_can_become};
use crate::web::transition::Step;
use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Designation {
    pub id: i64,
    pub unit_id: i64,
    pub level: String,
    pub year: i32,
    pub status: String,
    pub candidate_on: NaiveDate,
    pub declared_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub note: String,
    pub version: i32,
}

impl Designation {
    pub fn level_label(&self) -> String {
        format!("level.{}", self.level)
    }

    pub fn status_label(&self) -> String {
        format!("designation.{}", self.status)
    }

    pub fn declared_text(&self) -> String {
        Unit::date_text(&self.declared_on)
    }

    pub fn decided_text(&self) -> String {
        Unit::date_text(&self.decided_on)
    }

    /// The steps this designation may take next.
    pub fn next_steps(&self) -> Vec<&'static str> {
        ["declared", "approved", "not_approved"]
            .into_iter()
            .filter(|to| designation_can_become(&self.status, to))
            .collect()
    }
}

const COLUMNS: &str =
    "id, unit_id, level, year, status, candidate_on, declared_on, decided_on, note, version";

/// A unit's designations, the latest year first and the highest level first within a year.
pub async fn of_unit(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<Vec<Designation>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from demonstration where unit_id = $1
          order by year desc, array_position(array['provincial','city','district'], level)"
    ))
    .bind(unit_id)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut PgConnection,
    unit_id: i64,
    id: i64,
) -> sqlx::Result<Option<Designation>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from demonstration where unit_id = $1 and id = $2"
    ))
    .bind(unit_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A new candidate designation; the unique key `demonstration_once` refuses a second one of the
/// same unit, level and year.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    unit_id: i64,
    i: &DesignationInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into demonstration (tenant_id, unit_id, level, year, candidate_on, note)
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(tenant_id)
    .bind(unit_id)
    .bind(&i.level)
    .bind(i.year)
    .bind(i.candidate_on)
    .bind(&i.note)
    .fetch_one(conn)
    .await
}

/// A designation's step from `from` to `to` on its day (`Step::apply_on`), over the version the
/// page showed: the day is the declaration's or the decision's, and `note` is added to the
/// designation's own.
pub fn step<'a>(
    id: i64,
    from: &'a [&'a str],
    to: &'a str,
    version: i32,
    note: &'a str,
) -> Step<'a> {
    Step {
        table: "demonstration",
        id,
        from,
        to,
        version: Some(version),
        also: if to == "declared" {
            "declared_on = $5,
             note = case when $6 = '' then note when note = '' then $6 else note || '；' || $6 end"
        } else {
            "decided_on = $5,
             note = case when $6 = '' then note when note = '' then $6 else note || '；' || $6 end"
        },
        note,
    }
}
