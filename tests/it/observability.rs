//! What an operator watches: `/metrics` on its own address in the Prometheus text format,
//! JSON logs with a line per request and no personal data, `/healthz` and `/readyz`.

use crate::support::process::{Served, free_port};
use crate::support::{Client, DEMO_PASSWORD, TestApp, fresh_database};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One sample of the text format: `name{label="value",...} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses the Prometheus text exposition format (0.0.4), failing on any line it does not
/// allow, and checks that every sample belongs to a family whose TYPE came first.
fn parse_prometheus(text: &str) -> Vec<Sample> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(is_metric_name(name), "HELP of a bad name: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect(line);
            assert!(is_metric_name(name), "{line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                types.insert(name.into(), kind.into()).is_none(),
                "TYPE twice: {line}"
            );
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect(line);
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a value: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => (
                name,
                parse_labels(rest.strip_suffix('}').expect(line), line),
            ),
        };
        assert!(is_metric_name(name), "{line}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s).filter(|f| {
                    types
                        .get(*f)
                        .is_some_and(|t| t == "histogram" || t == "summary")
                })
            })
            .unwrap_or(name);
        assert!(
            types.contains_key(family),
            "a sample before its TYPE: {line}"
        );
        samples.push(Sample {
            name: name.into(),
            labels,
            value,
        });
    }
    samples
}

fn parse_labels(text: &str, line: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").expect(line);
        assert!(
            is_metric_name(name) && !name.contains(':'),
            "label name: {line}"
        );
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect(line) {
                (_, '\\') => match chars.next().expect(line).1 {
                    'n' => value.push('\n'),
                    c @ ('\\' | '"') => value.push(c),
                    c => panic!("escape \\{c} in {line}"),
                },
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        labels.insert(name.to_string(), value);
        rest = after[end + 1..]
            .strip_prefix(',')
            .unwrap_or(&after[end + 1..]);
    }
    labels
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

fn serve_env(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", url.to_string()),
        ("CEDU_DATA_KEY", cedu::crypto::DataKey::generate_hex()),
    ]
}

fn as_env<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn metrics_are_prometheus_text_on_their_own_address_and_absent_from_the_public_one() {
    let url = fresh_database().await;
    let env = serve_env(&url);
    let metrics_port = free_port();
    let metrics_listen = format!("127.0.0.1:{metrics_port}");
    let server = Served::start(&["--metrics-listen", &metrics_listen], &as_env(&env));
    let client = server.client();
    assert_eq!(
        client
            .try_login("mengjin-bureau", "not the password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    client.try_login("mengjin-bureau", DEMO_PASSWORD).await;
    let unit = {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, i64>("select id from org_unit where code = 'MJ-CG'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(
        client.get(&format!("/units/{unit}")).await.status,
        StatusCode::OK
    );
    assert_eq!(client.get("/nowhere").await.status, StatusCode::NOT_FOUND);

    let public = client.get("/metrics").await;
    assert_eq!(
        public.status,
        StatusCode::NOT_FOUND,
        "never on the public listener"
    );
    let res = reqwest::get(format!("http://{metrics_listen}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    let samples = parse_prometheus(&text);

    let logins = find(
        &samples,
        "cedu_http_requests_total",
        &[("route", "/login"), ("method", "POST")],
    );
    assert!(
        logins
            .iter()
            .any(|s| s.labels["status"] == "303" && s.value >= 1.0),
        "{text}"
    );
    assert!(logins.iter().any(|s| s.labels["status"] == "401"), "{text}");
    assert!(
        !find(
            &samples,
            "cedu_http_requests_total",
            &[("route", "/units/{id}"), ("status", "200")]
        )
        .is_empty(),
        "routes by template: {text}"
    );
    assert!(
        !text.contains(&format!("/units/{unit}\"")),
        "no route label holds an id"
    );
    assert!(
        !find(
            &samples,
            "cedu_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        )
        .is_empty()
    );
    // Each histogram's +Inf bucket counts what its _count does.
    let counts = find(&samples, "cedu_http_request_duration_seconds_count", &[]);
    assert!(!counts.is_empty());
    for count in counts {
        let mut labels: Vec<(&str, &str)> = count
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        labels.push(("le", "+Inf"));
        let inf = find(
            &samples,
            "cedu_http_request_duration_seconds_bucket",
            &labels,
        );
        assert_eq!(inf.len(), 1, "{labels:?}");
        assert_eq!(inf[0].value, count.value);
    }
    assert!(find(&samples, "cedu_logins_total", &[("result", "failed")])[0].value >= 1.0);
    assert!(find(&samples, "cedu_logins_total", &[("result", "succeeded")])[0].value >= 1.0);
    assert_eq!(
        find(
            &samples,
            "cedu_db_connections",
            &[("pool", "app"), ("state", "max")]
        )[0]
        .value,
        16.0
    );
    assert!(
        !find(
            &samples,
            "cedu_db_connections",
            &[("pool", "sys"), ("state", "in_use")]
        )
        .is_empty()
    );
    assert!(
        find(
            &samples,
            "cedu_db_acquire_seconds_count",
            &[("pool", "app")]
        )[0]
        .value
            >= 1.0
    );
    assert!(!find(&samples, "cedu_db_errors_total", &[("kind", "unreachable")]).is_empty());
    assert!(!find(&samples, "cedu_backups_total", &[("result", "failed")]).is_empty());

    assert_eq!(client.get("/healthz").await.body, "ok");
    assert_eq!(client.get("/readyz").await.body, "ready");
    drop(server.stop());
}

/// Values of a JSON log line's fields as text.
fn field(line: &serde_json::Value, name: &str) -> String {
    match &line[name] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn json_logs_have_a_line_per_request_and_no_password_token_phone_or_id_number() {
    let url = fresh_database().await;
    let env = serve_env(&url);
    let server = Served::start(&["--log-format", "json"], &as_env(&env));
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let town: Client = server.client_with(jar.clone());
    let signed_in = town.try_login("mengjin-town", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let phone = "13800138000";
    let id_number = "11010519491231002X";
    let created = crate::educators::register(
        &town,
        &[
            ("name", "日志测试志愿者"),
            ("phone", phone),
            ("id_number", id_number),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let request_id = created.headers["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let person = created.location().to_string();
    // A phone number in a query string: the log has the route, never the query.
    assert_eq!(
        town.get(&format!("/educators?q={phone}")).await.status,
        StatusCode::OK
    );
    town.get("/educators?q=%E6%97%A5%E5%BF%97")
        .await
        .assert_contains("日志测试志愿者");
    let revealed = town
        .post(&format!("{person}/reveal"), &[("field", "phone")])
        .await;
    assert!(revealed.status.is_success() || revealed.status.is_redirection());
    let csrf = town.csrf_token().await;
    let base: reqwest::Url = server.base().parse().unwrap();
    let cookies = reqwest::cookie::CookieStore::cookies(&*jar, &base)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let session = cookies
        .split("; ")
        .find_map(|c| c.strip_prefix("cedu_session="))
        .unwrap()
        .to_string();
    // Someone types a phone number as a username, and a wrong password.
    let stranger = server.client();
    stranger.try_login(phone, "旧密码不对了").await;
    let output = server.stop();

    let lines: Vec<serde_json::Value> = output
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for secret in [
        DEMO_PASSWORD,
        "旧密码不对了",
        &session,
        &csrf,
        phone,
        id_number,
        "1101051949",
    ] {
        assert!(
            !output.contains(secret),
            "{secret:?} in the logs:\n{output}"
        );
    }
    let requests: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["message"] == "request").collect();
    assert!(requests.len() > 8, "{output}");
    let create = requests
        .iter()
        .find(|l| field(l, "request_id") == request_id)
        .unwrap_or_else(|| panic!("no line for request {request_id}:\n{output}"));
    assert_eq!(field(create, "method"), "POST");
    assert_eq!(field(create, "route"), "/educators");
    assert_eq!(field(create, "status"), "303");
    assert!(create["duration_ms"].as_f64().is_some());
    assert_eq!(field(create, "tenant_id"), "1");
    assert!(create["user_id"].as_i64().is_some());
    assert!(create["timestamp"].is_string() && create["level"] == "INFO");
    // The same id stands in the audit row the request wrote.
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let audited: Vec<String> =
        sqlx::query_scalar("select entity from audit_log where request_id = $1")
            .bind(&request_id)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(audited.iter().any(|e| e == "educator"), "{audited:?}");
}

#[tokio::test]
async fn healthz_asks_only_the_process_and_readyz_the_database_at_this_binarys_migrations() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let health = client.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = client.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready")
    );
    assert!(ready.headers.contains_key("x-request-id"));

    // A newer cedu migrated the database: this one is alive but not ready.
    sqlx::query(
        "insert into _sqlx_migrations (version, description, success, checksum, execution_time)
         values (99990101000000, 'from a newer cedu', true, '\\x00', 0)",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    let newer = client.get("/readyz").await;
    assert_eq!(newer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        newer.body.contains("newer than this binary"),
        "{}",
        newer.body
    );
    assert_eq!(client.get("/healthz").await.status, StatusCode::OK);
}
