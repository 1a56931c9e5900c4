//! Backups that restore: `cedu backup` and `cedu restore` as an operator runs them, and the
//! embedded default's daily backup with its pruning and its line on the platform's page.

use crate::support::process::{Served, run};
use crate::support::{DEMO_PASSWORD, empty_database, fresh_database};
use cedu::db::embedded::Cluster;
use cedu::ops::manifest::{Manifest, PINNED_TEXT, TableSum, table_sums};
use sqlx::{Connection, Executor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A folder of its own for one test, gone when it is dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cedu-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every table's rows and checksum, read the way a backup reads them.
async fn sums(url: &str) -> BTreeMap<String, TableSum> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    conn.execute("begin").await.unwrap();
    conn.execute(PINNED_TEXT).await.unwrap();
    let sums = table_sums(&mut conn).await.unwrap();
    conn.execute("commit").await.unwrap();
    sums
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn a_backup_restores_into_a_fresh_cluster_with_the_same_rows_in_every_table() {
    let scratch = Scratch::new("backup-restore");
    let url = fresh_database().await;
    let key = cedu::crypto::DataKey::generate_hex();
    let dump = scratch.join("cedu.dump");

    let (ok, printed) = run(
        &["backup", "--to", path(&dump), "--with-key"],
        &[("DATABASE_URL", &url), ("CEDU_DATA_KEY", &key)],
    );
    assert!(ok, "{printed}");
    assert!(printed.contains("Keep it apart from the dump"), "{printed}");
    let manifest = Manifest::read(&dump).unwrap();
    let source = sums(&url).await;
    assert_eq!(
        manifest.tables, source,
        "the manifest describes the database"
    );
    assert!(manifest.tables["org_unit"].rows > 20 && manifest.tables["platform_user"].rows > 5);
    assert_eq!(manifest.last_migration, cedu::db::latest_migration());
    let key_file = std::fs::read_to_string(scratch.join("cedu.dump.key")).unwrap();
    assert_eq!(key_file.trim(), key);

    // Into a data directory with nothing in it: a new cluster, with the key beside the dump.
    let target = scratch.join("restored");
    let (ok, printed) = run(&["restore", path(&dump), "--data-dir", path(&target)], &[]);
    assert!(ok, "{printed}");
    assert!(
        printed.contains("every count and checksum as in the manifest"),
        "{printed}"
    );
    assert_eq!(
        std::fs::read_to_string(target.join("data.key"))
            .unwrap()
            .trim(),
        key
    );
    let cluster = Cluster::open(&target).unwrap();
    cluster.start().unwrap();
    let restored = sums(&cluster.url(cedu::db::embedded::DATABASE)).await;
    cluster.stop().unwrap();
    assert_eq!(restored, source, "every table's rows and checksum");

    // And it serves: the request role, its grants and the session functions came back too.
    let server = Served::start(
        &["--data-dir", path(&target), "--backup-interval", "off"],
        &[],
    );
    let bureau = server.client();
    let signed_in = bureau.try_login("mengjin-bureau", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    bureau.get("/units").await.assert_contains("城关镇");
    drop(server.stop());
}

#[tokio::test]
async fn a_restore_refuses_a_target_that_is_not_empty_and_a_dump_its_manifest_does_not_describe() {
    let scratch = Scratch::new("restore-refusals");
    let url = fresh_database().await;
    let dump = scratch.join("cedu.dump");
    let (ok, printed) = run(&["backup", "--to", path(&dump)], &[("DATABASE_URL", &url)]);
    assert!(ok, "{printed}");

    let (ok, printed) = run(&["restore", path(&dump)], &[("DATABASE_URL", &url)]);
    assert!(!ok && printed.contains("is not empty"), "{printed}");
    let target = scratch.join("restored");
    let (ok, printed) = run(&["restore", path(&dump), "--data-dir", path(&target)], &[]);
    assert!(ok, "{printed}");
    assert!(printed.contains("no data key given"), "{printed}");
    let (ok, printed) = run(&["restore", path(&dump), "--data-dir", path(&target)], &[]);
    assert!(
        !ok && printed.contains("is not empty"),
        "a second time: {printed}"
    );

    let tampered = scratch.join("tampered.dump");
    let mut bytes = std::fs::read(&dump).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&tampered, bytes).unwrap();
    std::fs::copy(
        scratch.join("cedu.dump.manifest.json"),
        scratch.join("tampered.dump.manifest.json"),
    )
    .unwrap();
    let empty = empty_database().await;
    let (ok, printed) = run(&["restore", path(&tampered)], &[("DATABASE_URL", &empty)]);
    assert!(
        !ok && printed.contains("is not the dump its manifest describes"),
        "{printed}"
    );
    // The empty database takes the real one.
    let (ok, printed) = run(&["restore", path(&dump)], &[("DATABASE_URL", &empty)]);
    assert!(ok, "{printed}");
    assert_eq!(sums(&empty).await, sums(&url).await);
}

/// How many backups the server has logged as taken.
fn taken(server: &Served) -> usize {
    server.printed().matches("backup taken").count()
}

#[tokio::test]
async fn the_embedded_default_backs_itself_up_prunes_and_shows_the_last_backup_to_the_platform() {
    let scratch = Scratch::new("daily-backup");
    let data = scratch.join("data");
    let args = [
        "--data-dir",
        path(&data),
        "--backup-interval",
        "2s",
        "--backup-keep",
        "2",
    ];
    let server = Served::start(&args, &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while taken(&server) < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "three backups within two minutes:\n{}",
            server.printed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let platform = server.client();
    let signed_in = platform.try_login("platform", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let page = platform.get("/platform/districts").await;
    page.assert_contains("id=\"last-backup\">最近一次备份");
    page.assert_contains("完整");
    page.assert_contains("cedu-");
    drop(server.stop());

    let backups = data.join("backups");
    let kept = cedu::ops::schedule::kept(&backups);
    assert_eq!(kept.len(), 2, "the newest two are kept: {kept:?}");
    for backup in &kept {
        let manifest = Manifest::read(&backups.join(&backup.file)).unwrap();
        assert!(manifest.tables["account"].rows > 5);
    }
    let dumps = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".dump"))
        .count();
    assert_eq!(dumps, 2, "pruned files go with their manifests");

    // A backup that cannot be written is logged and shown as failed.
    std::fs::rename(&backups, scratch.join("backups.away")).unwrap();
    std::fs::write(&backups, "not a folder").unwrap();
    let server = Served::start(&args, &[]);
    server.wait_for("backup failed", Duration::from_secs(60));
    let platform = server.client();
    platform.try_login("platform", DEMO_PASSWORD).await;
    let page = platform.get("/platform/districts").await;
    page.assert_contains("id=\"last-backup\" class=\"error\">最近一次备份失败");
    page.assert_contains("原因：");
    drop(server.stop());
}

/// A database as cedu left it at migration 0014, before the account was split (0022), with a
/// district administrator, a platform administrator and their sessions.
async fn database_at_migration_14(scratch: &Scratch) -> String {
    let old = scratch.join("migrations-0014");
    std::fs::create_dir_all(&old).unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(all).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name[..4].parse::<u32>().unwrap() <= 14 {
            std::fs::copy(entry.path(), old.join(&name)).unwrap();
        }
    }
    let url = empty_database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool.execute(
        "insert into tenant (code, name) values ('luoning', '洛宁县');
         insert into org_unit (tenant_id, kind, path, code, name) values (1, 'college', '', 'LN', '洛宁县社区教育学院');
         insert into account (tenant_id, username, display_name, password_hash, role)
              values (1, 'luoning-bureau', '洛宁县教体局', 'hash-of-the-bureau', 'district_admin'),
                     (null, 'ops', '平台运维', 'hash-of-ops', 'platform_admin');
         insert into session (id_hash, account_id, csrf_token) select '\\x01', id, 'a' from account where username = 'luoning-bureau';
         insert into session (id_hash, account_id, csrf_token) select '\\x02', id, 'b' from account where username = 'ops';",
    )
    .await
    .unwrap();
    pool.close().await;
    url
}

