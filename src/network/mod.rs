//! The three-tier network: the college, town schools and village teaching points, with their
//! staffing, venues, transformation, status history and demonstration designations.
//! Who may change what follows `access::may` plus the scope: a town administrator's scope is
//! its own school's subtree, so other towns' units are simply not found.

pub mod demonstration;
pub mod export;
pub mod forms;
pub mod import;
pub mod model;
pub mod repo;

use crate::access::{Action, may};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date, text};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use forms::UnitForm;
use model::{Status, VENUES};
use repo::{Unit, UnitFilter};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_units))
        .route("/units/export.xlsx", get(export::export_units))
        .route("/units/print", get(export::print_units))
        .route(
            "/units/import",
            get(import::import_page).post(import::upload),
        )
        .route("/units/import/template.xlsx", get(import::template))
        .route(
            "/units/import/{batch}",
            get(import::review).post(import::confirm),
        )
        .route("/units/{id}", get(show_unit).post(update_unit))
        .route("/units/{id}/edit", get(edit_unit_form))
        .route("/units/{id}/children/new", get(new_child_form))
        .route("/units/{id}/children", post(create_child))
        .route("/units/{id}/status", post(change_status))
        .merge(demonstration::router())
}

/// What the user may do to a unit already found in their scope.
pub struct Permits {
    pub edit: bool,
    pub add_child: bool,
    pub change_status: bool,
    pub designate: bool,
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
            add_child: add_child && unit.is_active(),
            change_status: manages_own_kind && unit.kind != "college",
            designate: may(role, Action::GrantDemonstration) && unit.kind != "college",
        }
    }
}

/// A unit in the user's scope, or 404.
pub async fn unit_in_scope(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Unit> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    repo::find_in_scope(tx, &user.scope_path, id)
        .await?
        .or_404()
}

/// The list's query string: filters, sort and page.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub kind: String,
    pub town: String,
    pub status: String,
    pub demo: String,
    pub transformed: String,
    pub sort: String,
    pub dir: String,
    pub page: Option<i64>,
}

impl ListQuery {
    pub fn filter(&self) -> UnitFilter {
        let pick = |v: &str, allowed: &[&str]| {
            if allowed.contains(&v) {
                v.to_string()
            } else {
                String::new()
            }
        };
        UnitFilter {
            q: self.q.trim().to_string(),
            kind: pick(&self.kind, &["college", "town_school", "teaching_point"]),
            town: self.town.parse().ok(),
            status: pick(
                &self.status,
                &["planned", "active", "suspended", "closed", "all"],
            ),
            demo: pick(&self.demo, &["any", "district", "city", "provincial"]),
            transformed: pick(&self.transformed, &["yes", "no"]),
            sort: pick(
                &self.sort,
                &["code", "name", "kind", "status", "founded", "staff"],
            ),
            desc: self.dir == "desc",
        }
    }

    /// This query string with another sort or page; filters stay.
    pub fn href(&self, base: &str, sort: Option<&str>, page: Option<i64>) -> String {
        let mut q = self.clone();
        if let Some(sort) = sort {
            q.dir = if q.sort == sort && q.dir != "desc" {
                "desc".into()
            } else {
                String::new()
            };
            q.sort = sort.into();
            q.page = None;
        }
        if page.is_some() {
            q.page = page;
        }
        let mut parts: Vec<String> = [
            ("q", &q.q),
            ("kind", &q.kind),
            ("town", &q.town),
            ("status", &q.status),
            ("demo", &q.demo),
            ("transformed", &q.transformed),
            ("sort", &q.sort),
            ("dir", &q.dir),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
        if let Some(p) = q.page.filter(|p| *p > 1) {
            parts.push(format!("page={p}"));
        }
        if parts.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    }

    /// The arrow beside a sortable column's heading.
    pub fn arrow(&self, sort: &str) -> &'static str {
        match (self.sort == sort, self.dir == "desc") {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "network/index.html")]
struct UnitListPage {
    ctx: Ctx,
    units: Vec<Unit>,
    query: ListQuery,
    towns: Vec<(i64, String)>,
    total: i64,
    page: i64,
    pages: i64,
    can_import: bool,
}

/// The network list within the user's scope: filters, sort, pages, and links to export and print.
async fn list_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    let page = query.page.unwrap_or(1).max(1);
    let units = repo::list_in_scope(
        &mut tx,
        &user.scope_path,
        &query.filter(),
        repo::Columns::Listed,
        Some((PAGE_SIZE, (page - 1) * PAGE_SIZE)),
    )
    .await?;
    let towns = repo::town_schools(&mut tx, &user.scope_path).await?;
    tx.commit().await?;
    let total = units.first().map_or(0, |u| u.total);
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let can_import = may(user.role, Action::ManageTownSchools);
    Ok(render(&UnitListPage {
        ctx,
        units,
        query,
        towns,
        total,
        page,
        pages,
        can_import,
    }))
}

