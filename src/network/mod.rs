//! The three-tier network: the college, town schools and village teaching points.
//! Who may change what follows `access::may` plus the scope: a town administrator's scope is
//! its own school's subtree, so other towns' units are simply not found.

pub mod forms;
pub mod repo;

use crate::access::{Action, may};
use crate::app::AppState;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::violates;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use forms::UnitForm;
use repo::{Unit, UnitFilter};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_units))
        .route("/units/{id}", get(show_unit).post(update_unit))
        .route("/units/{id}/edit", get(edit_unit_form))
        .route("/units/{id}/children/new", get(new_child_form))
        .route("/units/{id}/children", post(create_child))
        .route("/units/{id}/deactivate", post(deactivate_unit))
        .route("/units/{id}/activate", post(activate_unit))
}

/// What the user may do to a unit already found in their scope.
pub struct Permits {
    pub edit: bool,
    pub add_child: bool,
    pub deactivate: bool,
}

impl Permits {
    pub fn of(user: &CurrentUser, unit: &Unit) -> Self {
        let role = user.role;
        let manages_own_kind = match unit.kind.as_str() {
            "teaching_point" => may(role, Action::ManagePoints),
            _ => may(role, Action::ManageTownSchools),
        };
        let own_school = unit.kind == "town_school"
            && user.unit_id == Some(unit.id)
            && may(role, Action::EditOwnSchool);
        let add_child = match unit.child_kind() {
            Some("town_school") => may(role, Action::ManageTownSchools),
            Some(_) => may(role, Action::ManagePoints),
            None => false,
        };
        Self {
            edit: manages_own_kind || own_school,
            add_child: add_child && unit.active,
            deactivate: manages_own_kind && unit.kind != "college",
        }
    }
}

async fn unit_in_scope(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(crate::db::Tx, Unit)> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    let mut tx = app.db.begin_for(user.tenant()?).await?;
    let unit = repo::find_in_scope(&mut tx, &user.scope_path, id)
        .await?
        .or_404()?;
    Ok((tx, unit))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    inactive: String,
}

#[derive(Template)]
#[template(path = "network/index.html")]
struct UnitListPage {
    ctx: Ctx,
    units: Vec<Unit>,
    q: String,
    kind: String,
    include_inactive: bool,
}

/// The network tree within the user's scope, with search and filters.
async fn list_units(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    let mut tx = app.db.begin_for(user.tenant()?).await?;
    let kind = if ["college", "town_school", "teaching_point"].contains(&q.kind.as_str()) {
        q.kind
    } else {
        String::new()
    };
    let filter = UnitFilter {
        q: q.q,
        kind,
        include_inactive: q.inactive == "1",
    };
    let units = repo::list_in_scope(&mut tx, &user.scope_path, &filter).await?;
    tx.commit().await?;
    Ok(render(&UnitListPage {
        ctx,
        units,
        q: filter.q,
        kind: filter.kind,
        include_inactive: filter.include_inactive,
    }))
}

#[derive(Template)]
#[template(path = "network/show.html")]
struct UnitPage {
    ctx: Ctx,
    unit: Unit,
    children: Vec<Unit>,
    history: Vec<repo::HistoryEntry>,
    permits: Permits,
}

async fn show_unit(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (mut tx, unit) = unit_in_scope(&app, &user, id).await?;
    let children = repo::children(&mut tx, id).await?;
    let history = repo::history(&mut tx, id).await?;
    tx.commit().await?;
    let permits = Permits::of(&user, &unit);
    Ok(render(&UnitPage {
        ctx,
        unit,
        children,
        history,
        permits,
    }))
}

#[derive(Template)]
#[template(path = "network/form.html")]
struct UnitFormPage {
    ctx: Ctx,
    /// The unit being edited, or the parent of a new one.
    unit: Unit,
    creating: bool,
    kind_key: String,
    form: UnitForm,
    errors: FieldErrors,
}

async fn edit_unit_form(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (tx, unit) = unit_in_scope(&app, &user, id).await?;
    tx.commit().await?;
    if !Permits::of(&user, &unit).edit {
        return Err(AppError::NotFound);
    }
    let form = UnitForm {
        code: unit.code.clone(),
        name: unit.name.clone(),
        area: unit.area.clone(),
        address: unit.address.clone(),
        contact_name: unit.contact_name.clone(),
        contact_phone: unit.contact_phone.clone(),
        version: unit.version,
    };
    let kind = unit.kind.clone();
    Ok(render(&UnitFormPage {
        ctx,
        unit,
        creating: false,
        kind_key: format!("kind.{kind}"),
        form,
        errors: FieldErrors::default(),
    }))
}

#[derive(Template)]
#[template(path = "network/conflict.html")]
struct ConflictPage {
    ctx: Ctx,
    current: Unit,
    yours: UnitForm,
}

