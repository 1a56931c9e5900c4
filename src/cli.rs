//! The command line: `serve`, `migrate`, `demo`, `district create`, `admin create`.

use crate::app::{AppState, router};
use crate::config::{ServeConfig, WebConfig, parse_listen};
use crate::db::{self, Db, embedded::Cluster, watchdog::Watchdog};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "cedu — 社区教育管理平台

usage:
  cedu serve [--listen ADDR] [--data-dir DIR]   run the web server (default 127.0.0.1:8080, ./var)
  cedu migrate                                   apply database migrations
    cedu demo                                      load the demo districts (idempotent)
  cedu demo --scale N [--seed S]                 add N synthetic districts at province scale
  cedu district create --code CODE --name NAME --college-code CODE --college-name NAME
  cedu admin create --district CODE --username NAME --display-name TEXT
  cedu admin create --platform --username NAME --display-name TEXT

With DATABASE_URL set, cedu uses that PostgreSQL server; otherwise it runs its own cluster
under the data directory (CEDU_DATA_DIR, default ./var). `admin create` reads the password
from CEDU_ADMIN_PASSWORD, or makes one up and prints it.
Environment: CEDU_LISTEN, CEDU_DATA_DIR, DATABASE_URL, CEDU_SECURE_COOKIES=1 (behind TLS),
CEDU_TRUST_PROXY=1 (client address from X-Forwarded-For), RUST_LOG.";

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") || args.is_empty() {
        println!("{USAGE}");
        return if args.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    init_tracing();
    limit_malloc_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cedu: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives every thread that allocates its own arena and raises its mmap threshold after a
/// large free; argon2's 19 MiB working sets then stay resident per blocking thread (measured:
/// 60 MB to 570 MB after a login flood). A fixed threshold returns them to the system.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called once before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

/// `--name value` pairs and bare `--flag`s.
struct Flags(Vec<String>);

impl Flags {
    fn value(&self, name: &str) -> Result<Option<String>, String> {
        match self.0.iter().position(|a| a == name) {
            Some(i) => self
                .0
                .get(i + 1)
                .cloned()
                .map(Some)
                .ok_or_else(|| format!("{name} needs a value")),
            None => Ok(None),
        }
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.value(name)?
            .ok_or_else(|| format!("{name} is required\n\n{USAGE}"))
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let mut config = ServeConfig::from_env()?;
    let command: Vec<&str> = args
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let flags = Flags(args.clone());
    if let Some(listen) = flags.value("--listen")? {
        config.listen = parse_listen(&listen)?;
    }
    if let Some(dir) = flags.value("--data-dir")? {
        config.data_dir = PathBuf::from(dir);
    }
    match command.as_slice() {
        ["serve"] => serve(config).await,
        ["migrate"] => with_database(&config, |_| async { Ok(()) }).await,
        ["demo"] if flags.has("--scale") => {
            let n: u32 = flags
                .required("--scale")?
                .parse()
                .map_err(|_| "--scale takes a number of districts".to_string())?;
            let seed: u64 = flags
                .value("--seed")?
                .map_or(Ok(1), |s| s.parse())
                .map_err(|_| "--seed takes a number".to_string())?;
            with_database(&config, |db| async move {
                let started = std::time::Instant::now();
                let added = crate::scale::generate(&db, n, seed).await?;
                println!(
                    "{added} synthetic districts added in {:.1} s (seed {seed})",
                    started.elapsed().as_secs_f64()
                );
                Ok(())
            })
            .await
        }
        ["demo"] => {
            with_database(&config, |db| async move {
                let loaded = crate::demo::load(&db).await.map_err(|e| e.to_string())?;
                println!(
                    "{}",
                    if loaded {
                        crate::demo::accounts_text()
                    } else {
                        "demo districts already present".into()
                    }
                );
                Ok(())
            })
            .await
        }
        ["district", "create"] => {
            let form = crate::platform::DistrictForm {
                code: flags.required("--code")?,
                name: flags.required("--name")?,
                college_code: flags.required("--college-code")?,
                college_name: flags.required("--college-name")?,
                division_code: flags.value("--division-code")?.unwrap_or_default(),
                ..Default::default()
            };
            with_database(&config, |db| async move {
                crate::admin::create_district(&db, form).await
            })
            .await
        }
        ["admin", "create"] => {
            let request = crate::admin::AdminRequest {
                district: if flags.has("--platform") {
                    None
                } else {
                    Some(flags.required("--district")?)
                },
                username: flags.required("--username")?,
                display_name: flags.required("--display-name")?,
                password: std::env::var("CEDU_ADMIN_PASSWORD").ok(),
            };
            with_database(&config, |db| async move {
                crate::admin::create_admin(&db, request).await
            })
            .await
        }
        _ => Err(format!("unknown command: {}\n\n{USAGE}", args.join(" "))),
    }
}

/// Where the database is: DATABASE_URL, or the embedded cluster (started if it is not running).
struct Database {
    url: String,
    cluster: Option<Cluster>,
    created: bool,
}

async fn open_database(config: &ServeConfig) -> Result<Database, String> {
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
    let created = ensure_database(&cluster).await?;
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
    fn stop(self) {
        if let Some(Err(e)) = self.cluster.map(|c| c.stop()) {
            eprintln!("cedu: {e}");
        }
    }
}

async fn with_database<F, Fut>(config: &ServeConfig, work: F) -> Result<(), String>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let database = open_database(config).await?;
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

async fn serve(config: ServeConfig) -> Result<(), String> {
    let database = open_database(&config).await?;
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
    let state = AppState {
        db: db.clone(),
        web: WebConfig {
            secure_cookies: config.secure_cookies,
            trust_forwarded_for: config.trust_forwarded_for,
        },
        key: std::sync::Arc::new(key),
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    match &config.database_url {
        None => println!("cedu: embedded PostgreSQL in {}", config.data_dir.display()),
        Some(_) => println!("cedu: database from DATABASE_URL"),
    }
    if first_start {
        println!("{}", crate::demo::accounts_text());
    }
    println!(
        "cedu: listening on http://{}  (Ctrl-C stops)",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    db.app.close().await;
    db.sys.close().await;
    println!("cedu: stopped");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
