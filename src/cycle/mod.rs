//! The December cycle (四(二)): every December each filer submits, level by level, its resource
//! inventory and next year's action plan; the bureau (or the town school, for its teaching
//! points) accepts or returns them; the bureau publishes the accepted lists for everyone.

pub mod board;
pub mod forms;
pub mod import;
pub mod items;
pub mod model;
pub mod public;
pub mod repo;

use crate::access::Role;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, text};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use model::Step;
use repo::{PlanItem, ResourceItem, Submission};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/submissions/{id}", get(show_submission))
        .route("/submissions/{id}/submit", post(submit))
        .route("/submissions/{id}/accept", post(accept))
        .route("/submissions/{id}/return", post(return_submission))
        .route("/submissions/{id}/carry-forward", post(carry_forward))
        .merge(items::router())
        .merge(import::router())
        .merge(board::router())
        .merge(public::router())
}

/// A submission the user may see, or 404.
pub async fn visible_submission(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Submission> {
    let s = repo::submission(tx, id).await?.or_404()?;
    if !s.filer().visible_to(user) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// What the filer may do now, and if it may not edit, why.
pub struct Rights {
    pub edit: bool,
    pub why_not: Option<&'static str>,
    pub submit: bool,
    pub review: bool,
}

impl Rights {
    pub fn of(user: &CurrentUser, s: &Submission) -> Self {
        let filer = s.filer();
        let why_not = model::edit_blocked(&s.status, &s.cycle_status, s.opens_on, today());
        let files = filer.files(user);
        Self {
            edit: files && why_not.is_none(),
            why_not: if files { why_not } else { None },
            submit: files && why_not.is_none(),
            review: filer.reviewed_by(user) && s.status == "submitted" && s.cycle_status == "open",
        }
    }
}

#[derive(Template)]
#[template(path = "cycle/inbox.html")]
struct InboxPage {
    ctx: Ctx,
    mine: Vec<(Submission, Option<&'static str>)>,
    to_review: Vec<Submission>,
    notices: Vec<repo::Notice>,
    today: chrono::NaiveDate,
}

/// `GET /inbox`: what is due — each list to file, by when, its status, and why it is locked.
async fn inbox(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    let units: Vec<i64> = match user.role {
        Role::DistrictAdmin => {
            sqlx::query_scalar("select id from org_unit where kind = 'college'")
                .fetch_all(&mut *tx)
                .await?
        }
        Role::TownAdmin | Role::PointCoordinator => user.unit_id.into_iter().collect(),
        _ => Vec::new(),
    };
    let member = if user.role == Role::UnitOfficer {
        user.member_unit_id
    } else {
        None
    };
    let reviews = if user.role == Role::TownAdmin {
        user.unit_id
    } else {
        None
    };
    let all = repo::inbox(&mut tx, member, &units, reviews).await?;
    let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
    let notices = repo::notices_for(&mut tx, &ids).await?;
    sqlx::query(
        "update notice set read_at = now() where submission_id = any($1) and read_at is null",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let (mine, others): (Vec<Submission>, Vec<Submission>) =
        all.into_iter().partition(|s| s.filer().files(&user));
    let mine = mine
        .into_iter()
        .map(|s| (Rights::of(&user, &s).why_not, s))
        .map(|(w, s)| (s, w))
        .collect();
    let to_review = others
        .into_iter()
        .filter(|s| s.filer().reviewed_by(&user))
        .collect();
    Ok(render(&InboxPage {
        ctx,
        mine,
        to_review,
        notices,
        today: today(),
    }))
}

#[derive(Template)]
#[template(path = "cycle/submission.html")]
pub struct SubmissionPage {
    ctx: Ctx,
    s: Submission,
    rights: Rights,
    resources: Vec<ResourceItem>,
    plans: Vec<PlanItem>,
    /// For a town school: its points' submissions, and the items of those accepted.
    points: Vec<Submission>,
    point_resources: Vec<ResourceItem>,
    point_plans: Vec<PlanItem>,
    missing: Vec<&'static str>,
    events: Vec<repo::Event>,
    has_previous: bool,
    errors: FieldErrors,
    reason: String,
}

impl SubmissionPage {
    fn point_name(&self, submission: &i64) -> String {
        self.points
            .iter()
            .find(|p| p.id == *submission)
            .map(|p| p.filer_name.clone())
            .unwrap_or_default()
    }
}

/// Items of each list a submission's page shows at most; the export has them all. Lists are
/// tens of items as a rule, but nothing stops one of 100,000 (20 MB of HTML).
pub const ITEMS_SHOWN: i64 = 500;

/// What is missing before the lists can be submitted.
fn missing(s: &Submission) -> Vec<&'static str> {
    let mut m = Vec::new();
    if s.resources == 0 {
        m.push("missing.resources");
    }
    if s.plans == 0 {
        m.push("missing.plans");
    }
    m
}

pub async fn submission_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    s: Submission,
    errors: FieldErrors,
    reason: String,
) -> Result<SubmissionPage> {
    let resources = repo::resources(&mut tx, &[s.id], ITEMS_SHOWN).await?;
    let plans = repo::plans(&mut tx, &[s.id], ITEMS_SHOWN).await?;
    let points = match (s.filer_kind.as_str(), s.org_unit_id) {
        ("town_school", Some(town)) => repo::accepted_points(&mut tx, s.cycle_id, town).await?,
        _ => Vec::new(),
    };
    let accepted: Vec<i64> = points
        .iter()
        .filter(|p| p.status == "accepted")
        .map(|p| p.id)
        .collect();
    let point_resources = repo::resources(&mut tx, &accepted, ITEMS_SHOWN).await?;
    let point_plans = repo::plans(&mut tx, &accepted, ITEMS_SHOWN).await?;
    let events = repo::events(&mut tx, s.id).await?;
    let has_previous = repo::previous(&mut tx, &s).await?.is_some();
    tx.commit().await?;
    let rights = Rights::of(user, &s);
    let missing = missing(&s);
    Ok(SubmissionPage {
        ctx,
        s,
        rights,
        resources,
        plans,
        points,
        point_resources,
        point_plans,
        missing,
        events,
        has_previous,
        errors,
        reason,
    })
}

async fn show_submission(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = visible_submission(&mut tx, &user, id).await?;
    Ok(render(
        &submission_page(tx, ctx, &user, s, FieldErrors::default(), String::new()).await?,
    ))
}

/// Moves a submission one step, guarded by its status and version so two clicks never double up.
async fn step(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    id: i64,
    step: Step,
    p: Pairs,
) -> Result<Response> {
    let s = visible_submission(&mut tx, &user, id).await?;
    let rights = Rights::of(&user, &s);
    let allowed = match step {
        Step::Submit => rights.submit,
        Step::Accept | Step::Return => rights.review,
    };
    let to = format!("/submissions/{id}");
    if !allowed || !step.allowed_from(&s.status) {
        if !s.filer().files(&user) && !s.filer().reviewed_by(&user) {
            return Err(AppError::NotFound);
        }
        return Ok(flash_redirect("step.not_now", &to));
    }
    let mut errors = FieldErrors::default();
    let reason = text(
        &mut errors,
        "reason",
        &p.get("reason"),
        step == Step::Return,
        500,
    );
    if step == Step::Submit && !missing(&s).is_empty() {
        errors.add("submit", "missing.cannot_submit");
    }
    if !errors.is_empty() {
        let page = submission_page(tx, ctx, &user, s, errors, p.get("reason")).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if step == Step::Accept {
        let c = Confirm {
            title: "submission.confirm_accept",
            what: "submission.confirm_accept_what",
            subject: format!("{} · {}", s.filer_name, s.year),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    // Steps happen only while the cycle is open, and it stays open until this commits: the
    // share lock makes closing or publishing (which writes the catalogue from the accepted
    // lists) wait for it, or makes this step see the cycle already closed.
    let open: Option<i32> = sqlx::query_scalar(
        "select 1 from reporting_cycle where id = $1 and status = 'open' for share",
    )
    .bind(s.cycle_id)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_none() {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let (from, status) = step.from_to();
    let now = today();
    let done = sqlx::query(
        "update submission set status = $3, version = version + 1,
                submitted_on = case when $3 = 'submitted' then $4 else submitted_on end,
                decided_on = case when $3 in ('accepted', 'returned') then $4 else decided_on end,
                return_reason = case when $3 = 'returned' then $5 when $3 = 'accepted' then '' else return_reason end
          where id = $1 and version = $2 and status = any($6)",
    )
    .bind(id)
    .bind(p.get("version").parse::<i32>().unwrap_or(0))
    .bind(status)
    .bind(now)
    .bind(&reason)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let tenant_id = user.tenant()?;
    let late = step == Step::Submit && now > s.due_on;
    let note = if late {
        ctx.tf("submission.late_note", &[("reason", &reason)])
    } else {
        reason.clone()
    };
    repo::record(
        &mut tx,
        tenant_id,
        id,
        step.action(),
        note.trim(),
        &user.username,
    )
    .await?;
    let change = Change {
        tenant_id,
        action: match step {
            Step::Submit => "submission.submit",
            Step::Accept => "submission.accept",
            Step::Return => "submission.return",
        },
        entity: "submission",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": s.status })),
        after: Some(serde_json::json!({ "status": status, "reason": reason, "late": late })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        match step {
            Step::Submit => "step.submitted",
            Step::Accept => "step.accepted",
            Step::Return => "step.returned",
        },
        &to,
    ))
}

async fn submit(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    step(ctx, user, tx, id, Step::Submit, p).await
}

async fn accept(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    step(ctx, user, tx, id, Step::Accept, p).await
}

async fn return_submission(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    step(ctx, user, tx, id, Step::Return, p).await
}

/// Copies last year's items into this draft, to start from rather than a blank list.
async fn carry_forward(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = visible_submission(&mut tx, &user, id).await?;
    if !Rights::of(&user, &s).edit {
        return Err(AppError::NotFound);
    }
    let to = format!("/submissions/{id}");
    let Some(previous) = repo::previous(&mut tx, &s).await? else {
        return Ok(flash_redirect("carry.nothing", &to));
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let resources = sqlx::query(
        "insert into resource_item (tenant_id, submission_id, category, name, description, location_unit_id, address, capacity,
                opening_times, populations, sharing, contact)
         select tenant_id, $1, category, name, description, location_unit_id, address, capacity, opening_times, populations, sharing, contact
           from resource_item r where submission_id = $2
            and not exists (select 1 from resource_item x where x.submission_id = $1 and x.name = r.name)",
    )
    .bind(id)
    .bind(previous)
    .execute(&mut *tx)
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
    .bind(id)
    .bind(previous)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let note = format!("{resources} + {plans}");
    repo::record(
        &mut tx,
        tenant_id,
        id,
        "carry_forward",
        &note,
        &user.username,
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "submission.carry_forward",
        entity: "submission",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "from": previous, "resources": resources, "plans": plans }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    tx.commit().await?;
    Ok(flash_redirect("carry.done", &to))
}
