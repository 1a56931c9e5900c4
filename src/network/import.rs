//! Importing units from the .xlsx template: upload, a dry run that shows row by row what will be
//! created or changed and every error with its row and column, then confirm. The confirmation
//! checks everything again and writes all rows in one transaction, or nothing.

mod check;

use super::model::{COLUMNS, Status};
use super::repo::history::{self, NewEvent};
use super::repo::import::Batch;
use super::repo::{self, status_step};
use crate::access::{Action, may};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::reports::xlsx_in::{self, RawRow};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use check::{CheckedRow, check};
use std::collections::BTreeMap;

/// Rows an import may hold.
const MAX_ROWS: usize = 2000;

/// Only the bureau imports units (it manages the town schools).
fn require(user: &CurrentUser) -> Result<()> {
    may(user.role, Action::ManageTownSchools)
        .then_some(())
        .or_404()
}

#[derive(Template)]
#[template(path = "network/import.html")]
struct ImportPage {
    ctx: Ctx,
    error: Option<&'static str>,
}

pub async fn import_page(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    require(&user)?;
    Ok(render(&ImportPage { ctx, error: None }))
}

/// `GET /units/import/template.xlsx`: the columns, with one example row to overwrite.
pub async fn template(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    require(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let example: Vec<Cell> = vec![
        "MJ-XX-01".into(),
        "某某村教学点".into(),
        ctx.t("kind.teaching_point").into(),
        "MJ-XX".into(),
        "某某镇".into(),
        "某某村".into(),
        "某某村党群服务中心".into(),
        ctx.t("status.active").into(),
        "2022-03-01".into(),
        0.into(),
        1.into(),
        0.into(),
        2.into(),
        120.into(),
        2.into(),
        "周一至周五 8:30-17:30".into(),
        Cell::Empty,
        format!(
            "{}、{}",
            ctx.t("venue.library"),
            ctx.t("venue.cultural_centre")
        )
        .into(),
        Cell::Empty,
        Cell::Empty,
        "张老师".into(),
        "0379-67910000".into(),
    ];
    let bytes = xlsx::sheet(
        ctx.t("network.sheet"),
        ctx.t("import.template_title"),
        &headers,
        &[example],
    )
    .map_err(AppError::internal)?;
    Ok(xlsx::download("network-template.xlsx", bytes))
}

/// `POST /units/import` (multipart): reads the file, checks every row and shows the dry run.
pub async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    mut multipart: Multipart,
) -> Result<Response> {
    require(&user)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::Forbidden)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let again = |ctx, error| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                ctx,
                error: Some(error),
            },
        )
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(again(ctx, "import.no_file"));
    };
    let rows = match read_rows(bytes) {
        Ok(rows) if rows.is_empty() => return Ok(again(ctx, "import.empty")),
        Ok(rows) if rows.len() > MAX_ROWS => return Ok(again(ctx, "import.too_many")),
        Ok(rows) => rows,
        Err(key) => return Ok(again(ctx, key)),
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let name: String = file_name.chars().take(200).collect();
    let rows = serde_json::to_value(&rows).map_err(AppError::internal)?;
    let batch = repo::import::insert(&mut tx, tenant_id, &name, rows, user.id).await?;
    let location = format!("/units/import/{batch}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(Redirect::to(&location).into_response())
}

/// The first sheet's rows below the header row, keyed by column.
fn read_rows(bytes: Vec<u8>) -> std::result::Result<Vec<RawRow>, &'static str> {
    let mut book = xlsx_in::open(bytes)?;
    xlsx_in::rows(&mut book, 0, &COLUMNS, &["field.code", "field.name"])
}

#[derive(Template)]
#[template(path = "network/import_review.html")]
struct ReviewPage {
    ctx: Ctx,
    batch: i64,
    file_name: String,
    rows: Vec<CheckedRow>,
    creates: usize,
    updates: usize,
    error_count: usize,
    applied: bool,
}

/// The batch and its rows as uploaded.
async fn load(tx: &mut Tx, batch: i64) -> Result<(Batch, Vec<RawRow>)> {
    let b = repo::import::find(tx, batch).await?.or_404()?;
    let rows = serde_json::from_value(b.rows.clone()).map_err(AppError::internal)?;
    Ok((b, rows))
}

