//! The district's list of specialties (书法, 太极, 法律, …), which the bureau keeps: add one,
//! retire one (kept on the people who have it, no longer offered), bring one back.

use super::repo;
use super::require;
use crate::access::Action;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::web::forms::{FieldErrors, Pairs, text};
use crate::web::{Ctx, render, render_with, save};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "educators/specialties.html")]
struct SpecialtiesPage {
    ctx: Ctx,
    specialties: Vec<repo::Specialty>,
    name: String,
    errors: FieldErrors,
}

pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ManageSpecialties)?;
    let specialties = repo::specialty_list(&mut tx).await?;
    tx.commit().await?;
    Ok(render(&SpecialtiesPage {
        ctx,
        specialties,
        name: String::new(),
        errors: FieldErrors::default(),
    }))
}

pub async fn add(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageSpecialties)?;
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &p.get("name"), true, 20);
    let tenant_id = user.tenant()?;
    let created = if errors.is_empty() {
        repo::add_specialty(&mut tx, tenant_id, &name).await?
    } else {
        None
    };
    let Some(id) = created else {
        if errors.is_empty() {
            errors.add("name", "specialty.exists");
        }
        let specialties = repo::specialty_list(&mut tx).await?;
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SpecialtiesPage {
                ctx,
                specialties,
                name: p.get("name"),
                errors,
            },
        ));
    };
    let change = Change {
        tenant_id,
        action: "specialty.create",
        entity: "specialty",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "name": name })),
    };
    save::done(tx, &ctx, &user, change, "specialty.saved", "/specialties").await
}

/// `POST /specialties/{id}` with `active`: retire a specialty, or bring it back.
pub async fn toggle(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageSpecialties)?;
    let active = p.get("active") == "yes";
    if !repo::set_specialty_active(&mut tx, id, active).await? {
        return Err(AppError::NotFound);
    }
    let change = Change {
        tenant_id: user.tenant()?,
        action: "specialty.update",
        entity: "specialty",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "active": active })),
    };
    save::done(tx, &ctx, &user, change, "specialty.saved", "/specialties").await
}
