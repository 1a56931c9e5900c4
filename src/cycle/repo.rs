//! SQL for the December cycle. This file holds the cycles themselves (the register of years,
//! opening one, its window, its steps); the rest is in `repo/`, by what it reads:
//! `submissions` (a filer's lists and their history), `board` (a cycle's filers and figures),
//! `items` (the lists' items of either kind, `resources` and `plans`), `imports` (uploaded
//! workbooks) and `catalogue` (the published lists residents read).

pub mod board;
pub mod catalogue;
pub mod imports;
pub mod items;
pub mod plans;
pub mod resources;
pub mod submissions;

use super::model::{CycleInput, CycleStep, Window};
use crate::web::list::{ListQuery, Sorts, page_sql};
use crate::web::transition;
use chrono::NaiveDate;
use futures_util::Stream;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Cycle {
    pub id: i64,
    pub year: i32,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: String,
    pub published_on: Option<NaiveDate>,
    pub version: i32,
    #[sqlx(default)]
    pub total: i64,
}

impl Cycle {
    pub fn status_label(&self) -> String {
        status_label(&self.status)
    }

    /// The year the action plans are for.
    pub fn plan_year(&self) -> i32 {
        self.year + 1
    }

    pub fn published_text(&self) -> String {
        self.published_on.map(|d| d.to_string()).unwrap_or_default()
    }
}

/// The catalogue key of a cycle's status.
pub fn status_label(status: &str) -> String {
    format!("cycle.status.{status}")
}

const COLUMNS: &str = "id, year, opens_on, due_on, status, published_on, version";

/// The register's filter: a status.
const WHERE: &str = " where ($1 = '' or status = $1)";

pub const SORTS: Sorts = Sorts(&[
    ("year", "year"),
    ("due_on", "due_on"),
    ("status", "status"),
    ("published_on", "published_on"),
]);

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, "year desc", "id")
}

fn status(q: &ListQuery) -> &str {
    q.one_of("status", &["open", "closed", "published"])
}

/// One page of the district's cycles, each row carrying the count of all that match.
pub async fn cycles(conn: &mut PgConnection, q: &ListQuery, page: i64) -> sqlx::Result<Vec<Cycle>> {
    let sql = format!(
        "select {COLUMNS}, count(*) over () as total from reporting_cycle{WHERE}{}{}",
        order(q),
        page_sql(page)
    );
    sqlx::query_as(&sql).bind(status(q)).fetch_all(conn).await
}

/// The statement that reads every cycle the filter matches, up to `limit` (export, print).
pub fn all_sql(q: &ListQuery, limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!(
        "select {COLUMNS} from reporting_cycle{WHERE}{}{limit}",
        order(q)
    )
}

/// The cycles [`all_sql`] reads, as they come.
pub fn all<'c>(
    conn: &'c mut PgConnection,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Cycle>> + 'c {
    sqlx::query_as(sql).bind(status(q)).fetch(conn)
}

/// How many cycles the filter matches.
pub async fn total(conn: &mut PgConnection, q: &ListQuery) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("select count(*) from reporting_cycle{WHERE}"))
        .bind(status(q))
        .fetch_one(conn)
        .await
}

pub async fn cycle(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Cycle>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from reporting_cycle where id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A new year's cycle, or `None` when the district has one for that year already.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    c: &CycleInput,
) -> sqlx::Result<Option<i64>> {
    let created = sqlx::query_scalar(
        "insert into reporting_cycle (tenant_id, year, opens_on, due_on) values ($1, $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(c.year)
    .bind(c.window.opens_on)
    .bind(c.window.due_on)
    .fetch_one(conn)
    .await;
    match created {
        Ok(id) => Ok(Some(id)),
        Err(e) if crate::db::violates(&e, "reporting_cycle_once") => Ok(None),
        Err(e) => Err(e),
    }
}

/// One submission for every filer of the chosen kinds that is active now; how many.
pub async fn ask_filers(
    conn: &mut PgConnection,
    tenant_id: i64,
    cycle: i64,
    filers: &[String],
) -> sqlx::Result<u64> {
    let members = if filers.iter().any(|f| f == "member_unit") {
        sqlx::query("insert into submission (tenant_id, cycle_id, member_unit_id) select $1, $2, id from member_unit where active")
            .bind(tenant_id)
            .bind(cycle)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    } else {
        0
    };
    let units = sqlx::query(
        "insert into submission (tenant_id, cycle_id, org_unit_id)
         select $1, $2, id from org_unit where status = 'active' and kind = any($3)",
    )
    .bind(tenant_id)
    .bind(cycle)
    .bind(filers)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(members + units)
}

/// Saves a window only over `version`; false means someone saved first.
pub async fn update_window(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    w: &Window,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update reporting_cycle set opens_on = $3, due_on = $4, version = version + 1 where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(w.opens_on)
    .bind(w.due_on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The guarded update of a cycle's step; publishing dates it.
pub fn step(id: i64, step: CycleStep) -> transition::Step<'static> {
    let (from, to) = step.from_to();
    transition::Step {
        table: "reporting_cycle",
        id,
        from,
        to,
        version: None,
        also: match step {
            CycleStep::Publish => "published_on = $5",
            CycleStep::Close | CycleStep::Reopen => "",
        },
        note: "",
    }
}

/// Writes the public catalogue from the cycle's accepted lists: the catalogue reads the lists
/// as published, written here once.
pub async fn publish_catalogue(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select publish_catalogue($1)")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the cycle is open, holding it so until the transaction ends. Steps happen only while
/// the cycle is open, and it stays open until the step commits: the share lock makes closing
/// or publishing (which writes the catalogue from the accepted lists) wait for it, or makes
/// the step see the cycle already closed.
pub async fn hold_open(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    let open: Option<i32> = sqlx::query_scalar(
        "select 1 from reporting_cycle where id = $1 and status = 'open' for share",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(open.is_some())
}
