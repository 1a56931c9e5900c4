//! The three-tier network: the college, town schools and village teaching points, with their
//! staffing, venues, transformation, status history and demonstration designations.
//! Who may change what follows `access::may` plus the scope: a town administrator's scope is
//! its own school's subtree, so other towns' units are simply not found.
//!
//! The handlers are by what they do: `list` (the network list, its export and print view),
//! `units` (a unit's page, its edit and a new child), `status` (a unit's status changes),
//! `demonstration` (designations) and `import` (units from the .xlsx template).

pub mod demonstration;
pub mod forms;
pub mod import;
pub mod list;
pub mod model;
pub mod repo;
pub mod status;
pub mod units;

use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use repo::Unit;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list::list_units))
        .route("/units/export.xlsx", get(list::export_units))
        .route("/units/print", get(list::print_units))
        .route(
            "/units/import",
            get(import::import_page).post(import::upload),
        )
        .route("/units/import/template.xlsx", get(import::template))
        .route(
            "/units/import/{batch}",
            get(import::review).post(import::confirm),
        )
        .route(
            "/units/{id}",
            get(units::show_unit).post(units::update_unit),
        )
        .route("/units/{id}/edit", get(units::edit_unit_form))
        .route("/units/{id}/children/new", get(units::new_child_form))
        .route("/units/{id}/children", post(units::create_child))
        .route("/units/{id}/status", post(status::change_status))
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

/// Whether the user sees the network at all (else every page of it is a 404).
fn require_view(user: &CurrentUser) -> Result<()> {
    may(user.role, Action::ViewNetwork).then_some(()).or_404()
}

/// A unit in the user's scope, or 404.
pub async fn unit_in_scope(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Unit> {
    require_view(user)?;
    repo::find_in_scope(tx, &user.scope_path, id)
        .await?
        .or_404()
}

/// A unit in the user's scope that `permits` lets them act on, or 404.
pub async fn unit_permitted(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    permits: fn(&Permits) -> bool,
) -> Result<Unit> {
    let unit = unit_in_scope(tx, user, id).await?;
    permits(&Permits::of(user, &unit)).then_some(unit).or_404()
}
