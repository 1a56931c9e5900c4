//! Teachers and volunteers (五(三) 兼职教师和志愿者注册制度): the registry of who they are, what
//! they teach, where they serve and with what qualifications; registration by staff, by the
//! people themselves on a public form that their town school reviews, or from a spreadsheet;
//! their service hours, countersigned by the unit where the service was given; and their
//! personal data kept to what the work needs, masked, sealed and audited when revealed.

mod apply;
mod forms;
mod hours;
mod import;
pub mod model;
mod people;
mod quals;
pub mod repo;
mod specialties;

use crate::access::{Action, Role, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::today;
use axum::Router;
use axum::routing::{get, post};
use forms::Choices;
use repo::Educator;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/educators", get(people::list).post(people::create))
        .route("/educators/export.xlsx", get(people::export))
        .route("/educators/print", get(people::print))
        .route("/educators/new", get(people::new_form))
        .route("/educators/import", get(import::page).post(import::upload))
        .route("/educators/import/template.xlsx", get(import::template))
        .route(
            "/educators/import/{batch}",
            get(import::review).post(import::confirm),
        )
        .route("/educators/{id}", get(people::show).post(people::update))
        .route("/educators/{id}/edit", get(people::edit_form))
        .route("/educators/{id}/status", post(people::change_status))
        .route("/educators/{id}/reveal", post(people::reveal))
        .route("/educators/{id}/anonymise", post(people::anonymise))
        .route("/educators/{id}/qualifications", post(quals::add))
        .route(
            "/educators/{id}/qualifications/{q}/file",
            get(quals::download),
        )
        .route(
            "/educators/{id}/qualifications/{q}/delete",
            post(quals::delete),
        )
        .route("/educators/{id}/hours/new", get(hours::new_form))
        .route("/educators/{id}/hours", post(hours::create))
        .route("/educators/{id}/records", post(hours::issue_record))
        .route("/educators/{id}/records/{record}", get(hours::show_record))
        .route("/hours", get(hours::list))
        .route("/hours/export.xlsx", get(hours::export))
        .route("/hours/decide", post(hours::decide))
        .route(
            "/specialties",
            get(specialties::list).post(specialties::add),
        )
        .route("/specialties/{id}", post(specialties::toggle))
        .route("/join/{district}", get(apply::form).post(apply::submit))
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A person in the user's scope, or 404 (another town's people are simply not found).
async fn person(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Educator> {
    require(user, Action::ViewEducators)?;
    repo::find(tx, &user.scope_path, today(), id)
        .await?
        .or_404()
}

/// Whether the user may see this person's phone and ID number in full: the bureau, and the
/// administrators of the town school that registered or reviews them.
fn may_reveal(user: &CurrentUser, e: &Educator) -> bool {
    may(user.role, Action::RevealPersonal)
        && (user.role == Role::DistrictAdmin || user.unit_id == Some(e.home_unit_id))
}

/// Whether the user may change this person (edit, steps): staff whose scope holds the person's
/// home unit.
fn may_manage(user: &CurrentUser, e: &Educator) -> bool {
    may(user.role, Action::ManageEducators) && e.home_path.starts_with(&user.scope_path)
}

/// What a person's form may choose from, for this user.
async fn choices(tx: &mut Tx, user: &CurrentUser) -> Result<Choices> {
    let homes = repo::homes(tx)
        .await?
        .into_iter()
        .filter(|h| user.role.is_district_wide() || user.unit_id == Some(h.id))
        .collect();
    Ok(Choices {
        specialties: repo::specialties(tx, false).await?,
        units: repo::units_in_scope(tx, &user.scope_path).await?,
        homes,
        member_units: repo::member_units(tx).await?,
    })
}
