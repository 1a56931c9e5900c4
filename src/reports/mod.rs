//! Dashboards and spreadsheets: where the network stands against the policy, per district and
//! per town (`dashboard`, shown on the home page), with the targets the bureau edits per year
//! (`targets`); and the pieces every area's reports use: server-rendered SVG charts (`svg`),
//! .xlsx writing (`xlsx`) and reading (`xlsx_in`).

pub mod dashboard;
mod forms;
pub mod model;
pub mod repo;
pub mod svg;
pub mod targets;
pub mod xlsx;
pub mod xlsx_in;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use dashboard::{Dashboard, dashboard};
pub use targets::YearQuery;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/targets",
            get(targets::list_targets).post(targets::add_year),
        )
        .route("/targets/{id}", post(targets::update_target))
}
