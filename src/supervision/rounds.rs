//! Evaluation rounds: the supervision overview (rounds and frameworks for the office and for a
//! town school running its own, the towns' rounds for the district to read, a town's, point's
//! or evaluator's own sheets), opening a round, its page, its advance from self-assessment to
//! review to published (after a confirmation), and assigning evaluators.

use super::model::next_round_status;
use super::repo::{self, Round, RoundUnit};
use super::results::{chart, results};
use super::{forms, on_round, owner_for, require_supervise, round_for};
use crate::access::{Action, Role, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::notices::{self, repo::Entry};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::ListQuery;
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
        .route("/supervision/rounds/{id}/public", post(make_public))
}

#[derive(Template)]
#[template(path = "supervision/index.html")]
struct OverviewPage {
    ctx: Ctx,
    rounds: Vec<Round>,
    frameworks: Vec<repo::Framework>,
    mine: Vec<(Round, RoundUnit)>,
    /// Whether this user opens rounds: the office the district's, a town school its own.
    can_run: bool,
    /// A town school running its own rounds (else the office, if `can_run`).
    by_town: bool,
    p: Pairs,
    errors: FieldErrors,
    year: i32,
    /// The units a new round may evaluate: the town schools, or the town's teaching points.
    units: Vec<(i64, String)>,
    /// The towns' own rounds: a town's, or every town's for the district (filtered).
    town_rounds: Vec<Round>,
    /// Whether the district reads the towns' rounds here, with their filters.
    oversees: bool,
    query: ListQuery,
    towns: Vec<(i64, String)>,
    /// The district's frameworks a town school may copy.
    district_frameworks: Vec<repo::Framework>,
    /// A teaching point: its sheets in its town's rounds and its rectification items.
    point: bool,
}

impl OverviewPage {
    /// A unit is chosen unless the form chose others.
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
    query: ListQuery,
) -> Result<OverviewPage> {
    let owner = owner_for(user).ok();
    let can_run = owner.is_some();
    let by_town = matches!(owner, Some(Some(_)));
    let all = repo::rounds(tx).await?;
    // The sheets this user fills: a town's or a point's own, an evaluator's assigned ones; one
    // query for all rounds.
    let (unit, evaluator) = match user.role {
        _ if may(user.role, Action::SelfAssess) => (user.unit_id, None),
        Role::Evaluator => (None, Some(user.id)),
        _ => (None, None),
    };
    let own = repo::own_round_units(tx, unit, evaluator).await?;
    let mine = own
        .into_iter()
        .filter_map(|u| {
            all.iter()
                .find(|r| r.id == u.round_id)
                .map(|r| (r.clone(), u))
        })
        .collect();
    let oversees = may(user.role, Action::OverseeTownRounds);
    let (town, year) = (query.id("town"), query.get("year").parse::<i32>().ok());
    let town_rounds = all
        .iter()
        .filter(|r| match (r.owner_unit_id, by_town) {
            (Some(o), true) => user.unit_id == Some(o),
            (Some(o), false) => {
                oversees && town.is_none_or(|t| t == o) && year.is_none_or(|y| y == r.year)
            }
            (None, _) => false,
        })
        .cloned()
        .collect();
    let office = can_run && !by_town;
    let rounds = if office || user.role.is_district_wide() {
        all.into_iter()
            .filter(|r| !r.by_town() && (office || r.published()))
            .collect()
    } else {
        Vec::new()
    };
    let frameworks = match owner {
        Some(owner) => repo::frameworks(tx, owner).await?,
        None => Vec::new(),
    };
    let district_frameworks = if by_town {
        repo::frameworks(tx, None).await?
    } else {
        Vec::new()
    };
    let units = match (owner, user.unit_id) {
        (Some(Some(_)), Some(town)) => repo::points(tx, town).await?,
        (Some(None), _) => repo::towns(tx).await?,
        _ => Vec::new(),
    };
    let towns = if oversees {
        repo::towns(tx).await?
    } else {
        Vec::new()
    };
    Ok(OverviewPage {
        ctx,
        rounds,
        frameworks,
        mine,
        can_run,
        by_town,
        p,
        errors,
        year: today().year(),
        units,
        town_rounds,
        oversees,
        query,
        towns,
        district_frameworks,
        point: user.role == Role::PointCoordinator,
    })
}

