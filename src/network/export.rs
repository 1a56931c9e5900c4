//! The network list as a spreadsheet and as a printable roster: exactly what is filtered.

use super::ListQuery;
use super::repo::{self, Unit};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, Result};
use crate::reports::xlsx::{self, Cell};
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;

/// The columns of the export and the import template, in order, as catalogue keys.
pub const COLUMNS: [&str; 22] = [
    "field.code",
    "field.name",
    "field.kind",
    "field.parent_code",
    "field.area",
    "field.village",
    "field.address",
    "field.status",
    "field.founded_on",
    "field.fulltime_managers",
    "field.parttime_managers",
    "field.fulltime_teachers",
    "field.parttime_teachers",
    "field.floor_area",
    "field.classrooms",
    "field.opening_hours",
    "field.villages_total",
    "field.shared_venues",
    "field.predecessor",
    "field.transformed_on",
    "field.contact_name",
    "field.contact_phone",
];

async fn filtered(
    mut tx: Tx,
    user: &CurrentUser,
    query: &ListQuery,
) -> Result<(Vec<Unit>, std::collections::HashMap<i64, String>)> {
    if !may(user.role, Action::ViewNetwork) {
        return Err(AppError::NotFound);
    }
    let units = repo::list_in_scope(
        &mut tx,
        &user.scope_path,
        &query.filter(),
        repo::Columns::All,
        None,
    )
    .await?;
    let codes = sqlx::query_as::<_, (i64, String)>("select id, code from org_unit")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    tx.commit().await?;
    Ok((units, codes))
}

/// `GET /units/export.xlsx?<filters>`: every unit the list shows with those filters.
pub async fn export_units(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    let (units, codes) = filtered(tx, &user, &query).await?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let rows: Vec<Vec<Cell>> = units.iter().map(|u| row(&ctx, u, &codes)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("network.title"),
        today()
    );
    let bytes =
        xlsx::sheet(ctx.t("network.sheet"), &title, &headers, &rows).map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("network-{}.xlsx", today().format("%Y%m%d")),
        bytes,
    ))
}

fn row(ctx: &Ctx, u: &Unit, codes: &std::collections::HashMap<i64, String>) -> Vec<Cell> {
    let venues: Vec<String> = u
        .shared_venues
        .iter()
        .map(|v| ctx.tr(&format!("venue.{v}")))
        .collect();
    vec![
        u.code.as_str().into(),
        u.name.as_str().into(),
        ctx.tr(&u.kind_label()).into(),
        u.parent_id
            .and_then(|p| codes.get(&p).cloned())
            .unwrap_or_default()
            .into(),
        u.area.as_str().into(),
        u.village.as_str().into(),
        u.address.as_str().into(),
        ctx.tr(&u.status_label()).into(),
        Unit::date_text(&u.founded_on).into(),
        u.fulltime_managers.into(),
        u.parttime_managers.into(),
        u.fulltime_teachers.into(),
        u.parttime_teachers.into(),
        u.floor_area.into(),
        u.classrooms.into(),
        u.opening_hours.as_str().into(),
        u.villages_total.into(),
        venues.join("、").into(),
        u.predecessor.as_str().into(),
        Unit::date_text(&u.transformed_on).into(),
        u.contact_name.as_str().into(),
        u.contact_phone.as_str().into(),
    ]
}

#[derive(Template)]
#[template(path = "network/print.html")]
struct PrintPage {
    ctx: Ctx,
    units: Vec<Unit>,
    district: String,
    date: String,
}

/// `GET /units/print?<filters>`: the filtered list as an official roster, for the printer.
pub async fn print_units(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    let (units, _) = filtered(tx, &user, &query).await?;
    Ok(render(&PrintPage {
        ctx,
        units,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}
