//! Passwords: argon2id hashing off the async threads, bounded so a login flood queues instead
//! of starving other requests, and the rules a new password must meet.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// At most this many hashes run at once (one per core here).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// Verified when the username is unknown, so both answers take the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("no such account, no such password"));

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

fn hash_now(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters")
        .to_string()
}

/// The argon2id PHC string of `password`, with a fresh salt.
pub async fn hash(password: String) -> String {
    let _permit = HASHING.acquire().await.expect("semaphore never closes");
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .expect("hashing does not panic")
}

/// Whether `password` matches `phc`; with no stored hash it still spends the same effort.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    let _permit = HASHING.acquire().await.expect("semaphore never closes");
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let stored = phc.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .expect("verifying does not panic")
}

/// Checks a new password: long enough, not too long, not common, not the username.
/// Returns the catalogue key of what is wrong. No composition rules (NIST SP 800-63B).
pub fn check_new(password: &str, username: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err("password.too_short");
    }
    if length > MAX_LENGTH {
        return Err("password.too_long");
    }
    let lower = password.to_lowercase();
    if lower == username.to_lowercase()
        || COMMON.contains(&lower.as_str())
        || is_one_repeated(&lower)
    {
        return Err("password.too_common");
    }
    Ok(())
}

fn is_one_repeated(s: &str) -> bool {
    let mut chars = s.chars();
    let first = chars.next();
    chars.all(|c| Some(c) == first)
}

/// Passwords seen most often in leaked lists, Chinese sites' favourites included.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "abcd1234",
    "abc12345",
    "a1234567",
    "a12345678",
    "aa123456",
    "12341234",
    "11223344",
    "12344321",
    "123123123",
    "147258369",
    "123qweasd",
    "qweasdzxc",
    "asdfghjkl",
    "iloveyou",
    "woaini1314",
    "woaini520",
    "5201314520",
    "13145200",
    "520131400",
    "admin123",
    "admin1234",
    "administrator",
    "welcome1",
    "letmein1",
    "sunshine",
    "football",
    "baseball",
    "superman",
    "princess",
    "trustno1",
    "whatever",
    "starwars",
    "computer",
    "michelle",
    "jennifer",
    "changeme",
    "zhang123",
    "wang1234",
    "li123456",
    "liu123456",
    "chen1234",
    "qq123456",
    "wo123456",
    "aini1314",
    "1314520520",
    "cedu2026",
    "cedu-demo-2026",
    "mengjin1",
    "community",
    "education",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_password_is_refused() {
        assert_eq!(check_new("short7!", "zhang"), Err("password.too_short"));
    }

    #[test]
    fn common_and_repeated_passwords_are_refused() {
        assert_eq!(
            check_new("Password123", "zhang"),
            Err("password.too_common")
        );
        assert_eq!(check_new("aaaaaaaaaa", "zhang"), Err("password.too_common"));
        assert_eq!(
            check_new("zhang.san", "zhang.san"),
            Err("password.too_common")
        );
    }

    #[test]
    fn a_long_plain_phrase_is_accepted_without_composition_rules() {
        assert_eq!(check_new("孟津河阳街道学校", "zhang"), Ok(()));
        assert_eq!(check_new("correct horse battery", "zhang"), Ok(()));
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let phc = hash("river and mountain".into()).await;
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("river and mountain".into(), Some(phc.clone())).await);
        assert!(!verify("river and mountains".into(), Some(phc)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
