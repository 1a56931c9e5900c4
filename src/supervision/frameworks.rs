//! Indicator frameworks: a tree of indicators with maximum scores, guidance, expected evidence
//! and optionally a computed metric; versioned by year, copied, or adopted from the platform's
//! shared template. A framework a round uses is frozen.

use super::model::{self, Indicator, METRICS};
use super::{change, forms, repo, require_supervise};
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
}

async fn framework_page(
    tx: &mut Tx,
    ctx: Ctx,
    id: i64,
    p: Pairs,
    errors: FieldErrors,
) -> Result<FrameworkPage> {
    let f = repo::framework(tx, id).await?.or_404()?;
    let indicators = repo::indicators(tx, id).await?;
    let problems = model::weight_problems(&indicators);
    Ok(FrameworkPage {
        ctx,
        f,
        indicators,
        problems,
        p,
        errors,
        metrics: &METRICS,
    })
}

/// The framework's page again with what was typed and each error beside its field (422).
async fn invalid(
    tx: &mut Tx,
    ctx: Ctx,
    id: i64,
    p: Pairs,
    errors: FieldErrors,
) -> Result<Response> {
    let page = framework_page(tx, ctx, id, p, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn show_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_supervise(&user)?;
    let page = framework_page(&mut tx, ctx, id, Pairs::default(), FieldErrors::default()).await?;
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
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let f = repo::framework(&mut tx, id).await?.or_404()?;
    let existing = repo::indicators(&mut tx, id).await?;
    let input = match forms::indicator(&p, &existing, f.rounds > 0) {
        Ok(input) => input,
        Err(errors) => return invalid(&mut tx, ctx, id, p, errors).await,
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    if !repo::insert_indicator(&mut tx, tenant_id, id, &input).await? {
        let mut errors = FieldErrors::default();
        errors.add("code", "framework.code_taken");
        return invalid(&mut tx, ctx, id, p, errors).await;
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
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let f = repo::framework(&mut tx, id).await?.or_404()?;
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

/// `POST /supervision/frameworks/{id}/copy`: next year's framework starts as a copy.
async fn copy_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let f = repo::framework(&mut tx, id).await?.or_404()?;
    let mut e = FieldErrors::default();
    let Some(year) = forms::year(&p, &mut e) else {
        return invalid(&mut tx, ctx, id, p, e).await;
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let name = format!("{}（{year}）", f.name.split('（').next().unwrap_or(&f.name));
    let indicators = repo::indicators(&mut tx, id).await?;
    let new_id = repo::insert_framework(&mut tx, tenant_id, year, &name, &indicators).await?;
    let after = serde_json::json!({ "from": id, "year": year });
    created_framework(tx, &ctx, &user, "framework.copy", new_id, after).await
}

/// `POST /supervision/frameworks`: adopts the platform's shared template as this district's
/// framework for a year.
async fn adopt_template(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
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
    let new_id = repo::insert_framework(&mut tx, tenant_id, year, &name, &indicators).await?;
    let after = serde_json::json!({ "year": year });
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
