//! The embedded default's own backups: `cedu serve` takes one every day (`--backup-interval`)
//! into `DATA_DIR/backups` (`--backup-dir`) and keeps the last 14 (`--backup-keep`). The first
//! comes a day after the newest one in the folder, or a minute after start if there is none;
//! a failed one is logged, counted, shown on the platform administrator's page and tried again
//! within a quarter of an hour. With `DATABASE_URL` the database's own operators back it up
//! (README, "Backups").

use super::backup;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// When and where backups are taken.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

/// The last backup, for the platform administrator's page.
#[derive(Debug, Clone)]
pub struct LastBackup {
    pub at: DateTime<Utc>,
    pub file: String,
    pub bytes: u64,
    /// Why it failed; `None` when it worked.
    pub error: Option<String>,
}

/// The backups cedu takes itself, if any, and how the last one went.
#[derive(Debug, Default)]
pub struct Backups {
    /// `None`: cedu takes none (with `DATABASE_URL`, or `--backup-interval off`).
    pub schedule: Option<Schedule>,
    last: Mutex<Option<LastBackup>>,
}

impl Backups {
    /// The newest backup already in the folder counts as the last one.
    pub fn new(schedule: Option<Schedule>) -> Self {
        let last = schedule
            .as_ref()
            .and_then(|s| kept(&s.dir).into_iter().next());
        Self {
            schedule,
            last: Mutex::new(last),
        }
    }

    pub fn last(&self) -> Option<LastBackup> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    fn record(&self, backup: LastBackup) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(backup);
        }
    }
}

/// After a failure, the next attempt comes this soon (or at the next interval, if sooner).
const RETRY: Duration = Duration::from_secs(15 * 60);
/// Without a recent backup, the first waits this long after start (or one interval, if shorter).
const SETTLE: Duration = Duration::from_secs(60);

/// Runs the schedule until the task is aborted (before the cluster stops).
pub fn spawn(
    backups: Arc<Backups>,
    url: String,
    key: Option<String>,
) -> Option<tokio::task::JoinHandle<()>> {
    let schedule = backups.schedule.clone()?;
    Some(tokio::spawn(async move {
        let settle = SETTLE.min(schedule.every);
        let mut wait = match backups.last() {
            Some(last) => {
                let since = (Utc::now() - last.at).to_std().unwrap_or_default();
                schedule.every.saturating_sub(since).max(settle)
            }
            None => settle,
        };
        loop {
            tokio::time::sleep(wait).await;
            let ok = once(&backups, &schedule, &url, key.as_deref()).await;
            wait = if ok {
                schedule.every
            } else {
                RETRY.min(schedule.every)
            };
        }
    }))
}

/// Takes one backup into the schedule's folder, prunes the old ones, and records how it went.
async fn once(backups: &Backups, schedule: &Schedule, url: &str, key: Option<&str>) -> bool {
    let name = format!("cedu-{}.dump", Utc::now().format("%Y%m%dT%H%M%S%3fZ"));
    let dump = schedule.dir.join(&name);
    match backup::take(url, &dump, key, false).await {
        Ok(taken) => {
            if let Err(e) = prune(&schedule.dir, schedule.keep) {
                tracing::error!(error = %e, "pruning old backups failed");
            }
            super::metrics::backup(true, taken.manifest.dump_bytes, taken.took);
            tracing::info!(
                file = %dump.display(),
                bytes = taken.manifest.dump_bytes,
                took_s = taken.took.as_secs_f64(),
                "backup taken"
            );
            backups.record(LastBackup {
                at: taken.manifest.taken_at,
                file: name,
                bytes: taken.manifest.dump_bytes,
                error: None,
            });
            true
        }
        Err(e) => {
            super::metrics::backup(false, 0, Duration::ZERO);
            tracing::error!(error = %e, file = %dump.display(), "backup failed");
            backups.record(LastBackup {
                at: Utc::now(),
                file: name,
                bytes: 0,
                error: Some(e),
            });
            false
        }
    }
}

/// The whole backups in `dir` (a dump with its manifest), newest first.
pub fn kept(dir: &Path) -> Vec<LastBackup> {
    let mut found: Vec<LastBackup> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("cedu-") && name.ends_with(".dump")) {
                return None;
            }
            let manifest = super::manifest::Manifest::read(&entry.path()).ok()?;
            Some(LastBackup {
                at: manifest.taken_at,
                file: name,
                bytes: manifest.dump_bytes,
                error: None,
            })
        })
        .collect();
    found.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.file.cmp(&a.file)));
    found
}

/// Keeps the newest `keep` backups in `dir` and removes the rest, with their manifests and keys,
/// and any dump left half-written by a stopped server.
pub fn prune(dir: &Path, keep: usize) -> Result<(), String> {
    for old in kept(dir).into_iter().skip(keep) {
        let dump = dir.join(&old.file);
        for path in [
            backup::with_suffix(&dump, ".manifest.json"),
            backup::with_suffix(&dump, ".key"),
            dump.clone(),
        ] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("cedu-") && name.ends_with(".dump.partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// An interval as `parse_interval` reads it: `24h`, `90m`, `2s`.
pub fn describe_interval(every: Duration) -> String {
    let s = every.as_secs();
    match s {
        _ if s.is_multiple_of(86400) && s >= 2 * 86400 => format!("{}d", s / 86400),
        _ if s.is_multiple_of(3600) && s >= 3600 => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) && s >= 60 => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// A size for people: `845 KB`, `12.3 MB`.
pub fn describe_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

/// `24h`, `90m`, `30s`, `2d`, or a number of seconds; `off` is `None`.
pub fn parse_interval(s: &str) -> Result<Option<Duration>, String> {
    if s == "off" {
        return Ok(None);
    }
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("not an interval: {s} (e.g. 24h, 30m, 90s, off)"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("not an interval: {s} (e.g. 24h, 30m, 90s, off)")),
    };
    if seconds == 0 {
        return Err("a backup interval of zero: use off".into());
    }
    Ok(Some(Duration::from_secs(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_an_operator_writes_them() {
        assert_eq!(
            parse_interval("24h").unwrap(),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(parse_interval("2s").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(parse_interval("90").unwrap(), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("off").unwrap(), None);
        assert!(parse_interval("0").is_err());
        assert!(parse_interval("1w").is_err());
        assert!(parse_interval("h").is_err());
        for every in ["24h", "90m", "2s", "2d", "61s"] {
            let parsed = parse_interval(every).unwrap().unwrap();
            assert_eq!(describe_interval(parsed), every);
        }
        assert_eq!(describe_size(2_500_000), "2.4 MB");
        assert_eq!(describe_size(900), "900 B");
    }
}
