//! The resident satisfaction survey (三): a short public questionnaire per town, anonymous,
//! with a honeypot and a per-address limit; results per town and per question feed the
//! satisfaction indicator.

use super::require_supervise;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{Pairs, has_control};
use crate::web::once;
use crate::web::tx::PublicTx;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// Responses one address may give to a survey per day.
pub const PER_ADDRESS_PER_DAY: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/survey/{district}/{unit}", get(form).post(answer))
        .route("/supervision/survey", get(results).post(save_questions))
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

/// The open survey of this year and the town school, for a district code; 404 otherwise.
/// A town's open survey of this year, in its district.
struct OpenSurvey {
    tx: crate::db::Tx,
    tenant: i64,
    district: String,
    survey: i64,
    unit_name: String,
    title: String,
    questions: Vec<String>,
}

async fn open_survey(public: PublicTx, unit: i64) -> Result<OpenSurvey> {
    let PublicTx { mut tx, district } = public;
    let (tenant, district) = (district.id, district.name);
    let unit_name: String = sqlx::query_scalar(
        "select name from org_unit where id = $1 and kind = 'town_school' and status = 'active'",
    )
    .bind(unit)
    .fetch_optional(&mut *tx)
    .await?
    .or_404()?;
    let (survey, title, questions): (i64, String, Vec<String>) =
        sqlx::query_as("select id, title, questions from survey where year = $1 and open")
            .bind(today().year())
            .fetch_optional(&mut *tx)
            .await?
            .or_404()?;
    Ok(OpenSurvey {
        tx,
        tenant,
        district,
        survey,
        unit_name,
        title,
        questions,
    })
}

async fn form(
    ctx: Ctx,
    Path((code, unit)): Path<(String, i64)>,
    public: PublicTx,
) -> Result<Response> {
    let open = open_survey(public, unit).await?;
    open.tx.commit().await?;
    Ok(render(&SurveyForm {
        ctx,
        district: open.district,
        code,
        unit_id: unit,
        unit_name: open.unit_name,
        title: open.title,
        questions: open.questions,
        error: None,
        done: false,
    }))
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
        district,
        survey,
        unit_name,
        title,
        questions,
    } = open_survey(public, unit).await?;
    let again = |ctx, error, done| SurveyForm {
        ctx,
        district: district.clone(),
        code: code.clone(),
        unit_id: unit,
        unit_name: unit_name.clone(),
        title: title.clone(),
        questions: questions.clone(),
        error,
        done,
    };
    if !p.get("website").is_empty() {
        // A bot filled the hidden field: thank it and keep nothing.
        tracing::warn!(%code, "survey honeypot filled");
        return Ok(render(&again(ctx, None, true)));
    }
    let answers: Vec<i16> = (0..questions.len())
        .filter_map(|i| {
            p.get(&format!("q{i}"))
                .parse::<i16>()
                .ok()
                .filter(|a| (1..=5).contains(a))
        })
        .collect();
    if answers.len() != questions.len() {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &again(ctx, Some("survey.answer_all"), false),
        ));
    }
    if once::claim(&mut tx, &ctx, tenant).await?.is_some() {
        // The same form sent twice: one answer, and the same thanks.
        return Ok(render(&again(ctx, None, true)));
    }
    let address =
        crate::auth::session::hex(&Sha256::digest(format!("{code}/{}", peer.ip()).as_bytes()));
    // One address's answers are counted and added one at a time, so a burst cannot pass the limit.
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("survey:{survey}:{address}"))
        .execute(&mut *tx)
        .await?;
    let recent: i64 = sqlx::query_scalar("select count(*) from survey_response where survey_id = $1 and address_hash = $2 and at > now() - interval '1 day'")
        .bind(survey)
        .bind(&address)
        .fetch_one(&mut *tx)
        .await?;
    if recent >= PER_ADDRESS_PER_DAY {
        return Ok(render_with(
            StatusCode::TOO_MANY_REQUESTS,
            &again(ctx, Some("survey.too_many"), false),
        ));
    }
    sqlx::query("insert into survey_response (tenant_id, survey_id, org_unit_id, answers, address_hash) select tenant_id, $1, $2, $3, $4 from survey where id = $1")
        .bind(survey)
        .bind(unit)
        .bind(&answers)
        .bind(&address)
        .execute(&mut *tx)
        .await?;
    once::created(&mut tx, &ctx, tenant, &format!("/survey/{code}/{unit}")).await?;
    tx.commit().await?;
    Ok(render(&again(ctx, None, true)))
}

