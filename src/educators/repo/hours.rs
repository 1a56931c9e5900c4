//! SQL of service hours: recorded at a unit, countersigned there, summed per person, unit,
//! town and year, exported in the national volunteer system's fields, and certified.

use super::super::model::HoursInput;
use crate::web::list::{ListQuery, page_sql};
use chrono::{NaiveDate, NaiveTime};
use futures_util::Stream;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub educator_id: i64,
    #[serde(skip)]
    pub educator_name: String,
    #[serde(skip)]
    pub volunteer_no: String,
    pub unit_id: i64,
    #[serde(skip)]
    pub unit_name: String,
    pub served_on: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub minutes: i32,
    pub content: String,
    pub status: String,
    pub decline_reason: String,
    pub recorded_by: String,
    pub decided_by: String,
    pub version: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Entry {
    pub fn hours_text(&self) -> String {
        super::super::model::hours_text(i64::from(self.minutes))
    }

    pub fn times_text(&self) -> String {
        match (self.starts_at, self.ends_at) {
            (Some(s), Some(e)) => format!("{}–{}", s.format("%H:%M"), e.format("%H:%M")),
            _ => String::new(),
        }
    }

    pub fn status_label(&self) -> String {
        format!("hours.status.{}", self.status)
    }
}

const COLUMNS: &str = "x.id, x.educator_id, e.name as educator_name, e.volunteer_no, x.unit_id,
        u.name as unit_name, x.served_on, x.starts_at, x.ends_at, x.minutes, x.content, x.status,
        x.decline_reason, x.recorded_by, x.decided_by, x.version";

const FROM: &str = " from service_hours x
    join educator e on e.tenant_id = x.tenant_id and e.id = x.educator_id
    join org_unit u on u.tenant_id = x.tenant_id and u.id = x.unit_id";

/// Entries at units under scope `$1`, filtered: a status ($2, "" for all), words in the
/// person's name ($3), a month `YYYY-MM` ($4), a unit's id and its subtree ($5).
const WHERE: &str = " where u.path like $1 || '%'
    and ($2 = '' or x.status = $2)
    and ($3 = '' or e.name like '%' || $3 || '%' or e.volunteer_no like '%' || $3 || '%')
    and ($4 = '' or to_char(x.served_on, 'YYYY-MM') = $4)
    and ($5::bigint is null or u.path like (select p.path from org_unit p where p.id = $5) || '%')";

type EntryQuery<'q> = sqlx::query::QueryAs<'q, sqlx::Postgres, Entry, sqlx::postgres::PgArguments>;

fn filtered<'q>(query: EntryQuery<'q>, scope: &'q str, q: &'q ListQuery) -> EntryQuery<'q> {
    let month = q.get("month");
    let month = if month.len() == 7 && month.as_bytes()[4] == b'-' {
        month
    } else {
        ""
    };
    query
        .bind(scope)
        .bind(q.one_of("status", &["pending", "approved", "declined"]))
        .bind(crate::db::like_literal(q.get("q")))
        .bind(month)
        .bind(q.id("unit"))
}

/// One page of the entries at units in scope, pending first, newest service first.
pub async fn page(
    conn: &mut PgConnection,
    scope: &str,
    q: &ListQuery,
    page: i64,
) -> sqlx::Result<Vec<Entry>> {
    let sql = format!(
        "select {COLUMNS}, count(*) over () as total{FROM}{WHERE}
          order by x.status = 'pending' desc, x.served_on desc, x.id desc{}",
        page_sql(page)
    );
    filtered(sqlx::query_as(&sql), scope, q)
        .fetch_all(conn)
        .await
}

/// The statement that reads every entry the filters match, oldest first (the export).
pub fn all_sql() -> String {
    format!("select {COLUMNS}{FROM}{WHERE} order by x.served_on, x.id")
}

pub fn all<'c>(
    conn: &'c mut PgConnection,
    scope: &'c str,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Entry>> + 'c {
    filtered(sqlx::query_as(sql), scope, q).fetch(conn)
}

