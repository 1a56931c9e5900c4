//! The staff's side of sign-ups: publishing an activity to the residents' calendar, the
//! sign-ups of each session with their codes and masked phones, ticking who came, and the QR
//! code of each session's check-in page for the venue.

use super::repo::signups::{self as store, OpenSession, Signup};
use super::{activity, managed};
use crate::audit::Change;
use crate::auth::session::{CurrentUser, random_token};
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::portal::model::qr_svg;
use crate::state::AppState;
use crate::web::forms::Pairs;
use crate::web::save;
use crate::web::{Ctx, flash_redirect, render, today};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

fn change(
    tenant_id: i64,
    action: &'static str,
    entity: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity,
        entity_id: Some(id),
        before: None,
        after: Some(after),
    }
}

/// `POST /activities/{id}/public` (`public`: 1 or 0): on or off the residents' calendar.
pub async fn set_public(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    managed(&mut tx, &user, id).await?;
    let public = p.get("public") == "1";
    let to = format!("/activities/{id}/signups");
    if !store::set_public(&mut tx, id, public).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let key = if public {
        "signup.published"
    } else {
        "signup.unpublished"
    };
    let after = serde_json::json!({ "public": public });
    save::done(
        tx,
        &ctx,
        &user,
        change(user.tenant()?, "activity.public", "activity", id, after),
        key,
        &to,
    )
    .await
}

/// A session with its sign-ups and its check-in code.
pub struct SessionSignups {
    pub s: OpenSession,
    pub signups: Vec<Signup>,
    pub qr: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "activities/signups.html")]
struct SignupsPage {
    ctx: Ctx,
    a: super::repo::Activity,
    public: bool,
    can_manage: bool,
    sessions: Vec<SessionSignups>,
    public_link: String,
}

/// `GET /activities/{id}/signups` (and `/print`): each session's sign-ups, places and waitlist,
/// who has come, and the QR code that opens the session's check-in page.
pub async fn list(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    headers: HeaderMap,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = activity(&mut tx, &user, id).await?;
    let can_manage = super::may_manage(&user, &a);
    let public = store::is_public(&mut tx, id).await?;
    if public && can_manage {
        // 80 random bits name a session's check-in page; the code typed there is the check.
        store::ensure_checkin_keys(&mut tx, id, || random_token()[..20].to_string()).await?;
    }
    let sessions = store::sessions(&mut tx, id, None).await?;
    let mut signups = store::of_activity(&mut tx, id).await?;
    tx.commit().await?;
    let base = crate::portal::origin(&app, &headers);
    let code = &user.tenant_code;
    let now = today();
    let sessions = sessions
        .into_iter()
        .filter(|s| s.held_on >= now || s.taken + s.waiting > 0)
        .map(|s| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                signups.drain(..).partition(|g| g.session_id == s.id);
            signups = rest;
            // Check-in works on the session's day only: a past session's code is not shown
            // (nor drawn, which is most of this page's work).
            let link = s
                .checkin_key
                .as_ref()
                .filter(|_| s.held_on >= now)
                .map(|k| format!("{base}/d/{code}/checkin/{k}"))
                .unwrap_or_default();
            SessionSignups {
                qr: if link.is_empty() {
                    String::new()
                } else {
                    qr_svg(&link, 140)
                },
                link,
                signups: mine,
                s,
            }
        })
        .collect();
    Ok(render(&SignupsPage {
        public_link: format!("/d/{code}/activities/{id}"),
        ctx,
        a,
        public,
        can_manage,
        sessions,
    }))
}

/// `POST /activities/{id}/signups/{s}` (`present`: 1 or 0): staff tick who came (or untick);
/// the session's attendance follows.
pub async fn tick(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, s)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    // Only while the activity is open: a reported activity's figures are its report's.
    let a = super::sessions::open(&mut tx, &user, id).await?;
    let present = p.get("present") == "1";
    let Some(signup) = store::find(&mut tx, id, s).await? else {
        return Err(AppError::NotFound);
    };
    store::lock_session(&mut tx, signup.session_id).await?;
    if store::set_present(&mut tx, s, present, &user.display_name, today())
        .await?
        .is_none()
    {
        return Ok(flash_redirect(
            "step.not_now",
            &format!("/activities/{id}/signups"),
        ));
    }
    super::attended(&mut tx, user.tenant()?, &a, &user.username).await?;
    let to = format!("/activities/{id}/signups#session-{}", signup.session_id);
    let after = serde_json::json!({ "present": present, "session": signup.session_id });
    save::done(
        tx,
        &ctx,
        &user,
        change(user.tenant()?, "signup.tick", "signup", s, after),
        "signup.ticked",
        &to,
    )
    .await
}
