//! "The database is away": which errors mean it, and when it last was. A pooled connection
//! that went idle before the last outage may be dead without knowing it, so it is pinged
//! before use; every other connection is handed out without a round trip.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Milliseconds from `START` to the last outage, plus one; 0 while there has been none.
static LAST: AtomicU64 = AtomicU64::new(0);

/// Failures closer together than this are one outage, logged once.
const QUIET: Duration = Duration::from_secs(10);

/// Records `e` if it means the database cannot be reached (down, restarting, the connection
/// dropped, or no connection within the pool's timeout), and says whether it did.
pub fn note(e: &sqlx::Error) -> bool {
    if !is_unreachable(e) {
        return false;
    }
    let previous = mark();
    if previous.is_none_or(|ago| ago > QUIET) {
        tracing::error!(error = %e, "database unavailable: answering 503 until it is back");
    }
    true
}

fn is_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Protocol(_) => true,
        // Class 08 is "connection exception"; 57P01–03 are the server shutting down, crashed
        // or still starting ("terminating connection due to unexpected postmaster exit").
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// Records an outage now, and returns how long ago the previous one was.
pub fn mark() -> Option<Duration> {
    let now = millis(START.elapsed()) + 1;
    match LAST.swap(now, Ordering::Relaxed) {
        0 => None,
        previous => Some(Duration::from_millis(now.saturating_sub(previous))),
    }
}

/// True when a connection idle for `idle_for` went idle no later than the last outage.
pub fn predates_last(idle_for: Duration) -> bool {
    let last = LAST.load(Ordering::Relaxed);
    last != 0 && millis(START.elapsed().saturating_sub(idle_for)) < last
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_connection_is_an_outage_and_a_missing_row_is_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_unreachable(&sqlx::Error::Io(refused)));
        assert!(is_unreachable(&sqlx::Error::PoolTimedOut));
        assert!(!is_unreachable(&sqlx::Error::RowNotFound));
    }

    #[test]
    fn connections_idle_since_before_an_outage_are_checked_and_newer_ones_are_not() {
        std::thread::sleep(Duration::from_millis(5));
        mark();
        std::thread::sleep(Duration::from_millis(5));
        assert!(predates_last(Duration::from_secs(3600)));
        assert!(!predates_last(Duration::ZERO));
    }
}
