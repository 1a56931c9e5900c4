//! An activity: recording it (its sessions laid out from its dates), its page with everything
//! it holds, editing it, and its steps — held, reported (with the report), cancelled (with a
//! reason, after a confirmation), reopened by the bureau.

use super::forms::{ActivityForm, Choices};
use super::model::{ActivityInput, Organiser, POPULATIONS, Status};
use super::repo::{self, Activity, NewEvent, delivery, sessions};
use super::{activity, choices, managed, may_manage, require};
use crate::access::{Action, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, text_block};
use crate::web::list::ListQuery;
use crate::web::save::{self, Conflict};
use crate::web::transition::Step;
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

#[derive(Template)]
#[template(path = "activities/form.html")]
pub(super) struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ActivityForm,
    errors: FieldErrors,
    choices: Choices,
    categories: &'static [&'static str],
    populations: &'static [&'static str],
}

impl FormPage {
    fn new(
        ctx: Ctx,
        id: Option<i64>,
        form: ActivityForm,
        errors: FieldErrors,
        choices: Choices,
    ) -> Self {
        Self {
            ctx,
            id,
            form,
            errors,
            choices,
            categories: &super::model::CATEGORIES,
            populations: &POPULATIONS,
        }
    }

    /// The plan items to choose from, by organiser and December.
    fn plan_groups(&self) -> Vec<(String, Vec<&repo::PlanChoice>)> {
        let mut groups: Vec<(String, Vec<&repo::PlanChoice>)> = Vec::new();
        for p in &self.choices.plans {
            let label = format!(
                "{} · {}",
                p.organiser_name,
                self.ctx
                    .tf("activity.plan_of", &[("year", &(p.cycle_year + 1))])
            );
            match groups.last_mut() {
                Some((l, items)) if *l == label => items.push(p),
                _ => groups.push((label, vec![p])),
            }
        }
        groups
    }
}

/// `GET /activities/new[?plan=…]`: a new activity, delivering a plan item when the link says so.
pub async fn new_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::RecordActivities)?;
    let choices = choices(&mut tx, &user).await?;
    tx.commit().await?;
    let mut form = ActivityForm {
        repeat: "once".into(),
        plan: query.get("plan").to_string(),
        campaign_id: query.get("campaign").to_string(),
        ..Default::default()
    };
    if let Some(item) = choices.plans.iter().find(|c| c.id.to_string() == form.plan) {
        form.organiser = item.organiser.clone();
        form.title = item.title.clone();
    } else if let [only] = choices.organisers.as_slice() {
        form.organiser = only.key.clone();
    }
    Ok(render(&FormPage::new(
        ctx,
        None,
        form,
        FieldErrors::default(),
        choices,
    )))
}

/// The checks that need the database, beside the same fields: the plan item is the
/// organiser's, accepted, and of the December before; a donation has room for the spend.
async fn checked(
    tx: &mut Tx,
    form: &ActivityForm,
    choices: &Choices,
    new: bool,
    except: Option<i64>,
) -> Result<std::result::Result<ActivityInput, FieldErrors>> {
    let input = match form.parse(choices, new) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut errors = FieldErrors::default();
    if let Some(id) = input.plan_item_id {
        let item = repo::plan_item(tx, id).await?;
        ActivityForm::check_plan(&input, item.as_ref(), choices, &mut errors);
    }
    if let Some(donation) = input.donation_id {
        match repo::donation_room(tx, donation, except).await? {
            Some((amount, used)) if used + input.spend.donation > amount => {
                errors.add("spend_donation", "activity.over_donation")
            }
            Some(_) => {}
            None => errors.add("donation_id", "form.choose"),
        }
    }
    Ok(errors.into_result(input))
}

fn audit_of(a: &Option<Activity>) -> Option<serde_json::Value> {
    a.as_ref().and_then(|a| serde_json::to_value(a).ok())
}

/// `POST /activities`: a new activity with its sessions, planned.
pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::RecordActivities)?;
    let choices = choices(&mut tx, &user).await?;
    let form = ActivityForm::from_pairs(&p);
    let input = match checked(&mut tx, &form, &choices, true, None).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = FormPage::new(ctx, None, form, errors, choices);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = repo::insert(&mut tx, tenant_id, &input, &user.username).await?;
    let days = input
        .repeat
        .days(input.starts_on, input.ends_on)
        .unwrap_or_default();
    sessions::insert(
        &mut tx,
        tenant_id,
        id,
        &days,
        (input.starts_at, input.ends_at),
    )
    .await?;
    sessions::refresh_counts(&mut tx, id).await?;
    delivery::refresh(&mut tx, tenant_id, input.starts_on.year(), input.organiser).await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        NewEvent {
            activity_id: id,
            kind: "created",
            from_status: "",
            to_status: "planned",
            note: "",
        },
    )
    .await?;
    let location = format!("/activities/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::find(&mut tx, &super::scope(&user), today(), id).await?;
    let change = Change {
        tenant_id,
        action: "activity.create",
        entity: "activity",
        entity_id: Some(id),
        before: None,
        after: audit_of(&after),
    };
    save::done(tx, &ctx, &user, change, "activity.created", &location).await
}

