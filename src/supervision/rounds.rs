//! Evaluation rounds: opening, the results overview, each unit's score sheet with self,
//! supervisor and evaluator scores, publication of the notice, and the .xlsx export.

use super::repo::{self, Round, RoundUnit};
use super::sheet::{self, Totals};
use super::{Standing, require_supervise, unit_for};
use crate::access::Role;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date, text, text_block};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(overview))
        .route("/supervision/rounds", post(open_round))
        .route("/supervision/rounds/{id}", get(show_round))
        .route("/supervision/rounds/{id}/results.xlsx", get(export_results))
        .route("/supervision/rounds/{id}/notice", get(notice))
        .route(
            "/supervision/rounds/{id}/evaluators",
            post(assign_evaluator),
        )
        .route("/supervision/rounds/{id}/advance", post(advance))
        .route("/supervision/rounds/{id}/units/{ru}", get(show_sheet))
        .route(
            "/supervision/rounds/{id}/units/{ru}/sheet.xlsx",
            get(export_sheet),
        )
        .route(
            "/supervision/rounds/{id}/units/{ru}/scores",
            post(save_scores),
        )
        .route(
            "/supervision/rounds/{id}/units/{ru}/self",
            post(submit_self),
        )
        .route(
            "/supervision/rounds/{id}/units/{ru}/findings",
            post(save_findings),
        )
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
    let can_run = super::require_supervise(user).is_ok();
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
    let towns = sqlx::query_as("select id, name from org_unit where kind = 'town_school' and status = 'active' order by code").fetch_all(&mut **tx).await?;
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

/// Opens a round for a year and framework over the active town schools.
async fn open_round(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let mut e = FieldErrors::default();
    let name = text(&mut e, "name", &p.get("name"), true, 100);
    let year = p
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        e.add("year", "designation.year_format");
    }
    let framework = p.get("framework").parse::<i64>().ok();
    let framework = match framework {
        Some(f) => repo::framework(&mut tx, f).await?,
        None => None,
    };
    if framework.is_none() {
        e.add("framework", "form.choose");
    }
    if let Some(f) = &framework {
        let problems = super::model::weight_problems(&repo::indicators(&mut tx, f.id).await?);
        if !problems.is_empty() {
            e.add("framework", "framework.weights_wrong");
        }
    }
    let self_due = date(&mut e, "self_due", &p.get("self_due"), true);
    let review_due = date(&mut e, "review_due", &p.get("review_due"), true);
    if let (Some(s), Some(r)) = (self_due, review_due)
        && r < s
    {
        e.add("review_due", "round.review_before_self");
    }
    let weight = p
        .get("evaluator_weight")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|w| (0..=100).contains(w));
    if weight.is_none() {
        e.add("evaluator_weight", "round.weight_format");
    }
    // Grade bands: 优秀 / 良好 / 合格 thresholds, highest first.
    let band = |e: &mut FieldErrors, field: &'static str, default: f64| -> Option<f64> {
        match p.get(field).trim() {
            "" => Some(default),
            v => match v.parse::<f64>().ok().filter(|x| (0.0..=100.0).contains(x)) {
                Some(x) => Some(x),
                None => {
                    e.add(field, "round.band_format");
                    None
                }
            },
        }
    };
    let bands = (
        band(&mut e, "excellent", 90.0),
        band(&mut e, "good", 80.0),
        band(&mut e, "pass", 60.0),
    );
    if let (Some(x), Some(g), Some(s)) = bands
        && !(x >= g && g >= s)
    {
        e.add("excellent", "round.band_order");
    }
    // The units evaluated: the town schools chosen, all of them by default.
    let chosen: Vec<i64> = p
        .all("units")
        .iter()
        .filter_map(|u| u.parse().ok())
        .collect();
    let (
        Some(year),
        Some(f),
        Some(self_due),
        Some(review_due),
        Some(weight),
        (Some(excellent), Some(good), Some(pass)),
        true,
    ) = (
        year,
        framework,
        self_due,
        review_due,
        weight,
        bands,
        e.is_empty(),
    )
    else {
        let page = overview_page(&mut tx, ctx, &user, p, e).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let id: i64 = sqlx::query_scalar(
                "insert into evaluation_round (tenant_id, year, name, framework_id, self_due, review_due, evaluator_weight, excellent, good, pass)
         values ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric) returning id",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(&name)
    .bind(f.id)
    .bind(self_due)
    .bind(review_due)
        .bind(weight)
    .bind(excellent)
    .bind(good)
    .bind(pass)
    .fetch_one(&mut *tx)
    .await?;
    let units = sqlx::query(
        "insert into round_unit (tenant_id, round_id, org_unit_id)
         select $1, $2, id from org_unit where kind = 'town_school' and status = 'active' and (cardinality($3::bigint[]) = 0 or id = any($3))",
    )
        .bind(tenant_id)
        .bind(id)
        .bind(&chosen)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let change = Change {
        tenant_id,
        action: "round.open",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "name": name, "year": year, "framework": f.id, "units": units }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/supervision/rounds/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("round.opened", &location))
}

