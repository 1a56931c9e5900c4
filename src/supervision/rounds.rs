//! Evaluation rounds: the supervision overview (rounds and frameworks for the office, a town's
//! or an evaluator's own sheets), opening a round, its page, its advance from self-assessment
//! to review to published (after a confirmation), and assigning evaluators.

use super::model::next_round_status;
use super::repo::{self, Round, RoundUnit};
use super::results::{chart, results};
use super::{forms, on_round, require_supervise};
use crate::access::Role;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
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
        .route("/supervision", get(overview))
        .route("/supervision/rounds", post(open_round))
        .route("/supervision/rounds/{id}", get(show_round))
        .route(
            "/supervision/rounds/{id}/evaluators",
            post(assign_evaluator),
        )
        .route("/supervision/rounds/{id}/advance", post(advance))
}

#[derive(Template)]
#[template(path = "supervision/index.html")]
struct OverviewPage {
    ctx: Ctx,
    rounds: Vec<Round>,
    frameworks: Vec<repo::Framework>,
    mine: Vec<(Round, RoundUnit)>,
    can_run: bool,
    p: Pairs,
    errors: FieldErrors,
    year: i32,
    towns: Vec<(i64, String)>,
}

impl OverviewPage {
    /// A town school is chosen unless the form chose others.
    fn town_chosen(&self, id: &i64) -> bool {
        let chosen = self.p.all("units");
        chosen.is_empty() || chosen.contains(&id.to_string())
    }
}

async fn overview_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    p: Pairs,
    errors: FieldErrors,
) -> Result<OverviewPage> {
    let can_run = require_supervise(user).is_ok();
    let all = repo::rounds(tx).await?;
    // The sheets this user fills: a town's own, an evaluator's assigned ones; one query for all rounds.
    let (town, evaluator) = match user.role {
        Role::TownAdmin => (user.unit_id, None),
        Role::Evaluator => (None, Some(user.id)),
        _ => (None, None),
    };
    let own = repo::own_round_units(tx, town, evaluator).await?;
    let mine = own
        .into_iter()
        .filter_map(|u| {
            all.iter()
                .find(|r| r.id == u.round_id)
                .map(|r| (r.clone(), u))
        })
        .collect();
    let rounds = if can_run || user.role.is_district_wide() {
        all.into_iter()
            .filter(|r| can_run || r.published())
            .collect()
    } else {
        Vec::new()
    };
    let frameworks = if can_run {
        repo::frameworks(tx).await?
    } else {
        Vec::new()
    };
    let towns = repo::towns(tx).await?;
    Ok(OverviewPage {
        ctx,
        rounds,
        frameworks,
        mine,
        can_run,
        p,
        errors,
        year: today().year(),
        towns,
    })
}

/// `GET /supervision`: rounds and frameworks for the office; a town's or evaluator's own sheets.
async fn overview(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    if !(user.role.is_district_wide() || matches!(user.role, Role::TownAdmin | Role::Evaluator)) {
        return Err(AppError::NotFound);
    }
    let page = overview_page(
        &mut tx,
        ctx,
        &user,
        Pairs::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Opens a round for a year and framework over the active town schools chosen.
async fn open_round(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let input = match forms::round(&mut tx, &p).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = overview_page(&mut tx, ctx, &user, p, errors).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let (id, units) = repo::insert_round(&mut tx, tenant_id, &input).await?;
    let location = format!("/supervision/rounds/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = serde_json::json!({
        "name": input.name, "year": input.year, "framework": input.framework, "units": units,
    });
    let change = on_round(tenant_id, "round.open", id, None, after);
    save::done(tx, &ctx, &user, change, "round.opened", &location).await
}

#[derive(Template)]
#[template(path = "supervision/round.html")]
struct RoundPage {
    ctx: Ctx,
    round: Round,
    results: Vec<super::sheet::Result>,
    evaluators: Vec<(i64, String)>,
    chart: String,
}

async fn show_round(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_supervise(&user)?;
    let round = repo::round(&mut tx, id).await?.or_404()?;
    let results = results(&mut tx, &round).await?;
    let evaluators = repo::evaluators(&mut tx).await?;
    tx.commit().await?;
    let chart = chart(&results, ctx.t("round.chart"));
    Ok(render(&RoundPage {
        ctx,
        round,
        results,
        evaluators,
        chart,
    }))
}

/// `POST /supervision/rounds/{id}/advance`: self-assessment → review → published, each after
/// its confirmation page, over the status and version the page showed.
async fn advance(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let round = repo::round(&mut tx, id).await?.or_404()?;
    let back = format!("/supervision/rounds/{id}");
    let Some(to) = next_round_status(&round.status) else {
        return Ok(flash_redirect("step.not_now", &back));
    };
    let (title, what, flash) = match to {
        "review" => (
            "round.confirm_review",
            "round.confirm_review_what",
            "round.review_started",
        ),
        _ => (
            "round.confirm_publish",
            "round.confirm_publish_what",
            "round.published_done",
        ),
    };
    let c = Confirm {
        title,
        what,
        subject: format!("{} · {}", round.year, round.name),
        back: back.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    if !repo::advance_round(&mut tx, &round, to, version).await? {
        return Ok(flash_redirect("form.conflict", &back));
    }
    let change = on_round(
        tenant_id,
        "round.advance",
        id,
        Some(serde_json::json!({ "status": round.status })),
        serde_json::json!({ "status": to }),
    );
    save::done(tx, &ctx, &user, change, flash, &back).await
}

async fn assign_evaluator(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let account = p.get("account").parse::<i64>().ok();
    let unit = p.get("unit").parse::<i64>().ok();
    let location = format!("/supervision/rounds/{id}");
    if !repo::assign_evaluator(&mut tx, tenant_id, id, unit, account).await? {
        return Ok(flash_redirect("round.choose_evaluator", &location));
    }
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = serde_json::json!({ "account": account, "round_unit": unit });
    let change = on_round(tenant_id, "round.assign", id, None, after);
    save::done(tx, &ctx, &user, change, "round.assigned", &location).await
}
