//! Importing people from the .xlsx template that the page offers: upload, a dry run that lists
//! row by row who will be registered and every error with its sheet, row and column (duplicates
//! within the file and against the registry included), then confirm. The confirmation checks
//! everything again and registers every row in one transaction, or none.

use super::forms::{Choices, EducatorForm};
use super::model::{AVAILABILITY, KINDS};
use super::people::{duplicate_of, seal};
use super::repo::{self, Registration};
use super::{choices, require};
use crate::access::Action;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::reports::xlsx_in::{self, RawRow, by_label, list_by_label};
use crate::state::AppState;
use crate::web::{Ctx, flash_redirect, once, render, render_with, save};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

const MAX_ROWS: usize = 2000;

/// The template's columns, in order.
pub const COLUMNS: [&str; 13] = [
    "educator.name",
    "educator.gender",
    "educator.birth_year",
    "educator.phone",
    "educator.id_number",
    "educator.work_unit",
    "educator.position",
    "educator.specialties",
    "educator.specialty_other",
    "educator.kind",
    "educator.availability",
    "educator.home_code",
    "educator.serves_codes",
];

fn may_import(user: &CurrentUser) -> Result<()> {
    require(user, Action::ManageEducators)?;
    match user.role {
        crate::access::Role::DistrictAdmin | crate::access::Role::TownAdmin => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "educators/import.html")]
struct ImportPage {
    ctx: Ctx,
    error: Option<&'static str>,
}

pub async fn page(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    may_import(&user)?;
    Ok(render(&ImportPage { ctx, error: None }))
}

