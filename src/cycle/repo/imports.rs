//! SQL for uploaded workbooks of a submission's lists: kept as read until confirmed, then
//! marked applied so a second confirmation changes nothing.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// What a batch is for: the lists of one submission.
fn kind(submission: i64) -> String {
    format!("december:{submission}")
}

/// Keeps an upload's rows (as read, as JSON) for the dry run; its id.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    submission: i64,
    file_name: &str,
    rows: serde_json::Value,
    account: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into import_batch (tenant_id, kind, file_name, rows, created_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(tenant_id)
    .bind(kind(submission))
    .bind(file_name)
    .bind(rows)
    .bind(account)
    .fetch_one(conn)
    .await
}

/// A batch of the submission's: its file's name, its rows, and when it was applied.
#[derive(Debug, sqlx::FromRow)]
pub struct Batch {
    pub file_name: String,
    pub rows: serde_json::Value,
    pub applied_at: Option<DateTime<Utc>>,
}

pub async fn find(
    conn: &mut PgConnection,
    submission: i64,
    id: i64,
) -> sqlx::Result<Option<Batch>> {
    sqlx::query_as(
        "select file_name, rows, applied_at from import_batch where id = $1 and kind = $2",
    )
    .bind(id)
    .bind(kind(submission))
    .fetch_optional(conn)
    .await
}

pub async fn mark_applied(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("update import_batch set applied_at = now() where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