/// Saves an edit; a stale version gets the conflict page, never a silent overwrite.
async fn update_unit(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response> {
    let (mut tx, unit) = unit_in_scope(&app, &user, id).await?;
    if !Permits::of(&user, &unit).edit {
        return Err(AppError::NotFound);
    }
    let kind = unit.kind.clone();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    unit,
                    creating: false,
                    kind_key: format!("kind.{kind}"),
                    form,
                    errors,
                },
            ));
        }
    };
    if form.version != unit.version {
        return Ok(render_with(
            StatusCode::CONFLICT,
            &ConflictPage {
                ctx,
                current: unit,
                yours: form,
            },
        ));
    }
    match repo::update(&mut tx, id, form.version, &input).await {
        Ok(true) => {}
        Ok(false) => {
            return Ok(render_with(
                StatusCode::CONFLICT,
                &ConflictPage {
                    ctx,
                    current: unit,
                    yours: form,
                },
            ));
        }
        Err(e) if violates(&e, "org_unit_code_key") => {
            let mut errors = FieldErrors::default();
            errors.add("code", "unit.code_taken");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    unit,
                    creating: false,
                    kind_key: format!("kind.{kind}"),
                    form,
                    errors,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let after = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "org_unit.update",
        entity: "org_unit",
        entity_id: Some(id),
        before: serde_json::to_value(&unit).ok(),
        after: serde_json::to_value(&after).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("unit.saved", &format!("/units/{id}")))
}

async fn new_child_form(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (tx, parent) = unit_in_scope(&app, &user, id).await?;
    tx.commit().await?;
    if !Permits::of(&user, &parent).add_child {
        return Err(AppError::NotFound);
    }
    let kind = parent.child_kind().or_404()?.to_string();
    Ok(render(&UnitFormPage {
        ctx,
        unit: parent,
        creating: true,
        kind_key: format!("kind.{kind}"),
        form: UnitForm::default(),
        errors: FieldErrors::default(),
    }))
}

/// Creates a town school under the college, or a teaching point under a town school.
async fn create_child(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response> {
    let (mut tx, parent) = unit_in_scope(&app, &user, id).await?;
    if !Permits::of(&user, &parent).add_child {
        return Err(AppError::NotFound);
    }
    let kind = parent.child_kind().or_404()?.to_string();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    unit: parent,
                    creating: true,
                    kind_key: format!("kind.{kind}"),
                    form,
                    errors,
                },
            ));
        }
    };
    let tenant_id = user.tenant()?;
    let new_id = match repo::insert(&mut tx, tenant_id, &kind, Some(id), &input).await {
        Ok(new_id) => new_id,
        Err(e) if violates(&e, "org_unit_code_key") => {
            let mut errors = FieldErrors::default();
            errors.add("code", "unit.code_taken");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    unit: parent,
                    creating: true,
                    kind_key: format!("kind.{kind}"),
                    form,
                    errors,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let created = repo::find_in_scope(&mut tx, "/", new_id).await?.or_404()?;
    let change = Change {
        tenant_id,
        action: "org_unit.create",
        entity: "org_unit",
        entity_id: Some(new_id),
        before: None,
        after: serde_json::to_value(&created).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("unit.created", &format!("/units/{new_id}")))
}

async fn deactivate_unit(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_active(ctx, user, app, id, false).await
}

async fn activate_unit(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_active(ctx, user, app, id, true).await
}

/// Deactivates (or reactivates) a unit; a school with active points keeps running until they stop.
async fn set_active(
    ctx: Ctx,
    user: CurrentUser,
    app: AppState,
    id: i64,
    active: bool,
) -> Result<Response> {
    let (mut tx, unit) = unit_in_scope(&app, &user, id).await?;
    if !Permits::of(&user, &unit).deactivate {
        return Err(AppError::NotFound);
    }
    let to = format!("/units/{id}");
    if !active && unit.active_children > 0 {
        return Ok(flash_redirect("unit.has_active_children", &to));
    }
    if active && unit.parent_id.is_some() {
        let parent_active: bool = sqlx::query_scalar("select active from org_unit where id = $1")
            .bind(unit.parent_id)
            .fetch_one(&mut *tx)
            .await?;
        if !parent_active {
            return Ok(flash_redirect("unit.parent_inactive", &to));
        }
    }
    if repo::set_active(&mut tx, id, active).await? {
        let change = Change {
            tenant_id: user.tenant()?,
            action: if active {
                "org_unit.activate"
            } else {
                "org_unit.deactivate"
            },
            entity: "org_unit",
            entity_id: Some(id),
            before: Some(serde_json::json!({ "active": unit.active })),
            after: Some(serde_json::json!({ "active": active })),
        };
        audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    }
    tx.commit().await?;
    Ok(flash_redirect(
        if active {
            "unit.activated"
        } else {
            "unit.deactivated"
        },
        &to,
    ))
}
