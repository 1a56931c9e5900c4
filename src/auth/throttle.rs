//! Login throttling that a burst cannot outrun: an attempt is reserved, and counted, before its
//! password is checked, under a lock per account and per address, so however many arrive at
//! once no more than the limit are ever checked in a window.
//!
//! Per account: five failures (or attempts still being checked) in 15 minutes lock it for the
//! rest of the window. Per address: a town office or a county network often leaves through one
//! address, so failures from it only slow its logins down: attempts from it are spaced by a
//! delay that grows with its failures (capped), so a colleague who comes a little later does not
//! wait at all. The address is locked only when many different accounts fail from it, which is
//! what guessing looks like.

use super::repo;
use sqlx::PgPool;
use std::time::Duration;

/// Failures (or unfinished checks) of one account within the window that lock it.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Different accounts failing from one address within the window that lock the address.
pub const MAX_ACCOUNTS_PER_ADDRESS: i64 = 10;
/// Failures from one address that pass without delay; each one more doubles the delay.
pub const FREE_FAILURES_PER_ADDRESS: i64 = 10;
pub const MAX_DELAY: Duration = Duration::from_secs(8);
pub const WINDOW_MINUTES: i32 = 15;

/// What the throttle decided about one attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password after waiting `delay`; record the outcome on attempt `id`.
    Check {
        id: i64,
        delay: Duration,
    },
    Locked,
}

/// Reserves an attempt for `username` from `address`, or refuses it. The advisory locks make
/// the count and the reservation one step per account and per address; they are always taken
/// in that order, so two logins never wait on each other in a circle.
pub async fn reserve(pool: &PgPool, username: &str, address: &str) -> sqlx::Result<Verdict> {
    let mut tx = pool.begin().await?;
    repo::lock(&mut tx, &format!("login:user:{username}")).await?;
    repo::lock(&mut tx, &format!("login:addr:{address}")).await?;
    let recent = repo::recent(&mut tx, username, address, WINDOW_MINUTES).await?;
    if recent.by_account >= MAX_FAILURES_PER_ACCOUNT || recent.accounts >= MAX_ACCOUNTS_PER_ADDRESS
    {
        return Ok(Verdict::Locked);
    }
    let id = repo::insert_attempt(&mut tx, username, address).await?;
    tx.commit().await?;
    let since_last =
        Duration::from_secs_f64(recent.since_last.unwrap_or(f64::MAX).clamp(0.0, 3600.0));
    Ok(Verdict::Check {
        id,
        delay: delay_after(recent.by_address).saturating_sub(since_last),
    })
}

/// Records how a reserved attempt ended.
pub async fn settle(pool: &PgPool, id: i64, succeeded: bool) -> sqlx::Result<()> {
    repo::settle_attempt(pool, id, succeeded).await
}

/// The spacing between attempts from an address with `failures` recent failures.
pub fn delay_after(failures: i64) -> Duration {
    let over = failures - FREE_FAILURES_PER_ADDRESS;
    if over < 0 {
        return Duration::ZERO;
    }
    let delay = Duration::from_millis(500).saturating_mul(1 << over.min(10) as u32);
    delay.min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_slowed_by_a_doubling_delay_with_a_cap() {
        assert_eq!(delay_after(0), Duration::ZERO);
        assert_eq!(delay_after(FREE_FAILURES_PER_ADDRESS - 1), Duration::ZERO);
        assert_eq!(
            delay_after(FREE_FAILURES_PER_ADDRESS),
            Duration::from_millis(500)
        );
        assert_eq!(
            delay_after(FREE_FAILURES_PER_ADDRESS + 2),
            Duration::from_secs(2)
        );
        assert_eq!(delay_after(FREE_FAILURES_PER_ADDRESS + 40), MAX_DELAY);
    }
}
