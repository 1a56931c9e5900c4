//! The platform administrator's pages: the districts (tenants) and creating a new one with its
//! college and first district administrator.

pub mod repo;

use crate::access::{Action, may};
use crate::audit::Actor;
use crate::auth::password;
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{AppError, Result};
use crate::ops::schedule::Backups;
use crate::state::AppState;
use crate::web::forms::{FieldErrors, text};
use crate::web::tx::PlatformTx;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/platform/districts",
            get(list_districts).post(create_district_page),
        )
        .route("/platform/districts/new", get(new_district_form))
}

fn require(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::ManageDistricts) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "platform/index.html")]
struct DistrictListPage {
    ctx: Ctx,
    districts: Vec<repo::DistrictRow>,
    backup: BackupStatus,
}

/// The platform's backups as the page says them: the last one's time, size and result.
struct BackupStatus {
    failed: bool,
    last: String,
    error: String,
    schedule: String,
}

impl BackupStatus {
    fn of(ctx: &Ctx, backups: &Backups) -> Self {
        let Some(schedule) = &backups.schedule else {
            return Self::plain(ctx.tr("backup.off"), String::new());
        };
        let every = crate::ops::schedule::describe_interval(schedule.every);
        let dir = schedule.dir.display().to_string();
        let said = ctx.tf(
            "backup.schedule",
            &[("every", &every), ("dir", &dir), ("keep", &schedule.keep)],
        );
        let Some(last) = backups.last() else {
            return Self::plain(ctx.tr("backup.none"), said);
        };
        // Times as users mean them: China, UTC+8.
        let at = (last.at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string();
        match last.error {
            Some(error) => Self {
                failed: true,
                last: ctx.tf("backup.failed", &[("at", &at), ("file", &last.file)]),
                error: ctx.tf("backup.error", &[("error", &error)]),
                schedule: said,
            },
            None => {
                let size = crate::ops::schedule::describe_size(last.bytes);
                Self {
                    failed: false,
                    last: ctx.tf(
                        "backup.ok",
                        &[("at", &at), ("size", &size), ("file", &last.file)],
                    ),
                    error: String::new(),
                    schedule: said,
                }
            }
        }
    }

    fn plain(last: String, schedule: String) -> Self {
        Self {
            failed: false,
            last,
            error: String::new(),
            schedule,
        }
    }
}

async fn list_districts(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    PlatformTx(mut tx): PlatformTx,
) -> Result<Response> {
    require(&user)?;
    let districts = repo::districts(&mut tx).await?;
    tx.commit().await?;
    let backup = BackupStatus::of(&ctx, &app.backups);
    Ok(render(&DistrictListPage {
        ctx,
        districts,
        backup,
    }))
}

/// What creating a district needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DistrictForm {
    pub code: String,
    pub name: String,
    pub division_code: String,
    pub college_code: String,
    pub college_name: String,
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_password: String,
}

#[derive(Template)]
#[template(path = "platform/form.html")]
struct DistrictFormPage {
    ctx: Ctx,
    form: DistrictForm,
    errors: FieldErrors,
}

async fn new_district_form(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    require(&user)?;
    Ok(render(&DistrictFormPage {
        ctx,
        form: DistrictForm::default(),
        errors: FieldErrors::default(),
    }))
}

async fn create_district_page(
    ctx: Ctx,
    user: CurrentUser,
    PlatformTx(mut tx): PlatformTx,
    Form(form): Form<DistrictForm>,
) -> Result<Response> {
    require(&user)?;
    let mut errors = validate(&form);
    if errors.is_empty() {
        let hash = password::hash(form.admin_password.clone()).await;
        match create_district(&mut tx, &form, &hash, &Actor::of(&user, &ctx)).await {
            Ok(Some(_)) => {
                tx.commit().await?;
                return Ok(flash_redirect("district.created", "/platform/districts"));
            }
            // The transaction is dropped, so the district made before the admin is not kept.
            Ok(None) => errors.add("admin_username", "account.username_taken"),
            Err(e) if violates(&e, "tenant_code_key") => errors.add("code", "district.code_taken"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &DistrictFormPage { ctx, form, errors },
    ))
}

fn validate(form: &DistrictForm) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let code = text(&mut errors, "code", &form.code, true, 31);
    let well_formed = code.len() >= 2
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !code.is_empty() && !well_formed {
        errors.add("code", "district.code_format");
    }
    text(&mut errors, "name", &form.name, true, 50);
    let division = text(&mut errors, "division_code", &form.division_code, false, 12);
    if !division.chars().all(|c| c.is_ascii_digit()) {
        errors.add("division_code", "district.division_format");
    }
    let college_code = text(&mut errors, "college_code", &form.college_code, true, 32);
    if !college_code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.add("college_code", "unit.code_format");
    }
    text(&mut errors, "college_name", &form.college_name, true, 100);
    let username = form.admin_username.trim().to_lowercase();
    if username.len() < 3
        || !username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        errors.add("admin_username", "account.username_format");
    }
    text(
        &mut errors,
        "admin_display_name",
        &form.admin_display_name,
        true,
        50,
    );
    if let Err(key) = password::check_new(&form.admin_password, &username) {
        errors.add("admin_password", key);
    }
    errors
}

/// Creates the tenant, its college and first administrator in one transaction, audited;
/// `None` when the administrator's username is taken (the caller drops the transaction).
pub async fn create_district(
    tx: &mut Tx,
    form: &DistrictForm,
    password_hash: &str,
    actor: &Actor,
) -> sqlx::Result<Option<i64>> {
    let (tenant_id, college_id) = repo::insert_district(
        tx,
        form.code.trim(),
        form.name.trim(),
        form.division_code.trim(),
        form.college_code.trim(),
        form.college_name.trim(),
    )
    .await?;
    let Some(admin_id) = repo::insert_admin(
        tx,
        Some(tenant_id),
        &form.admin_username.trim().to_lowercase(),
        form.admin_display_name.trim(),
        password_hash,
    )
    .await?
    else {
        return Ok(None);
    };
    for (action, entity, id) in [
        ("tenant.create", "tenant", tenant_id),
        ("org_unit.create", "org_unit", college_id),
        ("account.create", "account", admin_id),
    ] {
        let change = crate::audit::Change {
            tenant_id,
            action,
            entity,
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "code": form.code.trim(), "name": form.name.trim() })),
        };
        crate::audit::record(tx, actor, change).await?;
    }
    Ok(Some(tenant_id))
}
