//! Logs: plain text by default, or one JSON object a line (`--log-format json`) for a log
//! collector. Every request is one line with its id (also in `X-Request-Id` and on the audit
//! rows it writes), route template, status, duration, user id and district. No line carries a
//! password, a token, a phone or an ID number: nothing logs them, and as a net beneath that,
//! anything shaped like a phone or ID number in a line is masked before it is written.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(format!("--log-format is text or json, not {s}")),
        }
    }
}

static FORMAT: std::sync::OnceLock<LogFormat> = std::sync::OnceLock::new();

/// A line for the operator (the address, the demo accounts): printed as it is, or as a log
/// event when the logs are JSON, so that every line of the output is one object.
pub fn say(text: &str) {
    match FORMAT.get() {
        Some(LogFormat::Json) => tracing::info!("{text}"),
        _ => println!("{text}"),
    }
}

/// Sets up logging for the process: `RUST_LOG` filters (default `info`), lines to stdout.
pub fn init(format: LogFormat) {
    let _ = FORMAT.set(format);
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(Masked);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

/// The request's id: made here, or taken from a trusted proxy's `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Who made the request, left on the response by the context layer for the request's line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who {
    pub user_id: Option<i64>,
    pub tenant_id: Option<i64>,
}

const REQUEST_ID: &str = "x-request-id";

/// Gives the request its id and the response its `X-Request-Id`.
pub async fn request_id(
    State(app): State<crate::state::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let forwarded = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| app.web.trust_forwarded_for && well_formed(id))
        .map(str::to_string);
    let id = forwarded.unwrap_or_else(|| crate::auth::session::random_token()[..16].to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    res
}

/// An id a proxy may hand us: short, and nothing but letters, digits, `-`, `_` and `.`.
fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The request's line (probes only at debug level: an orchestrator asks every few seconds).
pub fn request(res: &Response, method: &str, route: &str, took: Duration) {
    if matches!(route, "/healthz" | "/readyz") && !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let who = res.extensions().get::<Who>().copied().unwrap_or_default();
    let id = res
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info!(
        request_id = id,
        method,
        route,
        status = res.status().as_u16(),
        duration_ms = (took.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        user_id = who.user_id,
        tenant_id = who.tenant_id,
        "request"
    );
}

/// Stdout, with phone and ID numbers masked (see `mask`).
struct Masked;

impl<'a> MakeWriter<'a> for Masked {
    type Writer = MaskedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter
    }
}

struct MaskedWriter;

impl Write for MaskedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over one whole line per event.
        std::io::stdout().lock().write_all(&mask(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// `line` with every run of digits that reads as a mainland phone number (11 digits from 1) or
/// an ID number (15, or 17 and a digit or X) replaced by asterisks, unless letters or digits
/// stand right beside it (a request id, a hash).
pub fn mask(line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < line.len() {
        if !line[i].is_ascii_digit() || (i > 0 && line[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < line.len() && line[i].is_ascii_digit() {
            i += 1;
        }
        let mut end = i;
        if end - start == 17 && end < line.len() && matches!(line[end], b'X' | b'x') {
            end += 1;
        }
        let len = end - start;
        let bounded = line.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        let phone = len == 11 && line[start] == b'1';
        if bounded && (phone || len == 15 || len == 18) {
            let out = out.get_or_insert_with(|| line.to_vec());
            out[start..end].fill(b'*');
        }
        i = end.max(i);
    }
    match out {
        Some(masked) => std::borrow::Cow::Owned(masked),
        None => std::borrow::Cow::Borrowed(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_id_numbers_are_masked_and_ids_of_ours_are_not() {
        let line =
            br#"{"username":"13912345678","detail":"id 11010519491231002X, 110105491231002;"}"#;
        let masked = String::from_utf8(mask(line).into_owned()).unwrap();
        assert!(!masked.contains("13912345678"), "{masked}");
        assert!(!masked.contains("11010519491231002X"), "{masked}");
        assert!(!masked.contains("110105491231002"), "{masked}");
        for kept in [
            r#"request_id":"a13912345678b0c1""#,
            "tenant_id=12 duration_ms=3.5",
            "2026-12-02T03:30:00.123456Z",
            "count 123456789012",
        ] {
            assert_eq!(mask(kept.as_bytes()), kept.as_bytes(), "{kept}");
        }
    }

    #[test]
    fn only_well_formed_request_ids_are_taken_from_a_proxy() {
        assert!(well_formed("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert!(!well_formed("a b"));
        assert!(!well_formed(""));
        assert!(!well_formed(&"x".repeat(65)));
    }
}
