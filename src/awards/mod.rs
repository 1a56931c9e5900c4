//! Awards (四(五) 表彰“百姓学习之星”“终身学习活动品牌项目”; 五(四) 定期对社区教育先进集体和先进个人进行表彰):
//! the bureau's programmes with their rules, nominations prefilled from cedu's own records
//! (the registry's people, their hours and activities; a project's sessions, participants
//! and satisfaction), the panel's independent scores, the office's decisions, the public
//! notice (`notices`), and the winners' certificates and commendation list.

pub mod forms;
pub mod model;
mod nominations;
mod programmes;
pub mod repo;

use crate::access::{Action, Role, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use repo::{Nomination, Nominator, Programme};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/awards", get(programmes::list).post(programmes::create))
        .route("/awards/new", get(programmes::new_form))
        .route(
            "/awards/{id}",
            get(programmes::show).post(programmes::update),
        )
        .route("/awards/{id}/edit", get(programmes::edit_form))
        .route("/awards/{id}/stage", post(programmes::advance))
        .route("/awards/{id}/panel", post(programmes::set_panel))
        .route("/awards/{id}/export.xlsx", get(programmes::export))
        .route("/awards/{id}/print", get(programmes::show))
        .route(
            "/awards/{id}/commendation/print",
            get(programmes::commendation),
        )
        .route("/awards/{id}/nominate", get(nominations::new_form))
        .route("/awards/{id}/nominations", post(nominations::create))
        .route(
            "/nominations/{id}",
            get(nominations::show).post(nominations::update),
        )
        .route("/nominations/{id}/edit", get(nominations::edit_form))
        .route("/nominations/{id}/step", post(nominations::step))
        .route("/nominations/{id}/score", post(nominations::score))
        .route("/nominations/{id}/files", post(nominations::upload))
        .route("/nominations/{id}/files/{f}", get(nominations::download))
        .route(
            "/nominations/{id}/files/{f}/delete",
            post(nominations::delete_file),
        )
        .route(
            "/nominations/{id}/certificate/print",
            get(nominations::certificate),
        )
        .route("/public/{district}/awards/{id}", get(programmes::public))
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The unit a user nominates for, and which kind of nominator it is: a town school's
/// administrator for the school, a member unit's officer for the unit, the bureau for the
/// college.
async fn nominator(tx: &mut Tx, user: &CurrentUser) -> Result<Option<(Nominator, &'static str)>> {
    if !may(user.role, Action::Nominate) {
        return Ok(None);
    }
    Ok(match user.role {
        Role::TownAdmin => user.unit_id.map(|u| {
            (
                Nominator {
                    org_unit_id: Some(u),
                    member_unit_id: None,
                },
                "town_school",
            )
        }),
        Role::UnitOfficer => user.member_unit_id.map(|m| {
            (
                Nominator {
                    org_unit_id: None,
                    member_unit_id: Some(m),
                },
                "member_unit",
            )
        }),
        Role::DistrictAdmin => repo::college(tx).await?.map(|c| {
            (
                Nominator {
                    org_unit_id: Some(c),
                    member_unit_id: None,
                },
                "college",
            )
        }),
        _ => None,
    })
}

/// How a user stands to one programme.
pub struct Standing {
    /// Defines it, decides, publishes: the bureau and the committee's office.
    pub manages: bool,
    /// Reads every nomination past its draft.
    pub district: bool,
    /// Sits on its panel.
    pub panel: bool,
    /// Nominates for it, as this unit.
    pub nominator: Option<Nominator>,
}

/// The programme and how the user stands to it, or 404: a nominating unit sees programmes it
/// may nominate for once they open, a panel member the programmes of their panels.
async fn programme(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<(Programme, Standing)> {
    require(user, Action::ViewAwards)?;
    let p = repo::programme(tx, user.tenant()?, id).await?.or_404()?;
    let panel = repo::panels_of(tx, user.id).await?.contains(&id);
    let nominator = nominator(tx, user)
        .await?
        .filter(|(_, kind)| p.nominators.iter().any(|n| n == kind) && p.status != "draft")
        .map(|(n, _)| n);
    let standing = Standing {
        manages: may(user.role, Action::ManageAwards),
        district: user.role.is_district_wide(),
        panel,
        nominator,
    };
    if !(standing.district || standing.panel || standing.nominator.is_some()) {
        return Err(AppError::NotFound);
    }
    Ok((p, standing))
}

/// A nomination the user may see, its programme and standing, or 404: the nominating unit's
/// own, the district's once submitted, the panel's once before it.
async fn nomination(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
) -> Result<(Nomination, Programme, Standing)> {
    require(user, Action::ViewAwards)?;
    let n = repo::nomination(tx, user.tenant()?, id).await?.or_404()?;
    let (p, s) = programme(tx, user, n.programme_id).await?;
    let seen = own(&s, &n)
        || (s.district && n.status != "draft")
        || (s.panel && model::nomination::BEFORE_PANEL.contains(&n.status.as_str()));
    if !seen {
        return Err(AppError::NotFound);
    }
    Ok((n, p, s))
}

/// Whether the nomination is the user's unit's own.
fn own(s: &Standing, n: &Nomination) -> bool {
    s.nominator.is_some_and(|u| {
        u.org_unit_id.is_some() && u.org_unit_id == n.org_unit_id
            || u.member_unit_id.is_some() && u.member_unit_id == n.member_unit_id
    })
}
