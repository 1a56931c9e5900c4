//! Headless Chromium through chromedriver, for the users' journeys. `.ci/run` installs both
//! from Debian's packages; CHROMEDRIVER and CHROMIUM name other binaries.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    pub async fn start() -> Browser {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&driver_bin).exists() && std::path::Path::new(&chromium).exists(),
            "browser tests need Chromium and chromedriver: apt-get install -y chromium chromium-driver (.ci/run does)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{url}/status")).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("cedu-chromium-{}-{port}", std::process::id()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
                // Chromium asks for en-US unless told otherwise; the journeys are a Chinese
                // browser's, as the first visit takes its language from Accept-Language.
                "prefs": { "intl.accept_languages": "zh-CN,zh" }
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a Chromium session");
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Signs in on the login page at `base` and waits for the home page.
    pub async fn login(
        &self,
        base: &str,
        username: &str,
    ) -> Result<(), fantoccini::error::CmdError> {
        let c = &self.client;
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Css("#username"))
            .await?
            .send_keys(username)
            .await?;
        c.find(Locator::Css("#password"))
            .await?
            .send_keys(super::DEMO_PASSWORD)
            .await?;
        c.find(Locator::Css("button[type=submit].primary"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("h1")).await?;
        Ok(())
    }

    /// Sets the window's size (a phone is 360 wide).
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), fantoccini::error::CmdError> {
        self.client.set_window_size(width, height).await
    }

    /// How much wider than the window the page is (0: no sideways scrolling).
    pub async fn overflow(&self) -> Result<i64, fantoccini::error::CmdError> {
        let v = self
            .client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await?;
        Ok(v.as_i64().unwrap_or(i64::MAX))
    }

    /// Saves a screenshot as `{CEDU_SCREENSHOTS}/{name}.png` when that variable names a folder
    /// (screenshots are artefacts to look at, not assertions).
    pub async fn shot(&self, name: &str) -> Result<(), fantoccini::error::CmdError> {
        if let Some(dir) = std::env::var_os("CEDU_SCREENSHOTS") {
            let png = self.client.screenshot().await?;
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png);
        }
        Ok(())
    }

    /// Ends the browser session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
