//! The web layer every page shares: the request context (user, language, CSRF token, flash),
//! the middleware that builds it and checks CSRF, navigation, and localized error pages.

pub mod confirm;
pub mod files;
pub mod forms;
pub mod i18n;
pub mod list;
pub mod once;
pub mod save;
pub mod transition;
pub mod tx;

use crate::access::{Action, Role, may};
use crate::auth::session::{self, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use i18n::Lang;
use std::sync::Arc;

pub const LANG_COOKIE: &str = "cedu_lang";
pub const CSRF_COOKIE: &str = "cedu_csrf";
pub const FLASH_COOKIE: &str = "cedu_flash";
/// Largest body accepted: forms, and spreadsheets uploaded for import.
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// What every page knows about its request.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Arc<CurrentUser>>,
    pub csrf: String,
    pub path: String,
    pub flash: Option<String>,
    pub request_id: String,
    /// The fields of a url-encoded POST, read once by the context layer.
    pub posted: Arc<Vec<(String, String)>>,
    /// The one-time token a create form came back with (see `once`).
    pub form_token: Option<String>,
}

impl Ctx {
    /// A context with nothing but the language, user and path (error pages, fallbacks).
    fn bare(lang: Lang, user: Option<Arc<CurrentUser>>, path: String) -> Self {
        Self {
            lang,
            user,
            csrf: String::new(),
            path,
            flash: None,
            request_id: String::new(),
            posted: Arc::default(),
            form_token: None,
        }
    }

    /// The first posted value of `name`, or "".
    pub fn posted(&self, name: &str) -> &str {
        self.posted
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// For a field of a page shown again after a POST: what was posted, else `shown`.
    pub fn kept(&self, name: &str, shown: impl std::fmt::Display) -> String {
        self.posted
            .iter()
            .find(|(k, _)| k == name)
            .map_or_else(|| shown.to_string(), |(_, v)| v.clone())
    }

    pub fn posted_pairs(&self) -> &[(String, String)] {
        &self.posted
    }

    pub fn submitted_form_token(&self) -> Option<&str> {
        self.form_token.as_deref()
    }

    /// For a create form's hidden `form_token`: the one it came back with (a form shown again
    /// with errors keeps it), or a fresh one.
    pub fn once_token(&self) -> String {
        self.form_token
            .clone()
            .unwrap_or_else(|| session::random_token()[..32].to_string())
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.lang.t(key)
    }

    /// A message with values: `tf("home.welcome", &[("name", &user.display_name)])`.
    pub fn tf(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.lang.tf(key, args)
    }

    /// The label of a code in an area of the catalogue: `label("kind", "college")`.
    pub fn label(&self, area: &str, code: &str) -> String {
        self.tr(&format!("{area}.{code}"))
    }

    /// The signed-in user's district code, for links to its public pages.
    pub fn tenant_code(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.tenant_code.clone())
            .unwrap_or_default()
    }

