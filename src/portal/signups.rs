//! Sign-up and check-in, for residents without an account: a place in a session of a
//! published activity (a name and a phone, used for this activity only and deleted a year
//! after it), a waitlist once it is full, a confirmation with a code and a link to see or give
//! back the place, and check-in at the venue by the code (or the phone's last four digits)
//! on the page the session's QR code opens.

use super::forms::SignupForm;
use super::model::code_of;
use crate::activities::repo::signups::{self as store, OpenSession, PublicActivity, Signup};
use crate::audit::{Actor, Change};
use crate::auth::session::random_token;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::tx::{District, PublicTx};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Days;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// Sign-ups one address may make a day, against scripts.
const PER_ADDRESS_PER_DAY: i64 = 5;

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

async fn audit(
    tx: &mut Tx,
    ctx: &Ctx,
    tenant_id: i64,
    action: &str,
    id: i64,
    after: serde_json::Value,
) -> Result<()> {
    let actor = Actor {
        id: None,
        name: "public".into(),
        request_id: ctx.request_id.clone(),
    };
    let change = Change {
        tenant_id,
        action,
        entity: "signup",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    };
    crate::audit::record(tx, &actor, change).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "portal/activity.html")]
struct ActivityPage {
    ctx: Ctx,
    district: String,
    code: String,
    a: PublicActivity,
    sessions: Vec<OpenSession>,
    form: SignupForm,
    errors: FieldErrors,
    /// After a sign-up: its code, the link to the place, and whether it waits.
    done: Option<(String, String, bool)>,
}

async fn activity_page(
    tx: &mut Tx,
    ctx: Ctx,
    district: &District,
    id: i64,
) -> Result<ActivityPage> {
    let a = store::public_activity(tx, district.id, id)
        .await?
        .or_404()?;
    let sessions = store::sessions(tx, id, Some(today())).await?;
    Ok(ActivityPage {
        ctx,
        district: district.name.clone(),
        code: district.code.clone(),
        a,
        sessions,
        form: SignupForm::default(),
        errors: FieldErrors::default(),
        done: None,
    })
}

impl ActivityPage {
    fn left(&self, s: &OpenSession) -> String {
        match s.left(self.a.capacity) {
            Some(0) => self.ctx.tr("signup.full"),
            Some(n) => self.ctx.tf("signup.left", &[("n", &n)]),
            None => self.ctx.tr("signup.open"),
        }
    }
    fn picked(&self, s: &OpenSession) -> bool {
        self.form.session == s.id.to_string()
            || (self.form.session.is_empty() && self.sessions.len() == 1)
    }
}

