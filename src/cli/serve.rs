//! `cedu serve`: the web server, with its metrics listener and the embedded default's daily
//! backups when asked for them.

use super::database::{self, Database};
use crate::app::{AppState, router};
use crate::config::{ServeConfig, WebConfig};
use crate::db::{self, Db, watchdog::Watchdog};
use crate::ops::logs::say;
use crate::ops::schedule::{self, Backups, Schedule};
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn serve(config: ServeConfig) -> Result<(), String> {
    let database = database::open(&config).await?;
    let watchdog = database.cluster.clone().map(Watchdog::spawn);
    let result = serve_on(&config, &database).await;
    if let Some(watchdog) = watchdog {
        watchdog.stop().await;
    }
    database.stop();
    result
}

async fn serve_on(config: &ServeConfig, database: &Database) -> Result<(), String> {
    // With DATABASE_URL the key must come from the environment; the embedded default keeps
    // one in its data directory.
    let key_dir = config
        .database_url
        .is_none()
        .then_some(config.data_dir.as_path());
    let key = crate::crypto::DataKey::from_env_or_dir(key_dir)?;
    db::migrate(&database.url)
        .await
        .map_err(|e| format!("migrations: {e}"))?;
    let db = Db::connect(&database.url)
        .await
        .map_err(|e| e.to_string())?;
    let first_start =
        database.created && crate::demo::load(&db).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    if let Some(addr) = config.metrics_listen {
        let handle = crate::ops::metrics::install()?;
        crate::ops::metrics::serve(addr, handle, db.clone()).await?;
    }
    // The embedded default backs itself up; a server of DATABASE_URL has operators for that.
    let backups = Arc::new(Backups::new(
        config
            .backup_interval
            .filter(|_| config.database_url.is_none())
            .map(|every| Schedule {
                dir: config.backup_dir(),
                every,
                keep: config.backup_keep.max(1),
            }),
    ));
    let state = AppState {
        db: db.clone(),
        web: WebConfig {
            secure_cookies: config.secure_cookies,
            trust_forwarded_for: config.trust_forwarded_for,
        },
        key: Arc::new(key),
        backups: backups.clone(),
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    match &config.database_url {
        None => say(&format!(
            "cedu: embedded PostgreSQL in {}",
            config.data_dir.display()
        )),
        Some(_) => say("cedu: database from DATABASE_URL"),
    }
    if let Some(s) = &backups.schedule {
        say(&format!(
            "cedu: a backup every {} into {}, the last {} kept",
            crate::ops::schedule::describe_interval(s.every),
            s.dir.display(),
            s.keep
        ));
    }
    if first_start {
        say(&crate::demo::accounts_text());
    }
    say(&format!(
        "cedu: listening on http://{}  (Ctrl-C stops)",
        listener.local_addr().map_err(|e| e.to_string())?
    ));
    let key_hex = crate::crypto::DataKey::hex_from_env_or_dir(key_dir);
    let backing_up = schedule::spawn(backups, database.url.clone(), key_hex);
    let purging = tokio::spawn(purge_signups(db.sys.clone()));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string());
    // A backup in progress is dropped (its pg_dump killed, its partial file removed at the
    // next prune) before the cluster stops.
    if let Some(task) = backing_up {
        task.abort();
        let _ = task.await;
    }
    purging.abort();
    served?;
    db.app.close().await;
    db.sys.close().await;
    say("cedu: stopped");
    Ok(())
}

/// Deletes the residents' sign-ups a year after their activity (个人信息保护法: kept no longer
/// than their purpose needs): at start, then every six hours.
async fn purge_signups(pool: sqlx::PgPool) {
    loop {
        match crate::activities::repo::signups::purge(&pool, crate::web::today()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "sign-ups past their year deleted"),
            Err(e) => tracing::warn!(error = %e, "deleting old sign-ups failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(6 * 3600)).await;
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
