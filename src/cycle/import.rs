//! A submission's lists as a spreadsheet and back: export (which doubles as the template),
//! then import with a dry run that names every error by sheet, row and column; confirming
//! replaces the draft's lists in one transaction, or changes nothing.

use super::forms::{PlanForm, ResourceForm};
use super::items::locations;
use super::model::{PERIODS, PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES, SHARING};
use super::repo::{self, Submission, yuan};
use super::{Rights, visible_submission};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx;
use crate::reports::xlsx_in::{self, RawRow, by_label, list_by_label};
use crate::state::AppState;
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/submissions/{id}/lists.xlsx", get(export_lists))
        .route("/submissions/{id}/import", get(import_page).post(upload))
        .route(
            "/submissions/{id}/import/{batch}",
            get(review).post(confirm),
        )
}

pub const RESOURCE_COLUMNS: [&str; 10] = [
    "item.category",
    "item.name",
    "item.description",
    "item.location",
    "item.address",
    "item.capacity",
    "item.opening_times",
    "item.populations",
    "item.sharing",
    "item.contact",
];
pub const PLAN_COLUMNS: [&str; 11] = [
    "plan.title",
    "item.category",
    "item.populations",
    "plan.period",
    "plan.place",
    "plan.participants",
    "plan.budget_government",
    "plan.budget_donation",
    "plan.budget_learners",
    "plan.budget_other",
    "plan.responsible",
];

fn labels(ctx: &Ctx, area: &str, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| ctx.label(area, c))
        .collect::<Vec<_>>()
        .join("、")
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
    let rh: Vec<&str> = RESOURCE_COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let ph: Vec<&str> = PLAN_COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let filer: &dyn std::fmt::Display = &s.filer_name;
    let rt = ctx.tf(
        "item.resources_title",
        &[("filer", filer), ("year", &s.year)],
    );
    let pt = ctx.tf(
        "item.plans_title",
        &[("filer", filer), ("year", &(s.year + 1))],
    );
    let mut book = xlsx::Writer::new();
    book.sheet(ctx.t("item.resources"), &rt, &rh)
        .map_err(AppError::internal)?;
    let sql = repo::resources_sql();
    book.stream(
        sqlx::query_as(&sql)
            .bind([id])
            .bind(i64::MAX)
            .fetch(&mut *tx),
        |r: repo::ResourceItem| {
            vec![
                ctx.tr(&r.category_label()).into(),
                r.name.as_str().into(),
                r.description.as_str().into(),
                r.location_name.clone().unwrap_or_default().into(),
                r.address.as_str().into(),
                r.capacity.into(),
                r.opening_times.as_str().into(),
                labels(&ctx, "population", &r.populations).into(),
                ctx.tr(&r.sharing_label()).into(),
                r.contact.as_str().into(),
            ]
        },
    )
    .await?;
    book.sheet(ctx.t("item.plans"), &pt, &ph)
        .map_err(AppError::internal)?;
    let sql = repo::plans_sql();
    book.stream(
        sqlx::query_as(&sql)
            .bind([id])
            .bind(i64::MAX)
            .fetch(&mut *tx),
        |p: repo::PlanItem| {
            vec![
                p.title.as_str().into(),
                ctx.tr(&p.category_label()).into(),
                labels(&ctx, "population", &p.populations).into(),
                ctx.tr(&p.period_label()).into(),
                p.place.as_str().into(),
                p.participants.into(),
                yuan(p.budget_government).into(),
                yuan(p.budget_donation).into(),
                yuan(p.budget_learners).into(),
                yuan(p.budget_other).into(),
                p.responsible.as_str().into(),
            ]
        },
    )
    .await?;
    tx.commit().await?;
    let bytes = book.finish().map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("lists-{}-{id}.xlsx", s.year),
        bytes,
    ))
}