#[derive(Template)]
#[template(path = "network/show.html")]
struct UnitPage {
    ctx: Ctx,
    unit: Unit,
    children: Vec<Unit>,
    events: Vec<repo::Event>,
    designations: Vec<repo::Designation>,
    permits: Permits,
    next_statuses: Vec<Status>,
    today: String,
    errors: FieldErrors,
}

async fn unit_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    unit: Unit,
    errors: FieldErrors,
) -> Result<UnitPage> {
    let children = repo::children(&mut tx, unit.id).await?;
    let events = repo::events(&mut tx, unit.id).await?;
    let designations = repo::designations(&mut tx, unit.id).await?;
    tx.commit().await?;
    let permits = Permits::of(user, &unit);
    let next_statuses = Status::parse(&unit.status)
        .map(Status::next)
        .unwrap_or_default();
    Ok(UnitPage {
        ctx,
        unit,
        children,
        events,
        designations,
        permits,
        next_statuses,
        today: today().to_string(),
        errors,
    })
}

async fn show_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = unit_in_scope(&mut tx, &user, id).await?;
    Ok(render(
        &unit_page(tx, ctx, &user, unit, FieldErrors::default()).await?,
    ))
}

#[derive(Template)]
#[template(path = "network/form.html")]
struct UnitFormPage {
    ctx: Ctx,
    /// The unit being edited, or the parent of a new one.
    unit: Unit,
    creating: bool,
    kind: String,
    form: UnitForm,
    errors: FieldErrors,
    venues: Vec<&'static str>,
}

impl UnitFormPage {
    fn new(
        ctx: Ctx,
        unit: Unit,
        creating: bool,
        kind: &str,
        form: UnitForm,
        errors: FieldErrors,
    ) -> Self {
        Self {
            ctx,
            unit,
            creating,
            kind: kind.to_string(),
            form,
            errors,
            venues: VENUES.to_vec(),
        }
    }

    fn kind_key(&self) -> String {
        format!("kind.{}", self.kind)
    }

    fn invalid(self) -> Response {
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }
}

async fn edit_unit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = unit_in_scope(&mut tx, &user, id).await?;
    tx.commit().await?;
    if !Permits::of(&user, &unit).edit {
        return Err(AppError::NotFound);
    }
    let form = UnitForm::from_unit(&unit, today());
    let kind = unit.kind.clone();
    Ok(render(&UnitFormPage::new(
        ctx,
        unit,
        false,
        &kind,
        form,
        FieldErrors::default(),
    )))
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
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let unit = unit_in_scope(&mut tx, &user, id).await?;
    if !Permits::of(&user, &unit).edit {
        return Err(AppError::NotFound);
    }
    let form = UnitForm::from_pairs(&pairs);
    let kind = unit.kind.clone();
    let input = match form.parse(&kind) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(UnitFormPage::new(ctx, unit, false, &kind, form, errors).invalid());
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
            return Ok(UnitFormPage::new(ctx, unit, false, &kind, form, errors).invalid());
        }
        Err(e) => return Err(e.into()),
    }
    let after = repo::find_in_scope(&mut tx, "/", id).await?.or_404()?;
    let tenant_id = user.tenant()?;
    let changes = repo::diff(&unit, &after);
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            unit_id: id,
            effective_on: input.effective_on,
            kind: "updated",
            changes,
            note: "",
        },
    )
    .await?;
    let change = Change {
        tenant_id,
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
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let parent = unit_in_scope(&mut tx, &user, id).await?;
    tx.commit().await?;
    if !Permits::of(&user, &parent).add_child {
        return Err(AppError::NotFound);
    }
    let kind = parent.child_kind().or_404()?;
    let mut form = UnitForm::blank(today());
    // A new point serves a village of its school's town.
    form.area = parent.area.clone();
    Ok(render(&UnitFormPage::new(
        ctx,
        parent,
        true,
        kind,
        form,
        FieldErrors::default(),
    )))
}

