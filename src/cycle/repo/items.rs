//! SQL for the items of a submission's lists, once for both kinds: each row type
//! ([`ResourceItem`](super::resources::ResourceItem), [`PlanItem`](super::plans::PlanItem))
//! names its table, columns and fields as an [`Item`], and these statements read and write it.

use futures_util::Stream;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryScalar;
use sqlx::{FromRow, PgConnection, Postgres};

/// A query whose fields the caller binds.
pub type Scalar<'q, O> = QueryScalar<'q, Postgres, O, PgArguments>;

/// A kind of item as stored: its table and the statements' pieces, all ours.
pub trait Item: for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static {
    /// The checked input that fills its fields.
    type Input: Sync;
    const TABLE: &'static str;
    /// `select … from {TABLE} i …`: the row as read, the table as `i`.
    const SELECT: &'static str;
    /// The fields a form fills, in the order [`Item::fields`] binds them, as `$3` onwards.
    const FIELDS: &'static str;
    const VALUES: &'static str;
    fn fields<'q, O>(q: Scalar<'q, O>, input: &'q Self::Input) -> Scalar<'q, O>;
}

/// The statement that reads the items of submissions `$1` in filing order, at most `$2`.
pub fn listed_sql<T: Item>() -> String {
    format!(
        "{} where i.submission_id = any($1) order by i.submission_id, i.id limit $2",
        T::SELECT
    )
}

/// The first `limit` items of these submissions, in filing order.
pub async fn listed<T: Item>(
    conn: &mut PgConnection,
    submissions: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<T>> {
    sqlx::query_as(&listed_sql::<T>())
        .bind(submissions)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// Every item of the submission, as it comes, read by [`listed_sql`] (the export).
pub fn all<'c, T: Item>(
    conn: &'c mut PgConnection,
    submission: i64,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<T>> + 'c {
    sqlx::query_as(sql)
        .bind([submission])
        .bind(i64::MAX)
        .fetch(conn)
}

// One item by its key, if it belongs to the submission. The membership test is written
// `submission_id + 0` so it is never used to choose an index: a generic plan would otherwise
// scan a whole list by submission for one row (7 ms on a 6,000-item list instead of 0.02).

pub async fn find<T: Item>(
    conn: &mut PgConnection,
    submission: i64,
    id: i64,
) -> sqlx::Result<Option<T>> {
    let sql = format!("{} where i.id = $2 and i.submission_id + 0 = $1", T::SELECT);
    sqlx::query_as(&sql)
        .bind(submission)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Removes one item of the submission.
pub async fn delete<T: Item>(
    conn: &mut PgConnection,
    submission: i64,
    id: i64,
) -> sqlx::Result<()> {
    let sql = format!(
        "delete from {} where id = $1 and submission_id + 0 = $2",
        T::TABLE
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(submission)
        .execute(conn)
        .await?;
    Ok(())
}

// A checked item's fields are $3 onwards, the same for an insert (after the tenant and the
// submission) and an update (after the id and the version the form was loaded with).

/// Adds a checked item to a submission; the item forms and the import both use it.
pub async fn insert<T: Item>(
    conn: &mut PgConnection,
    tenant_id: i64,
    submission: i64,
    input: &T::Input,
) -> sqlx::Result<i64> {
    let sql = format!(
        "insert into {} (tenant_id, submission_id, {}) values ($1, $2, {}) returning id",
        T::TABLE,
        T::FIELDS,
        T::VALUES
    );
    let q = sqlx::query_scalar(&sql).bind(tenant_id).bind(submission);
    T::fields(q, input).fetch_one(conn).await
}

/// Saves an item only over `version`; false means someone saved first.
pub async fn update<T: Item>(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &T::Input,
) -> sqlx::Result<bool> {
    let sql = format!(
        "update {} set ({}) = ({}), version = version + 1
          where id = $1 and version = $2 returning 1",
        T::TABLE,
        T::FIELDS,
        T::VALUES
    );
    let q = sqlx::query_scalar::<_, i32>(&sql).bind(id).bind(version);
    Ok(T::fields(q, input).fetch_optional(conn).await?.is_some())
}

/// Empties the submission's list of this kind (an import replaces it).
pub async fn delete_all<T: Item>(conn: &mut PgConnection, submission: i64) -> sqlx::Result<()> {
    let sql = format!("delete from {} where submission_id = $1", T::TABLE);
    sqlx::query(&sql).bind(submission).execute(conn).await?;
    Ok(())
}