fn review_page(ctx: Ctx, batch: i64, b: &Batch, checked: Vec<CheckedRow>) -> ReviewPage {
    let error_count = checked.iter().map(|r| r.errors.len()).sum();
    let creates = checked.iter().filter(|r| r.action == "create").count();
    let updates = checked.len() - creates;
    ReviewPage {
        ctx,
        batch,
        file_name: b.file_name.clone(),
        rows: checked,
        creates,
        updates,
        error_count,
        applied: b.applied_at.is_some(),
    }
}

/// `GET /units/import/{batch}`: the dry run, row by row.
pub async fn review(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(batch): Path<i64>,
) -> Result<Response> {
    require(&user)?;
    let (b, rows) = load(&mut tx, batch).await?;
    let checked = check(&mut tx, &rows)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    tx.commit().await?;
    Ok(render(&review_page(ctx, batch, &b, checked)))
}

/// `POST /units/import/{batch}`: checks again and writes every row, or none.
pub async fn confirm(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(batch): Path<i64>,
) -> Result<Response> {
    require(&user)?;
    let tenant_id = user.tenant()?;
    let (b, rows) = load(&mut tx, batch).await?;
    if b.applied_at.is_some() {
        return Ok(flash_redirect(
            "import.already_applied",
            &format!("/units/import/{batch}"),
        ));
    }
    let checked = check(&mut tx, &rows).await?;
    if checked
        .iter()
        .any(|(c, p)| !c.errors.is_empty() || p.is_none())
    {
        let page = review_page(
            ctx,
            batch,
            &b,
            checked.into_iter().map(|(c, _)| c).collect(),
        );
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let actor = Actor::of(&user, &ctx);
    let mut ids: BTreeMap<String, i64> = repo::import::units_by_code(&mut tx)
        .await?
        .into_iter()
        .map(|(code, u)| (code, u.id))
        .collect();
    for (row, planned) in checked {
        let p = planned.expect("checked above");
        let parent_id = ids.get(&p.parent_code).copied();
        let (id, before) = write(&mut tx, tenant_id, parent_id, &p).await?;
        ids.insert(row.code.clone(), id);
        let after = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
        let changes = match &before {
            Some(before) => history::diff(before, &after),
            None => serde_json::json!({}),
        };
        let note = format!("{} #{}", b.file_name, row.row);
        let event = NewEvent {
            unit_id: id,
            effective_on: today(),
            kind: "imported",
            changes,
            note: &note,
        };
        history::record(&mut tx, tenant_id, &user.username, event).await?;
        let action = if before.is_some() {
            "org_unit.import_update"
        } else {
            "org_unit.import_create"
        };
        let change = Change {
            tenant_id,
            action,
            entity: "org_unit",
            entity_id: Some(id),
            before: before.as_ref().and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(&after).ok(),
        };
        audit::record(&mut tx, &actor, change).await?;
    }
    repo::import::mark_applied(&mut tx, batch).await?;
    tx.commit().await?;
    Ok(flash_redirect("import.applied", "/units"))
}

/// Writes one checked row: updates the unit with its code, or creates it under `parent_id`,
/// and moves it to the row's status from today. Its id, and the unit as it was before.
async fn write(
    tx: &mut Tx,
    tenant_id: i64,
    parent_id: Option<i64>,
    p: &check::Planned,
) -> Result<(i64, Option<repo::Unit>)> {
    let (id, before, status) = match p.existing {
        Some(id) => {
            let before = repo::find_in_scope(tx, "/", id).await?.or_404()?;
            if !repo::update(tx, id, before.version, &p.input).await? {
                return Err(AppError::internal("unit changed during import"));
            }
            let status = before.status.clone();
            (id, Some(before), status)
        }
        None => {
            let id = repo::insert(tx, tenant_id, p.kind, parent_id, &p.input).await?;
            (id, None, Status::Active.as_str().to_string())
        }
    };
    if status != p.status.as_str() {
        let from = [status.as_str()];
        if !status_step(id, &from, p.status.as_str()).apply(tx).await? {
            return Err(AppError::internal("unit changed during import"));
        }
    }
    Ok((id, before))
}
