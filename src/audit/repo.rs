//! SQL for the audit log: one insert per change, and the district's log as a list.

use super::{Actor, Change};
use crate::web::list::{ListQuery, Sorts, page_sql};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::Stream;
use sqlx::PgConnection;

pub async fn insert(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (tenant_id, actor_id, actor_name, action, entity, entity_id, before, after, request_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(change.tenant_id)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .bind(&actor.request_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A platform-wide change that every district's work rests on (the holiday calendar its
/// notices count by), written into each district's log.
pub async fn insert_everywhere(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (tenant_id, actor_id, actor_name, action, entity, entity_id, before, after, request_id)
         select t.id, $1, $2, $3, $4, $5, $6, $7, $8 from tenant t",
    )
    .bind(actor.id)
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .bind(&actor.request_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    #[sqlx(default)]
    pub total: i64,
}

/// The kinds of record the log can be filtered by, each with its `audit.entity.*` label.
pub const ENTITIES: [&str; 27] = [
    "org_unit",
    "account",
    "tenant",
    "policy_target",
    "committee_member",
    "member_unit",
    "reporting_cycle",
    "submission",
    "framework",
    "evaluation_round",
    "rectification",
    "survey",
    "educator",
    "service_hours",
    "service_record",
    "specialty",
    "activity",
    "signup",
    "campaign",
    "donation",
    "donation_disclosure",
    "award_programme",
    "nomination",
    "notice_objection",
    "library_resource",
    "library_setting",
    "calendar_year",
];

const COLUMNS: &str = "id, at, actor_name, action, entity, entity_id, before, after";

/// The filters: a kind of record, who (part of a username), and the days from and to (China's
/// dates: the log's times are UTC).
const WHERE: &str = " from audit_log
    where ($1 = '' or entity = $1) and ($2 = '' or actor_name like '%' || $2 || '%')
      and ($3::date is null or (at at time zone 'UTC' + interval '8 hours')::date >= $3)
      and ($4::date is null or (at at time zone 'UTC' + interval '8 hours')::date <= $4)";

pub const SORTS: Sorts = Sorts(&[("who", "actor_name"), ("what", "action")]);

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, "id desc", "id desc")
}

type EntryQuery<'q> = sqlx::query::QueryAs<'q, sqlx::Postgres, Entry, sqlx::postgres::PgArguments>;

fn filtered<'q>(query: EntryQuery<'q>, q: &'q ListQuery) -> EntryQuery<'q> {
    let day = |name| NaiveDate::parse_from_str(q.get(name), "%Y-%m-%d").ok();
    query
        .bind(q.one_of("entity", &ENTITIES))
        .bind(crate::db::like_literal(q.get("who")))
        .bind(day("from"))
        .bind(day("to"))
}

pub async fn page(conn: &mut PgConnection, q: &ListQuery, page: i64) -> sqlx::Result<Vec<Entry>> {
    let sql = format!(
        "select {COLUMNS}, count(*) over () as total{WHERE}{}{}",
        order(q),
        page_sql(page)
    );
    filtered(sqlx::query_as(&sql), q).fetch_all(conn).await
}

/// The statement that reads every entry the filters match, up to `limit`.
pub fn all_sql(limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!("select {COLUMNS}{WHERE} order by id desc{limit}")
}

pub fn all<'c>(
    conn: &'c mut PgConnection,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Entry>> + 'c {
    filtered(sqlx::query_as(sql), q).fetch(conn)
}

pub async fn total(conn: &mut PgConnection, q: &ListQuery) -> sqlx::Result<i64> {
    let day = |name| NaiveDate::parse_from_str(q.get(name), "%Y-%m-%d").ok();
    sqlx::query_scalar(&format!("select count(*){WHERE}"))
        .bind(q.one_of("entity", &ENTITIES))
        .bind(crate::db::like_literal(q.get("who")))
        .bind(day("from"))
        .bind(day("to"))
        .fetch_one(conn)
        .await
}
