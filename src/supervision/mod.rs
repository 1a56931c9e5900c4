//! Supervision and evaluation (五(四)): the supervision office runs a round from framework to
//! published notice. Towns assess themselves with evidence; supervisors and assigned
//! third-party evaluators score; results, grades and ranks are published as a notice (通报);
//! problems become rectification items.

pub mod evidence;
pub mod frameworks;
pub mod model;
pub mod rectification;
pub mod repo;
pub mod rounds;
pub mod sheet;
pub mod survey;

use crate::access::{Action, Role, may};
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
        .merge(evidence::router())
        .merge(rectification::router())
        .merge(survey::router())
}

/// How a user stands to one unit of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The supervision office (and the bureau): everything, scores as supervisor.
    Supervisor,
    /// The town school being evaluated: its own self-assessment; results once published.
    Own,
    /// A third-party evaluator assigned to this unit.
    Evaluator,
    /// Other district-wide readers: results once published.
    Reader,
}

impl Standing {
    /// Whether reviewers' scores and the final result may be shown.
    pub fn sees_results(self, round: &Round) -> bool {
        matches!(self, Standing::Supervisor | Standing::Evaluator) || round.published()
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

/// The round and one of its units as this user may see them; 404 otherwise.
pub async fn unit_for(
    tx: &mut Tx,
    user: &CurrentUser,
    round_id: i64,
    ru: i64,
) -> Result<(Round, RoundUnit, Standing)> {
    let round = repo::round(tx, round_id).await?.or_404()?;
    let unit = repo::round_unit(tx, round_id, ru).await?.or_404()?;
    let standing = if may(user.role, Action::Supervise) {
        Standing::Supervisor
    } else if user.role == Role::TownAdmin && user.unit_id == Some(unit.org_unit_id) {
        Standing::Own
    } else if user.role == Role::Evaluator {
        let assigned: bool = sqlx::query_scalar("select exists (select 1 from round_evaluator where round_unit_id = $1 and account_id = $2)")
            .bind(ru)
            .bind(user.id)
            .fetch_one(&mut **tx)
            .await?;
        if !assigned {
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

pub fn require_supervise(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::Supervise) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
