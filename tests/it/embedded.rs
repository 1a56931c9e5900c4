//! The embedded default: `cedu serve` starts its own PostgreSQL, stops it on Ctrl-C, and
//! reuses the same data on the next start.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `cedu serve` and returns it with what it printed up to "listening".
fn start(dir: &std::path::Path, port: u16) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cedu"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            dir.to_str().unwrap(),
        ])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        out.push_str(&line);
        out.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    assert!(out.contains("listening on"), "server did not start:\n{out}");
    // Keep draining so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, out)
}

fn interrupt_and_wait(child: &mut Child) {
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

async fn health(port: u16) -> reqwest::StatusCode {
    reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_embedded_default_starts_stops_and_restarts_on_the_same_data() {
    let dir = std::env::temp_dir().join(format!("cedu-embedded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let port = free_port();

    let (mut first, printed) = start(&dir, port);
    assert!(
        printed.contains("mengjin-bureau") && printed.contains("cedu-demo-2026"),
        "demo accounts printed at first start:\n{printed}"
    );
    assert_eq!(health(port).await, 200);
    interrupt_and_wait(&mut first);
    let cluster = cedu::db::embedded::Cluster::open(&dir).unwrap();
    assert!(!cluster.is_running(), "Ctrl-C stops the cluster too");

    let (mut second, printed) = start(&dir, port);
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
