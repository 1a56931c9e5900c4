//! SQL for a district's accounts. Row-level security keeps every statement inside the
//! district; platform administrators, who have none, are never found here.

use super::model::AccountInput;
use crate::web::list::{ListQuery, Sorts, page_sql};
use futures_util::Stream;
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub member_unit_id: Option<i64>,
    pub disabled: bool,
    pub version: i32,
    #[serde(skip)]
    pub scope_name: Option<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Account {
    pub fn role_label(&self) -> String {
        format!("role.{}", self.role)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberUnit {
    pub id: i64,
    pub name: String,
}

const COLUMNS: &str =
    "a.id, a.username, a.display_name, a.role, a.unit_id, a.member_unit_id, a.disabled,
        a.version, coalesce(u.name, m.name) as scope_name";

const FROM: &str = " from account a
   left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
   left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.member_unit_id";

/// The list's filters: a role, enabled or disabled, and words in the username or name.
const WHERE: &str = " where ($1 = '' or a.role = $1)
    and ($2 = '' or a.username like '%' || lower($2) || '%' or a.display_name like '%' || $2 || '%')
    and (case $3 when 'enabled' then not a.disabled when 'disabled' then a.disabled else true end)";

pub const SORTS: Sorts = Sorts(&[
    ("username", "a.username"),
    ("name", "a.display_name"),
    ("role", "a.role"),
    ("scope", "coalesce(u.name, m.name)"),
]);

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, "a.disabled, a.role, a.username", "a.id")
}

/// One page of the accounts the list's filters match, each row carrying the count of all.
pub async fn page(conn: &mut PgConnection, q: &ListQuery, page: i64) -> sqlx::Result<Vec<Account>> {
    let sql = format!(
        "select {COLUMNS}, count(*) over () as total{FROM}{WHERE}{}{}",
        order(q),
        page_sql(page)
    );
    filtered(sqlx::query_as(&sql), q).fetch_all(conn).await
}

/// The statement that reads every account the filters match, up to `limit` (export, print).
pub fn all_sql(q: &ListQuery, limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!("select {COLUMNS}{FROM}{WHERE}{}{limit}", order(q))
}

/// The accounts [`all_sql`] reads, as they come.
pub fn all<'c>(
    conn: &'c mut PgConnection,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Account>> + 'c {
    filtered(sqlx::query_as(sql), q).fetch(conn)
}

/// How many accounts the filters match.
pub async fn total(conn: &mut PgConnection, q: &ListQuery) -> sqlx::Result<i64> {
    let sql = format!("select count(*){FROM}{WHERE}");
    let (role, words, state) = filters(q);
    sqlx::query_scalar(&sql)
        .bind(role)
        .bind(words)
        .bind(state)
        .fetch_one(conn)
        .await
}

fn filters(q: &ListQuery) -> (&str, String, &str) {
    (
        q.get("role"),
        crate::db::like_literal(q.get("q")),
        q.one_of("state", &["enabled", "disabled"]),
    )
}

type AccountQuery<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, Account, sqlx::postgres::PgArguments>;

fn filtered<'q>(query: AccountQuery<'q>, q: &'q ListQuery) -> AccountQuery<'q> {
    let (role, words, state) = filters(q);
    query.bind(role).bind(words).bind(state)
}

pub async fn find(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(&format!("select {COLUMNS}{FROM} where a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn member_units(conn: &mut PgConnection) -> sqlx::Result<Vec<MemberUnit>> {
    sqlx::query_as("select id, name from member_unit where active order by code")
        .fetch_all(conn)
        .await
}

/// The kind of an active unit of the district, if there is one with this id.
pub async fn active_unit_kind(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("select kind from org_unit where id = $1 and status = 'active'")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn active_member_unit(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from member_unit where id = $1 and active)")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// A new account in the transaction's district, or `None` when the username is taken anywhere
/// on the platform. `add_account` (migration 0022) makes the platform-wide identity with it;
/// row-level security hides other districts' accounts, the identity's unique key does not, and
/// its DO NOTHING keeps the transaction usable to show the form again.
pub async fn insert(
    conn: &mut PgConnection,
    i: &AccountInput,
    password_hash: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select add_account($1, $2, $3, $4, $5, $6)")
        .bind(&i.username)
        .bind(&i.display_name)
        .bind(password_hash)
        .bind(i.role.as_str())
        .bind(i.unit_id)
        .bind(i.member_unit_id)
        .fetch_one(conn)
        .await
}

/// Saves a name, role and scope only over `version`; false means someone saved first.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &AccountInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update account set display_name = $3, role = $4, unit_id = $5, member_unit_id = $6, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&i.display_name)
    .bind(i.role.as_str())
    .bind(i.unit_id)
    .bind(i.member_unit_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_disabled(conn: &mut PgConnection, id: i64, disabled: bool) -> sqlx::Result<()> {
    sqlx::query("update account set disabled = $2, version = version + 1 where id = $1")
        .bind(id)
        .bind(disabled)
        .execute(conn)
        .await?;
    Ok(())
}

/// A new password for an account of the transaction's district (migration 0022).
pub async fn set_password(conn: &mut PgConnection, id: i64, hash: &str) -> sqlx::Result<()> {
    sqlx::query("select reset_account_password($1, $2)")
        .bind(id)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}
