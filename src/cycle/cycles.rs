//! The bureau's register of cycles: the years as a list (export, print), opening a year's
//! cycle and choosing who files, moving its window, and closing, reopening and publishing it.

use super::forms::{CycleForm, WindowForm};
use super::model::{CycleStep, FILER_KINDS};
use super::repo::{self, Cycle};
use super::{board, may_run, may_view};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;
use futures_util::TryStreamExt;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cycles", get(list_cycles).post(open_cycle))
        .route("/cycles/export.xlsx", get(export_cycles))
        .route("/cycles/print", get(print_cycles))
        .route("/cycles/new", get(new_cycle))
        .route("/cycles/{id}/window", post(change_window))
        .route("/cycles/{id}/{action}", post(change_cycle_status))
}

/// The statuses the register filters by.
const STATUSES: [&str; 3] = ["open", "closed", "published"];

#[derive(Template)]
#[template(path = "cycle/cycles.html")]
struct CyclesPage {
    ctx: Ctx,
    list: Paged<Cycle>,
    query: ListQuery,
    statuses: &'static [&'static str],
    can_run: bool,
}

impl CyclesPage {
    fn status_label(&self, status: &str) -> String {
        repo::status_label(status)
    }
}

/// `GET /cycles`: the district's years, latest first, filtered by status.
async fn list_cycles(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    may_view(&user)?;
    let page = query.page();
    let rows = repo::cycles(&mut tx, &query, page).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |c| c.total);
    Ok(render(&CyclesPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        statuses: &STATUSES,
        can_run: may_run(&user).is_ok(),
    }))
}

const COLUMNS: [&str; 4] = [
    "cycle.year",
    "cycle.window",
    "board.status",
    "cycle.published_on",
];

/// `GET /cycles/export.xlsx?<filters>`: every cycle the register shows with those filters.
async fn export_cycles(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    may_view(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("cycle.title"),
        today()
    );
    let sql = repo::all_sql(&query, None);
    let rows = repo::all(&mut tx, &query, &sql);
    let file = format!("cycles-{}.xlsx", today().format("%Y%m%d"));
    list::export(&file, ctx.t("cycle.title"), &title, &headers, rows, |c| {
        vec![
            c.year.to_string().into(),
            format!("{} — {}", c.opens_on, c.due_on).into(),
            ctx.tr(&c.status_label()).into(),
            c.published_text().into(),
        ]
    })
    .await
}

#[derive(Template)]
#[template(path = "cycle/cycles_print.html")]
struct PrintPage {
    ctx: Ctx,
    cycles: Vec<Cycle>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /cycles/print?<filters>`: the register for the printer.
async fn print_cycles(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    may_view(&user)?;
    let total = repo::total(&mut tx, &query).await?;
    let sql = repo::all_sql(&query, Some(PRINT_LIMIT));
    let cycles: Vec<Cycle> = repo::all(&mut tx, &query, &sql).try_collect().await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        printed: Printed {
            shown: cycles.len(),
            total,
        },
        cycles,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

#[derive(Template)]
#[template(path = "cycle/new.html")]
struct NewCyclePage {
    ctx: Ctx,
    form: CycleForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
}

impl NewCyclePage {
    fn new(ctx: Ctx, form: CycleForm, errors: FieldErrors) -> Self {
        Self {
            ctx,
            form,
            errors,
            kinds: &FILER_KINDS,
        }
    }
}

async fn new_cycle(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    may_run(&user)?;
    let form = CycleForm::this_year(today().year());
    Ok(render(&NewCyclePage::new(
        ctx,
        form,
        FieldErrors::default(),
    )))
}

/// Opens a year's cycle: one submission for every filer of the chosen kinds that is active now.
async fn open_cycle(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    may_run(&user)?;
    let tenant_id = user.tenant()?;
    let form = CycleForm::from_pairs(&p);
    let again = |ctx, form, errors| {
        let page = NewCyclePage::new(ctx, form, errors);
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(again(ctx, form, errors)),
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let Some(id) = repo::insert(&mut tx, tenant_id, &input).await? else {
        let mut errors = FieldErrors::default();
        errors.add("year", "cycle.exists");
        return Ok(again(ctx, form, errors));
    };
    let submissions = repo::ask_filers(&mut tx, tenant_id, id, &input.filers).await?;
    let location = format!("/cycles/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "cycle.open",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({
            "year": input.year,
            "opens_on": input.window.opens_on,
            "due_on": input.window.due_on,
            "filers": input.filers,
            "submissions": submissions,
        })),
    };
    save::done(tx, &ctx, &user, change, "cycle.opened", &location).await
}

/// `POST /cycles/{id}/window`: new dates over the version the board showed; a stale save gets
/// the conflict page.
async fn change_window(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    may_run(&user)?;
    let tenant_id = user.tenant()?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let form = WindowForm::from_pairs(&p);
    let window = match form.parse() {
        Ok(window) => window,
        Err(errors) => {
            let page = board::board_page(ctx, tx, &user, id, ListQuery::default(), errors).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/cycles/{id}");
    if !repo::update_window(&mut tx, id, form.version, &window).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&cycle),
                edit: to.clone(),
                view: to,
            },
        ));
    }
    let change = Change {
        tenant_id,
        action: "cycle.window",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "opens_on": cycle.opens_on, "due_on": cycle.due_on })),
        after: serde_json::to_value(window).ok(),
    };
    save::done(tx, &ctx, &user, change, "cycle.window_saved", &to).await
}

/// `POST /cycles/{id}/{close|reopen|publish}`: publishing, which asks first, makes the accepted
/// lists public.
async fn change_cycle_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response> {
    may_run(&user)?;
    let step = CycleStep::parse(&action).ok_or(AppError::NotFound)?;
    let tenant_id = user.tenant()?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let to = format!("/cycles/{id}");
    if step == CycleStep::Publish
        && let Some(page) = confirm::ask(
            &ctx,
            Confirm {
                title: "cycle.confirm_publish",
                what: "cycle.confirm_publish_what",
                subject: format!("{} · {}", user.tenant_name, cycle.year),
                back: to.clone(),
            },
        )
    {
        return Ok(page);
    }
    if !repo::step(id, step).apply(&mut tx).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    if step == CycleStep::Publish {
        repo::publish_catalogue(&mut tx, id).await?;
    }
    let change = Change {
        tenant_id,
        action: step.audited_as(),
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": cycle.status })),
        after: Some(serde_json::json!({ "status": step.from_to().1 })),
    };
    save::done(tx, &ctx, &user, change, step.done(), &to).await
}
