//! Database access: two pools, migrations, and tenant-bound transactions.
//!
//! `app` connections switch to the `cedu_app` role as soon as they open, so every request
//! query is subject to row-level security. `sys` keeps the connecting role and serves only
//! the few platform-level operations that precede a tenant: login, session lookup,
//! throttling, and the platform administrator's district list.

pub mod embedded;
pub mod outage;
pub mod watchdog;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// How long a request waits for a connection before it gets the 503 page.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

pub type Tx = Transaction<'static, Postgres>;

#[derive(Clone)]
pub struct Db {
    pub app: PgPool,
    pub sys: PgPool,
}

impl Db {
    /// Connects both pools; the caller runs [`migrate`] first so the `cedu_app` role exists.
    pub async fn connect(url: &str) -> sqlx::Result<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("cedu");
        let sys = pool_options(8).connect_with(options.clone()).await?;
        let app = pool_options(16)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // Generic plans: every request query is tenant-bound and small, and
                    // re-planning each execution cost more than running it (EXPLAIN: 0.6–1.7 ms
                    // planning against 0.2–0.7 ms execution on the network list and dashboard).
                    conn.execute("set role cedu_app; set plan_cache_mode = force_generic_plan")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { app, sys })
    }

    /// A transaction as `cedu_app` with the tenant set: row-level security sees only that district.
    pub async fn begin_for(&self, tenant_id: i64) -> sqlx::Result<Tx> {
        // BEGIN and the tenant in one round trip; an i64 needs no quoting.
        self.app
            .begin_with(format!(
                "begin; select set_config('app.tenant_id', '{tenant_id}', true)"
            ))
            .await
    }

    /// A platform-level transaction that may touch every district (platform admin, CLI, demo).
    pub async fn begin_sys(&self) -> sqlx::Result<Tx> {
        self.sys.begin().await
    }
}

/// Pool settings shared by both pools. sqlx pings every connection it hands out by default,
/// a round trip per request; only a connection that may be dead is checked now: one idle for a
/// while, or since before the database was last found away (a restarted server has closed it).
fn pool_options(max: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(30) || outage::predates_last(meta.idle_for) {
                    let alive = sqlx::Connection::ping(conn).await.is_ok();
                    if !alive {
                        // The others may have died with it: check them too before use.
                        outage::mark();
                    }
                    // Ok(false) closes a dead one quietly; the pool opens another.
                    return Ok(alive);
                }
                Ok(true)
            })
        })
}

/// Applies the migrations embedded in the binary.
pub async fn migrate(url: &str) -> Result<(), sqlx::migrate::MigrateError> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    pool.close().await;
    Ok(())
}

/// Search words for `like '%' || $n || '%'`: `%`, `_` and `\` typed by a user are characters,
/// not wildcards (a stray `%` would match everything, or across the fields of a search column).
pub fn like_literal(words: &str) -> String {
    words
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// True when `err` is the violation of the named constraint.
pub fn violates(err: &sqlx::Error, constraint: &str) -> bool {
    err.as_database_error().and_then(|e| e.constraint()) == Some(constraint)
}

#[cfg(test)]
mod tests {
    use super::like_literal;

    #[test]
    fn like_wildcards_typed_by_users_are_escaped() {
        assert_eq!(like_literal("城关"), "城关");
        assert_eq!(like_literal("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