/// `GET /d/{district}/activities/{id}`: a published activity, its coming sessions with the
/// places left, and the sign-up form.
pub async fn activity(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let page = activity_page(&mut tx, ctx, &district, id).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /d/{district}/activities/{id}`: a place, or a place on the waitlist once the session
/// is full. One phone takes one place a session.
pub async fn sign_up(
    ctx: Ctx,
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
    p: Pairs,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let mut page = activity_page(&mut tx, ctx.clone(), &district, id).await?;
    if !p.get("website").is_empty() {
        tracing::warn!(district = %district.code, "sign-up honeypot filled");
        page.done = Some((String::new(), String::new(), false));
        return Ok(render(&page));
    }
    page.form = SignupForm::from_pairs(&p);
    let open: Vec<i64> = page.sessions.iter().map(|s| s.id).collect();
    let input = match page.form.parse(&open) {
        Ok(input) => input,
        Err(errors) => {
            page.errors = errors;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let address = crate::web::address_hash(&format!("signup/{}", district.code), &peer);
    crate::db::lock_key(&mut tx, &format!("signup:{address}")).await?;
    if store::from_address_today(&mut tx, &address).await? >= PER_ADDRESS_PER_DAY {
        page.errors.add("form", "signup.too_many");
        return Ok(render_with(StatusCode::TOO_MANY_REQUESTS, &page));
    }
    store::lock_session(&mut tx, input.session).await?;
    let phone_hash = app.key.lookup(&input.phone);
    if store::phone_taken(&mut tx, input.session, &phone_hash).await? {
        page.errors.add("phone", "signup.phone_taken");
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if once::claim(&mut tx, &ctx, district.id).await?.is_some() {
        page.errors.add("form", "form.once");
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    // The places as they are now, under the session's lock.
    let session = store::sessions(&mut tx, id, None)
        .await?
        .into_iter()
        .find(|s| s.id == input.session)
        .or_404()?;
    let waits = session.left(page.a.capacity) == Some(0);
    let token = random_token();
    let code = code_of(&token);
    let id_new = store::insert(
        &mut tx,
        &store::NewSignup {
            tenant_id: district.id,
            activity_id: id,
            session_id: input.session,
            name: &input.name,
            phone_cipher: &app.key.encrypt(&input.phone),
            phone_hash: &phone_hash,
            phone_masked: &crate::crypto::mask_phone(&input.phone),
            phone_last4: &input.phone[input.phone.len() - 4..],
            code: &code,
            token_hash: &token_hash(&token),
            status: if waits { "waitlisted" } else { "confirmed" },
            address: &address,
            delete_after: page.a.ends_on + Days::new(365),
        },
    )
    .await?;
    let link = format!("/d/{}/signups/{token}", district.code);
    once::created(&mut tx, &ctx, district.id, &link).await?;
    let after =
        serde_json::json!({ "activity": id, "session": input.session, "waitlisted": waits });
    audit(&mut tx, &ctx, district.id, "signup.create", id_new, after).await?;
    tx.commit().await?;
    page.sessions
        .iter_mut()
        .filter(|s| s.id == input.session && !waits)
        .for_each(|s| s.taken += 1);
    page.form = SignupForm::default();
    page.done = Some((code, link, waits));
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "portal/signup.html")]
struct MinePage {
    ctx: Ctx,
    district: String,
    code: String,
    s: Signup,
    a: PublicActivity,
    token: String,
    cancelled_now: bool,
}

async fn mine_page(tx: &mut Tx, ctx: Ctx, district: &District, token: &str) -> Result<MinePage> {
    let s = store::by_token(tx, district.id, &token_hash(token))
        .await?
        .or_404()?;
    let a = store::public_activity(tx, district.id, s.activity_id)
        .await?
        .or_404()?;
    Ok(MinePage {
        ctx,
        district: district.name.clone(),
        code: district.code.clone(),
        s,
        a,
        token: token.to_string(),
        cancelled_now: false,
    })
}

/// `GET /d/{district}/signups/{token}`: the resident's place, its code, its waitlist place.
pub async fn mine(
    ctx: Ctx,
    public: PublicTx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let page = mine_page(&mut tx, ctx, &district, &token).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /d/{district}/signups/{token}`: gives the place back (after a confirmation); the
/// first on the waitlist takes it.
pub async fn cancel(
    ctx: Ctx,
    public: PublicTx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let mut page = mine_page(&mut tx, ctx.clone(), &district, &token).await?;
    let c = Confirm {
        title: "signup.confirm_cancel",
        what: "signup.confirm_cancel_what",
        subject: format!("{} · {}", page.a.title, page.s.held_on),
        back: format!("/d/{}/signups/{token}", district.code),
    };
    if let Some(confirmation) = confirm::ask(&ctx, c) {
        return Ok(confirmation);
    }
    store::lock_session(&mut tx, page.s.session_id).await?;
    if store::cancel(&mut tx, page.s.id, page.s.session_id).await? {
        let after = serde_json::json!({ "session": page.s.session_id });
        audit(
            &mut tx,
            &ctx,
            district.id,
            "signup.cancel",
            page.s.id,
            after,
        )
        .await?;
    }
    page = MinePage {
        cancelled_now: true,
        ..mine_page(&mut tx, ctx, &district, &token).await?
    };
    tx.commit().await?;
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "portal/checkin.html")]
struct CheckinPage {
    ctx: Ctx,
    district: String,
    code: String,
    session: OpenSession,
    a: PublicActivity,
    key: String,
    typed: String,
    error: Option<&'static str>,
    /// The name of who was just checked in.
    present: Option<String>,
    today: bool,
}