#[derive(Debug, sqlx::FromRow)]
pub struct TownResult {
    pub id: i64,
    pub name: String,
    pub responses: i64,
    pub satisfied: i64,
    pub answers: i64,
}

impl TownResult {
    pub fn rate(&self) -> String {
        if self.answers == 0 {
            "—".into()
        } else {
            format!(
                "{:.1}%",
                self.satisfied as f64 * 100.0 / self.answers as f64
            )
        }
    }
}

#[derive(Template)]
#[template(path = "supervision/survey.html")]
struct ResultsPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    title: String,
    questions: Vec<String>,
    towns: Vec<TownResult>,
    per_question: Vec<(String, String)>,
    code: String,
}

/// `GET /supervision/survey`: this year's questions (editable) and the satisfaction rates.
async fn results(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(q): Query<crate::reports::YearQuery>,
) -> Result<Response> {
    require_supervise(&user)?;
    let year = q.year.unwrap_or_else(|| today().year());
    let years: Vec<i32> = sqlx::query_scalar("select year from survey order by year desc")
        .fetch_all(&mut *tx)
        .await?;
    let survey: Option<(i64, String, Vec<String>)> =
        sqlx::query_as("select id, title, questions from survey where year = $1")
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?;
    let (id, title, questions) = survey.unwrap_or((0, String::new(), Vec::new()));
    let towns = sqlx::query_as(
        "select u.id, u.name,
                (select count(*) from survey_response r where r.survey_id = $1 and r.org_unit_id = u.id) as responses,
                (select count(*) from survey_response r, unnest(r.answers) a where r.survey_id = $1 and r.org_unit_id = u.id and a >= 4) as satisfied,
                (select count(*) from survey_response r, unnest(r.answers) a where r.survey_id = $1 and r.org_unit_id = u.id) as answers
           from org_unit u where u.kind = 'town_school' and u.status = 'active' order by u.code",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut per_question = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let (satisfied, all): (i64, i64) = sqlx::query_as("select count(*) filter (where answers[$2] >= 4), count(*) from survey_response where survey_id = $1")
            .bind(id)
            .bind(i as i32 + 1)
            .fetch_one(&mut *tx)
            .await?;
        let rate = if all == 0 {
            "—".into()
        } else {
            format!("{:.1}%", satisfied as f64 * 100.0 / all as f64)
        };
        per_question.push((q.clone(), rate));
    }
    tx.commit().await?;
    Ok(render(&ResultsPage {
        ctx,
        year,
        years,
        title,
        questions,
        towns,
        per_question,
        code: user.tenant_code.clone(),
    }))
}

/// `POST /supervision/survey`: this year's title and questions, one a line.
async fn save_questions(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let questions: Vec<String> = p
        .get("questions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
        .collect();
    let title = p.get("title").trim().chars().take(100).collect::<String>();
    if questions.is_empty()
        || questions.len() > 20
        || title.is_empty()
        || has_control(&title, false)
        || has_control(&p.get("questions"), true)
    {
        return Ok(flash_redirect("survey.invalid", "/supervision/survey"));
    }
    let answered: bool = sqlx::query_scalar("select exists (select 1 from survey_response r join survey s on s.id = r.survey_id where s.year = $1)")
        .bind(today().year())
        .fetch_one(&mut *tx)
        .await?;
    if answered {
        // Changing questions under existing answers would mix them up.
        return Ok(flash_redirect("survey.locked", "/supervision/survey"));
    }
    sqlx::query(
        "insert into survey (tenant_id, year, title, questions) values ($1, $2, $3, $4)
         on conflict (tenant_id, year) do update set title = excluded.title, questions = excluded.questions, version = survey.version + 1",
    )
    .bind(tenant_id)
    .bind(today().year())
    .bind(&title)
    .bind(&questions)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        tenant_id,
        action: "survey.save",
        entity: "survey",
        entity_id: None,
        before: None,
        after: Some(serde_json::json!({ "title": title, "questions": questions })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("survey.saved", "/supervision/survey"))
}
