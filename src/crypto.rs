//! Personal data (个人信息保护法): ID numbers encrypted at rest with a key that never enters the
//! database (AES-256-GCM, a fresh nonce per value), found again by a keyed hash (HMAC-SHA-256)
//! rather than by the plain value; and the masked forms every list, export and page shows.
//!
//! The key is 32 bytes written as 64 hex digits: `CEDU_DATA_KEY`, or on the embedded default a
//! file `data.key` in the data directory that the first start writes (mode 0600). Losing it
//! loses the ID numbers; keep it apart from the backups.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::Path;

const NONCE_LEN: usize = 12;

/// The key of encrypted columns, split into one key for encryption and one for lookups.
#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    mac: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// The key from 64 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self, String> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the data key must be 64 hex digits (32 bytes)".into());
        }
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex checked"))
            .collect();
        Ok(Self::from_bytes(&bytes))
    }

    fn from_bytes(master: &[u8]) -> Self {
        // One key for each use, so the lookup hash reveals nothing about the encryption key.
        let derive = |purpose: &[u8]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(b"cedu data key: ");
            h.update(purpose);
            h.update(master);
            h.finalize().into()
        };
        let enc = derive(b"encryption");
        let key = Key::<Aes256Gcm>::try_from(&enc[..]).expect("32 bytes");
        Self {
            cipher: Aes256Gcm::new(&key),
            mac: derive(b"lookup"),
        }
    }

    /// A fresh random key, as hex.
    pub fn generate_hex() -> String {
        let bytes: [u8; 32] = rand::random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `CEDU_DATA_KEY`, else the key file in `dir`, written now if there is none.
    pub fn from_env_or_dir(dir: Option<&Path>) -> Result<Self, String> {
        if let Ok(hex) = std::env::var("CEDU_DATA_KEY")
            && !hex.trim().is_empty()
        {
            return Self::from_hex(&hex);
        }
        let Some(dir) = dir else {
            return Err(
                "set CEDU_DATA_KEY (64 hex digits) to run with DATABASE_URL: \
                        it encrypts ID numbers, and must be kept apart from the database"
                    .into(),
            );
        };
        let path = dir.join("data.key");
        match std::fs::read_to_string(&path) {
            Ok(hex) => Self::from_hex(&hex),
            Err(_) => {
                let hex = Self::generate_hex();
                write_private(&path, &hex)?;
                tracing::info!(path = %path.display(), "wrote a new data key");
                Self::from_hex(&hex)
            }
        }
    }

    /// The key as written (64 hex digits), from `CEDU_DATA_KEY` or the key file in `dir`,
    /// without making one: what a backup writes beside itself when asked to.
    pub fn hex_from_env_or_dir(dir: Option<&Path>) -> Option<String> {
        std::env::var("CEDU_DATA_KEY")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .or_else(|| std::fs::read_to_string(dir?.join("data.key")).ok())
            .map(|h| h.trim().to_string())
    }

    /// A name for the key that reveals nothing of it (its keyed hash of a fixed text), so a
    /// backup's manifest can say which key its encrypted columns need.
    pub fn id(&self) -> String {
        let mac = self.lookup("cedu data key id");
        mac[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// nonce ‖ ciphertext of `plain`.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::try_from(&nonce_bytes[..]).expect("12 bytes");
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("AES-GCM encrypts any length we store");
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        out
    }

    /// The plain value, or `None` if `sealed` was not sealed with this key.
    pub fn decrypt(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).ok()?;
        let plain = self.cipher.decrypt(&nonce, body).ok()?;
        String::from_utf8(plain).ok()
    }

    /// The keyed hash that finds a value without storing it: equal values, equal hashes.
    pub fn lookup(&self, value: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac).expect("any key length");
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Writes a new file only its owner may read (a key, a backup).
pub fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `138****5678`: the first three and last four digits of a mobile number; any other number
/// keeps its last four.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n <= 4 => "*".repeat(n),
        11 => format!(
            "{}****{}",
            chars[..3].iter().collect::<String>(),
            chars[7..].iter().collect::<String>()
        ),
        n => format!(
            "{}{}",
            "*".repeat(n - 4),
            chars[n - 4..].iter().collect::<String>()
        ),
    }
}

/// `王*`: a name's first character, for a page anyone at a venue may read.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// `4103********1234`: the first four and last four characters of an ID number.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    format!(
        "{}{}{}",
        chars[..4].iter().collect::<String>(),
        "*".repeat(chars.len() - 8),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

/// A resident ID number (居民身份证号码, GB 11643), upper-cased: 17 digits and a check
/// character that the weighted sum of the digits must give.
pub fn parse_id_number(value: &str) -> Option<String> {
    let id = value.trim().to_uppercase();
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    (CHECK[(sum % 11) as usize] == b[17]).then_some(id)
}

/// A phone number as stored: a mobile number of 11 digits, or a landline with its area code
/// (`0379-67912345`); spaces and dashes typed are taken out of a mobile number.
pub fn parse_phone(value: &str) -> Option<String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = compact.chars().filter(|c| *c != '-').collect();
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(digits);
    }
    let landline = compact.starts_with('0')
        && (10..=13).contains(&compact.len())
        && compact.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    landline.then_some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_comes_back_only_with_its_key_and_is_found_by_its_hash() {
        let key = DataKey::from_hex(&DataKey::generate_hex()).unwrap();
        let other = DataKey::from_hex(&DataKey::generate_hex()).unwrap();
        let sealed = key.encrypt("410308199001011234");
        assert!(!sealed.windows(4).any(|w| w == b"4103"), "no plain digits");
        assert_eq!(key.decrypt(&sealed).as_deref(), Some("410308199001011234"));
        assert_eq!(other.decrypt(&sealed), None);
        assert_ne!(
            key.encrypt("x"),
            key.encrypt("x"),
            "a fresh nonce each time"
        );
        assert_eq!(key.lookup("a"), key.lookup("a"));
        assert_ne!(key.lookup("a"), other.lookup("a"));
        assert!(DataKey::from_hex("12").is_err());
    }

    #[test]
    fn phones_and_id_numbers_are_masked_and_checked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0379-67912345"), "*********2345");
        assert_eq!(mask_id("41030819900101123X"), "4103**********123X");
        assert_eq!(mask_name("王一"), "王*");
        assert_eq!(mask_name("欧阳小明"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(parse_phone("138 1234 5678").as_deref(), Some("13812345678"));
        assert_eq!(
            parse_phone("0379-67912345").as_deref(),
            Some("0379-67912345")
        );
        assert_eq!(parse_phone("12345"), None);
        // A valid check digit, and the same number with its last digit changed.
        assert_eq!(
            parse_id_number("11010519491231002x").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(parse_id_number("110105194912310021"), None);
        assert_eq!(parse_id_number("1101051949123100"), None);
    }
}
