//! Database access: two pools, migrations, and the request's one transaction.
//!
//! `app` connections switch to the `cedu_app` role as soon as they open, so every request
//! query is subject to row-level security. A request takes one of them, once: its transaction
//! opens together with the session check that sets the tenant (see `auth::session`), or with
//! the district of a public page. `sys` keeps the connecting role and serves what precedes a
//! session (login and its throttling), the command line and the generators.

pub mod embedded;
pub mod outage;
pub mod watchdog;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Executor, PgConnection, PgPool, Postgres};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a request waits for a connection before it gets the 503 page.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Db {
    pub app: PgPool,
    pub sys: PgPool,
    checkouts: Arc<AtomicU64>,
}

impl Db {
    /// Connects both pools; the caller runs [`migrate`] first so the `cedu_app` role exists.
    pub async fn connect(url: &str) -> sqlx::Result<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("cedu");
        let checkouts = Arc::new(AtomicU64::new(0));
        // Named apart, so pg_stat_activity (and the metrics) tell the two pools apart.
        let sys = pool_options(8, &checkouts)
            .connect_with(options.clone().application_name(SYS_POOL_NAME))
            .await?;
        let app = pool_options(16, &checkouts)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // Generic plans: every request query is tenant-bound and small, and
                    // re-planning each execution cost more than running it (EXPLAIN: 0.6–1.7 ms
                    // planning against 0.2–0.7 ms execution on the network list and dashboard).
                    // On Citus, a SET LOCAL of the tenant reaches the workers only with
                    // propagate_set_commands; without Citus the setting is an inert placeholder.
                    conn.execute("set role cedu_app; set plan_cache_mode = force_generic_plan; set standard_conforming_strings = on; set citus.propagate_set_commands = 'local'")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            app,
            sys,
            checkouts,
        })
    }

    /// How many times a connection has been taken from either pool (counted as it returns),
    /// so tests and the benchmark can see how many a request takes.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.load(Ordering::Relaxed)
    }

    /// A transaction as `cedu_app` with the tenant set: row-level security sees only that
    /// district. For the command line, generators and tests; requests get theirs with the session.
    pub async fn begin_for(&self, tenant_id: i64) -> sqlx::Result<Tx> {
        // An i64 needs no quoting.
        let (tx, _) = Tx::open(
            &self.app,
            &format!("set local app.tenant_id = '{tenant_id}'"),
        )
        .await?;
        Ok(tx)
    }

    /// A platform-level transaction that may touch every district (CLI, demo, generators).
    pub async fn begin_sys(&self) -> sqlx::Result<Tx> {
        let (tx, _) = Tx::open(&self.sys, "").await?;
        Ok(tx)
    }
}

/// A transaction on a pooled connection: what a request (or a command) does its work in.
/// Dereferences to the connection, so `&mut *tx` is an executor. Dropped without
/// [`Tx::commit`], it rolls back.
///
/// Not sqlx's `Transaction`, because that one opens with a `BEGIN` of its own and discards
/// whatever that round trip returns: a request's BEGIN carries its session check and needs
/// the user it returns.
pub struct Tx {
    conn: Option<PoolConnection<Postgres>>,
    /// A statement for the same connection once the transaction has ended, committed or not
    /// (the session's idle clock): outside it, its row lock lasts only as long as it runs.
    after: Option<String>,
}

impl Tx {
    /// Takes a connection from `pool` and sends `begin; {then}` in one round trip, returning
    /// the first row `then` yields. `then` is SQL of our own: any value in it is a number or
    /// quoted with [`literal`].
    pub async fn open(pool: &PgPool, then: &str) -> sqlx::Result<(Tx, Option<PgRow>)> {
        let label = pool_label(pool);
        let asked = std::time::Instant::now();
        let conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(e) => {
                if matches!(e, sqlx::Error::PoolTimedOut) {
                    crate::ops::metrics::acquire_timed_out(label);
                }
                return Err(e);
            }
        };
        crate::ops::metrics::acquired(label, asked.elapsed());
        // The transaction owns the connection before BEGIN is sent: a request cancelled
        // mid-way (the client went away) drops it, and the drop rolls back. A bare pool
        // connection would go back to the pool still inside the transaction, holding its locks.
        let mut tx = Tx {
            conn: Some(conn),
            after: None,
        };
        // Text without bind parameters goes as a simple query, which may hold two statements.
        let rows = tx.fetch_all(format!("begin; {then}").as_str()).await;
        // On an error the transaction is open and aborted: dropping `tx` rolls it back.
        Ok((tx, rows?.into_iter().next()))
    }

    /// Sends `sql` (our own, as for [`Tx::open`]) on this connection after the transaction ends.
    pub fn after_end(&mut self, sql: String) {
        self.after = Some(sql);
    }

    /// Commits. The connection leaves the transaction only once COMMIT has answered, so a
    /// commit cancelled mid-way is rolled back by the drop (a no-op if it went through).
    pub async fn commit(self) -> sqlx::Result<()> {
        self.end("commit").await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.end("rollback").await
    }

    async fn end(mut self, how: &str) -> sqlx::Result<()> {
        self.execute(how).await?;
        let mut conn = self.conn.take().expect("an open transaction");
        if let Some(after) = self.after.take() {
            run_after(&mut conn, &after).await;
        }
        Ok(())
    }
}

