//! The append-only audit log: every change writes a row in the same transaction as the change.
//! The district's log can be read at /audit.

pub mod repo;

use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use futures_util::TryStreamExt;
pub use repo::Entry;
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
    repo::insert(conn, actor, change).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list_audit))
        .route("/audit/export.xlsx", get(export_audit))
        .route("/audit/print", get(print_audit))
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

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditPage {
    ctx: Ctx,
    list: Paged<Entry>,
    query: ListQuery,
    entities: &'static [&'static str],
}

/// The district's audit log, newest first, filtered by kind of record, who and when.
async fn list_audit(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user)?;
    let page = query.page();
    let rows = repo::page(&mut tx, &query, page).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |e| e.total);
    Ok(render(&AuditPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        entities: &repo::ENTITIES,
    }))
}

fn require(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::ViewAudit) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

const COLUMNS: [&str; 6] = [
    "audit.when",
    "audit.who",
    "audit.what",
    "audit.entity",
    "audit.record",
    "audit.change",
];

/// `GET /audit/export.xlsx?<filters>`: every entry the log shows with those filters.
async fn export_audit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("audit.title"),
        today()
    );
    let sql = repo::all_sql(None);
    let file = format!("audit-{}.xlsx", today().format("%Y%m%d"));
    let rows = repo::all(&mut tx, &query, &sql);
    list::export(&file, ctx.t("audit.title"), &title, &headers, rows, |e| {
        vec![
            e.when().into(),
            e.actor_name.as_str().into(),
            ctx.tr(&e.action_label()).into(),
            ctx.tr(&format!("audit.entity.{}", e.entity)).into(),
            e.entity_id
                .map(|id| id.to_string())
                .unwrap_or_default()
                .into(),
            e.summary().into(),
        ]
    })
    .await
}

#[derive(Template)]
#[template(path = "audit/print.html")]
struct PrintPage {
    ctx: Ctx,
    entries: Vec<Entry>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /audit/print?<filters>`: the filtered log for the printer (its first rows when long).
async fn print_audit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user)?;
    let total = repo::total(&mut tx, &query).await?;
    let sql = repo::all_sql(Some(PRINT_LIMIT));
    let entries: Vec<Entry> = repo::all(&mut tx, &query, &sql).try_collect().await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        printed: Printed {
            shown: entries.len(),
            total,
        },
        entries,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}
