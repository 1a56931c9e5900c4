//! SQL for the completeness board: a cycle's filers as its filters choose them, a page at a
//! time or all of them, the figures of the whole cycle by kind of filer, and reminders.

use super::submissions::{FILER_ORDER, SUBMISSION, Submission};
use crate::web::list::{ListQuery, Sorts, page_sql};
use crate::web::today;
use futures_util::Stream;
use sqlx::PgConnection;

/// The board's filter over `s`, its cycle `c` and unit `u`, with $1 the cycle and $2–$4 the
/// filter: a kind of filer ($2, empty: all), a status or one of `overdue`, `late`,
/// `not_started` ($3, as `Submission::is_overdue`, `is_late` and `not_started` say, on $4).
const FILTER: &str = "s.cycle_id = $1
    and ($2 = '' or coalesce(u.kind, 'member_unit') = $2)
    and case $3 when '' then true
        when 'overdue' then s.submitted_on is null and $4::date > c.due_on
        when 'late' then s.submitted_on > c.due_on
        when 'not_started' then s.status = 'draft' and s.resource_count = 0 and s.plan_count = 0
        else s.status = $3 end";

pub const SORTS: Sorts = Sorts(&[
    ("filer", "coalesce(m.name, u.name)"),
    ("status", "s.status"),
    ("submitted_on", "s.submitted_on"),
    ("resources", "s.resource_count"),
    ("plans", "s.plan_count"),
    ("reminders", "reminders"),
]);

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, FILER_ORDER, "s.id")
}

type BoardQuery<'q, O> = sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>;

/// Binds the cycle and the board's filters ($1–$4).
fn filtered<'q, O>(query: BoardQuery<'q, O>, cycle: i64, q: &'q ListQuery) -> BoardQuery<'q, O> {
    query
        .bind(cycle)
        .bind(q.get("kind"))
        .bind(q.get("status"))
        .bind(today())
}

/// One page of the cycle's filers that match the filters.
pub async fn page(
    conn: &mut PgConnection,
    cycle: i64,
    q: &ListQuery,
    page: i64,
) -> sqlx::Result<Vec<Submission>> {
    let sql = format!("{SUBMISSION} where {FILTER}{}{}", order(q), page_sql(page));
    filtered(sqlx::query_as(&sql), cycle, q)
        .fetch_all(conn)
        .await
}

/// The statement that reads every filer the filters match, up to `limit` (export, print).
pub fn all_sql(q: &ListQuery, limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!("{SUBMISSION} where {FILTER}{}{limit}", order(q))
}

/// The filers [`all_sql`] reads, as they come.
pub fn all<'c>(
    conn: &'c mut PgConnection,
    cycle: i64,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Submission>> + 'c {
    filtered(sqlx::query_as(sql), cycle, q).fetch(conn)
}

/// One kind of filer in a cycle: how many, submitted, accepted, submitted late, and matching
/// the filters.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KindCounts {
    pub kind: String,
    pub filers: i64,
    pub submitted: i64,
    pub accepted: i64,
    pub late: i64,
    pub matching: i64,
}

/// The board's figures by kind of filer, counted in one pass over the cycle's submissions;
/// their `matching` add up to the list's count.
pub async fn counts(
    conn: &mut PgConnection,
    cycle: i64,
    q: &ListQuery,
) -> sqlx::Result<Vec<KindCounts>> {
    let sql = format!(
        "select coalesce(u.kind, 'member_unit') as kind, count(*) as filers,
                count(s.submitted_on) as submitted,
                count(*) filter (where s.status = 'accepted') as accepted,
                count(*) filter (where s.submitted_on > c.due_on) as late,
                count(*) filter (where {FILTER}) as matching
           from submission s
           join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
           left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
          where s.cycle_id = $1
          group by 1"
    );
    filtered(sqlx::query_as(&sql), cycle, q)
        .fetch_all(conn)
        .await
}

/// A notice with `message` to one filer, or to every filer of the cycle not yet submitted;
/// how many were sent.
pub async fn remind(
    conn: &mut PgConnection,
    tenant_id: i64,
    cycle: i64,
    one: Option<i64>,
    message: &str,
    sent_by: &str,
) -> sqlx::Result<u64> {
    let sent = sqlx::query(
        "insert into notice (tenant_id, submission_id, message, sent_by)
         select $1, id, $3, $4 from submission
          where cycle_id = $2 and status in ('draft', 'returned') and ($5::bigint is null or id = $5)",
    )
    .bind(tenant_id)
    .bind(cycle)
    .bind(message)
    .bind(sent_by)
    .bind(one)
    .execute(conn)
    .await?;
    Ok(sent.rows_affected())
}