/// Every unit's totals, grade and rank.
async fn results(tx: &mut Tx, round: &Round) -> Result<Vec<sheet::Result>> {
    let indicators = repo::indicators(tx, round.framework_id).await?;
    let units = repo::round_units(tx, round.id).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let scores = repo::scores(tx, &ids).await?;
    let org_units: Vec<i64> = units.iter().map(|u| u.org_unit_id).collect();
    let mut computed_all = repo::computed_for(tx, round.year, &org_units).await?;
    let leaves = super::model::leaves(&indicators);
    let mut by_unit: HashMap<i64, Vec<&repo::Score>> = HashMap::new();
    for s in &scores {
        by_unit.entry(s.round_unit_id).or_default().push(s);
    }
    let mut out = Vec::new();
    for unit in units {
        let computed = computed_all.remove(&unit.org_unit_id).unwrap_or_default();
        let mine = by_unit.remove(&unit.id).unwrap_or_default();
        let totals = sheet::totals_of(&leaves, &mine, &computed, round);
        out.push(sheet::Result {
            unit,
            totals,
            rank: None,
        });
    }
    let ranks = super::model::ranks(&out.iter().map(|r| r.totals.final_score).collect::<Vec<_>>());
    for (r, rank) in out.iter_mut().zip(ranks) {
        r.rank = rank;
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "supervision/round.html")]
struct RoundPage {
    ctx: Ctx,
    round: Round,
    results: Vec<sheet::Result>,
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
    let evaluators = sqlx::query_as("select id, display_name from account where role = 'evaluator' and not disabled order by username").fetch_all(&mut *tx).await?;
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

fn chart(results: &[sheet::Result], title: &str) -> String {
    let mut rows: Vec<(String, f64, String)> = results
        .iter()
        .filter_map(|r| {
            r.totals
                .final_score
                .map(|f| (r.unit.unit_name.clone(), f, format!("{f}")))
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    crate::reports::svg::bars(title, &rows, 100.0)
}

#[derive(Template)]
#[template(path = "supervision/notice.html")]
struct NoticePage {
    ctx: Ctx,
    round: Round,
    district: String,
    results: Vec<sheet::Result>,
    chart: String,
}

/// `GET /supervision/rounds/{id}/notice`: the published notice (通报), for every unit of the district.
async fn notice(ctx: Ctx, user: CurrentUser, mut tx: Tx, Path(id): Path<i64>) -> Result<Response> {
    let round = repo::round(&mut tx, id).await?.or_404()?;
    if !round.published() && require_supervise(&user).is_err() {
        return Err(AppError::NotFound);
    }
    let mut results = results(&mut tx, &round).await?;
    tx.commit().await?;
    results.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
    let chart = chart(&results, ctx.t("round.chart"));
    Ok(render(&NoticePage {
        ctx,
        round,
        district: user.tenant_name.clone(),
        results,
        chart,
    }))
}

async fn export_results(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_supervise(&user)?;
    let round = repo::round(&mut tx, id).await?.or_404()?;
    let results = results(&mut tx, &round).await?;
    tx.commit().await?;
    let rows: Vec<Vec<Cell>> = results
        .iter()
        .map(|r| {
            let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
            vec![
                r.unit.unit_name.as_str().into(),
                num(r.totals.self_total),
                num(r.totals.supervisor),
                num(r.totals.evaluator),
                num(r.totals.final_score),
                ctx.tr(&r.totals.grade_label()).into(),
                r.rank.map_or(Cell::Empty, |k| Cell::Number(k as f64)),
            ]
        })
        .collect();
    let headers = [
        "round.unit",
        "round.self",
        "round.supervisor",
        "round.evaluator",
        "round.final",
        "round.grade",
        "round.rank",
    ]
    .map(|k| ctx.t(k));
    let bytes = xlsx::sheet(
        ctx.t("round.results"),
        &format!("{} · {}", user.tenant_name, round.name),
        &headers,
        &rows,
    )
    .map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("round-{}-results.xlsx", round.id),
        bytes,
    ))
}

/// `POST /supervision/rounds/{id}/advance`: self-assessment → review → published.
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
    let to = match round.status.as_str() {
        "self_assessment" => "review",
        "review" => "published",
        _ => {
            return Ok(flash_redirect(
                "step.not_now",
                &format!("/supervision/rounds/{id}"),
            ));
        }
    };
    let (title, what) = match to {
        "review" => ("round.confirm_review", "round.confirm_review_what"),
        _ => ("round.confirm_publish", "round.confirm_publish_what"),
    };
    let c = Confirm {
        title,
        what,
        subject: format!("{} · {}", round.year, round.name),
        back: format!("/supervision/rounds/{id}"),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let done = sqlx::query(
        "update evaluation_round set status = $3, version = version + 1, published_on = case when $3 = 'published' then $4 else published_on end
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(p.get("version").parse::<i32>().unwrap_or(0))
    .bind(to)
    .bind(today())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect(
            "form.conflict",
            &format!("/supervision/rounds/{id}"),
        ));
    }
    let change = Change {
        tenant_id,
        action: "round.advance",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": round.status })),
        after: Some(serde_json::json!({ "status": to })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        if to == "published" {
            "round.published_done"
        } else {
            "round.review_started"
        },
        &format!("/supervision/rounds/{id}"),
    ))
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
    let valid: bool = sqlx::query_scalar(
        "select exists (select 1 from account where id = $1 and role = 'evaluator') and exists (select 1 from round_unit where id = $2 and round_id = $3)",
    )
    .bind(account)
    .bind(unit)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if !valid {
        return Ok(flash_redirect(
            "round.choose_evaluator",
            &format!("/supervision/rounds/{id}"),
        ));
    }
    sqlx::query("insert into round_evaluator (tenant_id, round_unit_id, account_id) values ($1, $2, $3) on conflict do nothing")
        .bind(tenant_id)
        .bind(unit)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        tenant_id,
        action: "round.assign",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "account": account, "round_unit": unit })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/supervision/rounds/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("round.assigned", &location))
}

