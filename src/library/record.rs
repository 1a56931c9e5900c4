//! One resource as its unit and the reviewer keep it: its form (new, edit, versioned), its page
//! with its files and lessons, and the review's steps.

use super::forms::ResourceForm;
use super::model::{KINDS, LANGUAGES, LICENCES, POPULATIONS, SUBJECTS, Step, has_file};
use super::repo::{self, Lesson, Resource};
use super::{change, managed, may_manage, require, resource, scope};
use crate::access::{Action, Role, may};
use crate::activities::repo::OrganiserChoice;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, flash_redirect, once, render, render_with};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

/// The providers a user may add resources for: the units in scope, and member units (all of
/// them for the bureau, one's own for its officer).
async fn providers(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<OrganiserChoice>> {
    let all =
        crate::activities::repo::organisers(tx, &scope(user), user.role == Role::DistrictAdmin)
            .await?;
    Ok(all
        .into_iter()
        .filter(|o| user.role != Role::UnitOfficer || o.kind == "member_unit")
        .collect())
}

#[derive(Template)]
#[template(path = "library/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    providers: Vec<OrganiserChoice>,
    kinds: &'static [&'static str],
    subjects: &'static [&'static str],
    populations: &'static [&'static str],
    licences: &'static [&'static str],
    languages: &'static [&'static str],
}

fn form_page(
    ctx: Ctx,
    id: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    providers: Vec<OrganiserChoice>,
) -> FormPage {
    FormPage {
        ctx,
        id,
        form,
        errors,
        providers,
        kinds: &KINDS,
        subjects: &SUBJECTS,
        populations: &POPULATIONS,
        licences: &LICENCES,
        languages: &LANGUAGES,
    }
}

fn keys(providers: &[OrganiserChoice]) -> Vec<String> {
    providers.iter().map(|p| p.key.clone()).collect()
}

/// `GET /library/new`: a resource's form, its provider the user's own unit to start with.
pub async fn new_form(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::AddLibrary)?;
    let providers = providers(&mut tx, &user).await?;
    tx.commit().await?;
    let own = match (user.unit_id, user.member_unit_id) {
        (_, Some(m)) if user.role == Role::UnitOfficer => format!("m{m}"),
        (Some(u), _) => format!("u{u}"),
        _ => providers.first().map(|p| p.key.clone()).unwrap_or_default(),
    };
    let form = ResourceForm {
        kind: "video".into(),
        subject: "digital".into(),
        provider: own,
        licence: "cc_by_nc".into(),
        language: "zh".into(),
        ..Default::default()
    };
    Ok(render(&form_page(
        ctx,
        None,
        form,
        FieldErrors::default(),
        providers,
    )))
}

/// `POST /library`: a new resource, a draft of its unit's.
pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::AddLibrary)?;
    let providers = providers(&mut tx, &user).await?;
    let form = ResourceForm::from_pairs(&p);
    let input = match form.parse(&keys(&providers)) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, None, form, errors, providers);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = repo::insert(&mut tx, tenant_id, &input, &user.display_name).await?;
    let location = format!("/library/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::find(&mut tx, &scope(&user), id).await?;
    let after = after
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or_default();
    let change = change(tenant_id, "library.create", id, None, after);
    save::done(tx, &ctx, &user, change, "library.saved", &location).await
}

#[derive(Template)]
#[template(path = "library/show.html")]
struct ShowPage {
    ctx: Ctx,
    r: Resource,
    lessons: Vec<Lesson>,
    editable: bool,
    steps: Vec<Step>,
    max_file_mb: i32,
    errors: FieldErrors,
    lesson_title: String,
    lesson_duration: String,
    lesson_url: String,
}

impl ShowPage {
    fn takes_file(&self) -> bool {
        has_file(&self.r.kind)
    }
}

async fn show_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let r = resource(tx, user, id).await?;
    let lessons = repo::lessons(tx, id).await?;
    let can_manage = may_manage(user, &r);
    let can_review = may(user.role, Action::ReviewLibrary);
    let steps = Step::ALL
        .into_iter()
        .filter(|s| s.from().contains(&r.status.as_str()))
        .filter(|s| if s.reviews() { can_review } else { can_manage })
        .collect();
    let max_file_mb = repo::max_file_mb(tx).await?;
    Ok(ShowPage {
        editable: can_manage && super::model::EDITABLE.contains(&r.status.as_str()),
        lesson_title: ctx.posted("lesson_title").to_string(),
        lesson_duration: ctx.posted("lesson_duration").to_string(),
        lesson_url: ctx.posted("lesson_url").to_string(),
        ctx,
        r,
        lessons,
        steps,
        max_file_mb,
        errors,
    })
}

