//! Adding, editing and removing the items of a draft: resources of the inventory and
//! activities of the action plan. Each change is audited with its before and after.

use super::forms::{PlanForm, ResourceForm};
use super::model::{PERIODS, PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES, SHARING};
use super::repo::{self, Submission};
use super::{Rights, visible_submission};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::{Ctx, flash_redirect, once, render, render_with};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/submissions/{id}/resources/new", get(new_resource))
        .route("/submissions/{id}/resources", post(create_resource))
        .route(
            "/submissions/{id}/resources/{item}",
            get(edit_resource).post(update_resource),
        )
        .route(
            "/submissions/{id}/resources/{item}/delete",
            post(delete_resource),
        )
        .route("/submissions/{id}/plans/new", get(new_plan))
        .route("/submissions/{id}/plans", post(create_plan))
        .route(
            "/submissions/{id}/plans/{item}",
            get(edit_plan).post(update_plan),
        )
        .route("/submissions/{id}/plans/{item}/delete", post(delete_plan))
}

/// The submission, if the user files it and may edit it now; otherwise 404.
async fn editable(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Submission> {
    let s = visible_submission(tx, user, id).await?;
    if !Rights::of(user, &s).edit {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// Network units the filer may name as a resource's location: its own subtree, or (member
/// units and the college) the whole district.
pub(super) async fn locations(tx: &mut Tx, s: &Submission) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select u.id, u.name from org_unit u
          where u.status = 'active'
            and ($1::bigint is null or (select k.kind from org_unit k where k.id = $1) = 'college'
                 or u.path like (select k.path from org_unit k where k.id = $1) || '%')
          order by u.path",
    )
    .bind(s.org_unit_id)
    .fetch_all(&mut **tx)
    .await
}

async fn audit_item(
    tx: &mut Tx,
    user: &CurrentUser,
    ctx: &Ctx,
    action: &str,
    submission: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let tenant_id = user.tenant()?;
    repo::record(tx, tenant_id, submission, action, "", &user.username).await?;
    let change = Change {
        tenant_id,
        action,
        entity: "submission",
        entity_id: Some(submission),
        before,
        after,
    };
    audit::record(tx, &Actor::of(user, ctx), change).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "cycle/resource_form.html")]
struct ResourceFormPage {
    ctx: Ctx,
    s: Submission,
    item: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    units: Vec<(i64, String)>,
    categories: &'static [&'static str],
    populations: &'static [&'static str],
    sharing: &'static [&'static str],
}

impl ResourceFormPage {
    fn new(
        ctx: Ctx,
        s: Submission,
        item: Option<i64>,
        form: ResourceForm,
        errors: FieldErrors,
        units: Vec<(i64, String)>,
    ) -> Self {
        Self {
            ctx,
            s,
            item,
            form,
            errors,
            units,
            categories: &RESOURCE_CATEGORIES,
            populations: &POPULATIONS,
            sharing: &SHARING,
        }
    }
}

async fn new_resource(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let units = locations(&mut tx, &s).await?;
    tx.commit().await?;
    let form = ResourceForm {
        sharing: "free".into(),
        ..Default::default()
    };
    Ok(render(&ResourceFormPage::new(
        ctx,
        s,
        None,
        form,
        FieldErrors::default(),
        units,
    )))
}

async fn create_resource(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let units = locations(&mut tx, &s).await?;
    let form = ResourceForm::from_pairs(&p);
    let i = match form.parse(&units) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResourceFormPage::new(ctx, s, None, form, errors, units),
            ));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let item = repo::insert_resource(&mut tx, tenant_id, id, &i).await?;
    let after = repo::resource(&mut tx, id, item)
        .await?
        .and_then(|r| serde_json::to_value(r).ok());
    audit_item(&mut tx, &user, &ctx, "resource.create", id, None, after).await?;
    let location = format!("/submissions/{id}#resources");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("item.saved", &location))
}

async fn edit_resource(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let r = repo::resource(&mut tx, id, item).await?.or_404()?;
    let units = locations(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(render(&ResourceFormPage::new(
        ctx,
        s,
        Some(item),
        ResourceForm::from_item(&r),
        FieldErrors::default(),
        units,
    )))
}

async fn update_resource(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let before = repo::resource(&mut tx, id, item).await?.or_404()?;
    let units = locations(&mut tx, &s).await?;
    let mut form = ResourceForm::from_pairs(&p);
    let i = match form.parse(&units) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResourceFormPage::new(ctx, s, Some(item), form, errors, units),
            ));
        }
    };
    let done = sqlx::query(
        "update resource_item set category = $3, name = $4, description = $5, location_unit_id = $6, address = $7, capacity = $8,
                opening_times = $9, populations = $10, sharing = $11, contact = $12, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(item)
    .bind(form.version)
    .bind(&i.category)
    .bind(&i.name)
    .bind(&i.description)
    .bind(i.location_unit_id)
    .bind(&i.address)
    .bind(i.capacity)
    .bind(&i.opening_times)
    .bind(&i.populations)
    .bind(&i.sharing)
    .bind(&i.contact)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        // Someone saved first: show what is saved now, with the conflict said beside the form.
        let mut errors = FieldErrors::default();
        errors.add("form", "form.conflict");
        form = ResourceForm::from_item(&before);
        return Ok(render_with(
            StatusCode::CONFLICT,
            &ResourceFormPage::new(ctx, s, Some(item), form, errors, units),
        ));
    }
    let after = repo::resource(&mut tx, id, item)
        .await?
        .and_then(|r| serde_json::to_value(r).ok());
    audit_item(
        &mut tx,
        &user,
        &ctx,
        "resource.update",
        id,
        serde_json::to_value(&before).ok(),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "item.saved",
        &format!("/submissions/{id}#resources"),
    ))
}