/// Creates a town school under the college, or a teaching point under a town school.
async fn create_child(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let parent = unit_in_scope(&mut tx, &user, id).await?;
    if !Permits::of(&user, &parent).add_child {
        return Err(AppError::NotFound);
    }
    let kind = parent.child_kind().or_404()?;
    let form = UnitForm::from_pairs(&pairs);
    let input = match form.parse(kind) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(UnitFormPage::new(ctx, parent, true, kind, form, errors).invalid());
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let new_id = match repo::insert(&mut tx, tenant_id, kind, Some(id), &input).await {
        Ok(new_id) => new_id,
        Err(e) if violates(&e, "org_unit_code_key") => {
            let mut errors = FieldErrors::default();
            errors.add("code", "unit.code_taken");
            return Ok(UnitFormPage::new(ctx, parent, true, kind, form, errors).invalid());
        }
        Err(e) => return Err(e.into()),
    };
    let created = repo::find_in_scope(&mut tx, "/", new_id).await?.or_404()?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            unit_id: new_id,
            effective_on: input.effective_on,
            kind: "created",
            changes: serde_json::json!({}),
            note: "",
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "org_unit.create",
        entity: "org_unit",
        entity_id: Some(new_id),
        before: None,
        after: serde_json::to_value(&created).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/units/{new_id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("unit.created", &location))
}

/// Moves a unit to another status on a given date: a school keeps running while it has active
/// points, and a unit reopens only under an active parent.
async fn change_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    pairs: Pairs,
) -> Result<Response> {
    let unit = unit_in_scope(&mut tx, &user, id).await?;
    if !Permits::of(&user, &unit).change_status {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let from = Status::parse(&unit.status).or_404()?;
    let to = Status::parse(&pairs.get("status")).filter(|to| from.can_become(*to));
    if to.is_none() {
        errors.add("status", "unit.status_not_allowed");
    }
    let since = date(&mut errors, "status_on", &pairs.get("status_on"), true);
    let note = text(
        &mut errors,
        "status_note",
        &pairs.get("status_note"),
        false,
        200,
    );
    if to.is_some_and(|to| to != Status::Active) && unit.active_children > 0 {
        errors.add("status", "unit.has_active_children");
    }
    if to == Some(Status::Active) && unit.parent_id.is_some() {
        let parent_status: String = sqlx::query_scalar("select status from org_unit where id = $1")
            .bind(unit.parent_id)
            .fetch_one(&mut *tx)
            .await?;
        if parent_status != "active" {
            errors.add("status", "unit.parent_inactive");
        }
    }
    let (Some(to), Some(since), true) = (to, since, errors.is_empty()) else {
        let page = unit_page(tx, ctx, &user, unit, errors).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    if to == Status::Closed {
        let c = Confirm {
            title: "unit.confirm_close",
            what: "unit.confirm_close_what",
            subject: format!("{} ({})", unit.name, unit.code),
            back: format!("/units/{id}"),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    if !repo::set_status(&mut tx, id, from.as_str(), to.as_str(), since).await? {
        return Ok(flash_redirect("form.conflict", &format!("/units/{id}")));
    }
    let tenant_id = user.tenant()?;
    let changes = serde_json::json!({ "status": [from.as_str(), to.as_str()] });
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            unit_id: id,
            effective_on: since,
            kind: "status",
            changes: changes.clone(),
            note: &note,
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "org_unit.status",
        entity: "org_unit",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": from.as_str() })),
        after: Some(serde_json::json!({ "status": to.as_str(), "since": since, "note": note })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "unit.status_changed",
        &format!("/units/{id}"),
    ))
}
