//! `cedu backup` and `cedu restore`: the commands around `ops::backup` and `ops::restore`.

use super::database;
use crate::config::ServeConfig;
use crate::crypto::DataKey;
use std::path::{Path, PathBuf};

/// A dump and its manifest of the database cedu uses (the embedded cluster is started for it
/// if it is not running), to `to` or a new file in the backup folder.
pub async fn backup(
    config: &ServeConfig,
    to: Option<PathBuf>,
    with_key: bool,
) -> Result<(), String> {
    let to = to.unwrap_or_else(|| {
        config.backup_dir().join(format!(
            "cedu-{}.dump",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ")
        ))
    });
    let key_dir = config
        .database_url
        .is_none()
        .then_some(config.data_dir.as_path());
    let key = DataKey::hex_from_env_or_dir(key_dir);
    let database = database::open(config).await?;
    let taken = crate::ops::backup::take(&database.url, &to, key.as_deref(), with_key).await;
    database.stop();
    let taken = taken?;
    let rows: i64 = taken.manifest.tables.values().map(|t| t.rows).sum();
    println!(
        "backup {} ({} bytes, {} tables, {rows} rows, migration {}) in {:.1} s",
        taken.dump.display(),
        taken.manifest.dump_bytes,
        taken.manifest.tables.len(),
        taken.manifest.last_migration,
        taken.took.as_secs_f64()
    );
    println!(
        "manifest {}",
        crate::ops::manifest::path_of(&taken.dump).display()
    );
    if let Some(key) = &taken.key {
        eprintln!(
            "cedu: the data key is in {}. Keep it apart from the dump: together they reveal the ID numbers; \
             a dump without its key has lost them. Move it somewhere else now.",
            key.display()
        );
    }
    Ok(())
}

/// Restores `dump` into `DATABASE_URL`, or into the embedded cluster of the data directory
/// (made if there is none); either must be empty.
pub async fn restore(
    config: &ServeConfig,
    dump: &Path,
    data_dir_given: bool,
    key_file: Option<&Path>,
) -> Result<(), String> {
    if config.database_url.is_some() && data_dir_given {
        return Err("restore into DATABASE_URL or into --data-dir, not both".into());
    }
    let key = crate::ops::restore::data_key(dump, key_file)?;
    let key_path = config.data_dir.join("data.key");
    let embedded = config.database_url.is_none();
    if embedded
        && let (Some(given), Ok(present)) = (&key, std::fs::read_to_string(&key_path))
        && present.trim() != given
    {
        return Err(format!(
            "{} holds another data key; restore into an empty data directory",
            key_path.display()
        ));
    }
    let database = database::open(config).await?;
    let restored = crate::ops::restore::into_database(dump, &database.url).await;
    database.stop();
    let restored = restored?;
    println!(
        "restored {} tables, {} rows, every count and checksum as in the manifest; migrations {} → {}",
        restored.tables, restored.rows, restored.migrated.0, restored.migrated.1
    );
    match (embedded, key) {
        (true, Some(hex)) if !key_path.exists() => {
            crate::crypto::write_private(&key_path, &hex)?;
            println!("data key written to {}", key_path.display());
        }
        (true, Some(_)) => {}
        (_, None) => eprintln!(
            "cedu: no data key given: the encrypted ID numbers need the backup's key \
             (--key FILE, or CEDU_DATA_KEY when serving)"
        ),
        (false, Some(_)) => {
            println!("serve it with the same key: CEDU_DATA_KEY");
        }
    }
    Ok(())
}
