//! Evidence files of a self-assessment, kept in the database.

use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub indicator_id: i64,
    pub file_name: String,
    pub size: i32,
}

pub async fn evidence(conn: &mut PgConnection, round_unit: i64) -> sqlx::Result<Vec<Evidence>> {
    sqlx::query_as("select id, indicator_id, file_name, size from evidence where round_unit_id = $1 order by id")
        .bind(round_unit)
        .fetch_all(conn)
        .await
}

/// Whether the indicator is one of the framework's.
pub async fn indicator_of(
    conn: &mut PgConnection,
    framework: i64,
    indicator: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from indicator where id = $1 and framework_id = $2)",
    )
    .bind(indicator)
    .bind(framework)
    .fetch_one(conn)
    .await
}

/// A file to keep: what it is evidence of, and what it is.
pub struct NewEvidence<'a> {
    pub round_unit: i64,
    pub indicator: Option<i64>,
    pub name: &'a str,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
    pub uploaded_by: &'a str,
}

pub async fn insert_evidence(
    conn: &mut PgConnection,
    tenant_id: i64,
    e: &NewEvidence<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into evidence (tenant_id, round_unit_id, indicator_id, file_name, content_type, size, sha256, content, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(tenant_id)
    .bind(e.round_unit)
    .bind(e.indicator)
    .bind(e.name)
    .bind(e.kind)
    .bind(e.bytes.len() as i32)
    .bind(e.sha256)
    .bind(e.bytes)
    .bind(e.uploaded_by)
    .fetch_one(conn)
    .await
}

/// A round unit's file: its name, content type and bytes.
pub async fn evidence_file(
    conn: &mut PgConnection,
    round_unit: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "select file_name, content_type, content from evidence where id = $1 and round_unit_id = $2",
    )
    .bind(id)
    .bind(round_unit)
    .fetch_optional(conn)
    .await
}
