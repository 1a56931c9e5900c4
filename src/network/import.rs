//! Importing units from the .xlsx template: upload, a dry run that shows row by row what will be
//! created or changed and every error with its row and column, then confirm. The confirmation
//! checks everything again and writes all rows in one transaction, or nothing.

use super::export::COLUMNS;
use super::forms::UnitForm;
use super::model::{Status, VENUES};
use super::repo;
use crate::access::{Action, may};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::reports::xlsx_in::{self, RawRow, by_label, list_by_label};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

/// Rows an import may hold.
const MAX_ROWS: usize = 2000;

fn require(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::ManageTownSchools) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A row after checking: what it will do, or what is wrong with it.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub code: String,
    pub name: String,
    /// "create" or "update".
    pub action: &'static str,
    /// (column key, catalogue key of the error)
    pub errors: Vec<(String, &'static str)>,
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
    let batch: i64 = sqlx::query_scalar(
        "insert into import_batch (tenant_id, kind, file_name, rows, created_by) values ($1, 'units', $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(serde_json::to_value(&rows).map_err(AppError::internal)?)
    .bind(user.id)
    .fetch_one(&mut *tx)
    .await?;
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

/// Checks every row against the district as it is now, and against the rows above it.
pub async fn check(
    tx: &mut Tx,
    rows: &[RawRow],
) -> sqlx::Result<Vec<(CheckedRow, Option<Planned>)>> {
    let existing: BTreeMap<String, (i64, String, String)> =
        sqlx::query_as::<_, (String, i64, String, String)>(
            "select code, id, kind, status from org_unit",
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(code, id, kind, status)| (code, (id, kind, status)))
        .collect();
    let mut in_file: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut out = Vec::new();
    for raw in rows {
        let get = |k: &str| raw.cells.get(k).cloned().unwrap_or_default();
        let mut errors: Vec<(String, &'static str)> = Vec::new();
        let code = get("field.code").trim().to_string();
        let kind = by_label(
            &get("field.kind"),
            "kind",
            &["town_school", "teaching_point"],
        );
        if kind.is_none() {
            errors.push(("field.kind".into(), "import.kind_unknown"));
        }
        let status = match get("field.status").trim() {
            "" => Some(Status::Active),
            s => by_label(s, "status", &["planned", "active", "suspended", "closed"])
                .and_then(Status::parse),
        };
        if status.is_none() {
            errors.push(("field.status".into(), "import.status_unknown"));
        }
        let venues = list_by_label(&get("field.shared_venues"), "venue", &VENUES);
        if in_file
            .insert(code.clone(), (raw.row, kind.unwrap_or("").to_string()))
            .is_some()
        {
            errors.push(("field.code".into(), "import.code_twice"));
        }
        // The parent: a town school for a point, the college for a school; in the district or above in the file.
        let parent_code = get("field.parent_code").trim().to_string();
        let want_parent = match kind {
            Some("teaching_point") => "town_school",
            _ => "college",
        };
        let parent = existing
            .get(&parent_code)
            .map(|(id, k, _)| (Some(*id), k.clone()));
        let parent = parent.or_else(|| {
            in_file
                .get(&parent_code)
                .filter(|(row, _)| *row < raw.row)
                .map(|(_, k)| (None, k.clone()))
        });
        match &parent {
            Some((_, k)) if k == want_parent => {}
            Some(_) => errors.push(("field.parent_code".into(), "import.parent_wrong_tier")),
            None => errors.push(("field.parent_code".into(), "import.parent_unknown")),
        }
        let current = existing.get(&code);
        if let (Some((_, k, _)), Some(kind)) = (current, kind)
            && k != kind
        {
            errors.push(("field.kind".into(), "import.kind_changes"));
        }
        let form = UnitForm {
            code: code.clone(),
            name: get("field.name"),
            area: get("field.area"),
            village: get("field.village"),
            address: get("field.address"),
            contact_name: get("field.contact_name"),
            contact_phone: get("field.contact_phone"),
            founded_on: get("field.founded_on"),
            fulltime_managers: get("field.fulltime_managers"),
            parttime_managers: get("field.parttime_managers"),
            fulltime_teachers: get("field.fulltime_teachers"),
            parttime_teachers: get("field.parttime_teachers"),
            floor_area: get("field.floor_area"),
            classrooms: get("field.classrooms"),
            opening_hours: get("field.opening_hours"),
            villages_total: get("field.villages_total"),
            shared_venues: venues,
            predecessor: get("field.predecessor"),
            transformed_on: get("field.transformed_on"),
            effective_on: today().to_string(),
            version: 0,
        };
        let input = match form.parse(kind.unwrap_or("teaching_point")) {
            Ok(input) => Some(input),
            Err(field_errors) => {
                for (field, key) in field_errors.iter() {
                    errors.push((format!("field.{field}"), key));
                }
                None
            }
        };
        if let (Some((_, _, from)), Some(to)) = (current, status) {
            let from = Status::parse(from).unwrap_or(Status::Active);
            if from != to && !from.can_become(to) {
                errors.push(("field.status".into(), "unit.status_not_allowed"));
            }
        }
        let checked = CheckedRow {
            row: raw.row,
            code: code.clone(),
            name: form.name.clone(),
            action: if current.is_some() {
                "update"
            } else {
                "create"
            },
            errors,
        };
        let planned = match (input, kind, status, checked.errors.is_empty()) {
            (Some(input), Some(kind), Some(status), true) => Some(Planned {
                existing: current.map(|(id, _, _)| *id),
                kind,
                parent_code,
                status,
                input,
            }),
            _ => None,
        };
        out.push((checked, planned));
    }
    Ok(out)
}

/// A row ready to write.
pub struct Planned {
    existing: Option<i64>,
    kind: &'static str,
    parent_code: String,
    status: Status,
    input: super::forms::UnitInput,
}

#[derive(sqlx::FromRow)]
struct Batch {
    file_name: String,
    rows: serde_json::Value,
    applied_at: Option<chrono::DateTime<chrono::Utc>>,
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

async fn load(tx: &mut Tx, batch: i64) -> Result<(Batch, Vec<RawRow>)> {
    let b: Batch = sqlx::query_as(
        "select file_name, rows, applied_at from import_batch where id = $1 and kind = 'units'",
    )
    .bind(batch)
    .fetch_optional(&mut **tx)
    .await?
    .or_404()?;
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
    let mut ids: BTreeMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("select code, id from org_unit")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    for (row, planned) in checked {
        let p = planned.expect("checked above");
        let parent_id = ids.get(&p.parent_code).copied();
        let (id, before) = match p.existing {
            Some(id) => {
                let before = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
                let version = before.version;
                if !repo::update(&mut tx, id, version, &p.input).await? {
                    return Err(AppError::internal("unit changed during import"));
                }
                if before.status != p.status.as_str() {
                    repo::set_status(&mut tx, id, &before.status, p.status.as_str(), today())
                        .await?;
                }
                (id, Some(before))
            }
            None => {
                let id = repo::insert(&mut tx, tenant_id, p.kind, parent_id, &p.input).await?;
                if p.status != Status::Active {
                    repo::set_status(&mut tx, id, "active", p.status.as_str(), today()).await?;
                }
                (id, None)
            }
        };
        ids.insert(row.code.clone(), id);
        let after = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
        let changes = match &before {
            Some(before) => repo::diff(before, &after),
            None => serde_json::json!({}),
        };
        let note = format!("{} #{}", b.file_name, row.row);
        repo::record_event(
            &mut tx,
            tenant_id,
            &user.username,
            repo::NewEvent {
                unit_id: id,
                effective_on: today(),
                kind: "imported",
                changes,
                note: &note,
            },
        )
        .await?;
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
    sqlx::query("update import_batch set applied_at = now() where id = $1")
        .bind(batch)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(flash_redirect("import.applied", "/units"))
}
