//! Server-side sessions in PostgreSQL: the browser holds a random token, the database only its
//! SHA-256. Sessions end after 30 idle minutes or 12 hours, at logout, and when the account is
//! disabled or its password changes.

use crate::access::Role;
use crate::db::Db;
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;

pub const COOKIE: &str = "cedu_session";
pub const IDLE_MINUTES: i32 = 30;
pub const ABSOLUTE_HOURS: i32 = 12;

/// Who is signed in, and where in which district they act.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub tenant_id: Option<i64>,
    pub tenant_code: String,
    pub tenant_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: String,
    /// The org-unit path prefix the user's scope covers; "/" is the whole district.
    pub scope_path: String,
    pub member_unit_id: Option<i64>,
    pub member_unit_name: String,
    pub csrf: String,
    pub session_hash: Vec<u8>,
}

impl CurrentUser {
    /// The user's district; platform administrators have none, so district pages are 404 to them.
    pub fn tenant(&self) -> crate::error::Result<i64> {
        self.tenant_id.ok_or(crate::error::AppError::NotFound)
    }
}

/// A fresh random token (hex) for a cookie or form.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    tenant_id: Option<i64>,
    tenant_code: Option<String>,
    tenant_name: Option<String>,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    unit_path: Option<String>,
    member_unit_id: Option<i64>,
    member_unit_name: Option<String>,
    csrf_token: String,
    stale: bool,
}

/// The user behind a session token, if the session is alive; refreshes its idle clock now and then.
pub async fn resolve(db: &Db, token: &str) -> sqlx::Result<Option<CurrentUser>> {
    let hash = token_hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "select a.id, a.username, a.display_name, a.role, a.tenant_id, t.code as tenant_code, t.name as tenant_name,
                a.unit_id, u.name as unit_name, u.path as unit_path,
                a.member_unit_id, m.name as member_unit_name, s.csrf_token,
                s.last_seen_at < now() - interval '1 minute' as stale
           from session s
           join account a on a.id = s.account_id
           left join tenant t on t.id = a.tenant_id
           left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
           left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.member_unit_id
          where s.id_hash = $1 and not a.disabled
            and s.last_seen_at > now() - make_interval(mins => $2)
            and s.created_at > now() - make_interval(hours => $3)",
    )
    .bind(&hash)
    .bind(IDLE_MINUTES)
    .bind(ABSOLUTE_HOURS)
    .fetch_optional(&db.sys)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.stale {
        sqlx::query("update session set last_seen_at = now() where id_hash = $1")
            .bind(&hash)
            .execute(&db.sys)
            .await?;
    }
    let Some(role) = Role::parse(&row.role) else {
        return Ok(None);
    };
    let scope_path = match role.unit_kind() {
        Some(_) => row.unit_path.unwrap_or_else(|| "/nowhere/".into()),
        None => "/".into(),
    };
    Ok(Some(CurrentUser {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role,
        tenant_id: row.tenant_id,
        tenant_code: row.tenant_code.unwrap_or_default(),
        tenant_name: row.tenant_name.unwrap_or_default(),
        unit_id: row.unit_id,
        unit_name: row.unit_name.unwrap_or_default(),
        scope_path,
        member_unit_id: row.member_unit_id,
        member_unit_name: row.member_unit_name.unwrap_or_default(),
        csrf: row.csrf_token,
        session_hash: hash,
    }))
}

/// Starts a new session for the account and returns its token (a new id at every login).
pub async fn create(
    db: &Db,
    account_id: i64,
    address: &str,
    user_agent: &str,
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query(
        "insert into session (id_hash, account_id, csrf_token, address, user_agent) values ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(random_token())
    .bind(address)
    .bind(user_agent.chars().take(200).collect::<String>())
    .execute(&db.sys)
    .await?;
    // Expired sessions and old login attempts are swept here rather than by a timer: logins
    // are frequent enough. Attempts are kept 90 days for security review.
    sqlx::query("delete from login_attempt where at < now() - interval '90 days'")
        .execute(&db.sys)
        .await?;
    sqlx::query("delete from session where last_seen_at < now() - make_interval(mins => $1) or created_at < now() - make_interval(hours => $2)")
        .bind(IDLE_MINUTES)
        .bind(ABSOLUTE_HOURS)
        .execute(&db.sys)
        .await?;
    Ok(token)
}

pub async fn end(db: &Db, session_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("delete from session where id_hash = $1")
        .bind(session_hash)
        .execute(&db.sys)
        .await?;
    Ok(())
}

/// Ends every session of an account except, optionally, one to keep.
pub async fn end_all_for<'e>(
    exec: impl PgExecutor<'e>,
    account_id: i64,
    keep: Option<&[u8]>,
) -> sqlx::Result<()> {
    sqlx::query("delete from session where account_id = $1 and id_hash is distinct from $2")
        .bind(account_id)
        .bind(keep)
        .execute(exec)
        .await?;
    Ok(())
}

/// The Set-Cookie value for a session token.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}
