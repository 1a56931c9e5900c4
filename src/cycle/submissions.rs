//! A filer's side of the cycle: the inbox of what is due, a submission's page with its lists,
//! history and review, its steps (submit, accept, return) and carrying last year forward.

use super::model::Step;
use super::repo::plans::PlanItem;
use super::repo::resources::ResourceItem;
use super::repo::submissions::{self as repo, Event, Notice, Submission};
use super::repo::{self as cycles, items};
use super::{Rights, editable, visible_submission};
use crate::access::Role;
use crate::activities::model::Organiser;
use crate::activities::repo::delivery;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, text};
use crate::web::{Ctx, flash_redirect, once, render, render_with, save, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/submissions/{id}", get(show_submission))
        .route("/submissions/{id}/carry-forward", post(carry_forward))
        .route("/submissions/{id}/{step}", post(take_step))
}

#[derive(Template)]
#[template(path = "cycle/inbox.html")]
struct InboxPage {
    ctx: Ctx,
    mine: Vec<(Submission, Option<&'static str>)>,
    to_review: Vec<Submission>,
    notices: Vec<Notice>,
    today: chrono::NaiveDate,
}

/// `GET /inbox`: what is due — each list to file, by when, its status, and why it is locked.
async fn inbox(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    let units: Vec<i64> = match user.role {
        Role::DistrictAdmin => repo::colleges(&mut tx).await?,
        Role::TownAdmin | Role::PointCoordinator => user.unit_id.into_iter().collect(),
        _ => Vec::new(),
    };
    let member = user
        .member_unit_id
        .filter(|_| user.role == Role::UnitOfficer);
    let reviews = user.unit_id.filter(|_| user.role == Role::TownAdmin);
    let all = repo::inbox(&mut tx, member, &units, reviews).await?;
    let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
    let notices = repo::notices_for(&mut tx, &ids).await?;
    repo::mark_read(&mut tx, &ids).await?;
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
    events: Vec<Event>,
    has_previous: bool,
    errors: FieldErrors,
    reason: String,
    /// What the items of the plan before delivered in the year they were for, by title (to
    /// set beside an item carried forward): activities held, sessions, participants.
    delivered: Vec<(String, i64, i64, i64)>,
}

impl SubmissionPage {
    /// Last year's delivery of the plan item titled `title`, if the plan before had it.
    fn delivered_of(&self, title: &str) -> Option<&(String, i64, i64, i64)> {
        self.delivered.iter().find(|d| d.0 == title)
    }

    fn delivery_href(&self) -> Option<String> {
        match (self.s.org_unit_id, self.s.member_unit_id) {
            (Some(u), _) => Some(format!("/delivery/u/{u}?year={}", self.s.year)),
            (None, Some(m)) => Some(format!("/delivery/m/{m}?year={}", self.s.year)),
            _ => None,
        }
    }

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

/// The submission's page, with `errors` (and the return `reason` typed) of a refused step.
async fn submission_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    s: Submission,
    errors: FieldErrors,
    reason: String,
) -> Result<SubmissionPage> {
    let resources = items::listed(&mut tx, &[s.id], ITEMS_SHOWN).await?;
    let plans = items::listed(&mut tx, &[s.id], ITEMS_SHOWN).await?;
    let points = match (s.filer_kind.as_str(), s.org_unit_id) {
        ("town_school", Some(town)) => repo::accepted_points(&mut tx, s.cycle_id, town).await?,
        _ => Vec::new(),
    };
    let accepted: Vec<i64> = points
        .iter()
        .filter(|p| p.status == "accepted")
        .map(|p| p.id)
        .collect();
    let point_resources = items::listed(&mut tx, &accepted, ITEMS_SHOWN).await?;
    let point_plans = items::listed(&mut tx, &accepted, ITEMS_SHOWN).await?;
    let events = repo::events(&mut tx, s.id).await?;
    let has_previous = repo::previous(&mut tx, &s).await?.is_some();
    let organiser = match (s.org_unit_id, s.member_unit_id) {
        (Some(u), _) => Some(Organiser::Unit(u)),
        (None, Some(m)) => Some(Organiser::Member(m)),
        _ => None,
    };
    let delivered = match organiser {
        Some(o) => delivery::last_year_by_title(&mut tx, o, s.year).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let rights = Rights::of(user, &s);
    let missing = s.missing();
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
        delivered,
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

/// `POST /submissions/{id}/{submit|accept|return}`: moves a submission one step, guarded by
/// its status and version so two clicks never double up, and only while its cycle is open.
async fn take_step(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, step)): Path<(i64, String)>,
    p: Pairs,
) -> Result<Response> {
    let step = Step::parse(&step).ok_or(AppError::NotFound)?;
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
    if step == Step::Submit && !s.missing().is_empty() {
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
    if !cycles::hold_open(&mut tx, s.cycle_id).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    let now = today();
    let guarded = repo::step(id, version, step, &reason);
    if !guarded.apply_on(&mut tx, now).await? {
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
        action: step.audited_as(),
        entity: "submission",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": s.status })),
        after: Some(
            serde_json::json!({ "status": step.from_to().1, "reason": reason, "late": late }),
        ),
    };
    save::done(tx, &ctx, &user, change, step.done(), &to).await
}

/// Copies last year's items into this draft, to start from rather than a blank list.
async fn carry_forward(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let to = format!("/submissions/{id}");
    let Some(previous) = repo::previous(&mut tx, &s).await? else {
        return Ok(flash_redirect("carry.nothing", &to));
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let (resources, plans) = repo::carry_forward(&mut tx, id, previous).await?;
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
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
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
    save::done(tx, &ctx, &user, change, "carry.done", &to).await
}