/// `GET /educators/import/template.xlsx`: the columns, with one example row to overwrite.
pub async fn template(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    may_import(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let example: Vec<Cell> = vec![
        "王某某".into(),
        ctx.t("educator.gender.female").into(),
        "1968".into(),
        "13800000000".into(),
        Cell::Empty,
        "某某小学（退休）".into(),
        "教师".into(),
        "书法、家庭教育".into(),
        Cell::Empty,
        ctx.t("educator.kind.volunteer").into(),
        ctx.t("educator.availability.weekend_day").into(),
        "MJ-CG".into(),
        "MJ-CG、MJ-CG-01".into(),
    ];
    let bytes = xlsx::sheet(
        ctx.t("educator.title"),
        ctx.t("educator.import_template_title"),
        &headers,
        &[example],
    )
    .map_err(AppError::internal)?;
    Ok(xlsx::download("educators-template.xlsx", bytes))
}

/// `POST /educators/import` (multipart): reads the file and stages its rows for the dry run.
pub async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    mut multipart: Multipart,
) -> Result<Response> {
    may_import(&user)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
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
    let rows = match xlsx_in::open(bytes).and_then(|mut book| {
        xlsx_in::rows(&mut book, 0, &COLUMNS, &["educator.name", "educator.phone"])
    }) {
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
    let batch = repo::stage_import(
        &mut tx,
        tenant_id,
        &name,
        &serde_json::to_value(&rows).map_err(AppError::internal)?,
        user.id,
    )
    .await?;
    let location = format!("/educators/import/{batch}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(Redirect::to(&location).into_response())
}

/// A row after checking: who it registers, or what is wrong with it.
pub struct CheckedRow {
    pub row: usize,
    pub name: String,
    pub errors: Vec<(String, &'static str)>,
    form: EducatorForm,
}

/// The form a row stands for: labels and codes read back into what the form would hold.
fn form_of(
    raw: &RawRow,
    c: &Choices,
    codes: &BTreeMap<String, i64>,
    errors: &mut Vec<(String, &'static str)>,
) -> EducatorForm {
    let get = |k: &str| raw.get(k);
    let gender = match get("educator.gender").trim() {
        "" => String::new(),
        g => by_label(g, "educator.gender", &["female", "male"])
            .map(str::to_string)
            .unwrap_or_else(|| {
                errors.push(("educator.gender".into(), "import.choice_unknown"));
                String::new()
            }),
    };
    let kind = by_label(&get("educator.kind"), "educator.kind", &KINDS).unwrap_or_default();
    if kind.is_empty() {
        errors.push(("educator.kind".into(), "import.choice_unknown"));
    }
    let availability = list_by_label(
        &get("educator.availability"),
        "educator.availability",
        &AVAILABILITY,
    );
    if availability.iter().any(|a| a.starts_with('?')) {
        errors.push(("educator.availability".into(), "import.choice_unknown"));
    }
    let specialties: Vec<String> = get("educator.specialties")
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|name| match c.specialties.iter().find(|s| s.name == name) {
            Some(s) => Some(s.id.to_string()),
            None => {
                errors.push(("educator.specialties".into(), "import.specialty_unknown"));
                None
            }
        })
        .collect();
    let unit = |code: &str, column: &str, errors: &mut Vec<(String, &'static str)>| match codes
        .get(code.trim())
    {
        Some(id) => Some(id.to_string()),
        None => {
            errors.push((column.into(), "import.unit_unknown"));
            None
        }
    };
    let home_unit_id =
        unit(&get("educator.home_code"), "educator.home_code", errors).unwrap_or_default();
    let serves: Vec<String> = get("educator.serves_codes")
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|code| unit(code, "educator.serves_codes", errors))
        .collect();
    EducatorForm {
        name: get("educator.name"),
        gender,
        birth_year: get("educator.birth_year"),
        phone: get("educator.phone"),
        id_number: get("educator.id_number"),
        work_unit: get("educator.work_unit"),
        position: get("educator.position"),
        specialties,
        specialty_other: get("educator.specialty_other"),
        kind: kind.to_string(),
        availability: availability
            .into_iter()
            .filter(|a| !a.starts_with('?'))
            .collect(),
        home_unit_id,
        serves,
        ..Default::default()
    }
}

/// Checks every row against the registry as it is now and against the rows above it.
async fn check(
    tx: &mut Tx,
    app: &AppState,
    user: &CurrentUser,
    rows: &[RawRow],
) -> Result<Vec<CheckedRow>> {
    let c = choices(tx, user).await?;
    let codes: BTreeMap<String, i64> = repo::unit_codes(tx).await?.into_iter().collect();
    let mut phones: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for raw in rows {
        let mut errors = Vec::new();
        let form = form_of(raw, &c, &codes, &mut errors);
        match form.parse(&c) {
            Err(field_errors) => {
                for (field, key) in field_errors.iter() {
                    let column = match field {
                        "home_unit_id" => "educator.home_code".to_string(),
                        "serves" => "educator.serves_codes".to_string(),
                        other => format!("educator.{other}"),
                    };
                    if !errors.iter().any(|(c, _)| *c == column) {
                        errors.push((column, key));
                    }
                }
            }
            Ok(input) => {
                let stored = seal(&app.key, &input);
                if phones.insert(input.phone.clone(), raw.row).is_some() {
                    errors.push(("educator.phone".into(), "import.duplicate_in_file"));
                }
                if let Some(hash) = &stored.id_hash
                    && ids.insert(hash.clone(), raw.row).is_some()
                {
                    errors.push(("educator.id_number".into(), "import.duplicate_in_file"));
                }
                if let Some((_, field)) = duplicate_of(tx, &stored, None).await? {
                    errors.push((format!("educator.{field}"), "educator.duplicate"));
                }
            }
        }
        out.push(CheckedRow {
            row: raw.row,
            name: raw.get("educator.name"),
            errors,
            form,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "educators/import_review.html")]
struct ReviewPage {
    ctx: Ctx,
    batch: i64,
    file_name: String,
    rows: Vec<CheckedRow>,
    error_count: usize,
    applied: bool,
}

pub async fn review(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    mut tx: Tx,
    Path(batch): Path<i64>,
) -> Result<Response> {
    may_import(&user)?;
    let (file_name, rows, applied) = repo::staged_import(&mut tx, batch).await?.or_404()?;
    let rows: Vec<RawRow> = serde_json::from_value(rows).map_err(AppError::internal)?;
    let checked = check(&mut tx, &app, &user, &rows).await?;
    tx.commit().await?;
    let error_count = checked.iter().map(|r| r.errors.len()).sum();
    Ok(render(&ReviewPage {
        ctx,
        batch,
        file_name,
        rows: checked,
        error_count,
        applied,
    }))
}

/// `POST /educators/import/{batch}`: everything checked again; every row registered, or none.
pub async fn confirm(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    mut tx: Tx,
    Path(batch): Path<i64>,
) -> Result<Response> {
    may_import(&user)?;
    let to = format!("/educators/import/{batch}");
    let (_, rows, applied) = repo::staged_import(&mut tx, batch).await?.or_404()?;
    if applied {
        return Ok(flash_redirect("import.already_applied", &to));
    }
    let rows: Vec<RawRow> = serde_json::from_value(rows).map_err(AppError::internal)?;
    let checked = check(&mut tx, &app, &user, &rows).await?;
    if checked.iter().any(|r| !r.errors.is_empty()) {
        return Ok(flash_redirect("import.has_errors", &to));
    }
    if !repo::mark_import_applied(&mut tx, batch).await? {
        return Ok(flash_redirect("import.already_applied", &to));
    }
    let tenant_id = user.tenant()?;
    let c = choices(&mut tx, &user).await?;
    let mut created = Vec::new();
    for row in &checked {
        let input = row
            .form
            .parse(&c)
            .map_err(|_| AppError::internal("a checked row no longer parses"))?;
        let stored = seal(&app.key, &input);
        let number = repo::next_volunteer_no(&mut tx, tenant_id).await?;
        let registration = Registration {
            tenant_id,
            status: "active",
            registered_by: "import",
            consent: false,
            applied_from: "",
        };
        let id = repo::insert(&mut tx, registration, &number, &stored).await?;
        repo::record_event(
            &mut tx,
            tenant_id,
            &user.username,
            repo::NewEvent {
                educator_id: id,
                kind: "imported",
                from_status: "",
                to_status: "active",
                note: "",
            },
        )
        .await?;
        created.push(id);
    }
    let change = Change {
        tenant_id,
        action: "educator.import",
        entity: "educator",
        entity_id: None,
        before: None,
        after: Some(serde_json::json!({ "batch": batch, "created": created })),
    };
    save::done(tx, &ctx, &user, change, "import.applied", "/educators").await
}
