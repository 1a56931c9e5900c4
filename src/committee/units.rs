//! The committee's member units and their duties (annex 2): the list with its export and print
//! view, and the member unit form (add, edit with a version).

use super::members::committee_name;
use super::repo::{self, MemberUnit, Saved};
use super::{change, forms, require};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/committee/units", get(list_units).post(create_unit))
        .route("/committee/units/export.xlsx", get(export_units))
        .route("/committee/units/print", get(print_units))
        .route("/committee/units/new", get(new_unit))
        .route("/committee/units/{id}", get(edit_unit).post(update_unit))
}

#[derive(Template)]
#[template(path = "committee/units.html")]
struct UnitListPage {
    ctx: Ctx,
    list: Paged<MemberUnit>,
    query: ListQuery,
    can_manage: bool,
}

/// `GET /committee/units?<filters>`: the member units, filtered, sorted, 50 a page.
async fn list_units(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let units = list::page(&mut tx, &repo::Units(&query), query.page()).await?;
    tx.commit().await?;
    Ok(render(&UnitListPage {
        ctx,
        list: units,
        query,
        can_manage: may(user.role, Action::ManageCommittee),
    }))
}

const COLUMNS: [&str; 6] = [
    "unit.code",
    "committee.unit",
    "committee.duties",
    "unit.contact_name",
    "unit.contact_phone",
    "unit.status",
];

/// `GET /committee/units/export.xlsx?<filters>`: every member unit the list shows with them.
async fn export_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let runs_committee = may(user.role, Action::ManageCommittee);
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = ctx.t("committee.units");
    let units = repo::Units(&query);
    let district = &user.tenant_name;
    list::export_all(
        &mut tx,
        &units,
        district,
        title,
        "committee-units",
        &headers,
        |u| {
            vec![
                u.code.as_str().into(),
                u.name.as_str().into(),
                u.duties.as_str().into(),
                u.contact_name.as_str().into(),
                u.phone_for(runs_committee).into(),
                ctx.t(if u.active {
                    "unit.active"
                } else {
                    "unit.inactive"
                })
                .into(),
            ]
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "committee/units_print.html")]
struct UnitPrintPage {
    ctx: Ctx,
    units: Vec<MemberUnit>,
    /// Whether the reader runs the committee, and so sees the liaisons' phones whole.
    runs_committee: bool,
    printed: Printed,
    query: ListQuery,
    committee: String,
    date: String,
}

/// `GET /committee/units/print?<filters>`: the member units and their duties for the printer.
async fn print_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let committee = repo::committee(&mut tx).await?;
    let (units, printed) = list::print(&mut tx, &repo::Units(&query)).await?;
    tx.commit().await?;
    Ok(render(&UnitPrintPage {
        printed,
        units,
        runs_committee: may(user.role, Action::ManageCommittee),
        query,
        committee: committee_name(&ctx, &user, committee.name),
        date: today().to_string(),
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "committee/unit_form.html")]
struct UnitFormPage {
    ctx: Ctx,
    id: Option<i64>,
    p: Pairs,
    errors: FieldErrors,
}

impl UnitFormPage {
    /// The form again with its errors beside the fields (422); nothing was saved.
    fn invalid(ctx: Ctx, id: Option<i64>, p: Pairs, errors: FieldErrors) -> Response {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Self { ctx, id, p, errors },
        )
    }
}

fn code_taken() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("code", "unit.code_taken");
    errors
}

async fn new_unit(ctx: Ctx, user: CurrentUser, tx: Tx) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    tx.commit().await?;
    Ok(render(&UnitFormPage {
        ctx,
        id: None,
        p: Pairs::default(),
        errors: FieldErrors::default(),
    }))
}

async fn create_unit(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let input = match forms::parse_unit(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(UnitFormPage::invalid(ctx, None, p, errors)),
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let Some(id) = repo::insert_unit(&mut tx, tenant_id, &input).await? else {
        return Ok(UnitFormPage::invalid(ctx, None, p, code_taken()));
    };
    let after = repo::unit(&mut tx, id).await?.or_404()?;
    once::created(&mut tx, &ctx, tenant_id, "/committee").await?;
    let change = change(tenant_id, "member_unit.create", id, None, Some(&after));
    save::done(tx, &ctx, &user, change, "committee.saved", "/committee").await
}

async fn edit_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let unit = repo::unit(&mut tx, id).await?.or_404()?;
    tx.commit().await?;
    Ok(render(&UnitFormPage {
        ctx,
        id: Some(id),
        p: forms::unit_pairs(&unit),
        errors: FieldErrors::default(),
    }))
}

/// Saves a member unit over the version its form showed; a stale save gets the conflict page
/// with what was typed beside what is saved, never an overwrite.
async fn update_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before = repo::unit(&mut tx, id).await?.or_404()?;
    let input = match forms::parse_unit(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(UnitFormPage::invalid(ctx, Some(id), p, errors)),
    };
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    match repo::update_unit(&mut tx, id, version, &input).await? {
        Saved::Done => {}
        Saved::CodeTaken => return Ok(UnitFormPage::invalid(ctx, Some(id), p, code_taken())),
        Saved::Stale => {
            let fields = forms::compare_unit(&p, &before, |key| ctx.tr(key));
            return Ok(save::conflict(
                &ctx,
                Conflict {
                    fields,
                    edit: format!("/committee/units/{id}"),
                    view: "/committee".into(),
                },
            ));
        }
    }
    let after = repo::unit(&mut tx, id).await?.or_404()?;
    let change = change(
        user.tenant()?,
        "member_unit.update",
        id,
        Some(&before),
        Some(&after),
    );
    save::done(tx, &ctx, &user, change, "committee.saved", "/committee").await
}