async fn checkin_page(
    tx: &mut Tx,
    ctx: Ctx,
    district: &District,
    key: &str,
) -> Result<CheckinPage> {
    let session = store::session_by_key(tx, district.id, key)
        .await?
        .or_404()?;
    let a = store::public_activity(tx, district.id, session.activity_id)
        .await?
        .or_404()?;
    Ok(CheckinPage {
        ctx,
        district: district.name.clone(),
        code: district.code.clone(),
        today: session.held_on == today(),
        session,
        a,
        key: key.to_string(),
        typed: String::new(),
        error: None,
        present: None,
    })
}

/// `GET /d/{district}/checkin/{key}`: the page the session's QR code opens at the venue.
pub async fn checkin_form(
    ctx: Ctx,
    public: PublicTx,
    Path((_, key)): Path<(String, String)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let page = checkin_page(&mut tx, ctx, &district, &key).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Failed check-ins an address may make at a session in an hour, and everyone together: enough
/// for mistyped codes at a crowded venue, far too few to guess last-four numbers.
const FAILURES_PER_ADDRESS: i64 = 10;
const FAILURES_PER_SESSION: i64 = 100;

/// `POST /d/{district}/checkin/{key}` (`code`): present, on the session's day, by the code of
/// the confirmation or the phone's last four digits (when they name one place only).
pub async fn check_in(
    ctx: Ctx,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    public: PublicTx,
    Path((_, key)): Path<(String, String)>,
    p: Pairs,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let mut page = checkin_page(&mut tx, ctx.clone(), &district, &key).await?;
    let typed: String = p.get("code").chars().filter(char::is_ascii_digit).collect();
    page.typed = typed.clone();
    if !page.today {
        page.error = Some("checkin.not_today");
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    // The session's lock makes the count of failures and the try one step: a burst of
    // guesses is counted before any of them is checked.
    // The activity first, then the session, as staff's ticks and records take them.
    crate::activities::repo::lock(&mut tx, page.session.activity_id).await?;
    store::lock_session(&mut tx, page.session.id).await?;
    let address = crate::web::address_hash(&format!("checkin/{}", district.code), &peer);
    let (mine, all) = store::checkin_failures(&mut tx, page.session.id, &address).await?;
    if mine >= FAILURES_PER_ADDRESS || all >= FAILURES_PER_SESSION {
        page.error = Some("checkin.too_many");
        return Ok(render_with(StatusCode::TOO_MANY_REQUESTS, &page));
    }
    let found = if matches!(typed.len(), 4 | 6) {
        store::find_for_checkin(&mut tx, page.session.id, &typed).await?
    } else {
        Vec::new()
    };
    let (id, name) = match found.as_slice() {
        [(id, name, _)] => (*id, name.clone()),
        [] => {
            store::record_checkin_failure(&mut tx, district.id, page.session.id, &address).await?;
            tx.commit().await?;
            page.error = Some("checkin.not_found");
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        _ => {
            page.error = Some("checkin.ambiguous");
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if let Some(activity) = store::set_present(&mut tx, id, true, "self", today()).await? {
        let everyone = crate::activities::repo::Scope {
            path: "/".into(),
            member: None,
        };
        let a = crate::activities::repo::find(&mut tx, &everyone, today(), activity)
            .await?
            .or_404()?;
        // The history names who moved it: here the resident at the venue.
        crate::activities::attended(&mut tx, district.id, &a, "居民签到").await?;
    }
    audit(
        &mut tx,
        &ctx,
        district.id,
        "signup.check_in",
        id,
        serde_json::json!({ "session": page.session.id }),
    )
    .await?;
    tx.commit().await?;
    // Whoever typed the code sees whose place it was, masked: four guessed digits name no one.
    page.present = Some(crate::crypto::mask_name(&name));
    page.typed.clear();
    Ok(render(&page))
}
