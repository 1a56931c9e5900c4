//! `cedu restore FILE`: a backup into an empty database (`DATABASE_URL`) or an empty embedded
//! cluster (`--data-dir`, created if it is not there). It refuses anything that holds tables,
//! checks the dump against its manifest's size and SHA-256 first, restores it in one
//! transaction, compares every table's row count and checksum with the manifest (saying what
//! differs, and stopping there if anything does), and only then applies the migrations the
//! backup predates.

use super::manifest::{self, Manifest};
use crate::crypto::DataKey;
use sqlx::{Connection, Executor, PgConnection};
use std::path::Path;

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub tables: usize,
    pub rows: i64,
    /// Migrations applied after the restore (the backup's last, and now the binary's).
    pub migrated: (i64, i64),
}

/// Restores `dump` into the empty database at `url`.
pub async fn into_database(dump: &Path, url: &str) -> Result<Restored, String> {
    let manifest = Manifest::read(dump)?;
    let (sha, bytes) = manifest::file_digest(dump)?;
    if (sha.as_str(), bytes) != (manifest.dump_sha256.as_str(), manifest.dump_bytes) {
        return Err(format!(
            "{} is not the dump its manifest describes ({bytes} bytes, SHA-256 {sha}; the manifest says {} bytes, {})",
            dump.display(),
            manifest.dump_bytes,
            manifest.dump_sha256
        ));
    }
    let built = crate::db::latest_migration();
    if manifest.last_migration > built {
        return Err(format!(
            "the backup is at migration {}, newer than this cedu ({built}): restore it with a newer one",
            manifest.last_migration
        ));
    }
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    refuse_unless_empty(&mut conn).await?;
    ensure_request_role(&mut conn).await?;
    pg_restore(dump, url).await?;

    conn.execute("begin isolation level repeatable read, read only")
        .await
        .map_err(|e| e.to_string())?;
    conn.execute(manifest::PINNED_TEXT)
        .await
        .map_err(|e| e.to_string())?;
    let found = manifest::table_sums(&mut conn)
        .await
        .map_err(|e| format!("checksums: {e}"))?;
    let _ = conn.execute("commit").await;
    let _ = conn.close().await;
    let differences = manifest::differences(&manifest.tables, &found);
    if !differences.is_empty() {
        return Err(format!(
            "the restored database differs from the backup's manifest (nothing migrated; the restored data is left for inspection):\n  {}",
            differences.join("\n  ")
        ));
    }
    crate::db::migrate(url)
        .await
        .map_err(|e| format!("migrations after the restore: {e}"))?;
    Ok(Restored {
        tables: found.len(),
        rows: found.values().map(|t| t.rows).sum(),
        migrated: (manifest.last_migration, built),
    })
}

/// The data key the restored cluster will need, checked against the manifest's key id: from
/// `--key FILE`, else `<dump>.key` beside the dump, else `CEDU_DATA_KEY`.
pub fn data_key(dump: &Path, key_file: Option<&Path>) -> Result<Option<String>, String> {
    let manifest = Manifest::read(dump)?;
    let beside = super::backup::with_suffix(dump, ".key");
    let hex = match key_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .trim()
                .to_string(),
        ),
        None if beside.is_file() => Some(
            std::fs::read_to_string(&beside)
                .map_err(|e| format!("{}: {e}", beside.display()))?
                .trim()
                .to_string(),
        ),
        None => DataKey::hex_from_env_or_dir(None),
    };
    let Some(hex) = hex else {
        return Ok(None);
    };
    let key = DataKey::from_hex(&hex)?;
    if let Some(wanted) = &manifest.data_key_id
        && key.id() != *wanted
    {
        return Err(format!(
            "that data key is not the backup's (key id {}, the backup's is {wanted})",
            key.id()
        ));
    }
    Ok(Some(hex))
}

/// A database with any table, view or sequence outside the system schemas is not a target.
async fn refuse_unless_empty(conn: &mut PgConnection) -> Result<(), String> {
    let (relations, database): (i64, String) = sqlx::query_as(
        "select count(*), current_database()::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
            and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    if relations > 0 {
        return Err(format!(
            "database {database} is not empty ({relations} tables, views or sequences): restore only into an empty one"
        ));
    }
    Ok(())
}

/// Roles belong to the cluster, not to a dump: the request role the schema grants to, able to
/// log in (migrations 0001, 0024), and the restoring role a member of it.
async fn ensure_request_role(conn: &mut PgConnection) -> Result<(), String> {
    conn.execute(
        "do $$ begin
             if not exists (select 1 from pg_roles where rolname = 'cedu_app') then
                 create role cedu_app login nosuperuser nobypassrls noinherit;
             else
                 alter role cedu_app login;
             end if;
         end $$;
         grant cedu_app to current_user",
    )
    .await
    .map_err(|e| format!("the request role cedu_app: {e}"))?;
    Ok(())
}

/// pg_restore in one transaction, stopping at the first error. Objects belong to the restoring
/// role; the grants to cedu_app come back with the dump.
async fn pg_restore(dump: &Path, url: &str) -> Result<(), String> {
    let (conninfo, password) = super::backup::libpq_url(url);
    let mut command = tokio::process::Command::new(super::backup::find_program("pg_restore")?);
    command
        .args([
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
        ])
        .arg(format!("--dbname={conninfo}"))
        .arg(dump)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .map_err(|e| format!("cannot run pg_restore: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "pg_restore failed ({}), nothing restored: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}
