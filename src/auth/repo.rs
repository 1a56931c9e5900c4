//! SQL of signing in: accounts by username, sessions, and the login attempts the throttle
//! counts. What precedes a session runs on the system pool; the rest in the request's
//! transaction, through the functions of migration 0013.

use sqlx::{PgConnection, PgExecutor};

#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

/// Who may sign in as `username`: the platform-wide identity, then whether its account (in its
/// district) or its platform administrator is disabled. Two reads by key, each of one table's
/// rows on Citus (migration 0022).
pub async fn credentials(
    conn: &mut PgConnection,
    username: &str,
) -> sqlx::Result<Option<Credentials>> {
    let found: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "select id, password_hash, home_tenant_id from platform_user where username = $1",
    )
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, password_hash, home)) = found else {
        return Ok(None);
    };
    let disabled: Option<bool> = match home {
        Some(tenant) => {
            sqlx::query_scalar("select disabled from account where tenant_id = $1 and id = $2")
                .bind(tenant)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_scalar("select disabled from platform_admin where id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    Ok(Some(Credentials {
        id,
        password_hash,
        disabled: disabled.unwrap_or(true),
    }))
}

/// The signed-in person's password hash, found by their session (migration 0022).
pub async fn own_password_hash(conn: &mut PgConnection, session: &[u8]) -> sqlx::Result<String> {
    sqlx::query_scalar::<_, Option<String>>("select own_password_hash($1)")
        .bind(session)
        .fetch_one(conn)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// One's own new password (the account's version steps, so an open edit of it is stale).
pub async fn set_own_password(
    conn: &mut PgConnection,
    session: &[u8],
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("select set_own_password($1, $2)")
        .bind(session)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The statement that opens a request's transaction with its session checked: `hash` is the
/// hex of our own SHA-256, so nothing a visitor types reaches it.
pub fn app_session_call(hash_hex: &str) -> String {
    format!("select * from app_session('\\x{hash_hex}'::bytea)")
}

/// Moves the session's idle clock, once its request's transaction has ended (migration 0035).
pub fn touch_session_call(hash_hex: &str) -> String {
    format!("select touch_session('\\x{hash_hex}'::bytea)")
}

/// For the rest of the transaction, the connecting role (which every district's rows are open
/// to) instead of `cedu_app`: a platform administrator's pages only.
pub async fn act_as_connecting_role(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::Executor::execute(conn, "set local role none").await?;
    Ok(())
}

pub async fn insert_session<'e>(
    exec: impl PgExecutor<'e>,
    hash: &[u8],
    account: i64,
    csrf: &str,
    address: &str,
    user_agent: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into session (id_hash, account_id, csrf_token, address, user_agent) values ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(account)
    .bind(csrf)
    .bind(address)
    .bind(user_agent)
    .execute(exec)
    .await?;
    Ok(())
}

/// Expired sessions, and login attempts older than 90 days (kept that long for review).
pub async fn sweep(
    conn: &mut PgConnection,
    idle_minutes: i32,
    absolute_hours: i32,
) -> sqlx::Result<()> {
    sqlx::query("delete from login_attempt where at < now() - interval '90 days'")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "delete from session where last_seen_at < now() - make_interval(mins => $1) or created_at < now() - make_interval(hours => $2)",
    )
    .bind(idle_minutes)
    .bind(absolute_hours)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn end_session<'e>(exec: impl PgExecutor<'e>, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("select end_session($1)")
        .bind(hash)
        .execute(exec)
        .await?;
    Ok(())
}

pub async fn end_account_sessions(
    conn: &mut PgConnection,
    account: i64,
    keep: Option<&[u8]>,
) -> sqlx::Result<()> {
    sqlx::query("select end_account_sessions($1, $2)")
        .bind(account)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(())
}

/// Waits for the transaction's advisory lock on `key`.
pub async fn lock(conn: &mut PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Recent failures (and attempts still being checked) of one account and from one address.
pub struct Recent {
    pub by_account: i64,
    pub by_address: i64,
    /// Different accounts failing from the address.
    pub accounts: i64,
    /// Seconds since the address's last failure.
    pub since_last: Option<f64>,
}

pub async fn recent(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    window_minutes: i32,
) -> sqlx::Result<Recent> {
    // An attempt still being checked (succeeded is null) counts as a failure until it is not.
    let (by_account, by_address, accounts, since_last) = sqlx::query_as(
        "select count(*) filter (where username = $1),
                count(*) filter (where address = $2),
                count(distinct username) filter (where address = $2),
                extract(epoch from now() - max(at) filter (where address = $2))::float8
           from login_attempt
          where succeeded is not true and at > now() - make_interval(mins => $3)
            and (username = $1 or address = $2)",
    )
    .bind(username)
    .bind(address)
    .bind(window_minutes)
    .fetch_one(conn)
    .await?;
    Ok(Recent {
        by_account,
        by_address,
        accounts,
        since_last,
    })
}

/// An attempt being checked: its outcome is settled once the password is.
pub async fn insert_attempt(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into login_attempt (username, address, succeeded) values ($1, $2, null) returning id",
    )
    .bind(username)
    .bind(address)
    .fetch_one(conn)
    .await
}

pub async fn settle_attempt<'e>(
    exec: impl PgExecutor<'e>,
    id: i64,
    succeeded: bool,
) -> sqlx::Result<()> {
    sqlx::query("update login_attempt set succeeded = $2 where id = $1")
        .bind(id)
        .bind(succeeded)
        .execute(exec)
        .await?;
    Ok(())
}
