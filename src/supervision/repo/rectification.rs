//! Rectification items: the list (the office's every item, a unit's own, a town's rounds'), a unit's items on
//! its sheet, a new item, and each guarded step.

use crate::supervision::model::{RectStep, RectificationInput};
use crate::web::list::{ListQuery, Listing, Rows, Select, Sorts};
use crate::web::today;
use crate::web::transition::Step;
use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_unit_id: i64,
    pub unit_name: String,
    pub problem: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub report: String,
    pub reported_on: Option<NaiveDate>,
    pub version: i32,
    /// The town school whose own round found the problem; none for the district's rounds.
    pub owner_unit_id: Option<i64>,
    #[sqlx(default)]
    pub total: i64,
}

impl Item {
    pub fn status_label(&self) -> String {
        format!("rect.{}", self.status)
    }

    pub fn overdue(&self) -> bool {
        self.status == "open" && today() > self.due_on
    }
}

const COLUMNS: &str = "x.id, x.round_unit_id, r.round_id, e.name as round_name, r.org_unit_id,
        u.name as unit_name, x.problem, x.due_on, x.status, x.report, x.reported_on, x.version, e.owner_unit_id";

/// Where an item's round and unit come from, written once for both statements below.
macro_rules! items {
    () => {
        "from rectification x
   join round_unit r on r.tenant_id = x.tenant_id and r.id = x.round_unit_id
   join evaluation_round e on e.tenant_id = r.tenant_id and e.id = r.round_id
   join org_unit u on u.tenant_id = r.tenant_id and u.id = r.org_unit_id"
    };
}

const FROM: &str = items!();

/// The list's scope (the office sees every item, a unit its own, a town also those of its own
/// rounds: $1, $2, $8) and filters: words in the problem or the report, a status, overdue
/// only (open past its day, $6 today), a unit.
const LISTED: &str = concat!(
    items!(),
    "
  where ($1 or r.org_unit_id = $2 or e.owner_unit_id = $8)
    and ($3 = '' or x.problem like '%' || $3 || '%' or x.report like '%' || $3 || '%')
    and ($4 = '' or x.status = $4)
    and (not $5 or (x.status = 'open' and x.due_on < $6))
    and ($7::bigint is null or r.org_unit_id = $7 or e.owner_unit_id = $7)"
);

pub const SORTS: Sorts = Sorts(&[
    ("unit", "u.name"),
    ("round", "e.name"),
    ("due", "x.due_on"),
    ("status", "x.status"),
    ("reported", "x.reported_on"),
]);

pub const STATUSES: [&str; 3] = ["open", "reported", "closed"];

/// The items a user may see, as the page's filters and sort ask for them: `every` for the
/// office, else those of `unit` (a town school or a teaching point) and of the rounds `owner`
/// (a town school) runs.
pub struct Items<'a> {
    pub query: &'a ListQuery,
    pub every: bool,
    pub unit: Option<i64>,
    pub owner: Option<i64>,
}

impl Listing for Items<'_> {
    type Row = Item;

    fn total(row: &Item) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: COLUMNS,
            from: LISTED,
            order: SORTS.order_by(self.query, "x.status = 'closed', x.due_on", "x.id"),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        let q = self.query;
        rows.bind(self.every)
            .bind(self.unit)
            .bind(crate::db::like_literal(q.get("q")))
            .bind(q.one_of("status", &STATUSES))
            .bind(q.get("overdue") == "1")
            .bind(today())
            .bind(q.id("town"))
            .bind(self.owner)
    }
}

pub async fn of_unit(conn: &mut PgConnection, round_unit: i64) -> sqlx::Result<Vec<Item>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} {FROM} where x.round_unit_id = $1 order by x.id"
    ))
    .bind(round_unit)
    .fetch_all(conn)
    .await
}

pub async fn rectification(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Item>> {
    sqlx::query_as(&format!("select {COLUMNS} {FROM} where x.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_rectification(
    conn: &mut PgConnection,
    tenant_id: i64,
    round_unit: i64,
    i: &RectificationInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into rectification (tenant_id, round_unit_id, problem, due_on) values ($1, $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(round_unit)
    .bind(&i.problem)
    .bind(i.due_on)
    .fetch_one(conn)
    .await
}

/// One step of an item, guarded by the status it starts from; false when the item had moved
/// on. A report is kept with its day; closing dates the item, anything else undates it.
pub async fn rectification_step(
    conn: &mut PgConnection,
    id: i64,
    step: RectStep,
    report: &str,
) -> sqlx::Result<bool> {
    Step {
        table: "rectification",
        id,
        from: step.from(),
        to: step.to(),
        version: None,
        also: match step {
            RectStep::Report => "report = $6, reported_on = $5, closed_on = null",
            RectStep::Close => "closed_on = $5",
            RectStep::Reopen => "closed_on = null",
        },
        note: report,
    }
    .apply(conn)
    .await
}
