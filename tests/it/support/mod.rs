//! The test harness: one throwaway PostgreSQL cluster per test run (or DATABASE_URL), a
//! migrated template database with the demo districts, and a fresh copy of it per test,
//! served over real HTTP on a free port.

pub mod browser;
pub mod process;
pub mod trail;

use cedu::app::{AppState, router};
use cedu::config::WebConfig;
use cedu::db::{Db, embedded::Cluster};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sqlx::Connection;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const DEMO_PASSWORD: &str = "cedu-demo-2026";
const TEMPLATE: &str = "cedu_it_template";

/// Where the test databases live.
struct Server {
    /// A URL of the database named `{db}`.
    url_pattern: String,
}

impl Server {
    fn url(&self, database: &str) -> String {
        self.url_pattern.replace("{db}", database)
    }
}

static SERVER: OnceLock<Server> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);
static CREATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        // Built on its own thread: the template needs a runtime, and each test has its own.
        std::thread::spawn(|| {
            let server = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
                Some(url) => Server {
                    url_pattern: with_database(&url, "{db}"),
                },
                None => start_cluster(),
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(build_template(&server));
            server
        })
        .join()
        .expect("test database server")
    })
}

/// Replaces the database name in a postgres:// URL.
fn with_database(url: &str, database: &str) -> String {
    let (before_query, query) = url
        .split_once('?')
        .map_or((url, None), |(a, b)| (a, Some(b)));
    let authority_end = before_query.find("://").map_or(0, |i| i + 3);
    let base = match before_query[authority_end..].find('/') {
        Some(slash) => &before_query[..authority_end + slash],
        None => before_query,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

fn start_cluster() -> Server {
    let dir = std::env::temp_dir().join(format!("cedu-it-{}", std::process::id()));
    let cluster = Cluster::open(&dir).expect("a throwaway cluster (is PostgreSQL installed?)");
    cluster.start().expect("starting the throwaway cluster");
    // Stop and remove the cluster once this test process is gone, however it ends.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {as_pg}{bin}/pg_ctl -D {dir}/pgdata -m immediate stop; rm -rf {dir}",
        pid = std::process::id(),
        as_pg = if cedu::db::embedded::is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        },
        bin = cedu::db::embedded::find_bin_dir().unwrap().display(),
        dir = dir.display(),
    );
    #[allow(clippy::zombie_processes)] // it must outlive this process, so nobody waits for it
    std::process::Command::new("sh")
        .args(["-c", &stop])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("cluster watchdog");
    Server {
        url_pattern: cluster.url("{db}"),
    }
}

