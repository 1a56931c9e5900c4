//! Rectification (整改): each problem found becomes an item with a due date; the unit reports
//! what it did; the supervisor closes it or reopens it. Overdue items stand out. The list has
//! filters, sort, pages, export and print; the office sees every item, a town or a point its
//! own, a town also those its own rounds found (and closes or reopens those).

use super::model::RectStep;
use super::repo::{self, Item, Items};
use super::sheets::{Refused, refused};
use super::{Standing, change, forms, require_supervise, unit_for};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs, text};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::{Ctx, flash_redirect, once, render, save, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(list_items))
        .route("/rectifications/export.xlsx", get(export_items))
        .route("/rectifications/print", get(print_items))
        .route(
            "/supervision/rounds/{id}/units/{ru}/rectifications",
            post(create_item),
        )
        .route("/rectifications/{id}/{action}", post(step_item))
}

/// The items this user may see as the query asks: the office every item (the towns' rounds'
/// to read), a town school or a point its own, a town also those its own rounds found; 404
/// for anyone else.
fn visible<'a>(user: &CurrentUser, query: &'a ListQuery) -> Result<Items<'a>> {
    let every = require_supervise(user).is_ok();
    if !every && !may(user.role, Action::SelfAssess) {
        return Err(AppError::NotFound);
    }
    let owner = if may(user.role, Action::RunTownRounds) {
        user.unit_id
    } else {
        None
    };
    Ok(Items {
        query,
        every,
        unit: user.unit_id,
        owner,
    })
}

/// Whether the user takes `step` on the item: the unit evaluated reports; whoever runs the
/// round that found the problem closes or reopens it.
fn takes(user: &CurrentUser, step: RectStep, item: &Item) -> bool {
    if step.by_unit() {
        may(user.role, Action::SelfAssess) && user.unit_id == Some(item.org_unit_id)
    } else {
        match item.owner_unit_id {
            None => require_supervise(user).is_ok(),
            Some(town) => may(user.role, Action::RunTownRounds) && user.unit_id == Some(town),
        }
    }
}

#[derive(Template)]
#[template(path = "supervision/rectifications.html")]
struct ListPage {
    ctx: Ctx,
    user: CurrentUser,
    list: Paged<Item>,
    query: ListQuery,
    supervisor: bool,
    statuses: &'static [&'static str],
    towns: Vec<(i64, String)>,
}

impl ListPage {
    /// Whether this user reports on the item now.
    fn reports(&self, x: &Item) -> bool {
        x.status == "open" && takes(&self.user, RectStep::Report, x)
    }

    /// Whether this user closes or reopens the item now.
    fn closes(&self, x: &Item) -> bool {
        x.status == "reported" && takes(&self.user, RectStep::Close, x)
    }
}

/// `GET /rectifications?<filters>`: the items, open ones first by their due day.
async fn list_items(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    let items = visible(&user, &query)?;
    let rows = list::page(&mut tx, &items, query.page()).await?;
    let towns = if items.every {
        repo::towns(&mut tx).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(render(&ListPage {
        ctx,
        user,
        list: rows,
        supervisor: items.every,
        query,
        statuses: &repo::STATUSES,
        towns,
    }))
}

const COLUMNS: [&str; 7] = [
    "round.unit",
    "round.name",
    "rect.problem",
    "rect.due",
    "board.status",
    "rect.report",
    "rect.reported_on",
];

/// `GET /rectifications/export.xlsx?<filters>`: every item the list shows with them.
async fn export_items(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    let items = visible(&user, &query)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = ctx.t("rect.title");
    let district = &user.tenant_name;
    list::export_all(
        &mut tx,
        &items,
        district,
        title,
        "rectifications",
        &headers,
        |x| {
            vec![
                x.unit_name.as_str().into(),
                x.round_name.as_str().into(),
                x.problem.as_str().into(),
                x.due_on.to_string().into(),
                ctx.tr(&x.status_label()).into(),
                x.report.as_str().into(),
                x.reported_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
                    .into(),
            ]
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "supervision/rectifications_print.html")]
struct PrintPage {
    ctx: Ctx,
    items: Vec<Item>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /rectifications/print?<filters>`: the items for the printer.
async fn print_items(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    let (items, printed) = list::print(&mut tx, &visible(&user, &query)?).await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        items,
        printed,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

/// `POST …/units/{ru}/rectifications`: the office records a problem of the unit to fix; a
/// problem or a day missing shows the sheet again with what was typed and why (422).
async fn create_item(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let seen = unit_for(&mut tx, &user, id, ru).await?;
    if seen.2 != Standing::Supervisor {
        return Err(AppError::NotFound);
    }
    let input = match forms::rectification(&p) {
        Ok(input) => input,
        Err(fields) => {
            let typed = Refused {
                p,
                fields,
                ..Refused::default()
            };
            return refused(tx, ctx, seen, typed).await;
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let item = repo::insert_rectification(&mut tx, tenant_id, ru, &input).await?;
    let to = format!("/supervision/rounds/{id}/units/{ru}#rectification");
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let after = serde_json::json!({ "problem": input.problem, "due_on": input.due_on });
    let item = ("rectification", Some(item));
    let change = change(tenant_id, "rectification.create", item, None, Some(after));
    save::done(tx, &ctx, &user, change, "rect.created", &to).await
}

/// `POST /rectifications/{id}/{report|close|reopen}`: the unit reports, the office closes or
/// reopens; a step from a status the item has left changes nothing and says so.
async fn step_item(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, action)): Path<(i64, String)>,
    p: Pairs,
) -> Result<Response> {
    let step = RectStep::parse(&action).ok_or(AppError::NotFound)?;
    let item = repo::rectification(&mut tx, id).await?.or_404()?;
    if !takes(&user, step, &item) {
        return Err(AppError::NotFound);
    }
    let mut e = FieldErrors::default();
    let report = text(&mut e, "report", &p.get("report"), step.by_unit(), 2000);
    if !e.is_empty() {
        return Ok(flash_redirect("rect.report_needed", "/rectifications"));
    }
    if !repo::rectification_step(&mut tx, id, step, &report).await? {
        return Ok(flash_redirect("step.not_now", "/rectifications"));
    }
    let before = serde_json::json!({ "status": item.status });
    let after = serde_json::json!({ "status": step.to(), "report": report });
    let item = ("rectification", Some(id));
    let change = change(
        user.tenant()?,
        "rectification.update",
        item,
        Some(before),
        Some(after),
    );
    save::done(tx, &ctx, &user, change, "rect.saved", "/rectifications").await
}
