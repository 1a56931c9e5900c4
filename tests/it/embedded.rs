//! The embedded default: `cedu serve` starts its own PostgreSQL, stops it on Ctrl-C, reuses
//! the same data on the next start, and brings the database back when it dies.

use crate::support::{Client, DEMO_PASSWORD};
use cedu::db::embedded::Cluster;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `cedu serve`: what it printed up to "listening", and what it has printed since.
struct Served {
    child: Child,
    printed: String,
    since: Arc<Mutex<String>>,
    dir: PathBuf,
}

/// Where the kill test hides the data directory so the cluster cannot start.
const HIDDEN_PGDATA: &str = "pgdata.away";

impl Drop for Served {
    fn drop(&mut self) {
        // A failed test must not leave a server or its cluster running.
        if std::thread::panicking() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::rename(self.dir.join(HIDDEN_PGDATA), self.dir.join("pgdata"));
            if let Ok(cluster) = Cluster::open(&self.dir) {
                let _ = cluster.stop();
            }
        }
    }
}

/// Starts `cedu serve` and returns once it is listening.
fn start(dir: &Path, port: u16) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cedu"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            dir.to_str().unwrap(),
        ])
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    assert!(
        printed.contains("listening on"),
        "server did not start:\n{printed}"
    );
    // Keep reading so the server never blocks on a full pipe.
    let since = Arc::new(Mutex::new(String::new()));
    let sink = since.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut sink = sink.lock().unwrap();
            sink.push_str(&line);
            sink.push('\n');
        }
    });
    Served {
        child,
        printed,
        since,
        dir: dir.to_path_buf(),
    }
}

fn interrupt_and_wait(served: &mut Served) {
    let child = &mut served.child;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "clean exit after Ctrl-C: {status}");
            return;
        }
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether the server can serve: `/readyz` asks the database (issue 18 made `/healthz` the
/// process's own liveness, which these tests check beside it).
async fn health(port: u16) -> reqwest::StatusCode {
    probe(port, "/readyz").await
}

async fn probe(port: u16, path: &str) -> reqwest::StatusCode {
    reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_embedded_default_starts_stops_and_restarts_on_the_same_data() {
    let dir = std::env::temp_dir().join(format!("cedu-embedded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let port = free_port();

    let mut first = start(&dir, port);
    let printed = &first.printed;
    assert!(
        printed.contains("mengjin-bureau") && printed.contains("cedu-demo-2026"),
        "demo accounts printed at first start:\n{printed}"
    );
    assert_eq!(health(port).await, 200);
    interrupt_and_wait(&mut first);
    let cluster = Cluster::open(&dir).unwrap();
    assert!(!cluster.is_running(), "Ctrl-C stops the cluster too");

    let mut second = start(&dir, port);
    let printed = &second.printed;
    assert!(
        !printed.contains("cedu-demo-2026"),
        "demo data is not loaded twice:\n{printed}"
    );
    assert_eq!(health(port).await, 200);
    let login = reqwest::get(format!("http://127.0.0.1:{port}/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("社区教育管理平台"));
    interrupt_and_wait(&mut second);
    assert!(!cluster.is_running());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_killed_embedded_database_answers_503_then_is_restarted_and_served_again() {
    let dir = std::env::temp_dir().join(format!("cedu-embedded-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let port = free_port();
    let mut server = start(&dir, port);
    let client = Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let signed_in = client.try_login("mengjin-bureau", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(client.get("/home").await.status, 200);

    // Kill -9 the postmaster. Its data directory is moved aside first, so the watchdog's
    // restarts fail and the database stays away until the test puts it back.
    let pgdata = dir.join("pgdata");
    let pid_file = std::fs::read_to_string(pgdata.join("postmaster.pid")).unwrap();
    let pid: i32 = pid_file.lines().next().unwrap().parse().unwrap();
    std::fs::rename(&pgdata, dir.join(HIDDEN_PGDATA)).unwrap();
    // SAFETY: a signal to the postmaster this test's server started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    // Its backends notice the postmaster's death and exit within moments; on a loaded machine
    // one can still answer a query just after the kill. The database is away once they have.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // More requests at once than the pool has idle connections: the first find dead ones,
    // the rest no server. Each gets the 503 page within the pool's acquire timeout, and /healthz
    // within its own shorter one.
    let page_while_away = || {
        let (http, url) = (client.http.clone(), format!("{}/home", client.base));
        async move {
            let asked = Instant::now();
            let page = Client::page(http.get(url).send().await.unwrap()).await;
            (page, asked.elapsed())
        }
    };
    let answers = tokio::join!(
        page_while_away(),
        page_while_away(),
        page_while_away(),
        page_while_away(),
        page_while_away(),
        page_while_away()
    );
    for (page, took) in [
        answers.0, answers.1, answers.2, answers.3, answers.4, answers.5,
    ] {
        assert_eq!(page.status, 503, "a page while the database is away");
        page.assert_contains("服务暂不可用");
        assert!(
            took < cedu::db::ACQUIRE_TIMEOUT + Duration::from_secs(2),
            "a page answered after {took:?}"
        );
    }
    let asked = Instant::now();
    assert_eq!(health(port).await, 503);
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "/readyz answered after {:?}",
        asked.elapsed()
    );
    assert_eq!(
        probe(port, "/healthz").await,
        200,
        "the process itself is alive"
    );

    // Put the data back: the watchdog starts the cluster and pages are served again.
    std::fs::rename(dir.join(HIDDEN_PGDATA), &pgdata).unwrap();
    let back = Instant::now();
    while !(health(port).await == 200 && client.get("/home").await.status == 200) {
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "not serving again 15 s after the data came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The watchdog logs the restart once `pg_ctl start` returns, which can be a moment after
    // the pool has already reconnected and served a page.
    let logged_by = Instant::now();
    let logged = loop {
        let logged = server.since.lock().unwrap().clone();
        if logged.contains("cluster restarted") || logged_by.elapsed() > Duration::from_secs(5) {
            break logged;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        logged.contains("postmaster exited") && logged.contains("cluster restarted"),
        "the restart and its reason are logged:\n{logged}"
    );

    interrupt_and_wait(&mut server);
    assert!(
        !Cluster::open(&dir).unwrap().is_running(),
        "Ctrl-C stops the restarted cluster, and nothing starts it again"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