async fn editable(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Submission> {
    let s = visible_submission(tx, user, id).await?;
    if !Rights::of(user, &s).edit {
        return Err(AppError::NotFound);
    }
    Ok(s)
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

/// Both sheets of an upload, as read.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Staged {
    resources: Vec<RawRow>,
    plans: Vec<RawRow>,
}

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
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                ctx,
                s,
                error: Some("import.no_file"),
            },
        ));
    };
    let staged = xlsx_in::open(bytes).and_then(|mut book| {
        let resources = xlsx_in::rows(
            &mut book,
            0,
            &RESOURCE_COLUMNS,
            &["item.category", "item.name"],
        )?;
        let plans = xlsx_in::rows(&mut book, 1, &PLAN_COLUMNS, &["plan.title", "plan.period"])
            .or_else(|e| {
                if e == "import.empty" {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            })?;
        Ok(Staged { resources, plans })
    });
    let staged = match staged {
        Ok(s) if s.resources.len() + s.plans.len() > 2000 => Err("import.too_many"),
        Ok(s) if s.resources.is_empty() && s.plans.is_empty() => Err("import.empty"),
        other => other,
    };
    let staged = match staged {
        Ok(staged) => staged,
        Err(key) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportPage {
                    ctx,
                    s,
                    error: Some(key),
                },
            ));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let batch: i64 = sqlx::query_scalar(
        "insert into import_batch (tenant_id, kind, file_name, rows, created_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(tenant_id)
    .bind(format!("december:{id}"))
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(serde_json::to_value(&staged).map_err(AppError::internal)?)
    .bind(user.id)
    .fetch_one(&mut *tx)
    .await?;
    let location = format!("/submissions/{id}/import/{batch}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(Redirect::to(&location).into_response())
}

/// A row after checking, with its errors as (column key, message key).
pub struct Checked {
    pub sheet: &'static str,
    pub row: usize,
    pub name: String,
    pub errors: Vec<(String, &'static str)>,
}

enum Parsed {
    Resource(super::forms::ResourceInput),
    Plan(super::forms::PlanInput),
}

/// Field names of the item forms and the columns they come from.
const RESOURCE_FIELDS: [(&str, &str); 10] = [
    ("category", "item.category"),
    ("name", "item.name"),
    ("description", "item.description"),
    ("location_unit_id", "item.location"),
    ("address", "item.address"),
    ("capacity", "item.capacity"),
    ("opening_times", "item.opening_times"),
    ("populations", "item.populations"),
    ("sharing", "item.sharing"),
    ("contact", "item.contact"),
];
const PLAN_FIELDS: [(&str, &str); 11] = [
    ("title", "plan.title"),
    ("category", "item.category"),
    ("populations", "item.populations"),
    ("period", "plan.period"),
    ("place", "plan.place"),
    ("participants", "plan.participants"),
    ("budget_government", "plan.budget_government"),
    ("budget_donation", "plan.budget_donation"),
    ("budget_learners", "plan.budget_learners"),
    ("budget_other", "plan.budget_other"),
    ("responsible", "plan.responsible"),
];

fn column_of(fields: &[(&str, &str)], field: &str) -> String {
    fields
        .iter()
        .find(|(f, _)| *f == field)
        .map_or_else(|| field.to_string(), |(_, c)| c.to_string())
}

/// Checks every row with the same rules as the forms.
async fn check(
    tx: &mut Tx,
    s: &Submission,
    staged: &Staged,
) -> sqlx::Result<Vec<(Checked, Option<Parsed>)>> {
    let units = locations(tx, s).await?;
    let mut out = Vec::new();
    for r in &staged.resources {
        let location = r.get("item.location");
        let location_unit_id = match location.trim() {
            "" => String::new(),
            name => units
                .iter()
                .find(|(_, n)| n == name)
                .map_or_else(|| "?".into(), |(id, _)| id.to_string()),
        };
        let form = ResourceForm {
            category: by_label(&r.get("item.category"), "resource", &RESOURCE_CATEGORIES)
                .map_or_else(|| r.get("item.category"), str::to_string),
            name: r.get("item.name"),
            description: r.get("item.description"),
            location_unit_id,
            address: r.get("item.address"),
            capacity: r.get("item.capacity"),
            opening_times: r.get("item.opening_times"),
            populations: list_by_label(&r.get("item.populations"), "population", &POPULATIONS),
            sharing: by_label(&r.get("item.sharing"), "sharing", &SHARING)
                .map_or_else(|| r.get("item.sharing"), str::to_string),
            contact: r.get("item.contact"),
            version: 0,
        };
        let (errors, parsed) = match form.parse(&units) {
            Ok(i) => (Vec::new(), Some(Parsed::Resource(i))),
            Err(e) => (
                e.iter()
                    .map(|(f, k)| (column_of(&RESOURCE_FIELDS, f), k))
                    .collect(),
                None,
            ),
        };
        out.push((
            Checked {
                sheet: "item.resources",
                row: r.row,
                name: form.name,
                errors,
            },
            parsed,
        ));
    }
    for r in &staged.plans {
        let form = PlanForm {
            title: r.get("plan.title"),
            category: by_label(&r.get("item.category"), "plan", &PLAN_CATEGORIES)
                .map_or_else(|| r.get("item.category"), str::to_string),
            populations: list_by_label(&r.get("item.populations"), "population", &POPULATIONS),
            period: by_label(&r.get("plan.period"), "period", &PERIODS)
                .map_or_else(|| r.get("plan.period"), str::to_string),
            place: r.get("plan.place"),
            participants: r.get("plan.participants"),
            budget_government: r.get("plan.budget_government"),
            budget_donation: r.get("plan.budget_donation"),
            budget_learners: r.get("plan.budget_learners"),
            budget_other: r.get("plan.budget_other"),
            responsible: r.get("plan.responsible"),
            version: 0,
        };
        let (errors, parsed) = match form.parse() {
            Ok(i) => (Vec::new(), Some(Parsed::Plan(i))),
            Err(e) => (
                e.iter()
                    .map(|(f, k)| (column_of(&PLAN_FIELDS, f), k))
                    .collect(),
                None,
            ),
        };
        out.push((
            Checked {
                sheet: "item.plans",
                row: r.row,
                name: form.title,
                errors,
            },
            parsed,
        ));
    }
    Ok(out)
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

async fn load(tx: &mut Tx, id: i64, batch: i64) -> Result<(String, Staged, bool)> {
    let (file_name, rows, applied): (
        String,
        serde_json::Value,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = sqlx::query_as(
        "select file_name, rows, applied_at from import_batch where id = $1 and kind = $2",
    )
    .bind(batch)
    .bind(format!("december:{id}"))
    .fetch_optional(&mut **tx)
    .await?
    .or_404()?;
    Ok((
        file_name,
        serde_json::from_value(rows).map_err(AppError::internal)?,
        applied.is_some(),
    ))
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
    let (file_name, staged, applied) = load(&mut tx, id, batch).await?;
    if applied {
        return Ok(flash_redirect(
            "import.already_applied",
            &format!("/submissions/{id}"),
        ));
    }
    let checked = check(&mut tx, &s, &staged).await?;
    if checked
        .iter()
        .any(|(c, p)| !c.errors.is_empty() || p.is_none())
    {
        let page = review_page(
            ctx,
            s,
            batch,
            file_name,
            checked.into_iter().map(|(c, _)| c).collect(),
            false,
        );
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let tenant_id = user.tenant()?;
    sqlx::query("delete from resource_item where submission_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from plan_item where submission_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (_, parsed) in &checked {
        match parsed {
            Some(Parsed::Resource(i)) => {
                repo::insert_resource(&mut tx, tenant_id, id, i).await?;
            }
            Some(Parsed::Plan(i)) => {
                repo::insert_plan(&mut tx, tenant_id, id, i).await?;
            }
            None => unreachable!("checked above"),
        }
    }
    sqlx::query("update import_batch set applied_at = now() where id = $1")
        .bind(batch)
        .execute(&mut *tx)
        .await?;
    let note = format!(
        "{file_name}：{} + {}",
        staged.resources.len(),
        staged.plans.len()
    );
    repo::record(&mut tx, tenant_id, id, "import", &note, &user.username).await?;
    let change = Change {
        tenant_id,
        action: "submission.import",
        entity: "submission",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "file": file_name, "resources": staged.resources.len(), "plans": staged.plans.len() }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "import.applied",
        &format!("/submissions/{id}"),
    ))
}
