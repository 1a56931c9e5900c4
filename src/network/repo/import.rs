//! An import of units: the uploaded rows kept as a batch until they are confirmed, and the
//! district's units by code, which every row is checked against.

use sqlx::PgConnection;
use std::collections::BTreeMap;

/// An uploaded file's rows, as read from it.
#[derive(sqlx::FromRow)]
pub struct Batch {
    pub file_name: String,
    pub rows: serde_json::Value,
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Keeps an upload's rows for the dry run and the confirmation.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    file_name: &str,
    rows: serde_json::Value,
    created_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into import_batch (tenant_id, kind, file_name, rows, created_by)
         values ($1, 'units', $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(file_name)
    .bind(rows)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Batch>> {
    sqlx::query_as(
        "select file_name, rows, applied_at from import_batch where id = $1 and kind = 'units'",
    )
    .bind(id)
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

/// A unit of the district as an import row meets it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Known {
    pub id: i64,
    pub kind: String,
    pub status: String,
}

/// Every unit of the district by its code.
pub async fn units_by_code(conn: &mut PgConnection) -> sqlx::Result<BTreeMap<String, Known>> {
    let rows: Vec<(String, i64, String, String)> =
        sqlx::query_as("select code, id, kind, status from org_unit")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, id, kind, status)| (code, Known { id, kind, status }))
        .collect())
}