async fn build_template(server: &Server) {
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    sqlx::query(&format!("drop database if exists {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("create database {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = server.url(TEMPLATE);
    cedu::db::migrate(&url).await.expect("migrations apply");
    let db = Db::connect(&url).await.unwrap();
    cedu::demo::load(&db).await.expect("demo data loads");
    db.app.close().await;
    db.sys.close().await;
}

/// A fresh database copied from the template.
pub async fn fresh_database() -> String {
    let server = server();
    let name = format!(
        "cedu_it_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap();
    {
        // Copies from one template run one at a time: PostgreSQL refuses concurrent ones.
        let _guard = CREATING.lock().await;
        let sql = format!("create database {name} template {TEMPLATE}");
        let mut tries = 0;
        while let Err(e) = sqlx::query(&sql).execute(&mut admin).await {
            tries += 1;
            assert!(tries < 50, "create database: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    server.url(&name)
}

/// A new database with nothing in it (not even the migrations).
pub async fn empty_database() -> String {
    let server = server();
    let name = format!(
        "cedu_it_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    server.url(&name)
}

/// The application served on a free port against a fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let url = fresh_database().await;
        let db = Db::connect(&url).await.unwrap();
        let state = AppState {
            db: db.clone(),
            web: WebConfig::default(),
            key: std::sync::Arc::new(
                cedu::crypto::DataKey::from_hex(&cedu::crypto::DataKey::generate_hex()).unwrap(),
            ),
            backups: Default::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        TestApp { addr, db }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A browser-like client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            base: self.base(),
        }
    }

    /// A client signed in as a demo account.
    pub async fn login(&self, username: &str) -> Client {
        self.login_with(username, DEMO_PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Client {
        let client = self.client();
        let res = client.try_login(username, password).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login as {username}: {}",
            res.body
        );
        client
    }

    /// The id of a unit by its code, in whichever district holds it.
    pub async fn unit_id(&self, code: &str) -> i64 {
        sqlx::query_scalar("select id from org_unit where code = $1 order by tenant_id limit 1")
            .bind(code)
            .fetch_one(&self.db.sys)
            .await
            .unwrap()
    }

    pub async fn unit_id_in(&self, tenant: &str, code: &str) -> i64 {
        sqlx::query_scalar("select u.id from org_unit u join tenant t on t.id = u.tenant_id where t.code = $1 and u.code = $2")
            .bind(tenant)
            .bind(code)
            .fetch_one(&self.db.sys)
            .await
            .unwrap()
    }

    /// The platform-wide id of a person who signs in (a district's account or a platform
    /// administrator).
    pub async fn account_id(&self, username: &str) -> i64 {
        sqlx::query_scalar("select id from platform_user where username = $1")
            .bind(username)
            .fetch_one(&self.db.sys)
            .await
            .unwrap()
    }

    /// Audit rows for a record, oldest first, as actions.
    pub async fn audit_actions(&self, entity: &str, id: i64) -> Vec<String> {
        sqlx::query_scalar(
            "select action from audit_log where entity = $1 and entity_id = $2 order by id",
        )
        .bind(entity)
        .bind(id)
        .fetch_all(&self.db.sys)
        .await
        .unwrap()
    }

    /// A second town administrator in Mengjin, of 会盟镇, to test "another town".
    pub async fn add_account(
        &self,
        username: &str,
        tenant: &str,
        role: &str,
        unit_code: Option<&str>,
    ) {
        let hash: String = sqlx::query_scalar(
            "select password_hash from platform_user where username = 'mengjin-bureau'",
        )
        .fetch_one(&self.db.sys)
        .await
        .unwrap();
        let mut tx = self.db.begin_sys().await.unwrap();
        let tenant_id: i64 = sqlx::query_scalar("select id from tenant where code = $1")
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        cedu::db::set_tenant(&mut tx, tenant_id).await.unwrap();
        sqlx::query(
            "select add_account($1, $1, $2, $3, (select id from org_unit u where u.tenant_id = $4 and u.code = $5), null)",
        )
        .bind(username)
        .bind(hash)
        .bind(role)
        .bind(tenant_id)
        .bind(unit_code)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden CSRF field on the page.
    pub fn csrf(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
        Some(self.body[at..].split('"').next()?.to_string())
    }

    /// The fields a browser would submit from the page's form that posts to `action`:
    /// inputs with their values (checked boxes only) and each select's selected option.
    pub fn form_fields(&self, action: &str) -> Vec<(String, String)> {
        let start = self
            .body
            .find(&format!("action=\"{action}\""))
            .unwrap_or_else(|| panic!("no form posting to {action}"));
        let form = &self.body[start..start + self.body[start..].find("</form>").unwrap()];
        let attr = |tag: &str, name: &str| -> Option<String> {
            let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(html_unescape(&tag[at..at + tag[at..].find('"')?]))
        };
        let mut fields = Vec::new();
        for tag in form
            .split("<input")
            .skip(1)
            .map(|t| &t[..t.find('>').unwrap()])
        {
            let (Some(name), value) = (attr(tag, "name"), attr(tag, "value").unwrap_or_default())
            else {
                continue;
            };
            if attr(tag, "type").as_deref() == Some("checkbox") && !tag.contains(" checked") {
                continue;
            }
            fields.push((name, value));
        }
        for select in form.split("<select").skip(1) {
            let select = &select[..select.find("</select>").unwrap()];
            let name = attr(select, "name").unwrap();
            let chosen = select
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| select.split("<option").nth(1));
            fields.push((
                name,
                chosen.and_then(|o| attr(o, "value")).unwrap_or_default(),
            ));
        }
        fields
    }

    /// The page answered 200 and does not hold `text`: an error page never passes for a page
    /// without something.
    pub fn assert_lacks(&self, text: &str) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected a page without {text:?}, got an error page:\n{}",
            self.body
        );
        assert!(
            !self.body.contains(text),
            "expected no {text:?} in the page:\n{}",
            self.body
        );
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page (status {}):\n{}",
            self.status,
            self.body
        );
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Replaces (or adds) the named fields' values.
pub fn with(mut fields: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    /// The raw response to a GET of `path`, for its status and headers.
    pub async fn response(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.response(path).await).await
    }

    /// The first sheet of the .xlsx at `path`, which must answer 200.
    pub async fn sheet(&self, path: &str) -> Vec<Vec<String>> {
        let res = self.response(path).await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{path}");
        crate::lists::read_sheet(res.bytes().await.unwrap().to_vec())
    }

    pub async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        Page {
            status,
            headers,
            body: res.text().await.unwrap(),
        }
    }

    /// Posts a form without any CSRF token handling.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        Self::page(res).await
    }

    /// Posts fields read from a page (they carry their own CSRF token).
    pub async fn submit(&self, path: &str, fields: &[(String, String)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        Self::page(res).await
    }

    /// Posts a form as a browser would: with the CSRF token its pages carry.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    pub async fn csrf_token(&self) -> String {
        for page in ["/account/password", "/login"] {
            if let Some(token) = self.get(page).await.csrf() {
                return token;
            }
        }
        panic!("no page offered a CSRF token");
    }

    pub async fn try_login(&self, username: &str, password: &str) -> Page {
        let token = self
            .get("/login")
            .await
            .csrf()
            .expect("login form has a CSRF token");
        self.post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

/// Today in China (UTC+8), as the pages write it.
pub fn today() -> String {
    cedu::web::today().to_string()
}
