//! Demonstration designations (示范校 / 示范点, 四(七)): a unit becomes a candidate at a level
//! and year, is declared, then approved or not (`web::transition::Step`). Only the district
//! bureau grants them.

use super::forms::{DesignationForm, parse_step};
use super::model::LEVELS;
use super::repo::Unit;
use super::repo::designations::{self, Designation};
use super::repo::history::{self, NewEvent};
use super::unit_permitted;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::{Ctx, flash_redirect, once, render, render_with, save, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/designations/new", get(new_designation_form))
        .route("/units/{id}/designations", post(create_designation))
        .route(
            "/units/{id}/designations/{designation}",
            get(show_designation).post(advance_designation),
        )
}

/// A unit in scope whose designations the user may manage, or 404.
async fn designating(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Unit> {
    unit_permitted(tx, user, id, |p| p.designate).await
}

#[derive(Template)]
#[template(path = "network/designation_form.html")]
struct DesignationFormPage {
    ctx: Ctx,
    unit: Unit,
    form: DesignationForm,
    errors: FieldErrors,
    levels: &'static [&'static str],
}

impl DesignationFormPage {
    fn invalid(ctx: Ctx, unit: Unit, form: DesignationForm, errors: FieldErrors) -> Response {
        let page = Self {
            ctx,
            unit,
            form,
            errors,
            levels: &LEVELS,
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// `GET /units/{id}/designations/new`: a city-level candidate of this year, from today.
async fn new_designation_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    tx.commit().await?;
    let now = today();
    let form = DesignationForm {
        level: "city".into(),
        year: now.year().to_string(),
        candidate_on: now.to_string(),
        note: String::new(),
    };
    Ok(render(&DesignationFormPage {
        ctx,
        unit,
        form,
        errors: FieldErrors::default(),
        levels: &LEVELS,
    }))
}

/// `POST /units/{id}/designations`: a unit becomes a candidate at a level and year.
async fn create_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let form = DesignationForm::from_pairs(&p);
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(DesignationFormPage::invalid(ctx, unit, form, errors)),
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let designation = match designations::insert(&mut tx, tenant_id, id, &input).await {
        Ok(d) => d,
        Err(e) if violates(&e, "demonstration_once") => {
            let mut errors = FieldErrors::default();
            errors.add("level", "designation.exists");
            return Ok(DesignationFormPage::invalid(ctx, unit, form, errors));
        }
        Err(e) => return Err(e.into()),
    };
    let (level, year) = (&input.level, input.year);
    let event = NewEvent {
        unit_id: id,
        effective_on: input.candidate_on,
        kind: "designation",
        changes: serde_json::json!({ "designation": [null, format!("{level} {year} candidate")] }),
        note: &input.note,
    };
    history::record(&mut tx, tenant_id, &user.username, event).await?;
    let location = format!("/units/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "demonstration.create",
        entity: "org_unit",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "designation": designation, "level": level, "year": year, "status": "candidate" }),
        ),
    };
    save::done(tx, &ctx, &user, change, "designation.created", &location).await
}

#[derive(Template)]
#[template(path = "network/designation.html")]
struct DesignationPage {
    ctx: Ctx,
    unit: Unit,
    d: Designation,
    on: String,
    note: String,
    errors: FieldErrors,
}

/// `GET /units/{id}/designations/{designation}`: where it stands, and its next step.
async fn show_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, did)): Path<(i64, i64)>,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let d = designations::find(&mut tx, id, did).await?.or_404()?;
    tx.commit().await?;
    Ok(render(&DesignationPage {
        ctx,
        unit,
        d,
        on: today().to_string(),
        note: String::new(),
        errors: FieldErrors::default(),
    }))
}

/// `POST /units/{id}/designations/{designation}`: one step on a date, declared, then approved
/// or not approved (which asks first); a stale page's step changes nothing.
async fn advance_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, did)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let d = designations::find(&mut tx, id, did).await?.or_404()?;
    let step = match parse_step(&p, &d) {
        Ok(step) => step,
        Err(errors) => {
            let (on, note) = (p.get("on"), p.get("note"));
            let page = DesignationPage {
                ctx,
                unit,
                d,
                on,
                note,
                errors,
            };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let (to, on) = (step.to.as_str(), step.on);
    let here = format!("/units/{id}/designations/{did}");
    if to != "declared" {
        // Approved or not approved is the designation's last word.
        let c = Confirm {
            title: "designation.confirm_decide",
            what: "designation.confirm_decide_what",
            subject: format!(
                "{} · {} {} · {}",
                unit.name,
                d.year,
                ctx.tr(&d.level_label()),
                ctx.tr(&format!("designation.{to}"))
            ),
            back: here.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let from = [d.status.as_str()];
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    let guarded = designations::step(did, &from, to, version, &step.note);
    if !guarded.apply_on(&mut tx, on).await? {
        return Ok(flash_redirect("form.conflict", &here));
    }
    let tenant_id = user.tenant()?;
    let (level, year, status) = (&d.level, d.year, &d.status);
    let event = NewEvent {
        unit_id: id,
        effective_on: on,
        kind: "designation",
        changes: serde_json::json!({ "designation": [format!("{level} {year} {status}"), format!("{level} {year} {to}")] }),
        note: &step.note,
    };
    history::record(&mut tx, tenant_id, &user.username, event).await?;
    let change = Change {
        tenant_id,
        action: "demonstration.advance",
        entity: "org_unit",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "designation": did, "status": d.status })),
        after: Some(serde_json::json!({ "designation": did, "status": to, "on": on })),
    };
    save::done(
        tx,
        &ctx,
        &user,
        change,
        "designation.advanced",
        &format!("/units/{id}"),
    )
    .await
}