/// `GET /supervision`: rounds and frameworks for the office, and the towns' rounds to read; a
/// town's own rounds and frameworks; a town's, point's or evaluator's own sheets.
async fn overview(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    let sees = user.role.is_district_wide()
        || may(user.role, Action::SelfAssess)
        || user.role == Role::Evaluator;
    if !sees {
        return Err(AppError::NotFound);
    }
    let (p, errors) = (Pairs::default(), FieldErrors::default());
    let page = overview_page(&mut tx, ctx, &user, p, errors, query).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Opens a round for a year and framework over the units chosen: the office's over the
/// active town schools, a town school's over its active teaching points.
async fn open_round(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    let owner = owner_for(&user)?;
    let tenant_id = user.tenant()?;
    let input = match forms::round(&mut tx, &p, owner).await? {
        Ok(input) => input,
        Err(errors) => {
            let query = ListQuery::from_pairs(&[]);
            let page = overview_page(&mut tx, ctx, &user, p, errors, query).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let (id, units) = repo::insert_round(&mut tx, tenant_id, owner, &input).await?;
    let location = format!("/supervision/rounds/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = serde_json::json!({
        "name": input.name, "year": input.year, "framework": input.framework, "units": units,
        "owner": owner,
    });
    let change = on_round(tenant_id, "round.open", id, None, after);
    let flash = if owner.is_some() {
        "round.town_opened"
    } else {
        "round.opened"
    };
    save::done(tx, &ctx, &user, change, flash, &location).await
}

#[derive(Template)]
#[template(path = "supervision/round.html")]
struct RoundPage {
    ctx: Ctx,
    round: Round,
    results: Vec<super::sheet::Result>,
    evaluators: Vec<(i64, String)>,
    chart: String,
    /// Whether this user runs the round (else the district reads a town's).
    runs: bool,
    /// The form that makes the results public, as typed, and what was wrong with it.
    p: Pairs,
    errors: FieldErrors,
}

impl RoundPage {
    /// Whether the office may still make the district round's results public.
    fn may_make_public(&self) -> bool {
        self.runs
            && !self.round.by_town()
            && self.round.published()
            && self.round.public_notice.is_none()
    }

    fn typed(&self, field: &str, default: &str) -> String {
        match self.p.get(field) {
            v if v.is_empty() && self.errors.is_empty() => default.to_string(),
            v => v,
        }
    }
}

async fn round_page(
    tx: &mut Tx,
    ctx: Ctx,
    round: Round,
    runs: bool,
    p: Pairs,
    errors: FieldErrors,
) -> Result<RoundPage> {
    let results = results(tx, &round).await?;
    let evaluators = if runs && !round.by_town() {
        repo::evaluators(tx).await?
    } else {
        Vec::new()
    };
    let chart = chart(&results, ctx.t("round.chart"));
    Ok(RoundPage {
        ctx,
        round,
        results,
        evaluators,
        chart,
        runs,
        p,
        errors,
    })
}

/// `GET /supervision/rounds/{id}`: the round's results for whoever runs it; the district reads
/// a town's round here without its buttons.
async fn show_round(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (round, runs) = round_for(&mut tx, &user, id).await?;
    let page = round_page(
        &mut tx,
        ctx,
        round,
        runs,
        Pairs::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /supervision/rounds/{id}/public`: the office makes a published district round's results
/// a public notice on the residents' portal (ranks, scores and grades of the towns; findings stay
/// with the units), for the working days it names, after a confirmation; once a round.
async fn make_public(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let tenant_id = user.tenant()?;
    let round = match round_for(&mut tx, &user, id).await? {
        (round, true) if !round.by_town() => round,
        _ => return Err(AppError::NotFound),
    };
    let back = format!("/supervision/rounds/{id}");
    if !round.published() || round.public_notice.is_some() {
        return Ok(flash_redirect("step.not_now", &back));
    }
    let (working_days, contact) = match forms::public_notice(&p) {
        Ok(input) => input,
        Err(errors) => {
            let page = round_page(&mut tx, ctx, round, true, p, errors).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let c = Confirm {
        title: "round.confirm_public",
        what: "round.confirm_public_what",
        subject: format!("{} · {}", round.year, round.name),
        back: back.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let mut ranked = results(&mut tx, &round).await?;
    ranked.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
    let entries: Vec<Entry> = ranked
        .iter()
        .map(|r| Entry {
            name: r.unit.unit_name.clone(),
            unit: ctx.tr(&r.totals.grade_label()),
            summary: match r.rank {
                Some(rank) => ctx.tf(
                    "round.public_entry",
                    &[("rank", &rank), ("score", &r.totals.text_of("final_score"))],
                ),
                None => ctx.tr("round.public_unscored"),
            },
        })
        .collect();
    let title = ctx.tf("round.public_title", &[("name", &round.name)]);
    let issuer = format!("{}{}", user.tenant_name, ctx.t("round.issuer"));
    let body = ctx.tf(
        "round.public_body",
        &[("name", &round.name), ("issuer", &issuer)],
    );
    let contact = if contact.is_empty() { issuer } else { contact };
    let draft = notices::Draft {
        subject_kind: "evaluation_round",
        subject_id: id,
        title: &title,
        body: &body,
        entries: &entries,
        working_days,
        contact: &contact,
    };
    let Some((notice, ends_on)) =
        notices::publish(&mut tx, tenant_id, &user.display_name, draft, today()).await?
    else {
        // Another click or another officer made it public a moment ago.
        return Ok(flash_redirect("form.conflict", &back));
    };
    let after = serde_json::json!({
        "notice": notice, "working_days": working_days, "ends_on": ends_on, "entries": entries.len(),
    });
    let change = on_round(tenant_id, "round.make_public", id, None, after);
    save::done(tx, &ctx, &user, change, "round.public_done", &back).await
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
    let tenant_id = user.tenant()?;
    let round = match round_for(&mut tx, &user, id).await? {
        (round, true) => round,
        _ => return Err(AppError::NotFound),
    };
    let back = format!("/supervision/rounds/{id}");
    let Some(to) = next_round_status(&round.status) else {
        return Ok(flash_redirect("step.not_now", &back));
    };
    let (title, what, flash) = match to {
        "review" if round.by_town() => (
            "round.confirm_review",
            "round.confirm_review_what_town",
            "round.review_started",
        ),
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
    // A town's round has no third-party evaluators, and the office only reads it.
    if repo::round(&mut tx, id).await?.or_404()?.by_town() {
        return Err(AppError::NotFound);
    }
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
