//! The resident satisfaction survey (三), as residents answer it: a short public questionnaire
//! per town, anonymous, with a honeypot and a per-address limit. (The office's results and
//! questions: `survey_results.rs`.)

use super::repo::{self, Survey};
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::Pairs;
use crate::web::once;
use crate::web::tx::PublicTx;
use crate::web::{Ctx, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use std::net::SocketAddr;

/// Responses one address may give to a survey per day.
pub const PER_ADDRESS_PER_DAY: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new().route("/survey/{district}/{unit}", get(form).post(answer))
}

#[derive(Template)]
#[template(path = "supervision/survey_form.html")]
struct SurveyForm {
    ctx: Ctx,
    district: String,
    code: String,
    unit_id: i64,
    unit_name: String,
    title: String,
    questions: Vec<String>,
    error: Option<&'static str>,
    done: bool,
}

/// A town's open survey of this year, in its district; 404 otherwise.
struct OpenSurvey {
    tx: crate::db::Tx,
    tenant: i64,
    survey: Survey,
    page: SurveyForm,
}

async fn open_survey(ctx: Ctx, public: PublicTx, code: String, unit: i64) -> Result<OpenSurvey> {
    let PublicTx { mut tx, district } = public;
    let unit_name = repo::survey_town(&mut tx, unit).await?.or_404()?;
    let survey = repo::survey(&mut tx, today().year(), true)
        .await?
        .or_404()?;
    let page = SurveyForm {
        ctx,
        district: district.name,
        code,
        unit_id: unit,
        unit_name,
        title: survey.title.clone(),
        questions: survey.questions.clone(),
        error: None,
        done: false,
    };
    Ok(OpenSurvey {
        tx,
        tenant: district.id,
        survey,
        page,
    })
}

async fn form(
    ctx: Ctx,
    Path((code, unit)): Path<(String, i64)>,
    public: PublicTx,
) -> Result<Response> {
    let open = open_survey(ctx, public, code, unit).await?;
    open.tx.commit().await?;
    Ok(render(&open.page))
}

impl SurveyForm {
    fn thanks(mut self) -> Response {
        self.done = true;
        render(&self)
    }

    fn refused(mut self, status: StatusCode, error: &'static str) -> Response {
        self.error = Some(error);
        render_with(status, &self)
    }
}

/// Records one anonymous response: every question answered 1–5, honeypot empty, within the address limit.
async fn answer(
    ctx: Ctx,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((code, unit)): Path<(String, i64)>,
    public: PublicTx,
    p: Pairs,
) -> Result<Response> {
    let OpenSurvey {
        mut tx,
        tenant,
        survey,
        page,
    } = open_survey(ctx.clone(), public, code.clone(), unit).await?;
    if !p.get("website").is_empty() {
        // A bot filled the hidden field: thank it and keep nothing.
        tracing::warn!(%code, "survey honeypot filled");
        return Ok(page.thanks());
    }
    let answers: Vec<i16> = (0..survey.questions.len())
        .filter_map(|i| {
            p.get(&format!("q{i}"))
                .parse::<i16>()
                .ok()
                .filter(|a| (1..=5).contains(a))
        })
        .collect();
    if answers.len() != survey.questions.len() {
        return Ok(page.refused(StatusCode::UNPROCESSABLE_ENTITY, "survey.answer_all"));
    }
    if once::claim(&mut tx, &ctx, tenant).await?.is_some() {
        // The same form sent twice: one answer, and the same thanks.
        return Ok(page.thanks());
    }
    let address = crate::web::address_hash(&code, &peer);
    if repo::answers_today(&mut tx, survey.id, &address).await? >= PER_ADDRESS_PER_DAY {
        return Ok(page.refused(StatusCode::TOO_MANY_REQUESTS, "survey.too_many"));
    }
    repo::insert_answer(&mut tx, survey.id, unit, &answers, &address).await?;
    once::created(&mut tx, &ctx, tenant, &format!("/survey/{code}/{unit}")).await?;
    tx.commit().await?;
    Ok(page.thanks())
}
