//! Each role's home page: `/` sends the user to it.

use crate::access::Role;
use crate::app::AppState;
use crate::auth::session::CurrentUser;
use crate::error::Result;
use crate::network::repo::{self as units, Unit, UnitFilter};
use crate::web::{Ctx, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/home", get(home))
        .route("/healthz", get(healthz))
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
    /// District roles: the town schools; town roles: their own units.
    units: Vec<Unit>,
}

async fn home(ctx: Ctx, user: CurrentUser, State(app): State<AppState>) -> Result<Response> {
    if user.role == Role::PlatformAdmin {
        return Ok(Redirect::to("/platform/districts").into_response());
    }
    let mut tx = app.db.begin_for(user.tenant()?).await?;
    let (schools, points, inactive, units) = if user.role == Role::UnitOfficer {
        (0, 0, 0, Vec::new())
    } else {
        let (s, p, i) = units::counts(&mut tx, &user.scope_path).await?;
        let mut list =
            units::list_in_scope(&mut tx, &user.scope_path, &UnitFilter::default()).await?;
        if user.role.is_district_wide() {
            list.retain(|u| u.kind == "town_school");
        }
        (s, p, i, list)
    };
    tx.commit().await?;
    Ok(render(&HomePage {
        ctx,
        user,
        schools,
        points,
        inactive,
        units,
    }))
}

/// 200 when the database answers.
async fn healthz(State(app): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i32>("select 1")
        .fetch_one(&app.db.sys)
        .await
    {
        Ok(_) => "ok".into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        )
            .into_response(),
    }
}
