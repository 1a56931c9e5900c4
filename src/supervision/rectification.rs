//! Rectification (整改): each problem found becomes an item with a due date; the unit reports
//! what it did; the supervisor closes it or reopens it. Overdue items stand out.

use super::{Standing, require_supervise, unit_for};
use crate::access::Role;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs, date, text};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(list))
        .route(
            "/supervision/rounds/{id}/units/{ru}/rectifications",
            post(create),
        )
        .route("/rectifications/{id}/{action}", post(act))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_unit_id: i64,
    pub unit_name: String,
    pub problem: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub report: String,
    pub reported_on: Option<NaiveDate>,
    pub version: i32,
}

impl Item {
    pub fn status_label(&self) -> String {
        format!("rect.{}", self.status)
    }

    pub fn overdue(&self) -> bool {
        self.status == "open" && today() > self.due_on
    }
}

const ITEMS: &str = "select x.id, x.round_unit_id, r.round_id, e.name as round_name, r.org_unit_id, u.name as unit_name,
        x.problem, x.due_on, x.status, x.report, x.reported_on, x.version
   from rectification x
   join round_unit r on r.tenant_id = x.tenant_id and r.id = x.round_unit_id
   join evaluation_round e on e.tenant_id = r.tenant_id and e.id = r.round_id
   join org_unit u on u.tenant_id = r.tenant_id and u.id = r.org_unit_id";

pub async fn of_unit(tx: &mut Tx, round_unit: i64) -> sqlx::Result<Vec<Item>> {
    sqlx::query_as(&format!("{ITEMS} where x.round_unit_id = $1 order by x.id"))
        .bind(round_unit)
        .fetch_all(&mut **tx)
        .await
}

#[derive(Template)]
#[template(path = "supervision/rectifications.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<Item>,
    supervisor: bool,
}

/// `GET /rectifications`: the office sees every item, a town its own.
async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    let supervisor = require_supervise(&user).is_ok();
    if !supervisor && user.role != Role::TownAdmin {
        return Err(AppError::NotFound);
    }
    let items = sqlx::query_as(&format!(
        "{ITEMS} where ($1 or r.org_unit_id = $2) order by x.status = 'closed', x.due_on"
    ))
    .bind(supervisor)
    .bind(user.unit_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(render(&ListPage {
        ctx,
        items,
        supervisor,
    }))
}

async fn create(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let (_, _, standing) = unit_for(&mut tx, &user, id, ru).await?;
    if standing != Standing::Supervisor {
        return Err(AppError::NotFound);
    }
    let mut e = FieldErrors::default();
    let problem = text(&mut e, "problem", &p.get("problem"), true, 1000);
    let due = date(&mut e, "due_on", &p.get("due_on"), true);
    let to = format!("/supervision/rounds/{id}/units/{ru}#rectification");
    let (Some(due), true) = (due, e.is_empty()) else {
        return Ok(flash_redirect("rect.invalid", &to));
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let item: i64 = sqlx::query_scalar("insert into rectification (tenant_id, round_unit_id, problem, due_on) values ($1, $2, $3, $4) returning id")
        .bind(tenant_id)
        .bind(ru)
        .bind(&problem)
        .bind(due)
        .fetch_one(&mut *tx)
        .await?;
    let change = Change {
        tenant_id,
        action: "rectification.create",
        entity: "rectification",
        entity_id: Some(item),
        before: None,
        after: Some(serde_json::json!({ "problem": problem, "due_on": due })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    tx.commit().await?;
    Ok(flash_redirect("rect.created", &to))
}

/// `POST /rectifications/{id}/{report|close|reopen}`.
async fn act(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, action)): Path<(i64, String)>,
    p: Pairs,
) -> Result<Response> {
    let tenant_id = user.tenant()?;
    let item: Item = sqlx::query_as(&format!("{ITEMS} where x.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    let supervisor = require_supervise(&user).is_ok();
    let own = user.role == Role::TownAdmin && user.unit_id == Some(item.org_unit_id);
    let (allowed, from, to) = match action.as_str() {
        "report" => (own, "open", "reported"),
        "close" => (supervisor, "reported", "closed"),
        "reopen" => (supervisor, "reported", "open"),
        _ => (false, "", ""),
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let mut e = FieldErrors::default();
    let report = text(&mut e, "report", &p.get("report"), action == "report", 2000);
    if !e.is_empty() {
        return Ok(flash_redirect("rect.report_needed", "/rectifications"));
    }
    let done = sqlx::query(
        "update rectification set status = $3, version = version + 1,
                report = case when $3 = 'reported' then $4 else report end,
                reported_on = case when $3 = 'reported' then $5 else reported_on end,
                closed_on = case when $3 = 'closed' then $5 else null end
          where id = $1 and status = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(&report)
    .bind(today())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect("step.not_now", "/rectifications"));
    }
    let change = Change {
        tenant_id,
        action: "rectification.update",
        entity: "rectification",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": item.status })),
        after: Some(serde_json::json!({ "status": to, "report": report })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("rect.saved", "/rectifications"))
}
