//! The embedded default: a private PostgreSQL cluster under the data directory.
//!
//! It listens only on a Unix socket inside the data directory. As root, PostgreSQL refuses to
//! run, so the cluster files belong to the `postgres` system user and its programs run as it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const DATABASE: &str = "cedu";

#[derive(Debug, Clone)]
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    log: PathBuf,
    run_as: Option<String>,
}

impl Cluster {
    /// Prepares (but does not start) the cluster under `dir`, creating it with initdb if new.
    pub fn open(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let run_as = is_root().then(|| "postgres".to_string());
        let cluster = Self {
            bin: find_bin_dir()?,
            data: dir.join("pgdata"),
            socket_dir: dir.join("run"),
            log: dir.join("postgres.log"),
            run_as,
        };
        std::fs::create_dir_all(&cluster.socket_dir).map_err(|e| e.to_string())?;
        if let Some(user) = &cluster.run_as {
            chown_to(user, &dir)?;
            chown_to(user, &cluster.socket_dir)?;
        }
        if !cluster.data.join("PG_VERSION").exists() {
            cluster.initdb()?;
        }
        Ok(cluster)
    }

    fn initdb(&self) -> Result<(), String> {
        let data = self.data.to_string_lossy().into_owned();
        let out = self.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
        )?;
        check(out, "initdb")
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) -> Result<(), String> {
        let options = format!(
            "-k {} -c listen_addresses='' -c unix_socket_permissions=0700 -c max_connections=200",
            self.socket_dir.display()
        );
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data.to_string_lossy(),
                "-l",
                &self.log.to_string_lossy(),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )?;
        check(out, "pg_ctl start").map_err(|e| format!("{e}\n(see {})", self.log.display()))
    }

    /// Stops the server, letting it finish cleanly.
    pub fn stop(&self) -> Result<(), String> {
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data.to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )?;
        check(out, "pg_ctl stop")
    }

    pub fn is_running(&self) -> bool {
        self.run("pg_ctl", &["-D", &self.data.to_string_lossy(), "status"])
            .is_ok_and(|o| o.status.success())
    }

    /// The postmaster's pid while it runs: the one postmaster.pid names, if that process exists.
    /// After a crash the file stays behind; PostgreSQL's own start makes the same check.
    pub fn postmaster_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        let pid = text
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
            .filter(|p| *p > 0)?;
        // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        exists.then_some(pid)
    }

    /// The last lines of the server's log, joined by " | ": what it said before it stopped.
    pub fn log_tail(&self, lines: usize) -> String {
        use std::io::{Read, Seek, SeekFrom};
        let mut end = Vec::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let len = file.metadata().map_or(0, |m| m.len());
            let _ = file.seek(SeekFrom::Start(len.saturating_sub(4096)));
            let _ = file.read_to_end(&mut end);
        }
        let text = String::from_utf8_lossy(&end);
        let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        all[all.len().saturating_sub(lines)..].join(" | ")
    }

    /// The URL of a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}",
            self.socket_dir.display()
        )
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let exe = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args)
            .current_dir("/")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))
    }
}

fn check(out: Output, what: &str) -> Result<(), String> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Where the PostgreSQL server programs are: beside `pg_ctl` on PATH, or the newest under /usr/lib/postgresql.
pub fn find_bin_dir() -> Result<PathBuf, String> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    for dir in on_path {
        let candidate = dir.join("pg_ctl");
        let real = candidate
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        if let Some(real) = real.filter(|r| r.join("initdb").is_file()) {
            return Ok(real);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, p): &(u32, PathBuf)| p.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p).ok_or_else(|| {
        "PostgreSQL server programs not found (install the `postgresql` package, or set DATABASE_URL)".into()
    })
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn chown_to(user: &str, path: &Path) -> Result<(), String> {
    let out = Command::new("chown")
        .arg(format!("{user}:"))
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    check(out, "chown")
}
