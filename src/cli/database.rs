//! Where the database is: `DATABASE_URL`, or the embedded cluster under the data directory
//! (started if it is not running, and stopped again by whoever started it).

use crate::config::ServeConfig;
use crate::db::{self, Db, embedded::Cluster};

pub struct Database {
    pub url: String,
    /// The embedded cluster, when this process started it (and so stops it).
    pub cluster: Option<Cluster>,
    /// The embedded database was created just now.
    pub created: bool,
}

pub async fn open(config: &ServeConfig) -> Result<Database, String> {
    if let Some(url) = &config.database_url {
        return Ok(Database {
            url: url.clone(),
            cluster: None,
            created: false,
        });
    }
    let cluster = Cluster::open(&config.data_dir)?;
    let started_here = !cluster.is_running();
    if started_here {
        cluster.start()?;
    }
    let created = ensure_database(&cluster).await;
    let created = match created {
        Ok(created) => created,
        Err(e) => {
            if started_here {
                let _ = cluster.stop();
            }
            return Err(e);
        }
    };
    let url = cluster.url(db::embedded::DATABASE);
    Ok(Database {
        url,
        cluster: started_here.then_some(cluster),
        created,
    })
}

async fn ensure_database(cluster: &Cluster) -> Result<bool, String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .map_err(|e| e.to_string())?;
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(db::embedded::DATABASE)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    if !exists {
        sqlx::query(&format!("create database {}", db::embedded::DATABASE))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(!exists)
}

impl Database {
    pub fn stop(self) {
        if let Some(Err(e)) = self.cluster.map(|c| c.stop()) {
            eprintln!("cedu: {e}");
        }
    }
}

/// Opens the database, applies the migrations, runs `work` and stops what it started.
pub async fn with_migrated<F, Fut>(config: &ServeConfig, work: F) -> Result<(), String>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let database = open(config).await?;
    let result = async {
        db::migrate(&database.url)
            .await
            .map_err(|e| format!("migrations: {e}"))?;
        let db = Db::connect(&database.url)
            .await
            .map_err(|e| e.to_string())?;
        let result = work(db.clone()).await;
        db.app.close().await;
        db.sys.close().await;
        result
    }
    .await;
    database.stop();
    result
}
