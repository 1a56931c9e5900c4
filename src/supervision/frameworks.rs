//! Indicator frameworks: a tree of indicators with maximum scores, guidance, expected evidence
//! and optionally a computed metric; versioned by year, copied, or adopted from the platform's
//! shared template. A framework a round uses is frozen. The district's belong to the
//! supervision office; a town school keeps its own (copied from the district's or the
//! template, with only the metrics a teaching point can have), which the district reads.

use super::model::{self, Indicator, METRICS, POINT_METRICS};
use super::{change, forms, owner_for, repo};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::{Ctx, flash_redirect, once, render, render_with, save};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/frameworks", post(adopt_template))
        .route(
            "/supervision/frameworks/{id}",
            get(show_framework).post(add_indicator),
        )
        .route("/supervision/frameworks/{id}/copy", post(copy_framework))
        .route(
            "/supervision/frameworks/{id}/indicators/{ind}/delete",
            post(delete_indicator),
        )
}

#[derive(Template)]
#[template(path = "supervision/framework.html")]
struct FrameworkPage {
    ctx: Ctx,
    f: repo::Framework,
    indicators: Vec<Indicator>,
    problems: Vec<String>,
    p: Pairs,
    errors: FieldErrors,
    metrics: &'static [&'static str],
    /// Whether this user keeps the framework (else the district reads a town's).
    edits: bool,
}

/// The metrics a framework of `owner` may compute: a town's evaluates teaching points.
fn metrics_of(owner: Option<i64>) -> &'static [&'static str] {
    match owner {
        None => &METRICS,
        Some(_) => &POINT_METRICS,
    }
}

/// A framework as this user may see it, and whether they keep it: the supervision office the
/// district's, a town school its own; the district reads a town's. 404 for anyone else.
async fn framework_for(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
) -> Result<(repo::Framework, bool)> {
    let f = repo::framework(tx, id).await?.or_404()?;
    if owner_for(user).is_ok_and(|owner| owner == f.owner_unit_id) {
        Ok((f, true))
    } else if f.owner_unit_id.is_some() && may(user.role, Action::OverseeTownRounds) {
        Ok((f, false))
    } else {
        Err(AppError::NotFound)
    }
}

