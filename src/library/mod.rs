//! The learning library (四(四) 社区教育优质公共数字资源库): videos, audio, documents, courses of
//! lessons and links to other platforms that the college, the town schools, the teaching
//! points and the member units add; the bureau reviews each for the college (负责课程开发 …
//! 教学资源开发) before it is public. Residents search it and play or open a resource on their
//! phone (`public`); its files are served in ranges so a video can seek. The provincial
//! platform harvests it, with the published December catalogues, over OAI-PMH (`oai`).

mod content;
pub mod forms;
mod list;
pub mod model;
mod oai;
mod public;
mod record;
pub mod repo;

use crate::access::{Action, Role, may};
use crate::activities::repo::Scope;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};
use repo::Resource;

/// The largest upload body the library's file forms take (the district's limit is at most
/// 500 MB; the rest is the form's own fields).
pub const UPLOAD_LIMIT: usize = 501 * 1024 * 1024;

/// A file form's POST route, which may carry as large a body as [`UPLOAD_LIMIT`].
fn upload<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler).layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/library", get(list::list).post(record::create))
        .route("/library/export.xlsx", get(list::export))
        .route("/library/print", get(list::print))
        .route("/library/new", get(record::new_form))
        .route("/library/settings", post(list::settings))
        .route("/library/{id}", get(record::show).post(record::update))
        .route("/library/{id}/edit", get(record::edit_form))
        .route("/library/{id}/step", post(record::step))
        .route("/library/{id}/file", upload(content::upload_content))
        .route(
            "/library/{id}/cover",
            get(content::preview_cover).merge(upload(content::upload_cover)),
        )
        .route("/library/{id}/lessons", post(content::add_lesson))
        .route(
            "/library/{id}/lessons/{l}/file",
            upload(content::upload_lesson),
        )
        .route(
            "/library/{id}/lessons/{l}/delete",
            post(content::delete_lesson),
        )
        .route("/library/{id}/preview", get(content::preview))
        .route(
            "/library/{id}/lessons/{l}/preview",
            get(content::preview_lesson),
        )
        .route("/d/{district}/library", get(public::index))
        .route("/d/{district}/library/{id}", get(public::show))
        .route("/d/{district}/library/{id}/file", get(public::file))
        .route("/d/{district}/library/{id}/cover", get(public::cover))
        .route(
            "/d/{district}/library/{id}/lessons/{l}/file",
            get(public::lesson_file),
        )
        .route("/oai", get(oai::get).post(oai::post))
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// An audit row of a change to resource `id`.
fn change(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    before: Option<&Resource>,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity: "library_resource",
        entity_id: Some(id),
        before: before.and_then(|b| serde_json::to_value(b).ok()),
        after: Some(after),
    }
}

/// Whose resources a user sees: the same as whose activities (a town its units', a point its
/// own, a member unit's officer that unit's, the district everything).
fn scope(user: &CurrentUser) -> Scope {
    crate::activities::scope(user)
}

/// A resource in the user's scope, or 404.
async fn resource(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Resource> {
    require(user, Action::ViewLibrary)?;
    repo::find(tx, &scope(user), id).await?.or_404()
}

/// Whether the user may change this resource (while its status allows): those who add
/// resources, for a provider in their scope (the bureau's holds the member units' too).
fn may_manage(user: &CurrentUser, r: &Resource) -> bool {
    if !may(user.role, Action::AddLibrary) {
        return false;
    }
    match (r.provider_unit_id, r.provider_member_unit_id) {
        (Some(_), _) => {
            user.role != Role::UnitOfficer && r.provider_path.starts_with(&user.scope_path)
        }
        (None, Some(m)) => user.role == Role::DistrictAdmin || user.member_unit_id == Some(m),
        (None, None) => false,
    }
}

/// The resource in scope that the user may change, still editable; 404 when it is not theirs.
async fn managed(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Resource> {
    let r = resource(tx, user, id).await?;
    if !may_manage(user, &r) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}