/// What the activity's page shows besides the activity, and what its forms kept when one was
/// refused.
#[derive(Template)]
#[template(path = "activities/show.html")]
pub(super) struct ShowPage {
    pub ctx: Ctx,
    pub a: Activity,
    pub sessions: Vec<sessions::Session>,
    pub participation: Vec<(String, i32)>,
    pub servers: Vec<sessions::Server>,
    pub candidates: Vec<repo::Choice>,
    pub files: Vec<sessions::File>,
    pub events: Vec<repo::Event>,
    pub populations: &'static [&'static str],
    pub can_manage: bool,
    pub can_reopen: bool,
    /// A refused form of this page: which, what was typed, what is wrong.
    pub kept: Option<Kept>,
}

/// A form of the activity's page sent back: its name (`report`, `cancel`, `session-12`,
/// `participation`, `reopen`), the fields as typed and the errors beside them.
pub(super) struct Kept {
    pub form: String,
    pub pairs: Pairs,
    pub errors: FieldErrors,
}

impl ShowPage {
    /// What the form `form` kept for `field`, or `shown` when it was not sent back.
    pub fn value(&self, form: &str, field: &str, shown: &str) -> String {
        match &self.kept {
            Some(k) if k.form == form => k.pairs.get(field),
            _ => shown.to_string(),
        }
    }

    pub fn error(&self, form: &str, field: &str) -> Option<&'static str> {
        self.kept
            .as_ref()
            .filter(|k| k.form == form)
            .and_then(|k| k.errors.get(field))
    }

    pub fn count_of(&self, population: &str) -> String {
        let field = format!("count_{population}");
        let shown = self
            .participation
            .iter()
            .find(|(p, _)| p == population)
            .map(|(_, n)| n.to_string())
            .unwrap_or_default();
        self.value("participation", &field, &shown)
    }

    pub fn is_open(&self) -> bool {
        Status::parse(&self.a.status).is_some_and(Status::open)
    }

    pub fn delivery_href(&self) -> String {
        let (kind, id) = match self.a.organiser() {
            Organiser::Unit(id) => ("u", id),
            Organiser::Member(id) => ("m", id),
        };
        format!("/delivery/{kind}/{id}?year={}", self.a.year())
    }

    pub fn spend_yuan(&self, channel: usize) -> String {
        crate::web::forms::yuan(self.a.spend().by_channel()[channel])
    }
}

/// The activity's page, read in the request's transaction, which it commits.
pub(super) async fn show_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    a: Activity,
    kept: Option<Kept>,
) -> Result<ShowPage> {
    let can_manage = may_manage(user, &a);
    let sessions = sessions::of(&mut tx, a.id).await?;
    let participation = sessions::participation(&mut tx, a.id).await?;
    let servers = sessions::servers(&mut tx, a.id).await?;
    let open = Status::parse(&a.status).is_some_and(Status::open);
    let candidates = if can_manage && open {
        let path = if a.organiser_unit_id.is_some() {
            a.organiser_path.as_str()
        } else {
            "/"
        };
        sessions::candidates(&mut tx, a.id, path).await?
    } else {
        Vec::new()
    };
    let files = sessions::files(&mut tx, a.id).await?;
    let events = repo::events(&mut tx, a.id).await?;
    tx.commit().await?;
    Ok(ShowPage {
        can_reopen: may(user.role, Action::ReopenActivities) && a.status == "reported",
        ctx,
        a,
        sessions,
        participation,
        servers,
        candidates,
        files,
        events,
        populations: &POPULATIONS,
        can_manage,
        kept,
    })
}

pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = activity(&mut tx, &user, id).await?;
    Ok(render(&show_page(tx, ctx, &user, a, None).await?))
}

