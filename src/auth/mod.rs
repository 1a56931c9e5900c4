//! Signing in and out, throttling failed logins, and changing one's own password.

pub mod password;
mod repo;
pub mod session;
pub mod throttle;

use crate::audit::{self, Actor, Change};
use crate::error::Result;
use crate::state::AppState;
use crate::web::forms::{FieldErrors, has_control};
use crate::web::tx::AnyTx;
use crate::web::{Ctx, NextQuery, append_cookie, flash_redirect, local_path, render, render_with};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use session::CurrentUser;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    username: String,
    next: String,
    error: Option<&'static str>,
}

async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/").into_response();
    }
    let next = local_path(q.next.as_deref()).to_string();
    render(&LoginPage {
        ctx,
        username: String::new(),
        next,
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Checks the password, unless the account or the address is locked out, and starts a new session.
async fn login(
    ctx: Ctx,
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let username = form.username.trim().to_lowercase();
    let address = client_address(&headers, peer, app.web.trust_forwarded_for);
    let next = local_path(form.next.as_deref()).to_string();
    let again = |ctx: Ctx, status: StatusCode, error: &'static str| {
        render_with(
            status,
            &LoginPage {
                ctx,
                username: form.username.trim().to_string(),
                next: next.clone(),
                error: Some(error),
            },
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return Ok(again(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "login.missing",
        ));
    }
    if has_control(&username, false) {
        return Ok(again(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "form.control_chars",
        ));
    }
    let (attempt, delay) = match throttle::reserve(&app.db.sys, &username, &address).await? {
        throttle::Verdict::Check { id, delay } => (id, delay),
        throttle::Verdict::Locked => {
            crate::ops::metrics::login("locked");
            tracing::warn!(%username, %address, "login refused: locked out");
            return Ok(again(ctx, StatusCode::TOO_MANY_REQUESTS, "login.locked"));
        }
    };
    if !delay.is_zero() {
        tracing::info!(%address, ?delay, "login slowed: recent failures from this address");
        tokio::time::sleep(delay).await;
    }
    let found = repo::credentials(&mut *app.db.sys.acquire().await?, &username).await?;
    let matches = password::verify(
        form.password.clone(),
        found.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let account = found.filter(|c| matches && !c.disabled);
    throttle::settle(&app.db.sys, attempt, account.is_some()).await?;
    let Some(account) = account else {
        crate::ops::metrics::login("failed");
        tracing::info!(%username, %address, "login failed");
        return Ok(again(ctx, StatusCode::UNAUTHORIZED, "login.failed"));
    };
    if let Some(old) = ctx.user.as_ref() {
        session::end(&app.db.sys, &old.session_hash).await?;
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = session::create(&app.db, account.id, &address, agent).await?;
    crate::ops::metrics::login("succeeded");
    tracing::info!(%username, %address, "login");
    let mut res = Redirect::to(&next).into_response();
    append_cookie(
        res.headers_mut(),
        &session::cookie(&token, app.web.secure_cookies),
    );
    Ok(res)
}

/// The address failed logins are counted against: the peer, or behind a trusted proxy the
/// last address it appended (earlier ones are the client's to forge).
fn client_address(headers: &HeaderMap, peer: SocketAddr, trust_forwarded_for: bool) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    match forwarded {
        Some(address) if trust_forwarded_for => address,
        _ => peer.ip().to_string(),
    }
}

async fn logout(ctx: Ctx, State(app): State<AppState>, AnyTx(mut tx): AnyTx) -> Result<Response> {
    if let Some(user) = &ctx.user {
        session::end(&mut *tx, &user.session_hash).await?;
    }
    tx.commit().await?;
    let mut res = flash_redirect("login.logged_out", "/login");
    append_cookie(
        res.headers_mut(),
        &session::clear_cookie(app.web.secure_cookies),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    ctx: Ctx,
    errors: FieldErrors,
}

async fn password_form(ctx: Ctx, _user: CurrentUser) -> Response {
    render(&PasswordPage {
        ctx,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the signed-in user's password and ends their other sessions.
async fn change_password(
    ctx: Ctx,
    user: CurrentUser,
    AnyTx(mut tx): AnyTx,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let stored = repo::own_password_hash(&mut tx, &user.session_hash).await?;
    let mut errors = FieldErrors::default();
    if !password::verify(form.current, Some(stored)).await {
        errors.add("current", "password.current_wrong");
    }
    if let Err(key) = password::check_new(&form.new, &user.username) {
        errors.add("new", key);
    } else if form.new != form.confirm {
        errors.add("confirm", "password.mismatch");
    }
    if !errors.is_empty() {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage { ctx, errors },
        ));
    }
    let hash = password::hash(form.new).await;
    repo::set_own_password(&mut tx, &user.session_hash, &hash).await?;
    if let Some(tenant_id) = user.tenant_id {
        let change = Change {
            tenant_id,
            action: "account.password_change",
            entity: "account",
            entity_id: Some(user.id),
            before: None,
            after: None,
        };
        audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    }
    session::end_all_for(&mut tx, user.id, Some(&user.session_hash)).await?;
    tx.commit().await?;
    Ok(flash_redirect("password.changed", "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.9".parse().unwrap());
        assert_eq!(client_address(&headers, peer, true), "203.0.113.9");
        assert_eq!(client_address(&headers, peer, false), "10.0.0.2");
        assert_eq!(client_address(&HeaderMap::new(), peer, true), "10.0.0.2");
    }
}
