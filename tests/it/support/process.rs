//! The real binary, run as an operator would: `cedu serve` as a child process with its output
//! kept, and one-shot commands (`backup`, `restore`).

use super::Client;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `cedu` with `args` and `env`, never the test's own DATABASE_URL, RUST_LOG or data key.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cedu"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("CEDU_DATA_KEY")
        .env_remove("CEDU_LOG_FORMAT")
        .env_remove("CEDU_METRICS_LISTEN")
        .envs(env.iter().copied());
    command
}

/// A one-shot command's outcome: whether it succeeded, and what it printed (both streams).
pub fn run(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = command(args, env).output().unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

/// A running `cedu serve` and everything it has printed on stdout.
pub struct Served {
    child: Child,
    printed: Arc<Mutex<String>>,
    pub port: u16,
}

impl Served {
    /// Starts `cedu serve --listen 127.0.0.1:PORT` with `args`, without waiting for it.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Served {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut all = vec!["serve", "--listen", &listen];
        all.extend_from_slice(args);
        let mut child = command(&all, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let printed = Arc::new(Mutex::new(String::new()));
        let sink = printed.clone();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
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
            port,
        }
    }

    /// Starts it and returns once it listens.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Served {
        let served = Self::spawn(args, env);
        served.wait_listening();
        served
    }

    pub fn wait_listening(&self) {
        self.wait_for("listening on", Duration::from_secs(180));
    }

    /// Waits until the output holds `text`, panicking with the output after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.printed().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {timeout:?}:\n{}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn printed(&self) -> String {
        self.printed.lock().unwrap().clone()
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A browser-like client of this server with its own cookies.
    pub fn client(&self) -> Client {
        self.client_with(reqwest::cookie::Jar::default().into())
    }

    /// A client of this server sharing a cookie jar (one browser talking to several servers).
    pub fn client_with(&self, jar: Arc<reqwest::cookie::Jar>) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_provider(jar)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base(),
        }
    }

    /// Ctrl-C, then everything it printed once it has stopped.
    pub fn stop(mut self) -> String {
        // SAFETY: a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "clean exit after Ctrl-C: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
        // The reader thread may still hold the last lines.
        std::thread::sleep(Duration::from_millis(200));
        self.printed()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            // SAFETY: a signal to our own child process; Ctrl-C stops its cluster too.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
            let deadline = Instant::now() + Duration::from_secs(30);
            while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