/// The statement after a transaction: its failure is logged, and takes nothing back.
async fn run_after(conn: &mut PgConnection, sql: &str) {
    if let Err(e) = conn.execute(sql).await {
        tracing::warn!(error = %e, "statement after the transaction failed");
    }
}

impl std::ops::Deref for Tx {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.conn.as_deref().expect("an open transaction")
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn.as_deref_mut().expect("an open transaction")
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // Drop cannot wait: the rollback runs on its own, and the connection goes back to the
        // pool after it. Without a runtime (never in a request) the connection is closed.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let after = self.after.take();
                runtime.spawn(async move {
                    if conn.execute("rollback").await.is_ok()
                        && let Some(after) = after
                    {
                        run_after(&mut conn, &after).await;
                    }
                });
            }
            Err(_) => conn.close_on_drop(),
        }
    }
}

/// Binds the rest of the transaction to a district: `SET LOCAL app.tenant_id`, the form Citus
/// passes on to its workers (`set_config` would not reach them).
pub async fn set_tenant(conn: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    // An i64 needs no quoting.
    conn.execute(format!("set local app.tenant_id = '{tenant_id}'").as_str())
        .await?;
    Ok(())
}

/// `value` as an SQL string literal, for the few statements that must travel with a `BEGIN`
/// (which cannot carry bind parameters). With `standard_conforming_strings` on (the default
/// since PostgreSQL 9.1) only the quote needs doubling; NUL cannot be in text at all.
pub fn literal(value: &str) -> Option<String> {
    (!value.contains('\0')).then(|| format!("'{}'", value.replace('\'', "''")))
}

/// The system pool's application name; the request pool keeps "cedu".
const SYS_POOL_NAME: &str = "cedu-sys";

/// "app" or "sys", for the metrics.
pub fn pool_label(pool: &PgPool) -> &'static str {
    if pool.connect_options().get_application_name() == Some(SYS_POOL_NAME) {
        "sys"
    } else {
        "app"
    }
}

/// Pool settings shared by both pools. sqlx pings every connection it hands out by default,
/// a round trip per request; only a connection that may be dead is checked now: one idle for a
/// while, or since before the database was last found away (a restarted server has closed it).
fn pool_options(max: u32, checkouts: &Arc<AtomicU64>) -> PgPoolOptions {
    let returned = checkouts.clone();
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .after_release(move |_, _| {
            returned.fetch_add(1, Ordering::Relaxed);
            Box::pin(async { Ok(true) })
        })
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

/// The migrations embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations embedded in the binary. sqlx holds an advisory lock while it does,
/// so an instance starting while another migrates waits for it and then finds nothing to do.
pub async fn migrate(url: &str) -> Result<(), sqlx::migrate::MigrateError> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    MIGRATOR.run(&pool).await?;
    pool.close().await;
    Ok(())
}

/// Holds a transaction-scoped advisory lock on `key` (one registration number, one address's
/// public post at a time), released at commit or rollback.
pub async fn lock_key(conn: &mut PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest migration this binary holds.
pub fn latest_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The newest migration applied to the database and whether any failed half-way (sqlx marks
/// those `success = false`); `(0, false)` before the first.
pub async fn applied_migration(conn: &mut PgConnection) -> sqlx::Result<(i64, bool)> {
    sqlx::query_as(
        "select coalesce(max(version), 0), coalesce(bool_or(not success), false) from _sqlx_migrations",
    )
    .fetch_one(conn)
    .await
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
    fn literals_double_their_quotes_and_refuse_nul() {
        assert_eq!(super::literal("mengjin").unwrap(), "'mengjin'");
        assert_eq!(super::literal("o'neil; drop").unwrap(), "'o''neil; drop'");
        assert_eq!(super::literal("a\0b"), None);
    }

    #[test]
    fn like_wildcards_typed_by_users_are_escaped() {
        assert_eq!(like_literal("城关"), "城关");
        assert_eq!(like_literal("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
