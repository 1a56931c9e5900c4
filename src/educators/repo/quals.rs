//! SQL of a person's qualifications and the scan kept with each.

use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Qualification {
    pub id: i64,
    pub name: String,
    pub issuer: String,
    pub number: String,
    pub valid_until: Option<NaiveDate>,
    pub file_name: String,
    pub size: i32,
}

impl Qualification {
    pub fn until_text(&self) -> String {
        self.valid_until.map(|d| d.to_string()).unwrap_or_default()
    }

    /// Days left when it runs out within 30 days (or has), for the mark beside it.
    pub fn expires_in(&self, today: NaiveDate) -> Option<i64> {
        super::super::model::expires_within(self.valid_until, today, 30)
    }
}

pub async fn of(conn: &mut PgConnection, educator_id: i64) -> sqlx::Result<Vec<Qualification>> {
    sqlx::query_as(
        "select id, name, issuer, number, valid_until, file_name, size from qualification
          where educator_id = $1 order by valid_until nulls last, id",
    )
    .bind(educator_id)
    .fetch_all(conn)
    .await
}

pub struct NewQualification<'a> {
    pub name: &'a str,
    pub issuer: &'a str,
    pub number: &'a str,
    pub valid_until: Option<NaiveDate>,
    /// (file name, content type, bytes)
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    educator_id: i64,
    q: NewQualification<'_>,
) -> sqlx::Result<i64> {
    let (file_name, kind, bytes) = q.file.unwrap_or(("", "", &[]));
    sqlx::query_scalar(
        "insert into qualification (tenant_id, educator_id, name, issuer, number, valid_until, file_name, content_type, size, content)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $9 > 0 then $10 end) returning id",
    )
    .bind(tenant_id)
    .bind(educator_id)
    .bind(q.name)
    .bind(q.issuer)
    .bind(q.number)
    .bind(q.valid_until)
    .bind(file_name)
    .bind(kind)
    .bind(bytes.len() as i32)
    .bind(bytes)
    .fetch_one(conn)
    .await
}

pub async fn file(
    conn: &mut PgConnection,
    educator_id: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, Option<Vec<u8>>)>> {
    sqlx::query_as(
        "select file_name, content_type, content from qualification where educator_id = $1 and id = $2",
    )
    .bind(educator_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn delete(
    conn: &mut PgConnection,
    educator_id: i64,
    id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "delete from qualification where educator_id = $1 and id = $2 returning name",
    )
    .bind(educator_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}
