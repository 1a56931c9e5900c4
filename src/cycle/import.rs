//! A submission's lists as a spreadsheet and back: export (which doubles as the template),
//! then import with a dry run that names every error by sheet, row and column; confirming
//! replaces the draft's lists in one transaction, or changes nothing.

use super::forms::sheet::{self, Checked, Parsed, Staged};
use super::forms::{PLAN_SHEET, RESOURCE_SHEET, labels};
use super::model::yuan;
use super::repo::imports;
use super::repo::items;
use super::repo::plans::PlanItem;
use super::repo::resources::ResourceItem;
use super::repo::submissions::{self as history, Submission};
use super::{editable, locations, visible_submission};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx;
use crate::state::AppState;
use crate::web::{Ctx, flash_redirect, once, render, render_with, save};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/submissions/{id}/lists.xlsx", get(export_lists))
        .route("/submissions/{id}/import", get(import_page).post(upload))
        .route(
            "/submissions/{id}/import/{batch}",
            get(review).post(confirm),
        )
}

/// A sheet's column headers, in the page's language.
fn headers<'a>(ctx: &Ctx, sheet: &[(&str, &'a str)]) -> Vec<&'a str> {
    sheet.iter().map(|(_, column)| ctx.t(column)).collect()
}

/// `GET /submissions/{id}/lists.xlsx`: the lists as they stand, in the import template's form,
/// streamed from the database into the workbook (a list may hold 100,000 items).
async fn export_lists(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = visible_submission(&mut tx, &user, id).await?;
    let filer: &dyn std::fmt::Display = &s.filer_name;
    let resources_title = ctx.tf(
        "item.resources_title",
        &[("filer", filer), ("year", &s.year)],
    );
    let plans_title = ctx.tf(
        "item.plans_title",
        &[("filer", filer), ("year", &(s.year + 1))],
    );
    let tr = |key: &str| ctx.tr(key);
    let mut book = xlsx::Writer::new();
    book.sheet(
        ctx.t("item.resources"),
        &resources_title,
        &headers(&ctx, &RESOURCE_SHEET),
    )
    .map_err(AppError::internal)?;
    let sql = items::listed_sql::<ResourceItem>();
    let listed = items::all(&mut tx, id, &sql);
    book.stream(listed, |r: ResourceItem| {
        vec![
            ctx.tr(&r.category_label()).into(),
            r.name.as_str().into(),
            r.description.as_str().into(),
            r.location_name.clone().unwrap_or_default().into(),
            r.address.as_str().into(),
            r.capacity.into(),
            r.opening_times.as_str().into(),
            labels(tr, "population", &r.populations).into(),
            ctx.tr(&r.sharing_label()).into(),
            r.contact.as_str().into(),
        ]
    })
    .await?;
    book.sheet(
        ctx.t("item.plans"),
        &plans_title,
        &headers(&ctx, &PLAN_SHEET),
    )
    .map_err(AppError::internal)?;
    let sql = items::listed_sql::<PlanItem>();
    let listed = items::all(&mut tx, id, &sql);
    book.stream(listed, |p: PlanItem| {
        vec![
            p.title.as_str().into(),
            ctx.tr(&p.category_label()).into(),
            labels(tr, "population", &p.populations).into(),
            ctx.tr(&p.period_label()).into(),
            p.place.as_str().into(),
            p.participants.into(),
            yuan(p.budget_government).into(),
            yuan(p.budget_donation).into(),
            yuan(p.budget_learners).into(),
            yuan(p.budget_other).into(),
            p.responsible.as_str().into(),
        ]
    })
    .await?;
    tx.commit().await?;
    let bytes = book.finish().map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("lists-{}-{id}.xlsx", s.year),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "cycle/import.html")]
struct ImportPage {
    ctx: Ctx,
    s: Submission,
    error: Option<&'static str>,
}

async fn import_page(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    tx.commit().await?;
    Ok(render(&ImportPage {
        ctx,
        s,
        error: None,
    }))
}