/// The page again with a refused form of it, 422.
pub(super) async fn refused(
    tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    a: Activity,
    form: &str,
    pairs: Pairs,
    errors: FieldErrors,
) -> Result<Response> {
    let kept = Kept {
        form: form.to_string(),
        pairs,
        errors,
    };
    let page = show_page(tx, ctx, user, a, Some(kept)).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = managed(&mut tx, &user, id).await?;
    if !Status::parse(&a.status).is_some_and(Status::open) {
        return Err(AppError::NotFound);
    }
    let choices = choices(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(render(&FormPage::new(
        ctx,
        Some(id),
        ActivityForm::from_activity(&a),
        FieldErrors::default(),
        choices,
    )))
}

/// `POST /activities/{id}`: an edit while planned or held; a stale version gets the conflict
/// page. Its sessions stay as they are (they are added and recorded on the activity's page).
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let before = managed(&mut tx, &user, id).await?;
    let to = format!("/activities/{id}");
    if !Status::parse(&before.status).is_some_and(Status::open) {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let choices = choices(&mut tx, &user).await?;
    let form = ActivityForm::from_pairs(&p);
    repo::lock(&mut tx, id).await?;
    let input = match checked(&mut tx, &form, &choices, false, Some(id)).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = FormPage::new(ctx, Some(id), form, errors, choices);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !repo::update(&mut tx, id, version, &input).await? {
        let saved = repo::find(&mut tx, &super::scope(&user), today(), id)
            .await?
            .unwrap_or(before);
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&saved),
                edit: format!("/activities/{id}/edit"),
                view: to,
            },
        ));
    }
    let tenant_id = user.tenant()?;
    let years = vec![
        (before.year(), before.organiser()),
        (input.starts_on.year(), input.organiser),
    ];
    delivery::refresh_each(&mut tx, tenant_id, years).await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        NewEvent {
            activity_id: id,
            kind: "updated",
            from_status: "",
            to_status: "",
            note: "",
        },
    )
    .await?;
    let after = repo::find(&mut tx, &super::scope(&user), today(), id).await?;
    let change = Change {
        tenant_id,
        action: "activity.update",
        entity: "activity",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: audit_of(&after),
    };
    save::done(tx, &ctx, &user, change, "activity.saved", &to).await
}

/// `POST /activities/{id}/status`: a step — `held`, `reported` (with the report: at least one
/// session held and the participants counted), `cancelled` (with a reason, confirmed) or
/// `reopen` (the bureau, with a reason) — guarded by the status and version the page showed.
pub async fn change_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let a = activity(&mut tx, &user, id).await?;
    let step = p.get("to");
    let reopen = step == "reopen";
    let allowed = if reopen {
        may(user.role, Action::ReopenActivities)
    } else {
        may_manage(&user, &a)
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let to = format!("/activities/{id}");
    let target = if reopen {
        Some(Status::Held)
    } else {
        Status::parse(&step).filter(|s| *s != Status::Planned)
    };
    let Some(target) = target
        .filter(|t| t.from().contains(&a.status.as_str()) && (reopen == (a.status == "reported")))
    else {
        return Ok(flash_redirect("step.not_now", &to));
    };
    let mut errors = FieldErrors::default();
    let (form, note) = match (target, reopen) {
        (Status::Reported, _) => {
            let report = text_block(&mut errors, "report", &p.get("report"), true, 2000);
            if a.sessions_held == 0 {
                errors.add("report", "activity.report_needs_session");
            } else if a.participants == 0 {
                errors.add("report", "activity.report_needs_counts");
            }
            ("report", report)
        }
        (Status::Cancelled, _) => (
            "cancel",
            text_block(&mut errors, "reason", &p.get("reason"), true, 200),
        ),
        (_, true) => (
            "reopen",
            text_block(&mut errors, "reason", &p.get("reason"), true, 200),
        ),
        _ => ("held", String::new()),
    };
    if !errors.is_empty() {
        return refused(tx, ctx, &user, a, form, p, errors).await;
    }
    if target == Status::Cancelled {
        let c = Confirm {
            title: "activity.confirm_cancel",
            what: "activity.confirm_cancel_what",
            subject: format!("{}（{}）", a.title, a.dates()),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let version = p.get("version").parse::<i32>().ok();
    let step = Step {
        table: "activity",
        id,
        from: target.from(),
        to: target.as_str(),
        version,
        also: "status_since = $5,
               cancel_reason = case when $1 = 'cancelled' then $6 else cancel_reason end,
               report = case when $1 = 'reported' then $6 else report end",
        note: &note,
    };
    if !step.apply(&mut tx).await? {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let tenant_id = user.tenant()?;
    delivery::refresh(&mut tx, tenant_id, a.year(), a.organiser()).await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        NewEvent {
            activity_id: id,
            kind: if reopen { "reopened" } else { "status" },
            from_status: &a.status,
            to_status: target.as_str(),
            note: if target == Status::Reported {
                ""
            } else {
                &note
            },
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "activity.status",
        entity: "activity",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": a.status })),
        after: Some(serde_json::json!({ "status": target.as_str(), "note": note })),
    };
    save::done(tx, &ctx, &user, change, "activity.status_saved", &to).await
}
