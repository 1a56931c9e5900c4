//! Settings from flags and the environment.

use crate::ops::logs::LogFormat;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How `cedu serve` runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// Where the embedded cluster lives when no `DATABASE_URL` is given.
    pub data_dir: PathBuf,
    /// An external PostgreSQL server; `None` means the embedded default.
    pub database_url: Option<String>,
    /// Send the session cookie only over TLS (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Behind a reverse proxy, take the client's address from X-Forwarded-For.
    pub trust_forwarded_for: bool,
    /// Where `/metrics` is served; never on `listen`. Off when `None`.
    pub metrics_listen: Option<SocketAddr>,
    pub log_format: LogFormat,
    /// The embedded default's daily backups: where (default `DATA_DIR/backups`), how many are
    /// kept, and how often (`None`: none taken).
    pub backup_dir: Option<PathBuf>,
    pub backup_keep: usize,
    pub backup_interval: Option<Duration>,
}

impl ServeConfig {
    /// Defaults overridden by `CEDU_LISTEN`, `CEDU_DATA_DIR`, `DATABASE_URL`, `CEDU_SECURE_COOKIES`,
    /// `CEDU_TRUST_PROXY`, `CEDU_METRICS_LISTEN`, `CEDU_LOG_FORMAT`.
    pub fn from_env() -> Result<Self, String> {
        let listen = std::env::var("CEDU_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
        Ok(Self {
            listen: parse_listen(&listen)?,
            data_dir: std::env::var_os("CEDU_DATA_DIR")
                .map_or_else(|| PathBuf::from("var"), PathBuf::from),
            database_url: std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()),
            secure_cookies: flag("CEDU_SECURE_COOKIES"),
            trust_forwarded_for: flag("CEDU_TRUST_PROXY"),
            metrics_listen: std::env::var("CEDU_METRICS_LISTEN")
                .ok()
                .filter(|s| !s.is_empty())
                .map(|s| parse_listen(&s))
                .transpose()?,
            log_format: std::env::var("CEDU_LOG_FORMAT")
                .ok()
                .filter(|s| !s.is_empty())
                .map_or(Ok(LogFormat::Text), |s| LogFormat::parse(&s))?,
            backup_dir: None,
            backup_keep: 14,
            backup_interval: Some(Duration::from_secs(24 * 3600)),
        })
    }

    /// Where backups go unless told: `DATA_DIR/backups`.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1" || v == "true")
}

pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.parse()
        .map_err(|_| format!("not an address to listen on: {s} (expected e.g. 127.0.0.1:8080)"))
}

/// Runtime settings the web layer needs.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
}