/// A framework this user keeps; 404 for one they only read.
async fn kept(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<repo::Framework> {
    match framework_for(tx, user, id).await? {
        (f, true) => Ok(f),
        _ => Err(AppError::NotFound),
    }
}

async fn framework_page(
    tx: &mut Tx,
    ctx: Ctx,
    (f, edits): (repo::Framework, bool),
    p: Pairs,
    errors: FieldErrors,
) -> Result<FrameworkPage> {
    let indicators = repo::indicators(tx, f.id).await?;
    let problems = model::weight_problems(&indicators);
    let metrics = metrics_of(f.owner_unit_id);
    Ok(FrameworkPage {
        ctx,
        f,
        indicators,
        problems,
        p,
        errors,
        metrics,
        edits,
    })
}

/// The framework's page again with what was typed and each error beside its field (422).
async fn invalid(
    tx: &mut Tx,
    ctx: Ctx,
    f: repo::Framework,
    p: Pairs,
    errors: FieldErrors,
) -> Result<Response> {
    let page = framework_page(tx, ctx, (f, true), p, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn show_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let seen = framework_for(&mut tx, &user, id).await?;
    let page = framework_page(&mut tx, ctx, seen, Pairs::default(), FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Adds an indicator under a parent (by code), refused once a round uses the framework.
async fn add_indicator(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let tenant_id = user.tenant()?;
    let f = kept(&mut tx, &user, id).await?;
    let existing = repo::indicators(&mut tx, id).await?;
    let metrics = metrics_of(f.owner_unit_id);
    let input = match forms::indicator(&p, &existing, f.rounds > 0, metrics) {
        Ok(input) => input,
        Err(errors) => return invalid(&mut tx, ctx, f, p, errors).await,
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    if !repo::insert_indicator(&mut tx, tenant_id, id, &input).await? {
        let mut errors = FieldErrors::default();
        errors.add("code", "framework.code_taken");
        return invalid(&mut tx, ctx, f, p, errors).await;
    }
    let location = format!("/supervision/frameworks/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = serde_json::json!({
        "code": input.code, "name": input.name, "max": input.max_score, "metric": input.metric,
    });
    let change = change(
        tenant_id,
        "framework.indicator_add",
        ("framework", Some(id)),
        None,
        Some(after),
    );
    save::done(tx, &ctx, &user, change, "framework.saved", &location).await
}

/// Deletes an indicator without children, after its confirmation page.
async fn delete_indicator(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ind)): Path<(i64, i64)>,
) -> Result<Response> {
    let tenant_id = user.tenant()?;
    let f = kept(&mut tx, &user, id).await?;
    let to = format!("/supervision/frameworks/{id}");
    if f.rounds > 0 {
        return Ok(flash_redirect("framework.in_use", &to));
    }
    let (code, name, has_children) = repo::indicator_to_delete(&mut tx, id, ind)
        .await?
        .or_404()?;
    if has_children {
        return Ok(flash_redirect("framework.has_children", &to));
    }
    let c = Confirm {
        title: "framework.confirm_delete",
        what: "framework.confirm_delete_what",
        subject: format!("{code} {name}"),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    repo::delete_indicator(&mut tx, id, ind).await?;
    let before = serde_json::json!({ "code": code });
    let framework = ("framework", Some(id));
    let change = change(
        tenant_id,
        "framework.indicator_delete",
        framework,
        Some(before),
        None,
    );
    save::done(tx, &ctx, &user, change, "framework.saved", &to).await
}

/// The indicators as a framework of `owner` holds them: a town's keeps a point's metrics only.
fn held_by(owner: Option<i64>, indicators: Vec<Indicator>) -> Vec<Indicator> {
    match owner {
        None => indicators,
        Some(_) => model::for_points(&indicators),
    }
}

/// `POST /supervision/frameworks/{id}/copy`: next year's framework starts as a copy; a town
/// school copies its own or one of the district's into a framework of its own.
async fn copy_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let owner = owner_for(&user)?;
    let tenant_id = user.tenant()?;
    let f = repo::framework(&mut tx, id)
        .await?
        .filter(|f| f.owner_unit_id.is_none() || f.owner_unit_id == owner)
        .or_404()?;
    let mut e = FieldErrors::default();
    let Some(year) = forms::year(&p, &mut e) else {
        if f.owner_unit_id != owner {
            return Ok(flash_redirect("designation.year_format", "/supervision"));
        }
        return invalid(&mut tx, ctx, f, p, e).await;
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let name = format!("{}（{year}）", f.name.split('（').next().unwrap_or(&f.name));
    let indicators = held_by(owner, repo::indicators(&mut tx, id).await?);
    let new_id =
        repo::insert_framework(&mut tx, tenant_id, owner, year, &name, &indicators).await?;
    let after = serde_json::json!({ "from": id, "year": year, "owner": owner });
    created_framework(tx, &ctx, &user, "framework.copy", new_id, after).await
}

/// `POST /supervision/frameworks`: adopts the platform's shared template as this district's
/// framework for a year, or as a town school's own.
async fn adopt_template(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    let owner = owner_for(&user)?;
    let tenant_id = user.tenant()?;
    let mut e = FieldErrors::default();
    let Some(year) = forms::year(&p, &mut e) else {
        return Ok(flash_redirect("designation.year_format", "/supervision"));
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let (name, indicators) = repo::template(&mut tx).await?.or_404()?;
    let indicators: Vec<Indicator> =
        serde_json::from_value(indicators).map_err(AppError::internal)?;
    let name = format!("{name}（{year}）");
    let indicators = held_by(owner, indicators);
    let new_id =
        repo::insert_framework(&mut tx, tenant_id, owner, year, &name, &indicators).await?;
    let after = serde_json::json!({ "year": year, "owner": owner });
    created_framework(tx, &ctx, &user, "framework.adopt", new_id, after).await
}

/// How a new framework ends: its place for a repeated post, the audit row, its page.
async fn created_framework(
    mut tx: Tx,
    ctx: &Ctx,
    user: &CurrentUser,
    action: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Result<Response> {
    let tenant_id = user.tenant()?;
    let location = format!("/supervision/frameworks/{id}");
    once::created(&mut tx, ctx, tenant_id, &location).await?;
    let change = change(
        tenant_id,
        action,
        ("framework", Some(id)),
        None,
        Some(after),
    );
    save::done(tx, ctx, user, change, "framework.copied", &location).await
}
