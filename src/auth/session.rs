//! Server-side sessions in PostgreSQL: the browser holds a random token, the database only its
//! SHA-256. Sessions end after 30 idle minutes or 12 hours, at logout, and when the account is
//! disabled or its password changes. The timeouts are enforced in SQL (`app_session`,
//! migration 0013); the constants here sweep what has expired and must say the same.

use super::repo;
use crate::access::Role;
use crate::db::{Db, Tx};
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgConnection, PgExecutor};

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
    /// The idle clock is a minute old: written after the request's transaction.
    touch: bool,
}

/// Whether a cookie value can be one of our tokens at all (64 hex digits).
pub fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens the request's transaction and checks its session in the same round trip
/// (`app_session`, migration 0013): the user, if the session is alive, with the district set
/// for the transaction. A platform administrator's transaction acts as the connecting role,
/// which every district's rows are open to; nobody else's ever does.
pub async fn open(db: &Db, token: &str) -> sqlx::Result<(Tx, Option<CurrentUser>)> {
    let hash = token_hash(token);
    let (mut tx, row) = Tx::open(&db.app, &repo::app_session_call(&hex(&hash))).await?;
    let Some(row) = row else {
        return Ok((tx, None));
    };
    let row = SessionRow::from_row(&row)?;
    if row.touch {
        tx.after_end(repo::touch_session_call(&hex(&hash)));
    }
    let Some(role) = Role::parse(&row.role) else {
        return Ok((tx, None));
    };
    if role == Role::PlatformAdmin {
        repo::act_as_connecting_role(&mut tx).await?;
    }
    let scope_path = match role.unit_kind() {
        Some(_) => row.unit_path.unwrap_or_else(|| "/nowhere/".into()),
        None => "/".into(),
    };
    let user = CurrentUser {
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
    };
    Ok((tx, Some(user)))
}

/// Starts a new session for the account and returns its token (a new id at every login).
/// Expired sessions and old login attempts are swept here rather than by a timer: logins are
/// frequent enough.
pub async fn create(
    db: &Db,
    account_id: i64,
    address: &str,
    user_agent: &str,
) -> sqlx::Result<String> {
    let token = random_token();
    let agent: String = user_agent.chars().take(200).collect();
    let mut conn = db.sys.acquire().await?;
    repo::insert_session(
        &mut *conn,
        &token_hash(&token),
        account_id,
        &random_token(),
        address,
        &agent,
    )
    .await?;
    repo::sweep(&mut conn, IDLE_MINUTES, ABSOLUTE_HOURS).await?;
    Ok(token)
}

/// Ends this session (logout, or a new login over it).
pub async fn end<'e>(exec: impl PgExecutor<'e>, session_hash: &[u8]) -> sqlx::Result<()> {
    repo::end_session(exec, session_hash).await
}

/// Ends every session of an account of the transaction's district except, optionally, one to
/// keep (a password change keeps the session that made it).
pub async fn end_all_for(
    tx: &mut PgConnection,
    account_id: i64,
    keep: Option<&[u8]>,
) -> sqlx::Result<()> {
    repo::end_account_sessions(tx, account_id, keep).await
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
