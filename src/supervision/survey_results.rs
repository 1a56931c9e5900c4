//! The satisfaction survey as the supervision office runs it: a year's results per town (a
//! list with sort, pages, export and print) and per question, and this year's questions, a
//! form that keeps what was typed and says what is wrong beside the field.

use super::repo::{self, Survey, TownResult, Towns};
use super::{change, forms, require_supervise};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::Result;
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::{Ctx, render, render_with, save, today};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/survey", get(results).post(save_questions))
        .route("/supervision/survey/export.xlsx", get(export_results))
        .route("/supervision/survey/print", get(print_results))
}

/// The year the query asks for (`year`), this year by default, and its survey if it has one.
async fn year_survey(tx: &mut Tx, query: &ListQuery) -> Result<(i32, Survey)> {
    let year = query.get("year").parse().unwrap_or_else(|_| today().year());
    let survey = repo::survey(tx, year, false).await?.unwrap_or_default();
    Ok((year, survey))
}

#[derive(Template)]
#[template(path = "supervision/survey.html")]
struct ResultsPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    towns: Paged<TownResult>,
    query: ListQuery,
    per_question: Vec<(String, String)>,
    code: String,
    /// The questions form: as saved, or as typed when it was refused.
    p: Pairs,
    errors: FieldErrors,
}

async fn results_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    query: ListQuery,
    form: Option<(Pairs, FieldErrors)>,
) -> Result<ResultsPage> {
    let (year, survey) = year_survey(tx, &query).await?;
    let years = repo::survey_years(tx).await?;
    let towns = list::page(
        tx,
        &Towns {
            query: &query,
            survey: survey.id,
        },
        query.page(),
    )
    .await?;
    let per_question = repo::question_rates(tx, &survey).await?;
    let (p, errors) = form.unwrap_or_else(|| {
        let questions = survey.questions.join("\n");
        let saved = Pairs::of(&[("title", &survey.title), ("questions", &questions)]);
        (saved, FieldErrors::default())
    });
    Ok(ResultsPage {
        ctx,
        year,
        years,
        towns,
        query,
        per_question,
        code: user.tenant_code.clone(),
        p,
        errors,
    })
}

/// `GET /supervision/survey?year=…`: the year's questions (this year's editable) and the
/// satisfaction rates per town and per question.
async fn results(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require_supervise(&user)?;
    let page = results_page(&mut tx, ctx, &user, query, None).await?;
    tx.commit().await?;
    Ok(render(&page))
}

const COLUMNS: [&str; 4] = [
    "kind.town_school",
    "survey.responses",
    "survey.answers",
    "survey.rate",
];

/// `GET /supervision/survey/export.xlsx?year=…`: every town's results of the year.
async fn export_results(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require_supervise(&user)?;
    let (year, survey) = year_survey(&mut tx, &query).await?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!("{} {year}", ctx.t("survey.title"));
    let towns = Towns {
        query: &query,
        survey: survey.id,
    };
    let stem = format!("survey-{year}");
    let district = &user.tenant_name;
    list::export_all(&mut tx, &towns, district, &title, &stem, &headers, |t| {
        vec![
            t.name.as_str().into(),
            (t.responses as i32).into(),
            (t.answers as i32).into(),
            t.rate().into(),
        ]
    })
    .await
}

#[derive(Template)]
#[template(path = "supervision/survey_print.html")]
struct PrintPage {
    ctx: Ctx,
    year: i32,
    title: String,
    towns: Vec<TownResult>,
    printed: Printed,
    per_question: Vec<(String, String)>,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /supervision/survey/print?year=…`: the year's results for the printer.
async fn print_results(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require_supervise(&user)?;
    let (year, survey) = year_survey(&mut tx, &query).await?;
    let towns = Towns {
        query: &query,
        survey: survey.id,
    };
    let (towns, printed) = list::print(&mut tx, &towns).await?;
    let per_question = repo::question_rates(&mut tx, &survey).await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        year,
        title: survey.title,
        towns,
        printed,
        per_question,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

/// `POST /supervision/survey`: this year's title and questions, one a line; fixed once
/// residents have answered.
async fn save_questions(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let year = today().year();
    let answered = repo::survey_answered(&mut tx, year).await?;
    let input = match forms::survey(&p, answered) {
        Ok(input) => input,
        Err(errors) => {
            let query = ListQuery::from_pairs(&[("year", &year.to_string())]);
            let page = results_page(&mut tx, ctx, &user, query, Some((p, errors))).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    repo::save_survey(&mut tx, tenant_id, year, &input).await?;
    let after = serde_json::json!({ "title": input.title, "questions": input.questions });
    let change = change(
        tenant_id,
        "survey.save",
        ("survey", None),
        None,
        Some(after),
    );
    save::done(
        tx,
        &ctx,
        &user,
        change,
        "survey.saved",
        "/supervision/survey",
    )
    .await
}