#[tokio::test]
async fn a_restore_of_an_older_backup_applies_the_later_migrations_to_its_data() {
    let scratch = Scratch::new("restore-older");
    let url = database_at_migration_14(&scratch).await;
    let dump = scratch.join("old.dump");
    let (ok, printed) = run(&["backup", "--to", path(&dump)], &[("DATABASE_URL", &url)]);
    assert!(ok, "{printed}");
    assert_eq!(Manifest::read(&dump).unwrap().last_migration, 14);

    let target = empty_database().await;
    let (ok, printed) = run(&["restore", path(&dump)], &[("DATABASE_URL", &target)]);
    assert!(ok, "{printed}");
    assert!(
        printed.contains(&format!("migrations 14 → {}", cedu::db::latest_migration())),
        "{printed}"
    );
    let mut conn = sqlx::PgConnection::connect(&target).await.unwrap();
    let people: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "select username, password_hash, home_tenant_id from platform_user order by username",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        people,
        [
            (
                "luoning-bureau".into(),
                "hash-of-the-bureau".into(),
                Some(1)
            ),
            ("ops".into(), "hash-of-ops".into(), None)
        ]
    );
    let (members, admins, sessions): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from account), (select count(*) from platform_admin), (select count(*) from session)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((members, admins, sessions), (1, 1, 2));
}
