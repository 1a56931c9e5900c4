//! The command line: `serve`, `migrate`, `demo`, `backup`, `restore`, `district create`,
//! `admin create`.

mod backup;
mod database;
mod serve;

use crate::config::{ServeConfig, parse_listen};
use crate::ops::logs::LogFormat;
use database::with_migrated;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "cedu — 社区教育管理平台

usage:
  cedu serve [--listen ADDR] [--data-dir DIR]   run the web server (default 127.0.0.1:8080, ./var)
      [--metrics-listen ADDR]                    /metrics (Prometheus) on its own address; off by default
      [--log-format text|json]                   one JSON object a line for a log collector
      [--backup-dir DIR] [--backup-keep N]       the embedded default's daily backups (DATA_DIR/backups, 14)
      [--backup-interval 24h|off]                how often (24h; 90m, 30s, off)
  cedu migrate                                   apply database migrations
  cedu demo                                      load the demo districts (idempotent)
  cedu demo --scale N [--seed S]                 add N synthetic districts at province scale
  cedu backup [--to FILE] [--with-key]           a dump (pg_dump custom format) and its manifest;
                                                 --with-key writes the data key beside it too
  cedu restore FILE [--data-dir DIR] [--key F]   into an empty cluster under DIR, or into the empty
                                                 database of DATABASE_URL; checks the manifest, migrates
  cedu district create --code CODE --name NAME --college-code CODE --college-name NAME
  cedu admin create --district CODE --username NAME --display-name TEXT
  cedu admin create --platform --username NAME --display-name TEXT

With DATABASE_URL set, cedu uses that PostgreSQL server; otherwise it runs its own cluster
under the data directory (CEDU_DATA_DIR, default ./var). `admin create` reads the password
from CEDU_ADMIN_PASSWORD, or makes one up and prints it.
Environment: CEDU_LISTEN, CEDU_DATA_DIR, DATABASE_URL, CEDU_DATA_KEY, CEDU_SECURE_COOKIES=1
(behind TLS), CEDU_TRUST_PROXY=1 (client address and request id from the proxy),
CEDU_METRICS_LISTEN, CEDU_LOG_FORMAT, RUST_LOG.";

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
    let format = match log_format(&args) {
        Ok(format) => format,
        Err(e) => {
            eprintln!("cedu: {e}");
            return ExitCode::from(2);
        }
    };
    crate::ops::logs::init(format);
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

/// `--log-format`, else `CEDU_LOG_FORMAT`, else text: read before anything logs.
fn log_format(args: &[String]) -> Result<LogFormat, String> {
    match Flags(args.to_vec()).value("--log-format")? {
        Some(f) => LogFormat::parse(&f),
        None => std::env::var("CEDU_LOG_FORMAT")
            .ok()
            .filter(|s| !s.is_empty())
            .map_or(Ok(LogFormat::Text), |s| LogFormat::parse(&s)),
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
    if let Some(listen) = flags.value("--metrics-listen")? {
        config.metrics_listen = Some(parse_listen(&listen)?);
    }
    if let Some(format) = flags.value("--log-format")? {
        config.log_format = LogFormat::parse(&format)?;
    }
    if let Some(dir) = flags.value("--backup-dir")? {
        config.backup_dir = Some(PathBuf::from(dir));
    }
    if let Some(keep) = flags.value("--backup-keep")? {
        config.backup_keep = keep
            .parse()
            .map_err(|_| "--backup-keep takes a number of backups".to_string())?;
    }
    if let Some(every) = flags.value("--backup-interval")? {
        config.backup_interval = crate::ops::schedule::parse_interval(&every)?;
    }
    match command.as_slice() {
        ["serve"] => serve::serve(config).await,
        ["migrate"] => with_migrated(&config, |_| async { Ok(()) }).await,
        ["backup"] => {
            let to = flags.value("--to")?.map(PathBuf::from);
            backup::backup(&config, to, flags.has("--with-key")).await
        }
        ["restore", file] => {
            let key = flags.value("--key")?.map(PathBuf::from);
            backup::restore(
                &config,
                std::path::Path::new(file),
                flags.has("--data-dir"),
                key.as_deref(),
            )
            .await
        }
        ["demo"] if flags.has("--scale") => {
            let n: u32 = flags
                .required("--scale")?
                .parse()
                .map_err(|_| "--scale takes a number of districts".to_string())?;
            let seed: u64 = flags
                .value("--seed")?
                .map_or(Ok(1), |s| s.parse())
                .map_err(|_| "--seed takes a number".to_string())?;
            with_migrated(&config, |db| async move {
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
            with_migrated(&config, |db| async move {
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
            with_migrated(&config, |db| async move {
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
            with_migrated(&config, |db| async move {
                crate::admin::create_admin(&db, request).await
            })
            .await
        }
        _ => Err(format!("unknown command: {}\n\n{USAGE}", args.join(" "))),
    }
}
