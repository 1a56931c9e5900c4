//! Confirmation before a step that cannot be undone (publishing, closing a unit, disabling an
//! account, deleting). The step's POST first answers with a page that says what will happen
//! and to whom; it acts only when that page comes back with its box ticked. No JavaScript: the
//! page re-posts every field of the original form, so any form can be guarded this way.

use super::{Ctx, render_with};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

/// Field the confirmation page adds; the step runs only when it says `yes`.
pub const FIELD: &str = "confirm";
/// Marks a post that comes from the confirmation page itself (so a missing tick is an error).
const FROM_PAGE: &str = "confirming";

/// What the page says: its title, what will happen, and who or what it happens to.
pub struct Confirm {
    pub title: &'static str,
    pub what: &'static str,
    pub subject: String,
    /// Where "cancel" leads: the record's page.
    pub back: String,
}

#[derive(Template)]
#[template(path = "web/confirm.html")]
struct ConfirmPage {
    ctx: Ctx,
    c: Confirm,
    hidden: Vec<(String, String)>,
    missing: bool,
}

/// `None` when the post carries the confirmation; otherwise the page asking for it (422 when
/// the page was sent back without the tick).
pub fn ask(ctx: &Ctx, c: Confirm) -> Option<Response> {
    if ctx.posted(FIELD) == "yes" {
        return None;
    }
    let missing = !ctx.posted(FROM_PAGE).is_empty();
    let hidden = ctx
        .posted_pairs()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | FIELD | FROM_PAGE))
        .cloned()
        .collect();
    let status = if missing {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Some(render_with(
        status,
        &ConfirmPage {
            ctx: ctx.clone(),
            c,
            hidden,
            missing,
        },
    ))
}
