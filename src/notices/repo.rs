//! The SQL of public notices, their objections and the platform's calendar of working days.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;

/// One line of a notice as published: who, of which unit, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub unit: String,
    pub summary: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Notice {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub title: String,
    pub body: String,
    pub entries: Json<Vec<Entry>>,
    pub starts_on: NaiveDate,
    pub working_days: i32,
    pub ends_on: NaiveDate,
    pub contact: String,
    pub published_by: String,
    /// Objections lodged, and those not yet handled.
    pub objections: i64,
    pub unhandled: i64,
}

impl Notice {
    /// Whether objections may be lodged on `today`.
    pub fn open_on(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && today <= self.ends_on
    }
}

const NOTICE: &str = "select n.id, n.subject_kind, n.subject_id, n.title, n.body, n.entries, n.starts_on,
        n.working_days, n.ends_on, n.contact, n.published_by,
        (select count(*) from notice_objection o where o.tenant_id = n.tenant_id and o.notice_id = n.id) as objections,
        (select count(*) from notice_objection o where o.tenant_id = n.tenant_id and o.notice_id = n.id
            and o.outcome is null) as unhandled
   from public_notice n";

/// What a notice publishes, checked and dated by `notices::publish`.
pub struct NewNotice<'a> {
    pub tenant_id: i64,
    pub subject_kind: &'static str,
    pub subject_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub entries: &'a [Entry],
    pub starts_on: NaiveDate,
    pub working_days: i32,
    pub ends_on: NaiveDate,
    pub contact: &'a str,
    pub published_by: &'a str,
}

/// Publishes a notice; `None` when its subject already has one.
pub async fn insert(conn: &mut PgConnection, n: &NewNotice<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into public_notice (tenant_id, subject_kind, subject_id, title, body, entries, starts_on,
                                    working_days, ends_on, contact, published_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict on constraint public_notice_once do nothing
         returning id",
    )
    .bind(n.tenant_id)
    .bind(n.subject_kind)
    .bind(n.subject_id)
    .bind(n.title)
    .bind(n.body)
    .bind(Json(n.entries))
    .bind(n.starts_on)
    .bind(n.working_days)
    .bind(n.ends_on)
    .bind(n.contact)
    .bind(n.published_by)
    .fetch_optional(conn)
    .await
}

pub async fn find(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Notice>> {
    sqlx::query_as(&format!("{NOTICE} where n.tenant_id = $1 and n.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The district's notices, newest first: those running and those of the last two years.
pub async fn public_list(
    conn: &mut PgConnection,
    tenant_id: i64,
    today: NaiveDate,
) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as(&format!(
        "{NOTICE} where n.tenant_id = $2 and n.starts_on <= $1 and n.ends_on >= $1 - 730
          order by n.starts_on desc, n.id desc limit 100"
    ))
    .bind(today)
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Objection {
    pub id: i64,
    pub entry: String,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub lodged_at: chrono::DateTime<chrono::Utc>,
    pub handling: String,
    pub outcome: Option<String>,
    pub handled_by: String,
    pub handled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

impl Objection {
    pub fn lodged_text(&self) -> String {
        crate::web::china_time(self.lodged_at)
    }

    /// ", 2026-12-02 10:00" once handled.
    pub fn handled_text(&self) -> String {
        self.handled_at
            .map(|at| format!(", {}", crate::web::china_time(at)))
            .unwrap_or_default()
    }
}

const OBJECTION: &str =
    "select id, entry, name, contact, text, lodged_at, handling, outcome, handled_by,
        handled_at, version from notice_objection";

pub async fn objections(conn: &mut PgConnection, notice_id: i64) -> sqlx::Result<Vec<Objection>> {
    sqlx::query_as(&format!(
        "{OBJECTION} where notice_id = $1 order by lodged_at, id"
    ))
    .bind(notice_id)
    .fetch_all(conn)
    .await
}

pub async fn objection(
    conn: &mut PgConnection,
    notice_id: i64,
    id: i64,
) -> sqlx::Result<Option<Objection>> {
    sqlx::query_as(&format!("{OBJECTION} where notice_id = $1 and id = $2"))
        .bind(notice_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Objections from one address in the last day, of any notice of the district.
pub async fn lodged_today(conn: &mut PgConnection, address: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from notice_objection
          where address_hash = $1 and lodged_at > now() - interval '1 day'",
    )
    .bind(address)
    .fetch_one(conn)
    .await
}

pub struct NewObjection<'a> {
    pub tenant_id: i64,
    pub notice_id: i64,
    pub entry: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub text: &'a str,
    pub address: &'a str,
}

pub async fn lodge(conn: &mut PgConnection, o: &NewObjection<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into notice_objection (tenant_id, notice_id, entry, name, contact, text, address_hash)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(o.tenant_id)
    .bind(o.notice_id)
    .bind(o.entry)
    .bind(o.name)
    .bind(o.contact)
    .bind(o.text)
    .bind(o.address)
    .fetch_one(conn)
    .await
}

/// Records how an objection was handled; false when someone else's save came first.
pub async fn handle(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    outcome: &str,
    handling: &str,
    by: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update notice_objection
            set outcome = $3, handling = $4, handled_by = $5, handled_at = now(), version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(outcome)
    .bind(handling)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The calendar's days from `from` on, for a notice's arithmetic: `(day, working)`.
pub async fn calendar_from(
    conn: &mut PgConnection,
    from: NaiveDate,
) -> sqlx::Result<Vec<(NaiveDate, bool)>> {
    sqlx::query_as(
        "select day, working from calendar_day where day between $1 and $1 + 120 order by day",
    )
    .bind(from)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub working: bool,
    pub name: String,
    pub set_by: String,
}

pub async fn calendar_year(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<CalendarDay>> {
    sqlx::query_as(
        "select day, working, name, set_by from calendar_day
          where day between make_date($1, 1, 1) and make_date($1, 12, 31) order by day",
    )
    .bind(year)
    .fetch_all(conn)
    .await
}

/// The years the calendar holds, newest first.
pub async fn calendar_years(conn: &mut PgConnection) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "select distinct extract(year from day)::int from calendar_day order by 1 desc",
    )
    .fetch_all(conn)
    .await
}

/// Replaces a year's days with `days` (`(day, working, name)`), in one statement pair.
pub async fn replace_year(
    conn: &mut PgConnection,
    year: i32,
    days: &[(NaiveDate, bool, String)],
    by: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "delete from calendar_day where day between make_date($1, 1, 1) and make_date($1, 12, 31)",
    )
    .bind(year)
    .execute(&mut *conn)
    .await?;
    let (d, w, n): (Vec<NaiveDate>, Vec<bool>, Vec<String>) =
        days.iter()
            .cloned()
            .fold((vec![], vec![], vec![]), |mut acc, (d, w, n)| {
                acc.0.push(d);
                acc.1.push(w);
                acc.2.push(n);
                acc
            });
    sqlx::query(
        "insert into calendar_day (day, working, name, set_by)
         select * , $4 from unnest($1::date[], $2::bool[], $3::text[])",
    )
    .bind(d)
    .bind(w)
    .bind(n)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}
