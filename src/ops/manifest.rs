//! A backup's manifest: what the dump holds, to check a restore against. Written beside the
//! dump as `<dump>.manifest.json`: cedu's version, the last migration, when, the dump's size
//! and SHA-256, and each table's row count and checksum, read in the dump's own snapshot.
//!
//! A table's checksum is the sum, over its rows, of the first 64 bits of the MD5 of the row as
//! text, with the settings that shape that text pinned (time zone, date and interval styles,
//! float digits, bytea format): the order of rows does not matter, their content does, and
//! the same rows restored anywhere give the same sum.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableSum {
    pub rows: i64,
    pub checksum: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub cedu_version: String,
    pub last_migration: i64,
    pub last_migration_name: String,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub database: String,
    /// The dump's file name (it sits beside this manifest).
    pub dump: String,
    pub dump_bytes: u64,
    pub dump_sha256: String,
    /// Names the data key the encrypted columns need (never the key), when it was known.
    pub data_key_id: Option<String>,
    pub tables: BTreeMap<String, TableSum>,
}

/// Where the manifest of `dump` is.
pub fn path_of(dump: &Path) -> PathBuf {
    let mut name = dump.as_os_str().to_os_string();
    name.push(".manifest.json");
    PathBuf::from(name)
}

impl Manifest {
    pub fn read(dump: &Path) -> Result<Self, String> {
        let path = path_of(dump);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("no manifest beside the dump ({}): {e}", path.display()))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if manifest.format != FORMAT {
            return Err(format!(
                "{}: manifest format {} (this cedu reads {FORMAT})",
                path.display(),
                manifest.format
            ));
        }
        Ok(manifest)
    }

    pub fn write(&self, dump: &Path) -> Result<(), String> {
        let path = path_of(dump);
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The statements that pin how rows read as text; run inside the transaction that reads them.
pub const PINNED_TEXT: &str = "set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; \
    set local intervalstyle = 'postgres'; set local extra_float_digits = 1; set local bytea_output = 'hex'";

/// Every table of the public schema with its row count and checksum, as the connection's
/// transaction sees them (call [`PINNED_TEXT`] in it first). Reads every row: the connecting
/// role must see past row-level security (a superuser, or BYPASSRLS).
pub async fn table_sums(conn: &mut PgConnection) -> sqlx::Result<BTreeMap<String, TableSum>> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "select c.relname::text, quote_ident(c.relname) from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sums = BTreeMap::new();
    for (name, quoted) in tables {
        let (rows, checksum): (i64, String) = sqlx::query_as(&format!(
            "select count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text
               from public.{quoted} t"
        ))
        .fetch_one(&mut *conn)
        .await?;
        sums.insert(name, TableSum { rows, checksum });
    }
    Ok(sums)
}

/// What differs between the tables a manifest lists and those found, one line each.
pub fn differences(
    expected: &BTreeMap<String, TableSum>,
    found: &BTreeMap<String, TableSum>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (table, want) in expected {
        match found.get(table) {
            None => out.push(format!("{table}: missing")),
            Some(got) if got.rows != want.rows => out.push(format!(
                "{table}: {} rows, the backup had {}",
                got.rows, want.rows
            )),
            Some(got) if got.checksum != want.checksum => out.push(format!(
                "{table}: same {} rows, different content (checksum {} instead of {})",
                got.rows, got.checksum, want.checksum
            )),
            Some(_) => {}
        }
    }
    for table in found.keys().filter(|t| !expected.contains_key(*t)) {
        out.push(format!("{table}: not in the backup"));
    }
    out
}

/// The SHA-256 and size of a file, read in pieces.
pub fn file_digest(path: &Path) -> Result<(String, u64), String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((crate::auth::session::hex(&hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(rows: &[(&str, i64, &str)]) -> BTreeMap<String, TableSum> {
        rows.iter()
            .map(|(t, n, c)| {
                (
                    t.to_string(),
                    TableSum {
                        rows: *n,
                        checksum: c.to_string(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn differences_name_each_table_that_is_missing_short_changed_or_extra() {
        let backup = sums(&[("a", 1, "10"), ("b", 2, "20"), ("c", 3, "30")]);
        let found = sums(&[
            ("a", 1, "10"),
            ("b", 1, "20"),
            ("c", 3, "31"),
            ("d", 0, "0"),
        ]);
        let diff = differences(&backup, &found);
        assert_eq!(diff.len(), 3, "{diff:?}");
        assert!(diff[0].starts_with("b: 1 rows, the backup had 2"));
        assert!(diff[1].starts_with("c: same 3 rows, different content"));
        assert_eq!(diff[2], "d: not in the backup");
        assert!(differences(&backup, &backup).is_empty());
        let mut missing = backup.clone();
        missing.remove("a");
        assert_eq!(differences(&backup, &missing), ["a: missing"]);
    }
}
