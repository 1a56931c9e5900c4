//! SQL for submissions: a filer's lists in a cycle, what is due in an inbox, the notices sent,
//! the history of steps, and carrying last year's lists forward.

use crate::cycle::model::{Filer, Step};
use crate::web::transition;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

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

    /// What is missing before the lists can be submitted.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.resources == 0 {
            m.push("missing.resources");
        }
        if self.plans == 0 {
            m.push("missing.plans");
        }
        m
    }
}

/// Submissions `s` with cycle `c`, member unit `m` and org unit `u`.
pub(super) const SUBMISSION: &str = "select s.id, s.cycle_id, c.year, c.opens_on, c.due_on, c.status as cycle_status,
        s.member_unit_id, s.org_unit_id, coalesce(m.name, u.name) as filer_name,
        coalesce(u.kind, 'member_unit') as filer_kind, u.parent_id,
        s.status, s.submitted_on, s.decided_on, s.return_reason, s.version,
        s.resource_count::bigint as resources, s.plan_count::bigint as plans,
        (select count(*) from notice n where n.tenant_id = s.tenant_id and n.submission_id = s.id) as reminders
   from submission s
   join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
   left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
   left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id";

/// Filers in the board's order: member units, the college, town schools, teaching points.
pub(super) const FILER_ORDER: &str = "array_position(array['member_unit','college','town_school','teaching_point'], coalesce(u.kind, 'member_unit')),
        coalesce(m.sort, 0), coalesce(m.code, u.code)";

pub async fn submission(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Submission>> {
    sqlx::query_as(&format!("{SUBMISSION} where s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The district's college: the filer a district administrator files for.
pub async fn colleges(conn: &mut PgConnection) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("select id from org_unit where kind = 'college'")
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
         order by {FILER_ORDER}"
    ))
    .bind(member_unit)
    .bind(units)
    .bind(reviews_points_of)
    .fetch_all(conn)
    .await
}

/// Accepted submissions of a town's teaching points in the same cycle: what the town consolidates.
pub async fn accepted_points(
    conn: &mut PgConnection,
    cycle_id: i64,
    town: i64,
) -> sqlx::Result<Vec<Submission>> {
    sqlx::query_as(&format!(
        "{SUBMISSION} where s.cycle_id = $1 and u.parent_id = $2 and u.kind = 'teaching_point' order by {FILER_ORDER}"
    ))
    .bind(cycle_id)
    .bind(town)
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

/// The guarded update of a submission's step over the version the page showed: submitting
/// dates it; a decision dates it and keeps the reason (`note`) of a return.
pub fn step<'a>(id: i64, version: i32, step: Step, reason: &'a str) -> transition::Step<'a> {
    let (from, to) = step.from_to();
    transition::Step {
        table: "submission",
        id,
        from,
        to,
        version: Some(version),
        also: match step {
            Step::Submit => "submitted_on = $5",
            Step::Accept => "decided_on = $5, return_reason = ''",
            Step::Return => "decided_on = $5, return_reason = $6",
        },
        note: reason,
    }
}

/// Copies the items of submission `from` that `to` does not list yet (by name or title); how
/// many resources and plans.
pub async fn carry_forward(
    conn: &mut PgConnection,
    to: i64,
    from: i64,
) -> sqlx::Result<(u64, u64)> {
    let resources = sqlx::query(
        "insert into resource_item (tenant_id, submission_id, category, name, description, location_unit_id, address, capacity,
                opening_times, populations, sharing, contact)
         select tenant_id, $1, category, name, description, location_unit_id, address, capacity, opening_times, populations, sharing, contact
           from resource_item r where submission_id = $2
            and not exists (select 1 from resource_item x where x.submission_id = $1 and x.name = r.name)",
    )
    .bind(to)
    .bind(from)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let plans = sqlx::query(
        "insert into plan_item (tenant_id, submission_id, title, category, populations, period, place, participants,
                budget_government, budget_donation, budget_learners, budget_other, responsible)
         select tenant_id, $1, title, category, populations, period, place, participants,
                budget_government, budget_donation, budget_learners, budget_other, responsible
           from plan_item p where submission_id = $2
            and not exists (select 1 from plan_item x where x.submission_id = $1 and x.title = p.title)",
    )
    .bind(to)
    .bind(from)
    .execute(conn)
    .await?
    .rows_affected();
    Ok((resources, plans))
}

/// One step of a submission's history.
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
        crate::web::china_time(self.at)
    }
}

pub async fn events(conn: &mut PgConnection, submission: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as("select action, note, actor_name, at from submission_event where submission_id = $1 order by id desc")
        .bind(submission)
        .fetch_all(conn)
        .await
}

/// Adds a step to the submission's history.
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

/// A reminder sent to a filer.
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
        crate::web::china_time(self.at)
    }
}

/// The latest notices sent about these submissions.
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

/// Marks the notices about these submissions read.
pub async fn mark_read(conn: &mut PgConnection, submissions: &[i64]) -> sqlx::Result<()> {
    sqlx::query(
        "update notice set read_at = now() where submission_id = any($1) and read_at is null",
    )
    .bind(submissions)
    .execute(conn)
    .await?;
    Ok(())
}
