//! Each role's home page: `/` sends the user to it. The district's home is its dashboard of
//! the network against the policy; a town school's home is the same for its own town.

use crate::access::{Action, Role, may};
use crate::activities::{self, repo::Activity};
use crate::auth::session::CurrentUser;
use crate::educators;
use crate::error::Result;
use crate::network::repo::{self as units, Unit};
use crate::reports::{self, Dashboard, YearQuery};
use crate::state::AppState;
use crate::web::tx::AnyTx;
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/home", get(home))
}

async fn root(user: CurrentUser) -> Redirect {
    Redirect::to(if user.role == Role::PlatformAdmin {
        "/platform/districts"
    } else {
        "/home"
    })
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    user: CurrentUser,
    schools: i64,
    points: i64,
    inactive: i64,
    /// Town and point roles: their own units.
    units: Vec<Unit>,
    dash: Option<Dashboard>,
    /// Town and point roles: their people's qualifications running out within 30 days
    /// (person, name, qualification, days left), and hours waiting to be countersigned.
    expiring: Vec<(i64, String, String, i32)>,
    pending_hours: i64,
    /// Town, point and member-unit roles: this month's activities and those overdue.
    activities: Vec<Activity>,
    show_activities: bool,
}

impl HomePage {
    fn chart(&self) -> String {
        self.dash
            .as_ref()
            .map(|d| d.coverage_chart(self.ctx.t("dashboard.coverage_chart")))
            .unwrap_or_default()
    }
}

async fn home(
    ctx: Ctx,
    user: CurrentUser,
    AnyTx(mut tx): AnyTx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    // The platform administrator has no district: its home is the list of districts.
    if user.role == Role::PlatformAdmin {
        return Ok(Redirect::to("/platform/districts").into_response());
    }
    let mut page = HomePage {
        ctx,
        user,
        schools: 0,
        points: 0,
        inactive: 0,
        units: Vec::new(),
        dash: None,
        expiring: Vec::new(),
        pending_hours: 0,
        activities: Vec::new(),
        show_activities: false,
    };
    if !page.user.role.is_district_wide() && may(page.user.role, Action::RecordActivities) {
        let scope = activities::scope(&page.user);
        page.activities = activities::repo::for_home(&mut tx, &scope, today()).await?;
        page.show_activities = true;
    }
    if page.user.role != Role::UnitOfficer {
        let scope = page.user.scope_path.clone();
        if page.user.role.is_district_wide() || page.user.role == Role::TownAdmin {
            let dash = reports::dashboard(&mut tx, &scope, q.year).await?;
            let t = &dash.totals;
            (page.schools, page.points, page.inactive) = (t.schools, t.points, t.inactive);
            page.dash = Some(dash);
        } else {
            (page.schools, page.points, page.inactive) = units::counts(&mut tx, &scope).await?;
        }
        if !page.user.role.is_district_wide() {
            page.units = units::units_in_scope(&mut tx, &scope).await?;
            page.expiring = educators::repo::expiring(&mut tx, &scope, today()).await?;
            page.pending_hours = educators::repo::hours::pending_at(&mut tx, &scope).await?;
        }
    }
    tx.commit().await?;
    Ok(render(&page))
}
