//! Activities delivered (四(三), 四(五), 四(六), 五(二)): what the college, the town schools, the
//! teaching points and the member units do for residents in a year, against the action plan
//! each filed the December before — in sessions with their attendance, for which key
//! populations, by which teachers and volunteers, paid from which channel; the campaigns they
//! belong to (the lifelong-learning week, reading campaigns) and the donations that paid for
//! them, disclosed to the public once a year.

mod campaigns;
mod delivery;
mod donations;
pub mod forms;
mod list;
pub mod model;
mod record;
pub mod repo;
mod sessions;
mod signups;

pub use sessions::attended;

use crate::access::{Action, Role, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::today;
use axum::Router;
use axum::routing::{get, post};
use chrono::Datelike;
use forms::Choices;
use repo::{Activity, Scope};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list::list).post(record::create))
        .route("/activities/export.xlsx", get(list::export))
        .route("/activities/print", get(list::print))
        .route("/activities/new", get(record::new_form))
        .route("/activities/{id}", get(record::show).post(record::update))
        .route("/activities/{id}/edit", get(record::edit_form))
        .route("/activities/{id}/status", post(record::change_status))
        .route("/activities/{id}/sessions", post(sessions::add))
        .route("/activities/{id}/sessions/{s}", post(sessions::record))
        .route(
            "/activities/{id}/participation",
            post(sessions::participation),
        )
        .route("/activities/{id}/educators", post(sessions::add_server))
        .route(
            "/activities/{id}/educators/{e}/remove",
            post(sessions::remove_server),
        )
        .route("/activities/{id}/hours", post(sessions::propose_hours))
        .route("/activities/{id}/files", post(sessions::upload))
        .route("/activities/{id}/files/{f}", get(sessions::download))
        .route(
            "/activities/{id}/files/{f}/delete",
            post(sessions::delete_file),
        )
        .route("/activities/{id}/public", post(signups::set_public))
        .route("/activities/{id}/signups", get(signups::list))
        .route("/activities/{id}/signups/print", get(signups::list))
        .route("/activities/{id}/signups/{s}", post(signups::tick))
        .route("/delivery", get(delivery::overview))
        .route("/delivery/export.xlsx", get(delivery::export))
        .route("/delivery/print", get(delivery::overview))
        .route("/delivery/{kind}/{id}", get(delivery::unit))
        .route("/delivery/{kind}/{id}/print", get(delivery::unit))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/new", get(campaigns::new_form))
        .route(
            "/campaigns/{id}",
            get(campaigns::show).post(campaigns::update),
        )
        .route("/campaigns/{id}/edit", get(campaigns::edit_form))
        .route("/donations", get(donations::list).post(donations::create))
        .route("/donations/new", get(donations::new_form))
        .route("/donations/disclose", post(donations::disclose))
        .route(
            "/donations/{id}",
            get(donations::show).post(donations::update),
        )
        .route("/donations/{id}/edit", get(donations::edit_form))
        .route(
            "/public/{district}/donations/{year}",
            get(donations::public),
        )
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whose activities the user sees: a town or a point its own units'; the district-wide roles
/// everything, member units' included; a member unit's officer that unit's only.
pub fn scope(user: &CurrentUser) -> Scope {
    match user.role {
        Role::UnitOfficer => Scope {
            path: "/nowhere/".into(),
            member: Some(user.member_unit_id.unwrap_or(0)),
        },
        _ => Scope {
            path: user.scope_path.clone(),
            member: None,
        },
    }
}

/// An activity in the user's scope, or 404 (another town's are simply not found).
async fn activity(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Activity> {
    require(user, Action::ViewActivities)?;
    repo::find(tx, &scope(user), today(), id).await?.or_404()
}

/// Whether the user may change this activity: those who record activities, for one their
/// scope organises (the bureau's scope holds the member units' too).
pub(crate) fn may_manage(user: &CurrentUser, a: &Activity) -> bool {
    if !may(user.role, Action::RecordActivities) {
        return false;
    }
    match (a.organiser_unit_id, a.organiser_member_unit_id) {
        (Some(_), _) => {
            user.role != Role::UnitOfficer && a.organiser_path.starts_with(&user.scope_path)
        }
        (None, Some(m)) => user.role == Role::DistrictAdmin || user.member_unit_id == Some(m),
        (None, None) => false,
    }
}

/// The activity, found in scope, that the user may change while it is open; 404 otherwise.
async fn managed(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Activity> {
    let a = activity(tx, user, id).await?;
    if !may_manage(user, &a) {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// What an activity's form may choose from, for this user: organisers in scope, their
/// accepted plan items for last year's and this year's Decembers, the published venues,
/// recent campaigns and donations.
async fn choices(tx: &mut Tx, user: &CurrentUser) -> Result<Choices> {
    let organisers = repo::organisers(tx, &scope(user), user.role == Role::DistrictAdmin)
        .await?
        .into_iter()
        .filter(|o| user.role != Role::UnitOfficer || o.kind == "member_unit")
        .collect::<Vec<_>>();
    let mut keys: Vec<String> = organisers.iter().map(|o| o.key.clone()).collect();
    keys.extend(organisers.iter().filter_map(|o| o.plan_owner.clone()));
    keys.sort();
    keys.dedup();
    let year = today().year();
    let plans = repo::plan_choices(tx, &keys, &[year - 2, year - 1, year]).await?;
    Ok(Choices {
        organisers,
        plans,
        venues: repo::venues(tx).await?,
        campaigns: repo::campaign_choices(tx, year - 1).await?,
        donations: repo::donation_choices(tx, year - 2).await?,
    })
}
