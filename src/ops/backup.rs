//! `cedu backup`: a consistent dump of the database with its manifest.
//!
//! A read-only repeatable-read transaction exports its snapshot; `pg_dump` (custom format,
//! from the PostgreSQL client programs beside the server's) dumps that snapshot while the same
//! transaction counts and checksums every table in it, so the manifest describes exactly what
//! the dump holds, however busy the server is. The dump is written as `<file>.partial` and
//! renamed once it and its manifest are complete: a file without `.partial` is whole. The data
//! key is written beside (`<file>.key`) only when asked, and should then be moved apart.

use super::manifest::{self, Manifest};
use crate::crypto::DataKey;
use sqlx::{Connection, Executor, PgConnection};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A backup that was taken.
#[derive(Debug, Clone)]
pub struct Taken {
    pub dump: PathBuf,
    pub manifest: Manifest,
    pub key: Option<PathBuf>,
    pub took: Duration,
}

/// Dumps the database at `url` to `dump` and writes its manifest beside it. `key` (64 hex
/// digits), when known, names the data key in the manifest and, with `with_key`, is written
/// beside the dump as `<dump>.key`.
pub async fn take(
    url: &str,
    dump: &Path,
    key: Option<&str>,
    with_key: bool,
) -> Result<Taken, String> {
    let started = Instant::now();
    if dump.exists() {
        return Err(format!("{} exists already", dump.display()));
    }
    if let Some(dir) = dump.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let data_key = key.map(DataKey::from_hex).transpose()?;
    if with_key && data_key.is_none() {
        return Err(
            "--with-key: no data key (CEDU_DATA_KEY, or data.key in the data directory)".into(),
        );
    }
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    conn.execute("begin isolation level repeatable read, read only")
        .await
        .map_err(|e| e.to_string())?;
    conn.execute(manifest::PINNED_TEXT)
        .await
        .map_err(|e| e.to_string())?;
    let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let (database, last_migration, last_migration_name): (String, i64, String) = sqlx::query_as(
        "select current_database()::text, coalesce(max(version), 0),
                coalesce((array_agg(description order by version desc))[1], '')
           from _sqlx_migrations where success",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| format!("not a cedu database? {e}"))?;

    let partial = with_suffix(dump, ".partial");
    let file = private_file(&partial)?;
    let (conninfo, password) = libpq_url(url);
    let mut command = tokio::process::Command::new(find_program("pg_dump")?);
    command
        .args(["--format=custom", "--no-password"])
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--dbname={conninfo}"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run pg_dump: {e}"))?;
    // The dump and the checksums read the same snapshot at the same time.
    let (dumped, sums) = tokio::join!(child.wait_with_output(), manifest::table_sums(&mut conn));
    let _ = conn.execute("commit").await;
    let _ = conn.close().await;
    let result = async {
        let output = dumped.map_err(|e| format!("pg_dump: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "pg_dump failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let tables = sums.map_err(|e| format!("checksums: {e}"))?;
        let (dump_sha256, dump_bytes) = manifest::file_digest(&partial)?;
        let manifest = Manifest {
            format: manifest::FORMAT,
            cedu_version: env!("CARGO_PKG_VERSION").into(),
            last_migration,
            last_migration_name,
            taken_at: chrono::Utc::now(),
            database,
            dump: file_name(dump),
            dump_bytes,
            dump_sha256,
            data_key_id: data_key.as_ref().map(DataKey::id),
            tables,
        };
        manifest.write(dump)?;
        std::fs::rename(&partial, dump).map_err(|e| format!("{}: {e}", dump.display()))?;
        Ok(manifest)
    }
    .await;
    let manifest = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let key_file = match (with_key, key) {
        (true, Some(hex)) => {
            let path = with_suffix(dump, ".key");
            crate::crypto::write_private(&path, &format!("{hex}\n"))?;
            Some(path)
        }
        _ => None,
    };
    Ok(Taken {
        dump: dump.to_path_buf(),
        manifest,
        key: key_file,
        took: started.elapsed(),
    })
}

/// `path` with `suffix` added to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A new file only its owner can read: a dump holds phone numbers and names.
fn private_file(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A PostgreSQL client program: beside the server programs cedu runs the embedded default
/// with (the same version), else on PATH.
pub fn find_program(name: &str) -> Result<PathBuf, String> {
    if let Ok(dir) = crate::db::embedded::find_bin_dir()
        && dir.join(name).is_file()
    {
        return Ok(dir.join(name));
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "{name} not found (install the PostgreSQL client programs, e.g. postgresql-client)"
            )
        })
}

/// The URL as libpq takes it, without its password (which goes in PGPASSWORD, so it never
/// shows in the process list), and the password, percent-decoded.
pub fn libpq_url(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_string(), None);
    };
    let Some(colon) = rest[..at].find(':') else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&rest[colon + 1..at]);
    let stripped = format!("{}{}{}", &url[..scheme_end], &rest[..colon], &rest[at..]);
    (stripped, Some(password))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_and_is_decoded() {
        assert_eq!(
            libpq_url("postgres://cedu:s%40cret:x@db:5432/cedu?sslmode=require"),
            (
                "postgres://cedu@db:5432/cedu?sslmode=require".to_string(),
                Some("s@cret:x".to_string())
            )
        );
        let socket = "postgres://postgres@localhost/cedu?host=/srv/cedu/run";
        assert_eq!(libpq_url(socket), (socket.to_string(), None));
        assert_eq!(
            libpq_url("postgresql://db/cedu"),
            ("postgresql://db/cedu".to_string(), None)
        );
    }

    #[test]
    fn suffixes_go_on_the_file_name() {
        assert_eq!(
            with_suffix(Path::new("/b/cedu-1.dump"), ".key"),
            PathBuf::from("/b/cedu-1.dump.key")
        );
    }
}
