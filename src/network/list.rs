//! The network list (`web::list`) within the user's scope: filters, sort, 50 a page with the
//! count; the .xlsx export of every match and the printable roster, exactly what is filtered.

use super::model::COLUMNS;
use super::repo::{self, Unit};
use super::require_view;
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::Result;
use crate::reports::xlsx::Cell;
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::response::Response;
use futures_util::TryStreamExt;

/// The list's own parameters, in the order its links write them.
const PARAMS: [&str; 9] = [
    "q",
    "kind",
    "town",
    "status",
    "demo",
    "transformed",
    "sort",
    "dir",
    "page",
];

/// The query string with the list's parameters only, in the order of [`PARAMS`], so that its
/// links read the same whichever order the filters were typed in.
fn own(query: &ListQuery) -> ListQuery {
    let pairs: Vec<(&str, &str)> = PARAMS.iter().map(|k| (*k, query.get(k))).collect();
    ListQuery::from_pairs(&pairs)
}

#[derive(Template)]
#[template(path = "network/index.html")]
struct UnitListPage {
    ctx: Ctx,
    list: Paged<Unit>,
    query: ListQuery,
    towns: Vec<(i64, String)>,
    can_import: bool,
}

/// `GET /units?<filters>`: the network list, with links to export and print what it shows.
pub async fn list_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require_view(&user)?;
    let query = own(&query);
    let page = query.page();
    let rows = repo::list::page(&mut tx, &user.scope_path, &query, page).await?;
    let towns = repo::town_schools(&mut tx, &user.scope_path).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |u| u.total);
    Ok(render(&UnitListPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        towns,
        can_import: may(user.role, Action::ManageTownSchools),
    }))
}

/// `GET /units/export.xlsx?<filters>`: every unit the list shows with those filters.
pub async fn export_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require_view(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("network.title"),
        today()
    );
    let file = format!("network-{}.xlsx", today().format("%Y%m%d"));
    let sql = repo::list::all_sql(&query, None);
    let rows = repo::list::all(&mut tx, &user.scope_path, &query, &sql);
    list::export(&file, ctx.t("network.sheet"), &title, &headers, rows, |u| {
        row(&ctx, u)
    })
    .await
}

/// A unit as a row of the export, in the order of [`COLUMNS`].
fn row(ctx: &Ctx, u: Unit) -> Vec<Cell> {
    let venues: Vec<String> = u
        .shared_venues
        .iter()
        .map(|v| ctx.tr(&format!("venue.{v}")))
        .collect();
    let (kind, status) = (ctx.tr(&u.kind_label()), ctx.tr(&u.status_label()));
    vec![
        u.code.into(),
        u.name.into(),
        kind.into(),
        u.parent_code.unwrap_or_default().into(),
        u.area.into(),
        u.village.into(),
        u.address.into(),
        status.into(),
        Unit::date_text(&u.founded_on).into(),
        u.fulltime_managers.into(),
        u.parttime_managers.into(),
        u.fulltime_teachers.into(),
        u.parttime_teachers.into(),
        u.floor_area.into(),
        u.classrooms.into(),
        u.opening_hours.into(),
        u.villages_total.into(),
        venues.join("、").into(),
        u.predecessor.into(),
        Unit::date_text(&u.transformed_on).into(),
        u.contact_name.into(),
        u.contact_phone.into(),
    ]
}

#[derive(Template)]
#[template(path = "network/print.html")]
struct PrintPage {
    ctx: Ctx,
    units: Vec<Unit>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /units/print?<filters>`: the filtered list as an official roster, for the printer (its
/// first rows when it is long).
pub async fn print_units(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require_view(&user)?;
    let query = own(&query);
    let total = repo::list::total(&mut tx, &user.scope_path, &query).await?;
    let sql = repo::list::all_sql(&query, Some(PRINT_LIMIT));
    let units: Vec<Unit> = repo::list::all(&mut tx, &user.scope_path, &query, &sql)
        .try_collect()
        .await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        printed: Printed {
            shown: units.len(),
            total,
        },
        units,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}