    /// Whether the user reads the whole district (bureau, office, supervisor, viewer).
    pub fn district_wide(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.is_district_wide())
    }

    /// A print view (its path ends in `/print`): the page without the site's header, footer
    /// and forms, laid out as a document.
    pub fn is_print(&self) -> bool {
        self.path.ends_with("/print")
    }

    /// Role names and other keys held as `String`.
    pub fn tr(&self, key: &str) -> String {
        self.lang.t(key).to_string()
    }

    pub fn nav(&self) -> Vec<NavItem> {
        let Some(user) = &self.user else {
            return Vec::new();
        };
        let role = user.role;
        let mut items = Vec::new();
        let mut add = |href: &'static str, key: &'static str| {
            let active = self.path == href || (href != "/home" && self.path.starts_with(href));
            items.push(NavItem { href, key, active });
        };
        if role == Role::PlatformAdmin {
            add("/platform/districts", "nav.districts");
            add("/platform/calendar", "nav.calendar");
        } else {
            add("/home", "nav.home");
        }
        if may(role, Action::ViewNetwork) {
            add("/units", "nav.network");
        }
        if role.is_district_wide() {
            add("/targets", "nav.targets");
            add("/cycles", "nav.cycles");
        }
        if matches!(
            role,
            Role::DistrictAdmin | Role::TownAdmin | Role::PointCoordinator | Role::UnitOfficer
        ) {
            add("/inbox", "nav.inbox");
        }
        if role.is_district_wide()
            || matches!(
                role,
                Role::TownAdmin | Role::PointCoordinator | Role::Evaluator
            )
        {
            add("/supervision", "nav.supervision");
        }
        if may(role, Action::ViewActivities) {
            add("/activities", "nav.activities");
            add("/delivery", "nav.delivery");
        }
        if role.is_district_wide() {
            add("/campaigns", "nav.campaigns");
        }
        if may(role, Action::ViewDonations) {
            add("/donations", "nav.donations");
        }
        if may(role, Action::ViewAwards) {
            add("/awards", "nav.awards");
        }
        if may(role, Action::ViewLibrary) {
            add("/library", "nav.library");
        }
        if may(role, Action::ViewEducators) {
            add("/educators", "nav.educators");
        }
        if may(role, Action::RecordHours) {
            add("/hours", "nav.hours");
        }
        if may(role, Action::ViewCommittee) {
            add("/committee", "nav.committee");
        }
        if may(role, Action::ManageAccounts) {
            add("/accounts", "nav.accounts");
        }
        if may(role, Action::ViewAudit) {
            add("/audit", "nav.audit");
        }
        items
    }

    /// Where the language switch sends the visitor: the same page, in the other language.
    pub fn lang_switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.lang.other().cookie_value(),
            urlencode(&self.path)
        )
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .unwrap_or_else(|| Ctx::bare(Lang::default(), None, parts.uri.path().to_string())))
    }
}

/// Pages behind login take `CurrentUser`; without a live session the visitor goes to /login.
impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Ctx>().and_then(|c| c.user.clone()) {
            Some(user) => Ok((*user).clone()),
            None => Err(login_redirect(
                parts.uri.path_and_query().map_or("/", |p| p.as_str()),
            )),
        }
    }
}

fn login_redirect(next: &str) -> Response {
    Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
}

