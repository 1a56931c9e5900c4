//! SQL for cycles, submissions and their items.

use super::model::Filer;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
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
}

impl Cycle {
    pub fn status_label(&self) -> String {
        format!("cycle.status.{}", self.status)
    }

    /// The year the action plans are for.
    pub fn plan_year(&self) -> i32 {
        self.year + 1
    }
}

pub async fn cycles(conn: &mut PgConnection) -> sqlx::Result<Vec<Cycle>> {
    sqlx::query_as("select id, year, opens_on, due_on, status, published_on, version from reporting_cycle order by year desc")
        .fetch_all(conn)
        .await
}

pub async fn cycle(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Cycle>> {
    sqlx::query_as("select id, year, opens_on, due_on, status, published_on, version from reporting_cycle where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A submission with its filer and cycle, as every page about it needs them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Submission {
    pub id: i64,
    pub cycle_id: i64,
    pub year: i32,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub cycle_status: String,
    pub member_unit_id: Option<i64>,
    pub org_unit_id: Option<i64>,
    pub filer_name: String,
    pub filer_kind: String,
    pub parent_id: Option<i64>,
    pub status: String,
    pub submitted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub return_reason: String,
    pub version: i32,
    pub resources: i64,
    pub plans: i64,
    pub reminders: i64,
}

impl Submission {
    pub fn filer(&self) -> Filer {
        Filer {
            member_unit_id: self.member_unit_id,
            org_unit_id: self.org_unit_id,
            kind: self.filer_kind.clone(),
            parent_id: self.parent_id,
        }
    }

    pub fn status_label(&self) -> String {
        format!("submission.{}", self.status)
    }

    pub fn kind_label(&self) -> String {
        format!("filer.{}", self.filer_kind)
    }

    /// Submitted after the due date (late filing is allowed, and shown).
    pub fn is_late(&self) -> bool {
        self.submitted_on.is_some_and(|d| d > self.due_on)
    }

    /// Overdue: not yet submitted and past the due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.submitted_on.is_none() && today > self.due_on
    }

    pub fn submitted_text(&self) -> String {
        self.submitted_on.map(|d| d.to_string()).unwrap_or_default()
    }

    pub fn not_started(&self) -> bool {
        self.status == "draft" && self.resources == 0 && self.plans == 0
    }
}

const SUBMISSION: &str = "select s.id, s.cycle_id, c.year, c.opens_on, c.due_on, c.status as cycle_status,
        s.member_unit_id, s.org_unit_id, coalesce(m.name, u.name) as filer_name,
        coalesce(u.kind, 'member_unit') as filer_kind, u.parent_id,
        s.status, s.submitted_on, s.decided_on, s.return_reason, s.version,
        s.resource_count::bigint as resources, s.plan_count::bigint as plans,
        (select count(*) from notice n where n.tenant_id = s.tenant_id and n.submission_id = s.id) as reminders
   from submission s
   join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
   left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
   left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id";

const FILER_ORDER: &str = " order by array_position(array['member_unit','college','town_school','teaching_point'], coalesce(u.kind, 'member_unit')),
        coalesce(m.sort, 0), coalesce(m.code, u.code)";

pub async fn submission(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Submission>> {
    sqlx::query_as(&format!("{SUBMISSION} where s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// What the completeness board shows of a cycle: a kind of filer (empty: all), a status or one of
/// `overdue`, `late`, `not_started` (as [`Submission::is_overdue`], [`Submission::is_late`] and
/// [`Submission::not_started`] say, on `today`).
pub struct BoardFilter<'a> {
    pub kind: &'a str,
    pub status: &'a str,
    pub today: NaiveDate,
}

/// The board's filter over `s`, its cycle `c` and unit `u`, with $1 the cycle and $2–$4 the filter.
const BOARD_FILTER: &str = "s.cycle_id = $1
    and ($2 = '' or coalesce(u.kind, 'member_unit') = $2)
    and case $3 when '' then true
        when 'overdue' then s.submitted_on is null and $4::date > c.due_on
        when 'late' then s.submitted_on > c.due_on
        when 'not_started' then s.status = 'draft' and s.resource_count = 0 and s.plan_count = 0
        else s.status = $3 end";

/// The cycle's filers that match the filter, in board order: `limit` of them from `offset`, or all.
pub async fn board_rows(
    conn: &mut PgConnection,
    cycle_id: i64,
    filter: &BoardFilter<'_>,
    limit: Option<i64>,
    offset: i64,
) -> sqlx::Result<Vec<Submission>> {
    sqlx::query_as(&format!(
        "{SUBMISSION} where {BOARD_FILTER}{FILER_ORDER} limit $5 offset $6"
    ))
    .bind(cycle_id)
    .bind(filter.kind)
    .bind(filter.status)
    .bind(filter.today)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
}

/// One kind of filer in a cycle: how many, submitted, accepted, submitted late, and matching the filter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KindCounts {
    pub kind: String,
    pub filers: i64,
    pub submitted: i64,
    pub accepted: i64,
    pub late: i64,
    pub matching: i64,
}

/// The board's figures by kind of filer, counted in one pass over the cycle's submissions.
pub async fn board_counts(
    conn: &mut PgConnection,
    cycle_id: i64,
    filter: &BoardFilter<'_>,
) -> sqlx::Result<Vec<KindCounts>> {
    sqlx::query_as(&format!(
        "select coalesce(u.kind, 'member_unit') as kind, count(*) as filers,
                count(s.submitted_on) as submitted,
                count(*) filter (where s.status = 'accepted') as accepted,
                count(*) filter (where s.submitted_on > c.due_on) as late,
                count(*) filter (where {BOARD_FILTER}) as matching
           from submission s
           join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
           left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
          where s.cycle_id = $1
          group by 1"
    ))
    .bind(cycle_id)
    .bind(filter.kind)
    .bind(filter.status)
    .bind(filter.today)
    .fetch_all(conn)
    .await
}

/// Submissions in cycles still open that this filer (member unit or org units) files or reviews.
pub async fn inbox(
    conn: &mut PgConnection,
    member_unit: Option<i64>,
    units: &[i64],
    reviews_points_of: Option<i64>,
) -> sqlx::Result<Vec<Submission>> {
    sqlx::query_as(&format!(
        "{SUBMISSION} where c.status = 'open'
           and (s.member_unit_id = $1 or s.org_unit_id = any($2) or (u.kind = 'teaching_point' and u.parent_id = $3))
         {FILER_ORDER}"
    ))
    .bind(member_unit)
    .bind(units)
    .bind(reviews_points_of)
    .fetch_all(conn)
    .await
}

/// The same filer's submission in the cycle of the year before, if any.
pub async fn previous(conn: &mut PgConnection, s: &Submission) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "select p.id from submission p join reporting_cycle c on c.tenant_id = p.tenant_id and c.id = p.cycle_id
          where c.year < $1 and (p.member_unit_id = $2 or p.org_unit_id = $3)
          order by c.year desc limit 1",
    )
    .bind(s.year)
    .bind(s.member_unit_id)
    .bind(s.org_unit_id)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResourceItem {
    pub id: i64,
    pub submission_id: i64,
    pub category: String,
    pub name: String,
    pub description: String,
    pub location_unit_id: Option<i64>,
    #[serde(skip)]
    #[sqlx(default)]
    pub location_name: Option<String>,
    pub address: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
    pub version: i32,
}

impl ResourceItem {
    pub fn category_label(&self) -> String {
        format!("resource.{}", self.category)
    }

    pub fn sharing_label(&self) -> String {
        format!("sharing.{}", self.sharing)
    }

    pub fn capacity_text(&self) -> String {
        self.capacity.map(|c| c.to_string()).unwrap_or_default()
    }

    pub fn place(&self) -> String {
        match (&self.location_name, self.address.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) => format!("{n} · {}", self.address),
            (None, _) => self.address.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PlanItem {
    pub id: i64,
    pub submission_id: i64,
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget_government: i64,
    pub budget_donation: i64,
    pub budget_learners: i64,
    pub budget_other: i64,
    pub responsible: String,
    pub version: i32,
}

/// Fen as yuan, with two decimals only when needed.
pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}", fen / 100)
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

impl PlanItem {
    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn period_label(&self) -> String {
        format!("period.{}", self.period)
    }

    pub fn budget_total(&self) -> i64 {
        self.budget_government + self.budget_donation + self.budget_learners + self.budget_other
    }

    pub fn budget_text(&self) -> String {
        yuan(self.budget_total())
    }

    pub fn participants_text(&self) -> String {
        self.participants.map(|c| c.to_string()).unwrap_or_default()
    }
}

const RESOURCES: &str = "select r.id, r.submission_id, r.category, r.name, r.description, r.location_unit_id, u.name as location_name,
        r.address, r.capacity, r.opening_times, r.populations, r.sharing, r.contact, r.version
   from resource_item r left join org_unit u on u.tenant_id = r.tenant_id and u.id = r.location_unit_id";

const PLANS: &str = "select id, submission_id, title, category, populations, period, place, participants, budget_government,
        budget_donation, budget_learners, budget_other, responsible, version from plan_item";

/// The resources of submissions `$1` in filing order, at most `$2`: for [`resources`] and the
/// streamed export.
pub fn resources_sql() -> String {
    format!("{RESOURCES} where r.submission_id = any($1) order by r.submission_id, r.id limit $2")
}

/// The plans of submissions `$1` in filing order, at most `$2`.
pub fn plans_sql() -> String {
    format!("{PLANS} where submission_id = any($1) order by submission_id, id limit $2")
}

/// The first `limit` resources of these submissions, in filing order.
pub async fn resources(
    conn: &mut PgConnection,
    submissions: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<ResourceItem>> {
    sqlx::query_as(&resources_sql())
        .bind(submissions)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The first `limit` plans of these submissions, in filing order.
pub async fn plans(
    conn: &mut PgConnection,
    submissions: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<PlanItem>> {
    sqlx::query_as(&plans_sql())
        .bind(submissions)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// One item by its key, if it belongs to the submission. The membership test is written
/// `submission_id + 0` so it is never used to choose an index: a generic plan would otherwise
/// scan a whole list by submission for one row (7 ms on a 6,000-item list instead of 0.02).
pub async fn resource(
    conn: &mut PgConnection,
    submission: i64,
    id: i64,
) -> sqlx::Result<Option<ResourceItem>> {
    sqlx::query_as(&format!(
        "{RESOURCES} where r.id = $2 and r.submission_id + 0 = $1"
    ))
    .bind(submission)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn plan(
    conn: &mut PgConnection,
    submission: i64,
    id: i64,
) -> sqlx::Result<Option<PlanItem>> {
    sqlx::query_as(&format!("{PLANS} where id = $2 and submission_id + 0 = $1"))
        .bind(submission)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Accepted submissions of a town's teaching points in the same cycle: what the town consolidates.
pub async fn accepted_points(
    conn: &mut PgConnection,
    cycle_id: i64,
    town: i64,
) -> sqlx::Result<Vec<Submission>> {
    sqlx::query_as(&format!("{SUBMISSION} where s.cycle_id = $1 and u.parent_id = $2 and u.kind = 'teaching_point'{FILER_ORDER}"))
        .bind(cycle_id)
        .bind(town)
        .fetch_all(conn)
        .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub action: String,
    pub note: String,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

impl Event {
    pub fn label(&self) -> String {
        format!("step.{}", self.action)
    }

    pub fn when(&self) -> String {
        self.at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

pub async fn events(conn: &mut PgConnection, submission: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as("select action, note, actor_name, at from submission_event where submission_id = $1 order by id desc")
        .bind(submission)
        .fetch_all(conn)
        .await
}

pub async fn record(
    conn: &mut PgConnection,
    tenant_id: i64,
    submission: i64,
    action: &str,
    note: &str,
    actor: &str,
) -> sqlx::Result<()> {
    sqlx::query("insert into submission_event (tenant_id, submission_id, action, note, actor_name) values ($1, $2, $3, $4, $5)")
        .bind(tenant_id)
        .bind(submission)
        .bind(action)
        .bind(note)
        .bind(actor)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Notice {
    pub message: String,
    pub sent_by: String,
    pub at: DateTime<Utc>,
    pub filer_name: String,
    pub submission_id: i64,
}

impl Notice {
    pub fn when(&self) -> String {
        self.at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

pub async fn notices_for(
    conn: &mut PgConnection,
    submissions: &[i64],
) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as(
        "select n.message, n.sent_by, n.at, coalesce(m.name, u.name) as filer_name, n.submission_id
           from notice n join submission s on s.tenant_id = n.tenant_id and s.id = n.submission_id
           left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
           left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
          where n.submission_id = any($1) order by n.id desc limit 20",
    )
    .bind(submissions)
    .fetch_all(conn)
    .await
}

/// Adds a checked resource to a submission; the item forms and the import both use it.
pub async fn insert_resource(
    conn: &mut PgConnection,
    tenant_id: i64,
    submission: i64,
    i: &super::forms::ResourceInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into resource_item (tenant_id, submission_id, category, name, description, location_unit_id, address, capacity,
                opening_times, populations, sharing, contact)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .bind(tenant_id)
    .bind(submission)
    .bind(&i.category)
    .bind(&i.name)
    .bind(&i.description)
    .bind(i.location_unit_id)
    .bind(&i.address)
    .bind(i.capacity)
    .bind(&i.opening_times)
    .bind(&i.populations)
    .bind(&i.sharing)
    .bind(&i.contact)
    .fetch_one(conn)
    .await
}

/// Adds a checked activity to a submission's action plan.
pub async fn insert_plan(
    conn: &mut PgConnection,
    tenant_id: i64,
    submission: i64,
    i: &super::forms::PlanInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into plan_item (tenant_id, submission_id, title, category, populations, period, place, participants,
                budget_government, budget_donation, budget_learners, budget_other, responsible)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(tenant_id)
    .bind(submission)
    .bind(&i.title)
    .bind(&i.category)
    .bind(&i.populations)
    .bind(&i.period)
    .bind(&i.place)
    .bind(i.participants)
    .bind(i.budget[0])
    .bind(i.budget[1])
    .bind(i.budget[2])
    .bind(i.budget[3])
    .bind(&i.responsible)
    .fetch_one(conn)
    .await
}