#[derive(Template)]
#[template(path = "supervision/sheet.html")]
struct SheetPage {
    ctx: Ctx,
    round: Round,
    unit: RoundUnit,
    standing: Standing,
    rows: Vec<sheet::Row>,
    totals: Totals,
    evidence: Vec<repo::Evidence>,
    rectifications: Vec<super::rectification::Item>,
    scores_as: Option<&'static str>,
    sees_results: bool,
    p: Pairs,
    errors: HashMap<i64, &'static str>,
    chart: String,
}

impl SheetPage {
    /// What this user typed (or had saved) for an indicator.
    fn typed(&self, id: &i64, field: &str) -> String {
        let key = format!("{field}_{id}");
        if self.p.0.iter().any(|(k, _)| *k == key) {
            return self.p.get(&key);
        }
        let row = self.rows.iter().find(|r| r.ind.id == *id);
        let me = self
            .ctx
            .user
            .as_ref()
            .map(|u| u.username.clone())
            .unwrap_or_default();
        match (self.scores_as, row) {
            (Some("self"), Some(r)) if field == "score" => r.self_text(),
            (Some("self"), Some(r)) => r.self_note.clone(),
            (Some(kind), Some(r)) => r
                .reviews
                .iter()
                .find(|(k, n, _, _)| k == kind && *n == me)
                .map(|(_, _, v, note)| {
                    if field == "score" {
                        format!("{v}")
                    } else {
                        note.clone()
                    }
                })
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn evidence_of(&self, id: &i64) -> Vec<&repo::Evidence> {
        self.evidence
            .iter()
            .filter(|e| e.indicator_id == *id)
            .collect()
    }

    fn error_of(&self, id: &i64) -> Option<&'static str> {
        self.errors.get(id).copied()
    }

    fn is_supervisor(&self) -> bool {
        self.standing == Standing::Supervisor
    }
}

async fn sheet_page(
    mut tx: Tx,
    ctx: Ctx,
    round: Round,
    unit: RoundUnit,
    standing: Standing,
    p: Pairs,
    errors: HashMap<i64, &'static str>,
) -> Result<SheetPage> {
    let indicators = repo::indicators(&mut tx, round.framework_id).await?;
    let mut scores = repo::scores(&mut tx, &[unit.id]).await?;
    let sees_results = standing.sees_results(&round);
    if !sees_results {
        scores.retain(|s| s.scorer_kind == "self");
    }
    if standing == Standing::Evaluator {
        // An evaluator sees the self-assessment and its own scores, not other reviewers'.
        let me = ctx.user.as_ref().map(|u| u.id).unwrap_or_default();
        scores.retain(|s| s.scorer_kind == "self" || s.scorer_id == me);
    }
    let computed = repo::computed(&mut tx, round.year, unit.org_unit_id).await?;
    let (rows, totals) = sheet::build(&indicators, &scores, &computed, &round);
    let evidence = repo::evidence(&mut tx, unit.id).await?;
    let rectifications = super::rectification::of_unit(&mut tx, unit.id).await?;
    tx.commit().await?;
    let scores_as = standing.scores_as(&round);
    let chart = sheet::by_part(
        &rows,
        sees_results && totals.supervisor.is_some(),
        ctx.t("round.by_part"),
    );
    Ok(SheetPage {
        ctx,
        round,
        unit,
        standing,
        rows,
        totals,
        evidence,
        rectifications,
        scores_as,
        sees_results,
        p,
        errors,
        chart,
    })
}

/// `GET .../sheet.xlsx`: the score sheet as the user sees it.
async fn export_sheet(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    let page = sheet_page(
        tx,
        ctx,
        round,
        unit,
        standing,
        Pairs::default(),
        HashMap::new(),
    )
    .await?;
    let ctx = &page.ctx;
    let rows: Vec<Vec<Cell>> = page
        .rows
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = vec![
                r.ind.code.as_str().into(),
                r.ind.name.as_str().into(),
                Cell::Number(r.ind.max_score),
                r.computed_text().into(),
                r.self_text().into(),
                r.self_note.as_str().into(),
            ];
            if page.sees_results {
                row.push(r.supervisor_text().into());
                row.push(r.evaluator_text().into());
            }
            row
        })
        .collect();
    let mut headers = vec![
        "framework.code",
        "framework.indicator",
        "framework.max",
        "round.computed",
        "round.self",
        "round.note",
    ];
    if page.sees_results {
        headers.extend(["round.supervisor", "round.evaluator"]);
    }
    let headers: Vec<&str> = headers.iter().map(|k| ctx.t(k)).collect();
    let title = format!("{} · {}", page.unit.unit_name, page.round.name);
    let bytes =
        xlsx::sheet(ctx.t("round.results"), &title, &headers, &rows).map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("round-{id}-sheet-{ru}.xlsx"),
        bytes,
    ))
}

