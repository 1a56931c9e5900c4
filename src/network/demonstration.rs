//! Demonstration designations (示范校 / 示范点, 四(七)): a unit becomes a candidate at a level
//! and year, is declared, then approved or not. Only the district bureau grants them.

use super::repo::{self, Designation, Unit};
use super::{Permits, unit_in_scope};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::db::violates;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date, text};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/designations/new", get(new_designation_form))
        .route(
            "/units/{id}/designations",
            axum::routing::post(create_designation),
        )
        .route(
            "/units/{id}/designations/{designation}",
            get(show_designation).post(advance_designation),
        )
}

async fn designating(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Unit> {
    let unit = unit_in_scope(tx, user, id).await?;
    if !Permits::of(user, &unit).designate {
        return Err(AppError::NotFound);
    }
    Ok(unit)
}

#[derive(Template)]
#[template(path = "network/designation_form.html")]
struct DesignationFormPage {
    ctx: Ctx,
    unit: Unit,
    level: String,
    year: String,
    candidate_on: String,
    note: String,
    errors: FieldErrors,
    levels: Vec<&'static str>,
}

async fn new_designation_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    tx.commit().await?;
    let now = today();
    let page = DesignationFormPage {
        ctx,
        unit,
        level: "city".into(),
        year: now.year().to_string(),
        candidate_on: now.to_string(),
        note: String::new(),
        errors: FieldErrors::default(),
        levels: super::model::LEVELS.to_vec(),
    };
    Ok(render(&page))
}

async fn create_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let mut errors = FieldErrors::default();
    let level = p.get("level");
    if !super::model::LEVELS.contains(&level.as_str()) {
        errors.add("level", "designation.level_required");
    }
    let year = p
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("year", "designation.year_format");
    }
    let candidate_on = date(&mut errors, "candidate_on", &p.get("candidate_on"), true);
    let note = text(&mut errors, "note", &p.get("note"), false, 500);
    let again = |ctx, unit, errors| DesignationFormPage {
        ctx,
        unit,
        level: p.get("level"),
        year: p.get("year"),
        candidate_on: p.get("candidate_on"),
        note: p.get("note"),
        errors,
        levels: super::model::LEVELS.to_vec(),
    };
    let (Some(year), Some(candidate_on), true) = (year, candidate_on, errors.is_empty()) else {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &again(ctx, unit, errors),
        ));
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let created = sqlx::query_scalar::<_, i64>(
        "insert into demonstration (tenant_id, unit_id, level, year, candidate_on, note) values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&level)
    .bind(year)
    .bind(candidate_on)
    .bind(&note)
    .fetch_one(&mut *tx)
    .await;
    let designation = match created {
        Ok(d) => d,
        Err(e) if violates(&e, "demonstration_once") => {
            errors.add("level", "designation.exists");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &again(ctx, unit, errors),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let changes = serde_json::json!({ "designation": [null, format!("{level} {year} candidate")] });
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            unit_id: id,
            effective_on: candidate_on,
            kind: "designation",
            changes,
            note: &note,
        },
    )
    .await?;
    let after = serde_json::json!({ "designation": designation, "level": level, "year": year, "status": "candidate" });
    let change = Change {
        tenant_id,
        action: "demonstration.create",
        entity: "org_unit",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/units/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("designation.created", &location))
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

async fn show_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, did)): Path<(i64, i64)>,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let d = repo::designation(&mut tx, id, did).await?.or_404()?;
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

/// Takes the designation one step on a date: declared, then approved or not approved.
async fn advance_designation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, did)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let unit = designating(&mut tx, &user, id).await?;
    let d = repo::designation(&mut tx, id, did).await?.or_404()?;
    let mut errors = FieldErrors::default();
    let to = p.get("to");
    if !super::model::designation_can_become(&d.status, &to) {
        errors.add("to", "designation.step_not_allowed");
    }
    let on = date(&mut errors, "on", &p.get("on"), true);
    let note = text(&mut errors, "note", &p.get("note"), false, 500);
    let earliest = d.declared_on.unwrap_or(d.candidate_on);
    if on.is_some_and(|on| on < earliest) {
        errors.add("on", "designation.date_before_previous");
    }
    let (Some(on), true) = (on, errors.is_empty()) else {
        let page = DesignationPage {
            ctx,
            unit,
            d,
            on: p.get("on"),
            note: p.get("note"),
            errors,
        };
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    if to != "declared" {
        // Approved or not approved is the designation's last word.
        let c = Confirm {
            title: "designation.confirm_decide",
            what: "designation.confirm_decide_what",
            subject: format!(
                "{} · {} {} · {}",
                unit.name,
                d.year,
                ctx.tr(&format!("level.{}", d.level)),
                ctx.tr(&format!("designation.{to}"))
            ),
            back: format!("/units/{id}/designations/{did}"),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let column = if to == "declared" {
        "declared_on"
    } else {
        "decided_on"
    };
    let done = sqlx::query(&format!(
        "update demonstration set status = $3, {column} = $4, version = version + 1,
                note = case when $5 = '' then note when note = '' then $5 else note || '；' || $5 end
          where id = $1 and version = $2"
    ))
    .bind(did)
    .bind(p.get("version").parse::<i32>().unwrap_or(0))
    .bind(&to)
    .bind(on)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect(
            "form.conflict",
            &format!("/units/{id}/designations/{did}"),
        ));
    }
    let tenant_id = user.tenant()?;
    let changes = serde_json::json!({ "designation": [format!("{} {} {}", d.level, d.year, d.status), format!("{} {} {to}", d.level, d.year)] });
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            unit_id: id,
            effective_on: on,
            kind: "designation",
            changes,
            note: &note,
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "demonstration.advance",
        entity: "org_unit",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "designation": did, "status": d.status })),
        after: Some(serde_json::json!({ "designation": did, "status": to, "on": on })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "designation.advanced",
        &format!("/units/{id}"),
    ))
}
