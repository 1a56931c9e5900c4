//! A unit's status changes (`web::transition::Step`): planned, active, suspended, closed, each
//! dated. A school keeps running while it has active points, a unit reopens only under an
//! active parent, and closing asks first.

use super::model::Status;
use super::repo;
use super::repo::history::{self, NewEvent};
use super::unit_permitted;
use super::units::unit_page;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date, text};
use crate::web::{Ctx, flash_redirect, render_with, save};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

/// `POST /units/{id}/status`: moves a unit to another status from a given day.
pub async fn change_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let unit = unit_permitted(&mut tx, &user, id, |p| p.change_status).await?;
    let mut errors = FieldErrors::default();
    let from = Status::parse(&unit.status).or_404()?;
    let to = Status::parse(&pairs.get("status")).filter(|to| from.can_become(*to));
    if to.is_none() {
        errors.add("status", "unit.status_not_allowed");
    }
    let since = date(&mut errors, "status_on", &pairs.get("status_on"), true);
    let note = text(
        &mut errors,
        "status_note",
        &pairs.get("status_note"),
        false,
        200,
    );
    if to.is_some_and(|to| to != Status::Active) && unit.active_children > 0 {
        errors.add("status", "unit.has_active_children");
    }
    if let (Some(Status::Active), Some(parent)) = (to, unit.parent_id)
        && repo::status_of(&mut tx, parent).await? != "active"
    {
        errors.add("status", "unit.parent_inactive");
    }
    let (Some(to), Some(since), true) = (to, since, errors.is_empty()) else {
        let page = unit_page(tx, ctx, &user, unit, errors).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let back = format!("/units/{id}");
    if to == Status::Closed {
        let c = Confirm {
            title: "unit.confirm_close",
            what: "unit.confirm_close_what",
            subject: format!("{} ({})", unit.name, unit.code),
            back: back.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let moved_from = [from.as_str()];
    let step = repo::status_step(id, &moved_from, to.as_str());
    if !step.apply_on(&mut tx, since).await? {
        return Ok(flash_redirect("form.conflict", &back));
    }
    let tenant_id = user.tenant()?;
    let event = NewEvent {
        unit_id: id,
        effective_on: since,
        kind: "status",
        changes: serde_json::json!({ "status": [from.as_str(), to.as_str()] }),
        note: &note,
    };
    history::record(&mut tx, tenant_id, &user.username, event).await?;
    let change = Change {
        tenant_id,
        action: "org_unit.status",
        entity: "org_unit",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": from.as_str() })),
        after: Some(serde_json::json!({ "status": to.as_str(), "since": since, "note": note })),
    };
    save::done(tx, &ctx, &user, change, "unit.status_changed", &back).await
}