async fn show_sheet(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    Ok(render(
        &sheet_page(
            tx,
            ctx,
            round,
            unit,
            standing,
            Pairs::default(),
            HashMap::new(),
        )
        .await?,
    ))
}

/// Saves this user's scores and notes for every typed indicator; each must lie within 0 and its maximum.
async fn save_scores(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    let Some(kind) = standing.scores_as(&round) else {
        return Err(AppError::NotFound);
    };
    if kind == "self" && unit.self_submitted_on.is_some() {
        return Ok(flash_redirect(
            "round.self_done",
            &format!("/supervision/rounds/{id}/units/{ru}"),
        ));
    }
    let indicators = repo::indicators(&mut tx, round.framework_id).await?;
    let leaves = super::model::leaves(&indicators);
    let mut errors = HashMap::new();
    let mut values = Vec::new();
    for ind in leaves.iter().filter(|i| i.metric.is_none()) {
        let raw = p.get(&format!("score_{}", ind.id));
        let note = p
            .get(&format!("note_{}", ind.id))
            .trim()
            .chars()
            .take(500)
            .collect::<String>();
        if raw.trim().is_empty() {
            continue;
        }
        match raw.trim().parse::<f64>() {
            Ok(v) if (0.0..=ind.max_score).contains(&v) && (v * 100.0).fract().abs() < 1e-9 => {
                values.push((ind.id, v, note))
            }
            _ => {
                errors.insert(ind.id, "round.score_range");
            }
        }
    }
    if !errors.is_empty() {
        let page = sheet_page(tx, ctx, round, unit, standing, p, errors).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let tenant_id = user.tenant()?;
    for (indicator, value, note) in &values {
        sqlx::query(
            "insert into score (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value, note)
             values ($1, $2, $3, $4, $5, $6, $7::numeric, $8)
             on conflict (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id)
             do update set value = excluded.value, note = excluded.note, at = now()",
        )
        .bind(tenant_id)
        .bind(ru)
        .bind(indicator)
        .bind(kind)
        .bind(user.id)
        .bind(&user.username)
        .bind(value)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    let change = Change {
        tenant_id,
        action: "round.score",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "unit": unit.unit_name, "kind": kind, "scores": values.len() }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "round.scores_saved",
        &format!("/supervision/rounds/{id}/units/{ru}"),
    ))
}

