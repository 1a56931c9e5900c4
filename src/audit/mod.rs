//! The append-only audit log: every change writes a row in the same transaction as the change.
//! The district's log can be read at /audit.

use crate::access::{Action, may};
use crate::state::AppState;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::web::{Ctx, render};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;

/// Who made a change, for the log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub request_id: String,
}

impl Actor {
    pub fn of(user: &CurrentUser, ctx: &Ctx) -> Self {
        Self {
            id: Some(user.id),
            name: user.username.clone(),
            request_id: ctx.request_id.clone(),
        }
    }

    /// Changes made from the command line.
    pub fn cli(what: &str) -> Self {
        Self {
            id: None,
            name: format!("cli:{what}"),
            request_id: String::new(),
        }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub tenant_id: i64,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (tenant_id, actor_id, actor_name, action, entity, entity_id, before, after, request_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(change.tenant_id)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .bind(&actor.request_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list_audit))
}

#[derive(sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Entry {
    pub fn action_label(&self) -> String {
        format!("audit.{}", self.action)
    }

    pub fn when(&self) -> String {
        self.at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// The fields that changed, as "field: old → new".
    pub fn summary(&self) -> String {
        let (Some(serde_json::Value::Object(before)), Some(serde_json::Value::Object(after))) =
            (&self.before, &self.after)
        else {
            return self
                .after
                .as_ref()
                .or(self.before.as_ref())
                .map(|v| v.to_string())
                .unwrap_or_default();
        };
        after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v) && *k != "version")
            .map(|(k, v)| {
                format!(
                    "{k}: {} → {v}",
                    before.get(k).map(|b| b.to_string()).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<Entry>,
    total: i64,
    page: i64,
    pages: i64,
    entity: String,
}

/// The district's audit log, newest first, filterable by kind of record.
async fn list_audit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    if !may(user.role, Action::ViewAudit) {
        return Err(AppError::NotFound);
    }
    let entity = q.entity.unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    let total: i64 =
        sqlx::query_scalar("select count(*) from audit_log where ($1 = '' or entity = $1)")
            .bind(&entity)
            .fetch_one(&mut *tx)
            .await?;
    let entries = sqlx::query_as(
        "select id, at, actor_name, action, entity, entity_id, before, after from audit_log
          where ($1 = '' or entity = $1) order by id desc limit $2 offset $3",
    )
    .bind(&entity)
    .bind(PAGE_SIZE)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    Ok(render(&AuditPage {
        ctx,
        entries,
        total,
        page,
        pages: pages.max(1),
        entity,
    }))
}
