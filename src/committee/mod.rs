//! The guiding committee (社区教育指导委员会, 五(一), annexes 1–2): its members with their
//! committee roles and terms, and its member units with their duties and contacts. The
//! committee office keeps the roster; officers of the district and of the member units read it.
//!
//! `/committee` shows the committee with the first page of both lists; each list has its own
//! page with filters, sort, pages, export and print (`members.rs`, `units.rs`).

mod forms;
mod members;
mod model;
pub mod repo;
mod units;

pub use model::ROLES;

use crate::access::{Action, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::list::{self, ListQuery, Paged};
use crate::web::{Ctx, render};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use repo::{Committee, Member, MemberUnit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/committee", get(show_committee))
        .merge(members::router())
        .merge(units::router())
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The audit row of a change to a committee record (the entity is the action's first part),
/// with the record as it was and as it is saved.
fn change<'a, T: serde::Serialize>(
    tenant_id: i64,
    action: &'a str,
    id: i64,
    before: Option<&T>,
    after: Option<&T>,
) -> Change<'a> {
    Change {
        tenant_id,
        action,
        entity: action.split('.').next().unwrap_or(action),
        entity_id: Some(id),
        before: before.and_then(|b| serde_json::to_value(b).ok()),
        after: after.and_then(|a| serde_json::to_value(a).ok()),
    }
}

#[derive(Template)]
#[template(path = "committee/index.html")]
struct CommitteePage {
    ctx: Ctx,
    committee: Committee,
    members: Paged<Member>,
    units: Paged<MemberUnit>,
    /// No filters: the headings and pages lead to each list's own page.
    query: ListQuery,
    can_manage: bool,
}

/// `GET /committee`: the committee, its members and its member units, each list's first page.
async fn show_committee(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let query = ListQuery::default();
    let committee = repo::committee(&mut tx).await?;
    let members = list::page(&mut tx, &repo::Members(&query), 1).await?;
    let units = list::page(&mut tx, &repo::Units(&query), 1).await?;
    tx.commit().await?;
    Ok(render(&CommitteePage {
        ctx,
        committee,
        members,
        units,
        query,
        can_manage: may(user.role, Action::ManageCommittee),
    }))
}
