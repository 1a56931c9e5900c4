//! Supervision and evaluation (五(四)): the supervision office runs a round from framework to
//! published notice. Towns assess themselves with evidence; supervisors and assigned
//! third-party evaluators score; results, grades and ranks are published as a notice (通报);
//! problems become rectification items. A town school runs its own rounds over its teaching
//! points the same way (`runs`); the district reads them (`oversees`), other towns never.
//!
//! Handlers by what they do: `frameworks.rs`, `rounds.rs` (the overview, opening and advancing
//! a round), `results.rs` (a round's results, its notice and .xlsx), `sheets.rs` (a unit's
//! score sheet and what is posted on it), `evidence.rs`, `rectification.rs`, `survey.rs` (the
//! residents' questionnaire) and `survey_results.rs` (the office's side of it). `sheet.rs`
//! computes a sheet's rows and totals; `repo.rs` and `repo/` hold every statement.

mod evidence;
mod forms;
mod frameworks;
pub mod model;
mod rectification;
pub mod repo;
mod results;
mod rounds;
pub mod sheet;
mod sheets;
mod survey;
mod survey_results;

use crate::access::{Action, Role, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use axum::Router;
use repo::{Round, RoundUnit};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(frameworks::router())
        .merge(rounds::router())
        .merge(results::router())
        .merge(sheets::router())
        .merge(evidence::router())
        .merge(rectification::router())
        .merge(survey::router())
        .merge(survey_results::router())
}

/// How a user stands to one unit of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Whoever runs the round: the supervision office (and the bureau) for the district's, the
    /// town school for its own. Everything; scores as supervisor.
    Supervisor,
    /// The unit being evaluated (a town school in the district's rounds, a teaching point in
    /// its town's): its own self-assessment; results once published.
    Own,
    /// A third-party evaluator assigned to this unit.
    Evaluator,
    /// The district over a town's round: everything, read-only.
    Overseer,
    /// Other district-wide readers: results once published.
    Reader,
}

impl Standing {
    /// Whether reviewers' scores and the final result may be shown.
    pub fn sees_results(self, round: &Round) -> bool {
        matches!(
            self,
            Standing::Supervisor | Standing::Evaluator | Standing::Overseer
        ) || round.published()
    }

    /// The kind of score this user types now, if any.
    pub fn scores_as(self, round: &Round) -> Option<&'static str> {
        match (self, round.status.as_str()) {
            (Standing::Own, "self_assessment") => Some("self"),
            (Standing::Supervisor, "review") => Some("supervisor"),
            (Standing::Evaluator, "review") => Some("evaluator"),
            _ => None,
        }
    }
}

/// Whether the user runs the round: the supervision office the district's, a town school its own.
pub fn runs(user: &CurrentUser, round: &Round) -> bool {
    match round.owner_unit_id {
        None => may(user.role, Action::Supervise),
        Some(town) => may(user.role, Action::RunTownRounds) && user.unit_id == Some(town),
    }
}

/// Whether the user reads a town's round as the district does: all of it, changing nothing.
pub fn oversees(user: &CurrentUser, round: &Round) -> bool {
    round.by_town() && may(user.role, Action::OverseeTownRounds)
}

/// A round as a whole (its page, results, export) for whoever runs it, or the district over a
/// town's; with whether this user runs it. 404 for anyone else, as for a missing round.
pub async fn round_for(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<(Round, bool)> {
    let round = repo::round(tx, id).await?.or_404()?;
    match (runs(user, &round), oversees(user, &round)) {
        (true, _) => Ok((round, true)),
        (false, true) => Ok((round, false)),
        _ => Err(AppError::NotFound),
    }
}

/// The round and one of its units as this user may see them; 404 otherwise.
pub async fn unit_for(
    tx: &mut Tx,
    user: &CurrentUser,
    round_id: i64,
    ru: i64,
) -> Result<(Round, RoundUnit, Standing)> {
    let round = repo::round(tx, round_id).await?.or_404()?;
    let unit = repo::round_unit(tx, round_id, ru).await?.or_404()?;
    let standing = if runs(user, &round) {
        Standing::Supervisor
    } else if oversees(user, &round) {
        Standing::Overseer
    } else if may(user.role, Action::SelfAssess) && user.unit_id == Some(unit.org_unit_id) {
        Standing::Own
    } else if user.role == Role::Evaluator {
        if !repo::evaluates(tx, ru, user.id).await? {
            return Err(AppError::NotFound);
        }
        Standing::Evaluator
    } else if user.role.is_district_wide() && round.published() {
        Standing::Reader
    } else {
        return Err(AppError::NotFound);
    };
    Ok((round, unit, standing))
}

/// The audit row of a change to one of supervision's records (`entity` and its id).
pub fn change(
    tenant_id: i64,
    action: &'static str,
    (entity, id): (&'static str, Option<i64>),
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity,
        entity_id: id,
        before,
        after,
    }
}

/// The audit row of a change to a round or one of its units' sheets.
pub fn on_round(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Change<'static> {
    let round = ("evaluation_round", Some(id));
    change(tenant_id, action, round, before, Some(after))
}

/// Whose rounds and frameworks this user opens: the district's (`None`) for the supervision
/// office, their own town's for a town school; 404 for anyone else.
pub fn owner_for(user: &CurrentUser) -> Result<Option<i64>> {
    if may(user.role, Action::Supervise) {
        Ok(None)
    } else if may(user.role, Action::RunTownRounds) && user.unit_id.is_some() {
        Ok(user.unit_id)
    } else {
        Err(AppError::NotFound)
    }
}

pub fn require_supervise(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::Supervise) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