/// A person's entries, newest first.
pub async fn of(conn: &mut PgConnection, educator_id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(&format!(
        "select {COLUMNS}{FROM} where x.educator_id = $1 order by x.served_on desc, x.id desc limit 200"
    ))
    .bind(educator_id)
    .fetch_all(conn)
    .await
}

/// Entries in scope with these ids (for a decision on several at once).
pub async fn in_scope(
    conn: &mut PgConnection,
    scope: &str,
    ids: &[i64],
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(&format!(
        "select {COLUMNS}{FROM} where u.path like $1 || '%' and x.id = any($2) order by x.id"
    ))
    .bind(scope)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// How many entries wait to be countersigned at units under `scope`.
pub async fn pending_at(conn: &mut PgConnection, scope: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from service_hours x join org_unit u on u.tenant_id = x.tenant_id and u.id = x.unit_id
          where x.status = 'pending' and u.path like $1 || '%'",
    )
    .bind(scope)
    .fetch_one(conn)
    .await
}

/// Minutes a person already has on a day, declined entries aside.
pub async fn minutes_on(
    conn: &mut PgConnection,
    educator_id: i64,
    day: NaiveDate,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select coalesce(sum(minutes), 0)::bigint from service_hours
          where educator_id = $1 and served_on = $2 and status <> 'declined'",
    )
    .bind(educator_id)
    .bind(day)
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    educator_id: i64,
    h: &HoursInput,
    recorded_by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into service_hours (tenant_id, educator_id, unit_id, served_on, starts_at, ends_at, minutes, content, recorded_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(tenant_id)
    .bind(educator_id)
    .bind(h.unit_id)
    .bind(h.served_on)
    .bind(h.starts_at)
    .bind(h.ends_at)
    .bind(h.minutes)
    .bind(&h.content)
    .bind(recorded_by)
    .fetch_one(conn)
    .await
}

/// Countersigns pending entries (approve, or decline with a reason); the ids of those decided.
pub async fn decide(
    conn: &mut PgConnection,
    ids: &[i64],
    approve: bool,
    reason: &str,
    by: &str,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "update service_hours set status = case when $2 then 'approved' else 'declined' end,
                decline_reason = case when $2 then '' else $3 end,
                decided_by = $4, decided_at = now(), version = version + 1
          where id = any($1) and status = 'pending' returning id",
    )
    .bind(ids)
    .bind(approve)
    .bind(reason)
    .bind(by)
    .fetch_all(conn)
    .await
}

/// A person's approved minutes by year and unit.
#[derive(Debug, sqlx::FromRow)]
pub struct Total {
    pub year: i32,
    pub unit_name: String,
    pub minutes: i64,
    pub entries: i64,
}

impl Total {
    pub fn hours_text(&self) -> String {
        super::super::model::hours_text(self.minutes)
    }
}

pub async fn totals_of(conn: &mut PgConnection, educator_id: i64) -> sqlx::Result<Vec<Total>> {
    sqlx::query_as(
        "select extract(year from x.served_on)::int as year, u.name as unit_name,
                sum(x.minutes)::bigint as minutes, count(*) as entries
           from service_hours x join org_unit u on u.tenant_id = x.tenant_id and u.id = x.unit_id
          where x.educator_id = $1 and x.status = 'approved'
          group by 1, u.name, u.path order by 1 desc, u.path",
    )
    .bind(educator_id)
    .fetch_all(conn)
    .await
}

/// Approved minutes per town (its school and points) for a year, within scope. Each entry's
/// town is its unit or the unit's parent, found by key: matched by path, every entry was
/// compared with every unit of the district (86 ms for the district's year, now 7).
#[derive(Debug, sqlx::FromRow)]
pub struct TownTotal {
    pub town: String,
    pub people: i64,
    pub minutes: i64,
}

impl TownTotal {
    pub fn hours_text(&self) -> String {
        super::super::model::hours_text(self.minutes)
    }
}

