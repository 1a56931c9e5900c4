//! The published catalogue as the official district lists: each list as a workbook of every
//! match, streamed from the database row by row (a 100,000-item year does not sit in memory),
//! and both lists for the printer.

use super::{Catalogue, filters};
use crate::cycle::forms::labels;
use crate::cycle::repo::catalogue::{self as repo, PublicPlan, PublicResource};
use crate::error::Result;
use crate::reports::xlsx::Cell;
use crate::state::AppState;
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Printed};
use crate::web::{Ctx, render, urlencode};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/public/{district}/{year}/resources.xlsx",
            get(export_resources),
        )
        .route("/public/{district}/{year}/plans.xlsx", get(export_plans))
        .route("/public/{district}/{year}/print", get(print))
}

const RESOURCE_COLUMNS: [&str; 10] = [
    "item.filer",
    "item.category",
    "item.name",
    "item.description",
    "item.place",
    "item.capacity",
    "item.opening_times",
    "item.populations",
    "item.sharing",
    "item.contact",
];

/// `GET /public/{district}/{year}/resources.xlsx?<filters>`: the whole filtered list.
async fn export_resources(ctx: Ctx, query: ListQuery, mut c: Catalogue) -> Result<Response> {
    let (district, year) = (&c.district, c.year);
    let headers: Vec<&str> = RESOURCE_COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = ctx.tf(
        "public.resources_title",
        &[("district", &district), ("year", &year)],
    );
    let file = format!("{}-{year}-resources.xlsx", c.code);
    let sql = repo::resources_sql();
    let rows = repo::all_resources(&mut c.tx, year, &query, &sql);
    let tr = |key: &str| ctx.tr(key);
    let sheet = ctx.t("public.resources");
    list::export(&file, sheet, &title, &headers, rows, |r: PublicResource| {
        vec![
            r.filer_name.as_str().into(),
            ctx.tr(&r.category_label()).into(),
            r.name.as_str().into(),
            r.description.as_str().into(),
            r.place.as_str().into(),
            r.capacity.into(),
            r.opening_times.as_str().into(),
            labels(tr, "population", &r.populations).into(),
            ctx.tr(&r.sharing_label()).into(),
            r.contact.as_str().into(),
        ]
    })
    .await
}

const PLAN_COLUMNS: [&str; 9] = [
    "item.filer",
    "plan.title",
    "item.category",
    "item.populations",
    "plan.period",
    "plan.place",
    "plan.participants",
    "plan.budget",
    "plan.responsible",
];

/// `GET /public/{district}/{year}/plans.xlsx?<filters>`: the year's action plans, for the
/// year after it.
async fn export_plans(ctx: Ctx, query: ListQuery, mut c: Catalogue) -> Result<Response> {
    let (district, year) = (&c.district, c.year);
    let headers: Vec<&str> = PLAN_COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = ctx.tf(
        "public.plans_title",
        &[("district", &district), ("year", &(year + 1))],
    );
    let sheet = ctx.tf("public.plans", &[("year", &(year + 1))]);
    let file = format!("{}-{}-plans.xlsx", c.code, year + 1);
    let sql = repo::plans_sql();
    let rows = repo::all_plans(&mut c.tx, year, &query, &sql);
    let tr = |key: &str| ctx.tr(key);
    list::export(&file, &sheet, &title, &headers, rows, |p: PublicPlan| {
        vec![
            p.filer_name.as_str().into(),
            p.title.as_str().into(),
            ctx.tr(&p.category_label()).into(),
            labels(tr, "population", &p.populations).into(),
            ctx.tr(&p.period_label()).into(),
            p.place.as_str().into(),
            p.participants.into(),
            Cell::yuan(p.budget),
            p.responsible.as_str().into(),
        ]
    })
    .await
}

#[derive(Template)]
#[template(path = "public/print.html")]
struct PrintPage {
    ctx: Ctx,
    district: String,
    year: i32,
    resources: Vec<PublicResource>,
    plans: Vec<PublicPlan>,
    resources_printed: Printed,
    plans_printed: Printed,
    /// The exports' addresses, with the filters.
    resources_xlsx: String,
    plans_xlsx: String,
}

/// `GET /public/{district}/{year}/print?<filters>`: both lists as the official document, each
/// up to the print view's cap: a year's real lists fit (a district files ~900 resources), and
/// a 100,000-item year would otherwise be 20 MB of HTML held in memory per request, on a page
/// open to anyone. The exports have every row.
async fn print(ctx: Ctx, query: ListQuery, mut c: Catalogue) -> Result<Response> {
    let year = c.year;
    let (resource_total, plan_total) = repo::totals(&mut c.tx, year, &query).await?;
    let resources = repo::resources(&mut c.tx, year, None, &query, (PRINT_LIMIT, 0)).await?;
    let plans = repo::plans(&mut c.tx, year, &query, (PRINT_LIMIT, 0)).await?;
    c.tx.commit().await?;
    let base = format!("/public/{}/{year}", urlencode(&c.code));
    let filters = filters(&query, None);
    Ok(render(&PrintPage {
        ctx,
        district: c.district,
        year,
        resources_printed: Printed {
            shown: resources.len(),
            total: resource_total,
        },
        plans_printed: Printed {
            shown: plans.len(),
            total: plan_total,
        },
        resources,
        plans,
        resources_xlsx: filters.href(&format!("{base}/resources.xlsx"), None, None),
        plans_xlsx: filters.href(&format!("{base}/plans.xlsx"), None, None),
    }))
}