/// `POST /submissions/{id}/import`: keeps the file's rows for the dry run, then shows it.
async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("lists.xlsx").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::Forbidden)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let refused = |ctx, s, key| {
        let page = ImportPage {
            ctx,
            s,
            error: Some(key),
        };
        Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(ctx, s, "import.no_file");
    };
    let staged = match sheet::read(bytes) {
        Ok(staged) => staged,
        Err(key) => return refused(ctx, s, key),
    };
    let tenant_id = user.tenant()?;
    if let Some(earlier) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(earlier);
    }
    let rows = serde_json::to_value(&staged).map_err(AppError::internal)?;
    let name: String = file_name.chars().take(200).collect();
    let batch = imports::insert(&mut tx, tenant_id, id, &name, rows, user.id).await?;
    let location = format!("/submissions/{id}/import/{batch}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(Redirect::to(&location).into_response())
}

/// Checks every row of the batch with the same rules as the forms.
async fn check(
    tx: &mut Tx,
    s: &Submission,
    staged: &Staged,
) -> sqlx::Result<Vec<(Checked, Option<Parsed>)>> {
    let units = locations(tx, s).await?;
    Ok(sheet::check(staged, &units))
}

#[derive(Template)]
#[template(path = "cycle/import_review.html")]
struct ReviewPage {
    ctx: Ctx,
    s: Submission,
    batch: i64,
    file_name: String,
    rows: Vec<Checked>,
    resources: usize,
    plans: usize,
    error_count: usize,
    applied: bool,
}

/// The batch of the submission's lists: its file's name, its rows, whether it was applied.
async fn load(tx: &mut Tx, id: i64, batch: i64) -> Result<(String, Staged, bool)> {
    let b = imports::find(tx, id, batch).await?.or_404()?;
    let staged = serde_json::from_value(b.rows).map_err(AppError::internal)?;
    Ok((b.file_name, staged, b.applied_at.is_some()))
}

fn review_page(
    ctx: Ctx,
    s: Submission,
    batch: i64,
    file_name: String,
    checked: Vec<Checked>,
    applied: bool,
) -> ReviewPage {
    let resources = checked
        .iter()
        .filter(|c| c.sheet == "item.resources")
        .count();
    let plans = checked.len() - resources;
    let error_count = checked.iter().map(|c| c.errors.len()).sum();
    ReviewPage {
        ctx,
        s,
        batch,
        file_name,
        rows: checked,
        resources,
        plans,
        error_count,
        applied,
    }
}

async fn review(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, batch)): Path<(i64, i64)>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let (file_name, staged, applied) = load(&mut tx, id, batch).await?;
    let checked = check(&mut tx, &s, &staged)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    tx.commit().await?;
    Ok(render(&review_page(
        ctx, s, batch, file_name, checked, applied,
    )))
}

/// Replaces the draft's lists with the file's rows, all in one transaction, or nothing at all.
async fn confirm(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, batch)): Path<(i64, i64)>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let to = format!("/submissions/{id}");
    let (file_name, staged, applied) = load(&mut tx, id, batch).await?;
    if applied {
        return Ok(flash_redirect("import.already_applied", &to));
    }
    let checked = check(&mut tx, &s, &staged).await?;
    if checked
        .iter()
        .any(|(c, p)| !c.errors.is_empty() || p.is_none())
    {
        let rows = checked.into_iter().map(|(c, _)| c).collect();
        let page = review_page(ctx, s, batch, file_name, rows, false);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let tenant_id = user.tenant()?;
    items::delete_all::<ResourceItem>(&mut tx, id).await?;
    items::delete_all::<PlanItem>(&mut tx, id).await?;
    for (_, parsed) in &checked {
        match parsed {
            Some(Parsed::Resource(i)) => {
                items::insert::<ResourceItem>(&mut tx, tenant_id, id, i).await?;
            }
            Some(Parsed::Plan(i)) => {
                items::insert::<PlanItem>(&mut tx, tenant_id, id, i).await?;
            }
            None => unreachable!("checked above"),
        }
    }
    imports::mark_applied(&mut tx, batch).await?;
    let (resources, plans) = (staged.resources.len(), staged.plans.len());
    let note = format!("{file_name}：{resources} + {plans}");
    history::record(&mut tx, tenant_id, id, "import", &note, &user.username).await?;
    let change = Change {
        tenant_id,
        action: "submission.import",
        entity: "submission",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "file": file_name, "resources": resources, "plans": plans }),
        ),
    };
    save::done(tx, &ctx, &user, change, "import.applied", &to).await
}
