//! A unit's score sheet in a round, as each user may see it: the page and its .xlsx, saving
//! scores (self, supervisor or evaluator), handing in the self-assessment, and the
//! supervisor's findings. A refused post shows the sheet again with what was typed (422).

use super::model::{self};
use super::repo::{self, Round, RoundUnit, Scorer};
use super::sheet::{self, Totals};
use super::{Standing, forms, on_round, unit_for};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::reports::xlsx::{self, Cell};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::{Ctx, flash_redirect, render, render_with, save, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
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

/// A round's unit as one user stands to it.
pub type Seen = (Round, RoundUnit, Standing);

/// What a sheet shows again after a post it refused: what was typed, and what is wrong with
/// each score (by indicator) and each other field.
#[derive(Default)]
pub struct Refused {
    pub p: Pairs,
    pub scores: HashMap<i64, &'static str>,
    pub fields: FieldErrors,
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
    rectifications: Vec<repo::Item>,
    scores_as: Option<&'static str>,
    sees_results: bool,
    p: Pairs,
    errors: HashMap<i64, &'static str>,
    form_errors: FieldErrors,
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

    /// Whether the user reads the round's page: whoever runs it, and the district over a town's.
    fn sees_round(&self) -> bool {
        matches!(self.standing, Standing::Supervisor | Standing::Overseer)
    }
}

async fn sheet_page(mut tx: Tx, ctx: Ctx, seen: Seen, refused: Refused) -> Result<SheetPage> {
    let (round, unit, standing) = seen;
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
    let rectifications = repo::of_unit(&mut tx, unit.id).await?;
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
        p: refused.p,
        errors: refused.scores,
        form_errors: refused.fields,
        chart,
    })
}

/// The sheet again with what was typed and each error beside its field (422); nothing was saved.
pub async fn refused(tx: Tx, ctx: Ctx, seen: Seen, refused: Refused) -> Result<Response> {
    let page = sheet_page(tx, ctx, seen, refused).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn show_sheet(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
) -> Result<Response> {
    let seen = unit_for(&mut tx, &user, id, ru).await?;
    Ok(render(
        &sheet_page(tx, ctx, seen, Refused::default()).await?,
    ))
}

/// `GET .../sheet.xlsx`: the score sheet as the user sees it.
async fn export_sheet(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
) -> Result<Response> {
    let seen = unit_for(&mut tx, &user, id, ru).await?;
    let page = sheet_page(tx, ctx, seen, Refused::default()).await?;
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
        headers.extend([page.round.reviewer_key(), "round.evaluator"]);
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
    let to = format!("/supervision/rounds/{id}/units/{ru}");
    if kind == "self" && unit.self_submitted_on.is_some() {
        return Ok(flash_redirect("round.self_done", &to));
    }
    let indicators = repo::indicators(&mut tx, round.framework_id).await?;
    let values = match forms::scores(&p, &model::leaves(&indicators)) {
        Ok(values) => values,
        Err(scores) => {
            let typed = Refused {
                p,
                scores,
                ..Refused::default()
            };
            return refused(tx, ctx, (round, unit, standing), typed).await;
        }
    };
    let tenant_id = user.tenant()?;
    let by = Scorer {
        kind,
        id: user.id,
        name: &user.username,
    };
    repo::save_scores(&mut tx, tenant_id, ru, &by, &values).await?;
    let after = serde_json::json!({ "unit": unit.unit_name, "kind": kind, "scores": values.len() });
    let change = on_round(tenant_id, "round.score", id, None, after);
    save::done(tx, &ctx, &user, change, "round.scores_saved", &to).await
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
    repo::submit_self(&mut tx, ru, today()).await?;
    let late = today() > round.self_due;
    let after = serde_json::json!({ "unit": unit.unit_name, "late": late });
    let change = on_round(user.tenant()?, "round.self_submit", id, None, after);
    save::done(tx, &ctx, &user, change, "round.self_submitted_done", &to).await
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
    let findings = match forms::findings(&p) {
        Ok(findings) => findings,
        Err(fields) => {
            let typed = Refused {
                p,
                fields,
                ..Refused::default()
            };
            return refused(tx, ctx, (round, unit, standing), typed).await;
        }
    };
    repo::save_findings(&mut tx, ru, &findings).await?;
    let change = on_round(
        user.tenant()?,
        "round.findings",
        id,
        Some(serde_json::json!({ "strengths": unit.strengths, "problems": unit.problems })),
        serde_json::json!({ "strengths": findings.strengths, "problems": findings.problems }),
    );
    let to = format!("/supervision/rounds/{id}/units/{ru}");
    save::done(tx, &ctx, &user, change, "round.findings_saved", &to).await
}
