//! The committee's members (annex 1): the roster as a list with its export and print view,
//! and the member form (add, edit with a version, remove after a confirmation).

use super::repo::{self, Member};
use super::{change, forms, require};
use crate::access::Action;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/committee/members", get(list_members).post(create_member))
        .route("/committee/members/export.xlsx", get(export_members))
        .route("/committee/members/print", get(print_members))
        .route("/committee/members/new", get(new_member))
        .route(
            "/committee/members/{id}",
            get(edit_member).post(update_member),
        )
        .route("/committee/members/{id}/delete", post(delete_member))
}

#[derive(Template)]
#[template(path = "committee/members.html")]
struct MemberListPage {
    ctx: Ctx,
    list: Paged<Member>,
    query: ListQuery,
    roles: &'static [&'static str],
    units: Vec<(i64, String)>,
    can_manage: bool,
}

/// `GET /committee/members?<filters>`: the roster, filtered, sorted, 50 a page.
async fn list_members(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let members = list::page(&mut tx, &repo::Members(&query), query.page()).await?;
    let units = repo::unit_choices(&mut tx).await?;
    tx.commit().await?;
    Ok(render(&MemberListPage {
        ctx,
        list: members,
        query,
        roles: &super::ROLES,
        units,
        can_manage: crate::access::may(user.role, Action::ManageCommittee),
    }))
}

const COLUMNS: [&str; 5] = [
    "committee.role",
    "committee.name",
    "committee.position",
    "committee.unit",
    "committee.term",
];

/// `GET /committee/members/export.xlsx?<filters>`: every member the roster shows with them.
async fn export_members(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = ctx.t("committee.members");
    let members = repo::Members(&query);
    let district = &user.tenant_name;
    list::export_all(
        &mut tx,
        &members,
        district,
        title,
        "committee-members",
        &headers,
        |m| {
            vec![
                ctx.tr(&m.role_label()).into(),
                m.name.as_str().into(),
                m.position.as_str().into(),
                m.unit_name.clone().unwrap_or_default().into(),
                m.term().into(),
            ]
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "committee/members_print.html")]
struct MemberPrintPage {
    ctx: Ctx,
    members: Vec<Member>,
    printed: Printed,
    query: ListQuery,
    committee: String,
    date: String,
}

/// `GET /committee/members/print?<filters>`: the roster for the printer (annex 1).
async fn print_members(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let committee = repo::committee(&mut tx).await?;
    let (members, printed) = list::print(&mut tx, &repo::Members(&query)).await?;
    tx.commit().await?;
    Ok(render(&MemberPrintPage {
        printed,
        members,
        query,
        committee: committee_name(&ctx, &user, committee.name),
        date: today().to_string(),
        ctx,
    }))
}

/// The committee's own name, or the district's name and the generic one.
pub fn committee_name(ctx: &Ctx, user: &CurrentUser, name: String) -> String {
    if name.is_empty() {
        format!("{}{}", user.tenant_name, ctx.t("committee.title"))
    } else {
        name
    }
}

#[derive(Template)]
#[template(path = "committee/member_form.html")]
struct MemberFormPage {
    ctx: Ctx,
    id: Option<i64>,
    p: Pairs,
    errors: FieldErrors,
    units: Vec<(i64, String)>,
    roles: &'static [&'static str],
}

impl MemberFormPage {
    fn new(ctx: Ctx, id: Option<i64>, p: Pairs, units: Vec<(i64, String)>) -> Self {
        Self {
            ctx,
            id,
            p,
            errors: FieldErrors::default(),
            units,
            roles: &super::ROLES,
        }
    }

    /// The form again with its errors beside the fields (422); nothing was saved.
    fn invalid(mut self, errors: FieldErrors) -> Response {
        self.errors = errors;
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }
}

async fn new_member(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let units = repo::unit_choices(&mut tx).await?;
    tx.commit().await?;
    let p = Pairs::of(&[("committee_role", "member")]);
    Ok(render(&MemberFormPage::new(ctx, None, p, units)))
}

async fn create_member(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let units = repo::unit_choices(&mut tx).await?;
    let input = match forms::parse_member(&p, &units) {
        Ok(input) => input,
        Err(errors) => return Ok(MemberFormPage::new(ctx, None, p, units).invalid(errors)),
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = repo::insert_member(&mut tx, tenant_id, &input).await?;
    let after = repo::member(&mut tx, id).await?.or_404()?;
    once::created(&mut tx, &ctx, tenant_id, "/committee").await?;
    let change = change(tenant_id, "committee_member.create", id, None, Some(&after));
    save::done(tx, &ctx, &user, change, "committee.saved", "/committee").await
}

async fn edit_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let member = repo::member(&mut tx, id).await?.or_404()?;
    let units = repo::unit_choices(&mut tx).await?;
    tx.commit().await?;
    let p = forms::member_pairs(&member);
    Ok(render(&MemberFormPage::new(ctx, Some(id), p, units)))
}

/// Saves a member over the version its form showed; a stale save gets the conflict page
/// with what was typed beside what is saved, never an overwrite.
async fn update_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before = repo::member(&mut tx, id).await?.or_404()?;
    let units = repo::unit_choices(&mut tx).await?;
    let input = match forms::parse_member(&p, &units) {
        Ok(input) => input,
        Err(errors) => return Ok(MemberFormPage::new(ctx, Some(id), p, units).invalid(errors)),
    };
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    if !repo::update_member(&mut tx, id, version, &input).await? {
        let fields = forms::compare_member(&p, &before, &units, |key| ctx.tr(key));
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields,
                edit: format!("/committee/members/{id}"),
                view: "/committee".into(),
            },
        ));
    }
    let after = repo::member(&mut tx, id).await?.or_404()?;
    let change = change(
        user.tenant()?,
        "committee_member.update",
        id,
        Some(&before),
        Some(&after),
    );
    save::done(tx, &ctx, &user, change, "committee.saved", "/committee").await
}

/// Removes a member from the committee, after its confirmation page.
async fn delete_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before = repo::member(&mut tx, id).await?.or_404()?;
    let c = Confirm {
        title: "committee.confirm_delete",
        what: "committee.confirm_delete_what",
        subject: before.name.clone(),
        back: format!("/committee/members/{id}"),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    repo::delete_member(&mut tx, id).await?;
    let change = change(
        user.tenant()?,
        "committee_member.delete",
        id,
        Some(&before),
        None,
    );
    save::done(tx, &ctx, &user, change, "committee.removed", "/committee").await
}