async fn delete_resource(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    let _ = editable(&mut tx, &user, id).await?;
    let before = repo::resource(&mut tx, id, item).await?.or_404()?;
    let c = Confirm {
        title: "item.confirm_delete",
        what: "item.confirm_delete_what",
        subject: before.name.clone(),
        back: format!("/submissions/{id}#resources"),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    sqlx::query("delete from resource_item where id = $1 and submission_id + 0 = $2")
        .bind(item)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_item(
        &mut tx,
        &user,
        &ctx,
        "resource.delete",
        id,
        serde_json::to_value(&before).ok(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "item.deleted",
        &format!("/submissions/{id}#resources"),
    ))
}

#[derive(Template)]
#[template(path = "cycle/plan_form.html")]
struct PlanFormPage {
    ctx: Ctx,
    s: Submission,
    item: Option<i64>,
    form: PlanForm,
    errors: FieldErrors,
    categories: &'static [&'static str],
    populations: &'static [&'static str],
    periods: &'static [&'static str],
}

impl PlanFormPage {
    fn new(
        ctx: Ctx,
        s: Submission,
        item: Option<i64>,
        form: PlanForm,
        errors: FieldErrors,
    ) -> Self {
        Self {
            ctx,
            s,
            item,
            form,
            errors,
            categories: &PLAN_CATEGORIES,
            populations: &POPULATIONS,
            periods: &PERIODS,
        }
    }
}

async fn new_plan(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    tx.commit().await?;
    let form = PlanForm {
        period: "Y".into(),
        ..Default::default()
    };
    Ok(render(&PlanFormPage::new(
        ctx,
        s,
        None,
        form,
        FieldErrors::default(),
    )))
}

async fn create_plan(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let form = PlanForm::from_pairs(&p);
    let i = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PlanFormPage::new(ctx, s, None, form, errors),
            ));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let item = repo::insert_plan(&mut tx, tenant_id, id, &i).await?;
    let after = repo::plan(&mut tx, id, item)
        .await?
        .and_then(|r| serde_json::to_value(r).ok());
    audit_item(&mut tx, &user, &ctx, "plan.create", id, None, after).await?;
    let location = format!("/submissions/{id}#plans");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("item.saved", &location))
}

async fn edit_plan(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let plan = repo::plan(&mut tx, id, item).await?.or_404()?;
    tx.commit().await?;
    Ok(render(&PlanFormPage::new(
        ctx,
        s,
        Some(item),
        PlanForm::from_item(&plan),
        FieldErrors::default(),
    )))
}

async fn update_plan(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let before = repo::plan(&mut tx, id, item).await?.or_404()?;
    let form = PlanForm::from_pairs(&p);
    let i = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PlanFormPage::new(ctx, s, Some(item), form, errors),
            ));
        }
    };
    let done = sqlx::query(
        "update plan_item set title = $3, category = $4, populations = $5, period = $6, place = $7, participants = $8,
                budget_government = $9, budget_donation = $10, budget_learners = $11, budget_other = $12, responsible = $13,
                version = version + 1
          where id = $1 and version = $2",
    )
    .bind(item)
    .bind(form.version)
    .bind(&i.title)
    .bind(&i.category)
    .bind(&i.populations)
    .bind(&i.period)
    .bind(&i.place)
    .bind(i.participants)
    .bind(i.budget[0])
    .bind(i.budget[1])
    .bind(i.budget[2])
    .bind(i.budget[3])
    .bind(&i.responsible)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let mut errors = FieldErrors::default();
        errors.add("form", "form.conflict");
        let page = PlanFormPage::new(ctx, s, Some(item), PlanForm::from_item(&before), errors);
        return Ok(render_with(StatusCode::CONFLICT, &page));
    }
    let after = repo::plan(&mut tx, id, item)
        .await?
        .and_then(|r| serde_json::to_value(r).ok());
    audit_item(
        &mut tx,
        &user,
        &ctx,
        "plan.update",
        id,
        serde_json::to_value(&before).ok(),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "item.saved",
        &format!("/submissions/{id}#plans"),
    ))
}

async fn delete_plan(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    let _ = editable(&mut tx, &user, id).await?;
    let before = repo::plan(&mut tx, id, item).await?.or_404()?;
    let c = Confirm {
        title: "item.confirm_delete",
        what: "item.confirm_delete_what",
        subject: before.title.clone(),
        back: format!("/submissions/{id}#plans"),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    sqlx::query("delete from plan_item where id = $1 and submission_id + 0 = $2")
        .bind(item)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_item(
        &mut tx,
        &user,
        &ctx,
        "plan.delete",
        id,
        serde_json::to_value(&before).ok(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "item.deleted",
        &format!("/submissions/{id}#plans"),
    ))
}
