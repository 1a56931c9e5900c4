//! A unit's page, its edit (a stale save gets the conflict page, never an overwrite) and a new
//! unit under it: a town school under the college, a teaching point under a town school.

use super::forms::UnitForm;
use super::model::{Status, VENUES};
use super::repo::history::{self, Event, NewEvent};
use super::repo::{self, Unit, designations::Designation};
use super::{Permits, unit_in_scope, unit_permitted};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{OrNotFound, Result};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "network/show.html")]
pub struct UnitPage {
    ctx: Ctx,
    unit: Unit,
    children: Vec<Unit>,
    events: Vec<Event>,
    designations: Vec<Designation>,
    permits: Permits,
    next_statuses: Vec<Status>,
    today: String,
    errors: FieldErrors,
}

/// A unit's page, with `errors` beside the status form when a change was refused; ends the
/// request's transaction.
pub async fn unit_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    unit: Unit,
    errors: FieldErrors,
) -> Result<UnitPage> {
    let children = repo::children(&mut tx, unit.id).await?;
    let events = history::of_unit(&mut tx, unit.id).await?;
    let designations = repo::designations::of_unit(&mut tx, unit.id).await?;
    tx.commit().await?;
    let permits = Permits::of(user, &unit);
    let next_statuses = Status::parse(&unit.status)
        .map(Status::next)
        .unwrap_or_default();
    Ok(UnitPage {
        ctx,
        unit,
        children,
        events,
        designations,
        permits,
        next_statuses,
        today: today().to_string(),
        errors,
    })
}

/// `GET /units/{id}`.
pub async fn show_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = unit_in_scope(&mut tx, &user, id).await?;
    Ok(render(
        &unit_page(tx, ctx, &user, unit, FieldErrors::default()).await?,
    ))
}

#[derive(Template)]
#[template(path = "network/form.html")]
struct UnitFormPage {
    ctx: Ctx,
    /// The unit being edited, or the parent of a new one.
    unit: Unit,
    creating: bool,
    kind: String,
    form: UnitForm,
    errors: FieldErrors,
    venues: Vec<&'static str>,
}

impl UnitFormPage {
    fn new(ctx: Ctx, unit: Unit, creating: bool, kind: &str, form: UnitForm) -> Self {
        Self {
            ctx,
            unit,
            creating,
            kind: kind.to_string(),
            form,
            errors: FieldErrors::default(),
            venues: VENUES.to_vec(),
        }
    }

    fn kind_key(&self) -> String {
        format!("kind.{}", self.kind)
    }

    /// The form again with its errors beside the fields (422); nothing was saved.
    fn invalid(mut self, errors: FieldErrors) -> Response {
        self.errors = errors;
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    /// The form again with the code refused: another unit of the district has it.
    fn code_taken(self) -> Response {
        let mut errors = FieldErrors::default();
        errors.add("code", "unit.code_taken");
        self.invalid(errors)
    }
}

/// `GET /units/{id}/edit`.
pub async fn edit_unit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = unit_permitted(&mut tx, &user, id, |p| p.edit).await?;
    tx.commit().await?;
    let form = UnitForm::from_unit(&unit, today());
    let kind = unit.kind.clone();
    Ok(render(&UnitFormPage::new(ctx, unit, false, &kind, form)))
}

/// `POST /units/{id}`: saves an edit over the version the form showed, with a dated entry in
/// the unit's history.
pub async fn update_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let unit = unit_permitted(&mut tx, &user, id, |p| p.edit).await?;
    let form = UnitForm::from_pairs(&pairs);
    let kind = unit.kind.clone();
    let input = match form.parse(&kind) {
        Ok(input) => input,
        Err(errors) => return Ok(UnitFormPage::new(ctx, unit, false, &kind, form).invalid(errors)),
    };
    match repo::update(&mut tx, id, form.version, &input).await {
        Ok(true) => {}
        Ok(false) => {
            let conflict = Conflict {
                fields: form.compare(&unit),
                edit: format!("/units/{id}/edit"),
                view: format!("/units/{id}"),
            };
            return Ok(save::conflict(&ctx, conflict));
        }
        Err(e) if violates(&e, "org_unit_code_key") => {
            return Ok(UnitFormPage::new(ctx, unit, false, &kind, form).code_taken());
        }
        Err(e) => return Err(e.into()),
    }
    let after = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
    let tenant_id = user.tenant()?;
    let event = NewEvent {
        unit_id: id,
        effective_on: input.effective_on,
        kind: "updated",
        changes: history::diff(&unit, &after),
        note: "",
    };
    history::record(&mut tx, tenant_id, &user.username, event).await?;
    let change = Change {
        tenant_id,
        action: "org_unit.update",
        entity: "org_unit",
        entity_id: Some(id),
        before: serde_json::to_value(&unit).ok(),
        after: serde_json::to_value(&after).ok(),
    };
    let to = format!("/units/{id}");
    save::done(tx, &ctx, &user, change, "unit.saved", &to).await
}

/// `GET /units/{id}/children/new`.
pub async fn new_child_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let parent = unit_permitted(&mut tx, &user, id, |p| p.add_child).await?;
    tx.commit().await?;
    let kind = parent.child_kind().or_404()?;
    let mut form = UnitForm::blank(today());
    // A new point serves a village of its school's town.
    form.area = parent.area.clone();
    Ok(render(&UnitFormPage::new(ctx, parent, true, kind, form)))
}

/// `POST /units/{id}/children`: a town school under the college, or a teaching point under a
/// town school.
pub async fn create_child(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let parent = unit_permitted(&mut tx, &user, id, |p| p.add_child).await?;
    let kind = parent.child_kind().or_404()?;
    let form = UnitForm::from_pairs(&pairs);
    let input = match form.parse(kind) {
        Ok(input) => input,
        Err(errors) => return Ok(UnitFormPage::new(ctx, parent, true, kind, form).invalid(errors)),
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let new_id = match repo::insert(&mut tx, tenant_id, kind, Some(id), &input).await {
        Ok(new_id) => new_id,
        Err(e) if violates(&e, "org_unit_code_key") => {
            return Ok(UnitFormPage::new(ctx, parent, true, kind, form).code_taken());
        }
        Err(e) => return Err(e.into()),
    };
    let created = repo::find_in_scope(&mut tx, "/", new_id).await?.or_404()?;
    let event = NewEvent {
        unit_id: new_id,
        effective_on: input.effective_on,
        kind: "created",
        changes: serde_json::json!({}),
        note: "",
    };
    history::record(&mut tx, tenant_id, &user.username, event).await?;
    let location = format!("/units/{new_id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "org_unit.create",
        entity: "org_unit",
        entity_id: Some(new_id),
        before: None,
        after: serde_json::to_value(&created).ok(),
    };
    save::done(tx, &ctx, &user, change, "unit.created", &location).await
}
