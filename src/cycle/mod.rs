//! The December cycle (四(二)): every December each filer submits, level by level, its resource
//! inventory and next year's action plan; the bureau (or the town school, for its teaching
//! points) accepts or returns them; the bureau publishes the accepted lists for everyone.
//!
//! Handlers are in files named by what they do: `cycles` (the register of years, opening,
//! window, close and publish), `board` (a cycle's completeness board), `submissions` (the
//! inbox, a filer's lists and their steps), `items` (adding and editing the lists' items),
//! `import` (the lists as a workbook and back) and `public` (the published catalogue).

pub mod board;
pub mod cycles;
pub mod forms;
pub mod import;
pub mod items;
pub mod model;
pub mod public;
pub mod repo;
pub mod submissions;

use crate::access::Role;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::today;
use axum::Router;
use repo::submissions::Submission;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(submissions::router())
        .merge(items::router())
        .merge(import::router())
        .merge(cycles::router())
        .merge(board::router())
        .merge(public::router())
}

/// District-wide roles read the cycles and their boards.
fn may_view(user: &CurrentUser) -> Result<()> {
    if user.role.is_district_wide() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The bureau and its committee office run the cycle.
fn may_run(user: &CurrentUser) -> Result<()> {
    if matches!(user.role, Role::DistrictAdmin | Role::CommitteeOffice) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A submission the user may see, or 404.
pub async fn visible_submission(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Submission> {
    let s = repo::submissions::submission(tx, id).await?.or_404()?;
    if !s.filer().visible_to(user) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// The submission, if the user files it and may edit it now; otherwise 404.
async fn editable(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Submission> {
    let s = visible_submission(tx, user, id).await?;
    if !Rights::of(user, &s).edit {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// What the filer may do now, and if it may not edit, why.
pub struct Rights {
    pub edit: bool,
    pub why_not: Option<&'static str>,
    pub submit: bool,
    pub review: bool,
}

impl Rights {
    pub fn of(user: &CurrentUser, s: &Submission) -> Self {
        let filer = s.filer();
        let why_not = model::edit_blocked(&s.status, &s.cycle_status, s.opens_on, today());
        let files = filer.files(user);
        Self {
            edit: files && why_not.is_none(),
            why_not: if files { why_not } else { None },
            submit: files && why_not.is_none(),
            review: filer.reviewed_by(user) && s.status == "submitted" && s.cycle_status == "open",
        }
    }
}

/// Network units the filer of `s` may name as a resource's location: its own subtree, or
/// (member units and the college) the whole district.
async fn locations(tx: &mut Tx, s: &Submission) -> sqlx::Result<Vec<(i64, String)>> {
    repo::resources::locations(tx, s.org_unit_id).await
}