pub async fn town_totals(
    conn: &mut PgConnection,
    scope: &str,
    year: i32,
) -> sqlx::Result<Vec<TownTotal>> {
    sqlx::query_as(
        "select t.name as town, count(distinct x.educator_id) as people, sum(x.minutes)::bigint as minutes
           from service_hours x
           join org_unit u on u.tenant_id = x.tenant_id and u.id = x.unit_id
           join org_unit t on t.tenant_id = u.tenant_id and t.kind = 'town_school'
                and t.id = case when u.kind = 'teaching_point' then u.parent_id else u.id end
          where x.status = 'approved' and u.path like $1 || '%'
            and x.served_on >= make_date($2, 1, 1) and x.served_on < make_date($2 + 1, 1, 1)
          group by t.name, t.path order by t.path",
    )
    .bind(scope)
    .bind(year)
    .fetch_all(conn)
    .await
}

/// What a record of service certifies: a person's approved hours at one unit over a period.
pub async fn certified(
    conn: &mut PgConnection,
    educator_id: i64,
    unit_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(&format!(
        "select {COLUMNS}{FROM} where x.educator_id = $1 and x.unit_id = $2 and x.status = 'approved'
            and x.served_on between $3 and $4 order by x.served_on, x.id"
    ))
    .bind(educator_id)
    .bind(unit_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Record {
    pub id: i64,
    pub number: String,
    pub educator_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub minutes: i32,
    pub entries: i32,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

impl Record {
    pub fn hours_text(&self) -> String {
        super::super::model::hours_text(i64::from(self.minutes))
    }
}

pub struct NewRecord<'a> {
    pub educator_id: i64,
    pub unit_id: i64,
    pub unit_code: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub minutes: i32,
    pub entries: i32,
    pub issued_on: NaiveDate,
    pub issued_by: &'a str,
}

/// Issues a record of service, numbered by its unit and year (`MJ-CG-2026-0003`).
pub async fn issue(conn: &mut PgConnection, tenant_id: i64, r: NewRecord<'_>) -> sqlx::Result<i64> {
    crate::db::lock_key(conn, &format!("record_no:{tenant_id}:{}", r.unit_id)).await?;
    let year = chrono::Datelike::year(&r.issued_on);
    let issued: i64 = sqlx::query_scalar(
        "select count(*) from service_record where unit_id = $1 and extract(year from issued_on) = $2",
    )
    .bind(r.unit_id)
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let number = format!("{}-{year}-{:04}", r.unit_code, issued + 1);
    sqlx::query_scalar(
        "insert into service_record (tenant_id, number, educator_id, unit_id, period_from, period_to, minutes, entries, issued_on, issued_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
    )
    .bind(tenant_id)
    .bind(number)
    .bind(r.educator_id)
    .bind(r.unit_id)
    .bind(r.from)
    .bind(r.to)
    .bind(r.minutes)
    .bind(r.entries)
    .bind(r.issued_on)
    .bind(r.issued_by)
    .fetch_one(conn)
    .await
}

pub async fn record(
    conn: &mut PgConnection,
    educator_id: i64,
    id: i64,
) -> sqlx::Result<Option<Record>> {
    sqlx::query_as(
        "select r.id, r.number, r.educator_id, r.unit_id, u.name as unit_name, r.period_from, r.period_to,
                r.minutes, r.entries, r.issued_on, r.issued_by
           from service_record r join org_unit u on u.tenant_id = r.tenant_id and u.id = r.unit_id
          where r.educator_id = $1 and r.id = $2",
    )
    .bind(educator_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn records_of(conn: &mut PgConnection, educator_id: i64) -> sqlx::Result<Vec<Record>> {
    sqlx::query_as(
        "select r.id, r.number, r.educator_id, r.unit_id, u.name as unit_name, r.period_from, r.period_to,
                r.minutes, r.entries, r.issued_on, r.issued_by
           from service_record r join org_unit u on u.tenant_id = r.tenant_id and u.id = r.unit_id
          where r.educator_id = $1 order by r.issued_on desc, r.id desc",
    )
    .bind(educator_id)
    .fetch_all(conn)
    .await
}

/// A unit in scope by id: (name, code, path).
pub async fn unit(
    conn: &mut PgConnection,
    scope: &str,
    id: i64,
) -> sqlx::Result<Option<(String, String, String)>> {
    sqlx::query_as("select name, code, path from org_unit where id = $1 and path like $2 || '%'")
        .bind(id)
        .bind(scope)
        .fetch_optional(conn)
        .await
}
