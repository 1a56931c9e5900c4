//! The policy targets (`/targets`): a year's targets measured against the data, which the
//! bureau edits (a stale save gets the conflict page, never an overwrite) and extends by a year.

use super::dashboard::{TargetView, targets_of_year};
use super::{forms, repo};
use crate::access::{Action, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

#[derive(Template)]
#[template(path = "reports/targets.html")]
struct TargetsPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    targets: Vec<TargetView>,
    can_edit: bool,
    errors: FieldErrors,
    failed: Option<i64>,
}

/// The district-wide roles read the targets; the bureau edits them.
fn require_view(user: &CurrentUser) -> Result<()> {
    user.role.is_district_wide().then_some(()).or_404()
}

fn require_edit(user: &CurrentUser) -> Result<()> {
    may(user.role, Action::EditTargets).then_some(()).or_404()
}

/// The page of `year`'s targets, with `errors` beside the form of target `failed`.
async fn targets_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    year: Option<i32>,
    errors: FieldErrors,
    failed: Option<i64>,
) -> Result<TargetsPage> {
    let (year, years, targets) = targets_of_year(tx, year).await?;
    Ok(TargetsPage {
        ctx,
        year,
        years,
        targets,
        can_edit: may(user.role, Action::EditTargets),
        errors,
        failed,
    })
}

/// The page again with the form's errors (422); nothing was saved.
async fn invalid(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    year: Option<i32>,
    errors: FieldErrors,
    failed: Option<i64>,
) -> Result<Response> {
    let page = targets_page(&mut tx, ctx, user, year, errors, failed).await?;
    tx.rollback().await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `GET /targets?year=`: the year's targets; the bureau edits them here.
pub async fn list_targets(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    require_view(&user)?;
    let page = targets_page(&mut tx, ctx, &user, q.year, FieldErrors::default(), None).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /targets/{id}`: a new target value or deadline over the version the page showed.
pub async fn update_target(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_edit(&user)?;
    let tenant_id = user.tenant()?;
    let before = repo::target(&mut tx, id).await?.or_404()?;
    let input = match forms::parse_target(&p) {
        Ok(input) => input,
        Err(errors) => return invalid(tx, ctx, &user, Some(before.year), errors, Some(id)).await,
    };
    let to = format!("/targets?year={}", before.year);
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    if !repo::update_target(&mut tx, id, version, input).await? {
        let conflict = Conflict {
            fields: forms::compare_target(&p, &before),
            edit: to.clone(),
            view: to,
        };
        return Ok(save::conflict(&ctx, conflict));
    }
    let change = Change {
        tenant_id,
        action: "policy_target.update",
        entity: "policy_target",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "target": before.target, "deadline": before.deadline })),
        after: Some(serde_json::json!({ "target": input.target, "deadline": input.deadline })),
    };
    save::done(tx, &ctx, &user, change, "target.saved", &to).await
}

/// `POST /targets`: a new year, starting from the policy's targets with that year's deadlines.
pub async fn add_year(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_edit(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let year = match forms::parse_year(&p) {
        Ok(year) => year,
        Err(errors) => return invalid(tx, ctx, &user, None, errors, None).await,
    };
    let added = repo::add_year(&mut tx, tenant_id, year).await?;
    let location = format!("/targets?year={year}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    if added == 0 {
        // The year had its targets already: nothing changed, nothing to audit.
        tx.commit().await?;
        return Ok(crate::web::flash_redirect("target.year_added", &location));
    }
    let change = Change {
        tenant_id,
        action: "policy_target.add_year",
        entity: "policy_target",
        entity_id: None,
        before: None,
        after: Some(serde_json::json!({ "year": year })),
    };
    save::done(tx, &ctx, &user, change, "target.year_added", &location).await
}
