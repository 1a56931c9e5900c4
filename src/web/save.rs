//! How every change ends, written once: the audit row in the change's own transaction, the
//! commit, and a 303 with a message for the next page; and, for a versioned save that someone
//! else's save overtook, the conflict page (409) showing what was typed beside what is saved,
//! never an overwrite.

use super::{Ctx, flash_redirect, render_with};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::Result;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

/// Audits `change`, commits, and sends the user to `to` with the message `flash`.
pub async fn done(
    mut tx: Tx,
    ctx: &Ctx,
    user: &CurrentUser,
    change: Change<'_>,
    flash: &'static str,
    to: &str,
) -> Result<Response> {
    audit::record(&mut tx, &Actor::of(user, ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(flash, to))
}

/// One field of a conflict: its label's catalogue key, what the user typed, what is saved.
pub struct Compared {
    pub label: &'static str,
    pub yours: String,
    pub saved: String,
}

impl Compared {
    pub fn new(label: &'static str, yours: impl ToString, saved: impl ToString) -> Self {
        Self {
            label,
            yours: yours.to_string(),
            saved: saved.to_string(),
        }
    }

    pub fn differs(&self) -> bool {
        self.yours.trim() != self.saved.trim()
    }
}

/// A stale save: both versions side by side, a link to edit the saved one again (with what
/// was typed still on this page to copy from) and one to the record.
pub struct Conflict {
    pub fields: Vec<Compared>,
    pub edit: String,
    pub view: String,
}

#[derive(Template)]
#[template(path = "web/conflict.html")]
struct ConflictPage {
    ctx: Ctx,
    c: Conflict,
}

/// The conflict page, 409.
pub fn conflict(ctx: &Ctx, c: Conflict) -> Response {
    render_with(
        StatusCode::CONFLICT,
        &ConflictPage {
            ctx: ctx.clone(),
            c,
        },
    )
}