/// The resource's page again with what was wrong with a post beside its field (422).
pub(super) async fn show_again(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx, user, id, errors).await?;
    tx.commit().await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `GET /library/{id}`: the resource as it stands, its files and lessons, and what the user
/// may do next: edit and submit it (its unit), publish or return it (the bureau).
pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx, &user, id, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `GET /library/{id}/edit`.
pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let r = managed(&mut tx, &user, id).await?;
    let providers = providers(&mut tx, &user).await?;
    tx.commit().await?;
    if !super::model::EDITABLE.contains(&r.status.as_str()) {
        return Ok(flash_redirect(
            "library.not_editable",
            &format!("/library/{id}"),
        ));
    }
    let form = ResourceForm::from_resource(&r);
    Ok(render(&form_page(
        ctx,
        Some(id),
        form,
        FieldErrors::default(),
        providers,
    )))
}

/// `POST /library/{id}`: an edit, versioned, while the resource is the unit's to change.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let before = managed(&mut tx, &user, id).await?;
    let providers = providers(&mut tx, &user).await?;
    let form = ResourceForm::from_pairs(&p);
    let input = match form.parse(&keys(&providers)) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, Some(id), form, errors, providers);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/library/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !repo::update(&mut tx, id, version, &input).await? {
        if !super::model::EDITABLE.contains(&before.status.as_str()) {
            return Ok(flash_redirect("library.not_editable", &to));
        }
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/library/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = repo::find(&mut tx, &scope(&user), id).await?;
    let after = after
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or_default();
    let change = change(user.tenant()?, "library.update", id, Some(&before), after);
    save::done(tx, &ctx, &user, change, "library.saved", &to).await
}

/// `POST /library/{id}/step` (`action`, `version`, `reason`): the unit submits its resource
/// (once it has a file, a link or a lesson); the bureau publishes it or returns it with a
/// reason, and may withdraw a published one with a reason, after a confirmation.
pub async fn step(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let r = resource(&mut tx, &user, id).await?;
    let to = format!("/library/{id}");
    let step = Step::parse(&p.get("action")).or_404()?;
    let allowed = if step.reviews() {
        may(user.role, Action::ReviewLibrary)
    } else {
        may_manage(&user, &r)
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    if !step.from().contains(&r.status.as_str()) {
        return Ok(flash_redirect("step.not_now", &to));
    }
    // Only a return and a withdrawal carry a reason.
    let reason = if step.needs_reason() {
        p.get("reason").trim().to_string()
    } else {
        String::new()
    };
    if step.needs_reason() {
        let mut errors = FieldErrors::default();
        crate::web::forms::text(&mut errors, "reason", &reason, true, 500);
        if !errors.is_empty() {
            return show_again(tx, ctx, &user, id, errors).await;
        }
    }
    if matches!(step, Step::Submit | Step::Publish) && !repo::has_content(&mut tx, &r).await? {
        return Ok(flash_redirect("library.no_content", &to));
    }
    if matches!(step, Step::Publish | Step::Withdraw) {
        let c = Confirm {
            title: match step {
                Step::Publish => "library.confirm_publish",
                _ => "library.confirm_withdraw",
            },
            what: match step {
                Step::Publish => "library.confirm_publish_what",
                _ => "library.confirm_withdraw_what",
            },
            subject: r.title.clone(),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let applied = crate::web::transition::Step {
        table: "library_resource",
        id,
        from: step.from(),
        to: step.to(),
        version: p.get("version").parse().ok(),
        also: match step {
            Step::Submit => "status_since = $5, reason = ''",
            Step::Publish => {
                "status_since = $5, reason = '', published_at = coalesce(published_at, now()),
                 changed_at = date_trunc('second', now())"
            }
            Step::Return => "status_since = $5, reason = $6",
            Step::Withdraw => {
                "status_since = $5, reason = $6, changed_at = date_trunc('second', now())"
            }
        },
        note: &reason,
    }
    .apply(&mut tx)
    .await?;
    if !applied {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let after = serde_json::json!({ "from": r.status, "to": step.to(), "reason": reason });
    let change = change(user.tenant()?, "library.step", id, None, after);
    save::done(tx, &ctx, &user, change, "library.step_done", &to).await
}
