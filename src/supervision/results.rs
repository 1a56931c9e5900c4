//! A round's results: every unit's totals, grade and rank, read in a fixed number of
//! statements however many units; the chart of final scores; the notice (通报) and the .xlsx.

use super::repo::{self, Round, Score};
use super::sheet::{self, Result as UnitResult};
use super::{model, oversees, round_for, runs};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/rounds/{id}/results.xlsx", get(export_results))
        .route("/supervision/rounds/{id}/notice", get(notice))
}

/// Every unit's totals, grade and rank.
pub async fn results(tx: &mut Tx, round: &Round) -> Result<Vec<UnitResult>> {
    let indicators = repo::indicators(tx, round.framework_id).await?;
    let units = repo::round_units(tx, round.id).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let scores = repo::scores(tx, &ids).await?;
    let org_units: Vec<i64> = units.iter().map(|u| u.org_unit_id).collect();
    let mut computed_all = repo::computed_for(tx, round.year, &org_units).await?;
    let leaves = model::leaves(&indicators);
    let mut by_unit: HashMap<i64, Vec<&Score>> = HashMap::new();
    for s in &scores {
        by_unit.entry(s.round_unit_id).or_default().push(s);
    }
    let mut out = Vec::new();
    for unit in units {
        let computed = computed_all.remove(&unit.org_unit_id).unwrap_or_default();
        let mine = by_unit.remove(&unit.id).unwrap_or_default();
        let totals = sheet::totals_of(&leaves, &mine, &computed, round);
        out.push(UnitResult {
            unit,
            totals,
            rank: None,
        });
    }
    let ranks = model::ranks(&out.iter().map(|r| r.totals.final_score).collect::<Vec<_>>());
    for (r, rank) in out.iter_mut().zip(ranks) {
        r.rank = rank;
    }
    Ok(out)
}

/// The units' final scores as bars, highest first.
pub fn chart(results: &[UnitResult], title: &str) -> String {
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
    results: Vec<UnitResult>,
    chart: String,
}

/// Whether the user reads the round's notice: whoever runs it and the district over a town's,
/// before publication too; once published, every unit of the district for the district's
/// round, and for a town's its own teaching points and the district's readers.
async fn reads_notice(tx: &mut Tx, user: &CurrentUser, round: &Round) -> Result<bool> {
    if runs(user, round) || oversees(user, round) {
        return Ok(true);
    }
    if !round.published() {
        return Ok(false);
    }
    Ok(match user.unit_id {
        _ if !round.by_town() || user.role.is_district_wide() => true,
        Some(unit) => repo::in_round(tx, round.id, unit).await?,
        None => false,
    })
}

/// `GET /supervision/rounds/{id}/notice`: the published notice (通报), for every unit of the
/// district (a town's, for its points); whoever runs the round previews it before publication.
async fn notice(ctx: Ctx, user: CurrentUser, mut tx: Tx, Path(id): Path<i64>) -> Result<Response> {
    let round = repo::round(&mut tx, id).await?.or_404()?;
    if !reads_notice(&mut tx, &user, &round).await? {
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

/// `GET /supervision/rounds/{id}/results.xlsx`: every unit's totals, grade and rank.
async fn export_results(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (round, _) = round_for(&mut tx, &user, id).await?;
    let results = results(&mut tx, &round).await?;
    tx.commit().await?;
    let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let rows: Vec<Vec<Cell>> = results
        .iter()
        .map(|r| {
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
        round.reviewer_key(),
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