/// The town hands in its self-assessment; it can no longer change it.
async fn submit_self(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    if standing.scores_as(&round) != Some("self") {
        return Err(AppError::NotFound);
    }
    let to = format!("/supervision/rounds/{id}/units/{ru}");
    if unit.self_submitted_on.is_some() {
        return Ok(flash_redirect("round.self_done", &to));
    }
    sqlx::query(
        "update round_unit set self_submitted_on = $2 where id = $1 and self_submitted_on is null",
    )
    .bind(ru)
    .bind(today())
    .execute(&mut *tx)
    .await?;
    let tenant_id = user.tenant()?;
    let late = today() > round.self_due;
    let change = Change {
        tenant_id,
        action: "round.self_submit",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "unit": unit.unit_name, "late": late })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("round.self_submitted_done", &to))
}

/// The supervisor's findings for the notice: strengths and problems.
async fn save_findings(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    if standing != Standing::Supervisor || round.published() {
        return Err(AppError::NotFound);
    }
    let mut e = FieldErrors::default();
    let strengths = text_block(&mut e, "strengths", &p.get("strengths"), false, 2000);
    let problems = text_block(&mut e, "problems", &p.get("problems"), false, 2000);
    if !e.is_empty() {
        return Ok(flash_redirect(
            "form.too_long",
            &format!("/supervision/rounds/{id}/units/{ru}"),
        ));
    }
    sqlx::query("update round_unit set strengths = $2, problems = $3 where id = $1")
        .bind(ru)
        .bind(&strengths)
        .bind(&problems)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "round.findings",
        entity: "evaluation_round",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "strengths": unit.strengths, "problems": unit.problems })),
        after: Some(serde_json::json!({ "strengths": strengths, "problems": problems })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "round.findings_saved",
        &format!("/supervision/rounds/{id}/units/{ru}"),
    ))
}