/// Resolves the session, language, CSRF token and flash; refuses POSTs without a valid token;
/// turns bare error statuses into friendly pages in the visitor's language.
pub async fn context_layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let cookies = Cookies::parse(req.headers());
    let lang = Lang::from_request(
        cookies.get(LANG_COOKIE),
        i18n::accept_language(req.headers()),
    );
    // Read once here for every handler: no path or query parameter may carry a control
    // character (PostgreSQL refuses NUL in text, and none belongs in a search or an id).
    if forms::uri_has_control(req.uri().path())
        || req.uri().query().is_some_and(forms::uri_has_control)
    {
        return error_page(StatusCode::BAD_REQUEST, lang, None);
    }
    // The request's one connection: its transaction opens with the session check, and the
    // handler takes it from the slot. The stylesheet needs neither.
    let token = cookies
        .get(session::COOKIE)
        .filter(|t| session::well_formed(t) && !req.uri().path().starts_with("/static/"));
    let (tx, user) = match token {
        Some(token) => match session::open(&app.db, token).await {
            Ok((tx, user)) => (Some(tx), user.map(Arc::new)),
            Err(e) => {
                let unreachable = crate::db::outage::note(&e);
                crate::ops::metrics::db_error(unreachable);
                if !unreachable {
                    tracing::error!(error = %e, "session lookup failed");
                }
                return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, None);
            }
        },
        None => (None, None),
    };
    let slot = tx::Slot::new(tx);
    let mut new_anonymous_token = None;
    let csrf = match (&user, cookies.get(CSRF_COOKIE)) {
        (Some(user), _) => user.csrf.clone(),
        (None, Some(token))
            if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            token.to_string()
        }
        (None, _) => {
            let token = session::random_token();
            new_anonymous_token = Some(token.clone());
            token
        }
    };
    let path = req.uri().path().to_string();
    let flash = cookies
        .get(FLASH_COOKIE)
        .filter(|k| i18n::has_key(k))
        .map(str::to_string);
    let had_flash = cookies.get(FLASH_COOKIE).is_some();
    let mut ctx = Ctx {
        lang,
        user: user.clone(),
        csrf: csrf.clone(),
        path: path.clone(),
        flash,
        request_id: req
            .extensions()
            .get::<crate::ops::logs::RequestId>()
            .map_or_else(
                || session::random_token()[..16].to_string(),
                |id| id.0.clone(),
            ),
        posted: Arc::default(),
        form_token: None,
    };

    let mut req = req;
    // OAI-PMH harvesters may POST their requests (a read, never a change): no session, no
    // CSRF token, the form read by the handler.
    if req.method() == Method::POST && path != "/oai" {
        // Residents answer surveys, register, object to public notices, sign up for
        // activities and check in without an account; every other form needs a session.
        let public_form = path.starts_with("/survey/")
            || path.starts_with("/join/")
            || (path.starts_with("/public/") && path.contains("/notices/"))
            || path.starts_with("/d/");
        if user.is_none() && path != "/login" && !public_form {
            // The session ran out while a form was open: sign in again rather than a bare 403.
            return login_redirect(&path);
        }
        let (parts, body) = req.into_parts();
        // A library resource's file may be as large as its district allows.
        let limit = if is_multipart(&parts) && path.starts_with("/library/") {
            crate::library::UPLOAD_LIMIT
        } else {
            BODY_LIMIT
        };
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return error_page(StatusCode::PAYLOAD_TOO_LARGE, lang, user);
        };
        let (supplied, form_token) = if is_multipart(&parts) {
            let mut fields = multipart_fields(&parts, &bytes, &["csrf", once::FIELD]).await;
            (fields.remove("csrf"), fields.remove(once::FIELD))
        } else {
            ctx.posted = Arc::new(serde_urlencoded::from_bytes(&bytes).unwrap_or_default());
            let field = |name| Some(ctx.posted(name).to_string()).filter(|v| !v.is_empty());
            (field("csrf"), field(once::FIELD))
        };
        let supplied = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or(supplied);
        if !supplied.is_some_and(|s| constant_time_eq(s.as_bytes(), csrf.as_bytes())) {
            tracing::warn!(%path, "POST refused: missing or wrong CSRF token");
            return error_page(StatusCode::FORBIDDEN, lang, user);
        }
        ctx.form_token = form_token.filter(|t| {
            (32..=64).contains(&t.len())
                && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
        req = Request::from_parts(parts, Body::from(bytes));
    }
    req.extensions_mut().insert(ctx);
    req.extensions_mut().insert(slot.clone());

    let mut res = next.run(req).await;
    if let Some(untaken) = slot.take() {
        // Nothing in it but the session's idle clock, which is worth keeping.
        if let Err(e) = untaken.commit().await {
            crate::db::outage::note(&e);
        }
    }
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let probe = path == "/healthz" || path == "/readyz";
    if (status.is_client_error() || status.is_server_error()) && !is_html && !probe {
        res = error_page(status, lang, user.clone());
    }
    res.extensions_mut().insert(crate::ops::logs::Who {
        user_id: user.as_ref().map(|u| u.id),
        tenant_id: user.as_ref().and_then(|u| u.tenant_id),
    });
    let headers = res.headers_mut();
    if let Some(token) = new_anonymous_token {
        let secure = if app.web.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        append_cookie(
            headers,
            &format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        );
    }
    if had_flash && !status.is_redirection() {
        append_cookie(
            headers,
            &format!("{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        );
    }
    // Pages and exports may show personal data: nothing is kept by a browser or a proxy
    // unless its handler says so (the stylesheet).
    if is_html || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn is_multipart(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"multipart/form-data"))
}

/// Text fields of a multipart body (file uploads carry their tokens as form fields too).
async fn multipart_fields(
    parts: &Parts,
    body: &axum::body::Bytes,
    names: &[&str],
) -> std::collections::HashMap<String, String> {
    use axum::extract::FromRequest;
    let mut found = std::collections::HashMap::new();
    let req = Request::from_parts(parts.clone(), Body::from(body.clone()));
    // The body is read already and within its limit: the parser may take all of it (a library
    // file is larger than the extractor's default of 2 MB).
    use tower::{Layer, ServiceExt};
    let parse = axum::extract::DefaultBodyLimit::max(body.len() + 1).layer(tower::service_fn(
        |req: Request| async move {
            Ok::<_, std::convert::Infallible>(
                axum::extract::Multipart::from_request(req, &()).await,
            )
        },
    ));
    let Ok(Ok(mut multipart)) = parse.oneshot(req).await else {
        return found;
    };
    while let Ok(Some(field)) = multipart.next_field().await {
        let Some(name) = field
            .name()
            .filter(|n| names.contains(n))
            .map(str::to_string)
        else {
            continue;
        };
        if let Ok(value) = field.text().await {
            found.entry(name).or_insert(value);
        }
        if found.len() == names.len() {
            break;
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn append_cookie(headers: &mut HeaderMap, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// A 303 to `to` that shows the message `key` once on the next page.
pub fn flash_redirect(key: &'static str, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    append_cookie(
        res.headers_mut(),
        &format!("{FLASH_COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax"),
    );
    res
}

/// Cookie header parsing: enough for our own cookies.
pub struct Cookies<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Cookies<'a> {
    pub fn parse(headers: &'a HeaderMap) -> Self {
        let pairs = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .collect();
        Self(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    status: u16,
    title_key: &'static str,
    body_key: &'static str,
}

/// A friendly page for an error status; never shows internals.
pub fn error_page(status: StatusCode, lang: Lang, user: Option<Arc<CurrentUser>>) -> Response {
    let (title_key, body_key) = match status.as_u16() {
        403 => ("error.403.title", "error.403.body"),
        404 | 405 => ("error.404.title", "error.404.body"),
        413 => ("error.413.title", "error.413.body"),
        400..=499 => ("error.400.title", "error.400.body"),
        503 => ("error.503.title", "error.503.body"),
        _ => ("error.500.title", "error.500.body"),
    };
    let ctx = Ctx::bare(lang, user, String::new());
    let page = ErrorPage {
        ctx,
        status: status.as_u16(),
        title_key,
        body_key,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

/// A public form's sender as the limits per address count them: the hash of what it is for
/// (`signup/{district}`, ...) and the address, so no address is ever stored.
pub fn address_hash(scope: &str, peer: &std::net::SocketAddr) -> String {
    use sha2::{Digest, Sha256};
    crate::auth::session::hex(&Sha256::digest(format!("{scope}/{}", peer.ip()).as_bytes()))
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e[1..].to_string())
        .unwrap_or_default()
}

/// A safe place to go after login or a language switch: a path on this site only. Anything
/// else goes to "/": another site (`//host`, `/\\host`, a scheme), and whatever a browser might
/// read differently from us or a Location header cannot hold (whitespace, control characters,
/// non-ASCII: browsers drop a tab in `/\t/evil.example` and go to `//evil.example`).
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p) if is_local_path(p) => p,
        _ => "/",
    }
}

fn is_local_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
        && p.parse::<axum::http::Uri>()
            .is_ok_and(|u| u.scheme().is_none() && u.authority().is_none())
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// `GET /lang/{zh|en}`: remembers the language for a year and returns to the page.
pub async fn switch_lang(
    axum::extract::Path(code): axum::extract::Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::from_cookie(Some(&code));
    let mut res = Redirect::to(local_path(q.next.as_deref())).into_response();
    append_cookie(
        res.headers_mut(),
        &format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.cookie_value()
        ),
    );
    res
}

/// Renders a page struct with a status (422 for a form with errors, 409 for a conflict).
pub fn render_with<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}

pub fn render<T: Template>(page: &T) -> Response {
    render_with(StatusCode::OK, page)
}

/// A time as China's clock shows it, to the minute.
pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Today's date in China (UTC+8), the date users mean.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_path(Some("/units/3")), "/units/3");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(None), "/");
        for hostile in [
            "/\t/evil.example/x",
            "/\\evil.example",
            "/\n",
            "/\0",
            "/\r",
            "/\u{7f}",
            "/ //evil.example",
            "/\u{3000}/evil.example",
            "/城关",
            "units",
            "",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(
            local_path(Some("/units?q=%E5%9F%8E&page=2")),
            "/units?q=%E5%9F%8E&page=2"
        );
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cedu_lang=en"),
        );
        let cookies = Cookies::parse(&headers);
        assert_eq!(cookies.get("cedu_lang"), Some("en"));
        assert_eq!(cookies.get("b"), None);
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
