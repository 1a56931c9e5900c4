//! Printable A4 posters for notice boards: for a town school and each of its points (or one
//! point), QR codes to its public page, its town's survey and its activity calendar.

use super::model::qr_svg;
use super::origin;
use super::repo::{self, Place};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// One poster: the place and its three codes (what each leads to, the link, the SVG).
pub struct Poster {
    pub place: Place,
    pub codes: Vec<(&'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "portal/posters.html")]
struct PostersPage {
    ctx: Ctx,
    district: String,
    posters: Vec<Poster>,
}

fn poster(base: &str, code: &str, place: Place) -> Poster {
    let links = [
        ("poster.page", format!("{base}/d/{code}/units/{}", place.id)),
        (
            "poster.calendar",
            format!("{base}/d/{code}/calendar?town={}", place.town_id),
        ),
        (
            "poster.survey",
            format!("{base}/survey/{code}/{}", place.town_id),
        ),
    ];
    Poster {
        codes: links
            .into_iter()
            .map(|(what, link)| (what, qr_svg(&link, 180), link))
            .collect(),
        place,
    }
}

/// `GET /units/{id}/posters/print`: a town school's poster and its points' (one a page), or a
/// point's, for the units in the user's scope.
pub async fn posters(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    headers: HeaderMap,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    let tenant_id = user.tenant()?;
    crate::network::repo::find_in_scope(&mut tx, &user.scope_path, id)
        .await?
        .or_404()?;
    let place = repo::place(&mut tx, tenant_id, id).await?.or_404()?;
    let mut places = vec![];
    if place.kind == "town_school" {
        let points = repo::points(&mut tx, tenant_id, id).await?;
        places.push(place);
        places.extend(points);
    } else {
        places.push(place);
    }
    tx.commit().await?;
    let base = origin(&app, &headers);
    Ok(render(&PostersPage {
        ctx,
        district: user.tenant_name.clone(),
        posters: places
            .into_iter()
            .map(|p| poster(&base, &user.tenant_code, p))
            .collect(),
    }))
}
