//! The published catalogue, open to residents without login: the accepted resource inventories
//! and action plans of a published cycle, searchable, exportable and printable as the official
//! district list, with what is new and what is gone since last year.

use super::model::{PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES};
use super::repo::yuan;
use crate::db::{Tx, like_literal};
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::state::AppState;
use crate::web::tx::{AnyTx, PublicTx, Slot};
use crate::web::{Ctx, render, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use tokio::sync::{Semaphore, SemaphorePermit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public", get(districts))
        .route("/public/{district}", get(latest))
        .route("/public/{district}/{year}", get(catalogue))
        .route(
            "/public/{district}/{year}/resources.xlsx",
            get(export_resources),
        )
        .route("/public/{district}/{year}/plans.xlsx", get(export_plans))
        .route("/public/{district}/{year}/print", get(print))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicResource {
    pub filer_key: String,
    pub filer_name: String,
    pub area: String,
    pub member_unit_id: Option<i64>,
    pub category: String,
    pub name: String,
    pub description: String,
    pub place: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
    #[sqlx(default)]
    pub new: bool,
}

impl PublicResource {
    pub fn category_label(&self) -> String {
        format!("resource.{}", self.category)
    }

    pub fn sharing_label(&self) -> String {
        format!("sharing.{}", self.sharing)
    }

    pub fn key(&self) -> (String, String) {
        (self.filer_key.clone(), self.name.to_lowercase())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicPlan {
    pub filer_key: String,
    pub filer_name: String,
    pub area: String,
    pub member_unit_id: Option<i64>,
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget: i64,
    pub responsible: String,
}

impl PublicPlan {
    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn period_label(&self) -> String {
        format!("period.{}", self.period)
    }

    pub fn budget_text(&self) -> String {
        yuan(self.budget)
    }
}

/// The catalogue's filters over a published item `i` of year $1 (a row of `catalogue_resource`
/// or `catalogue_plan`): words ($2) in any of its texts, category, population, town, member unit.
const FILTERS: &str = "i.year = $1
    and ($2 = '' or i.search like '%' || $2 || '%')
    and ($3 = '' or i.category = $3)
    and ($4 = '' or $4 = any(i.populations) or 'all' = any(i.populations))
    and ($5 = '' or i.area = $5)
    and ($6::bigint is null or i.member_unit_id = $6)";

const RESOURCE: &str = "i.filer_key, i.filer_name, i.area, i.member_unit_id, i.category, i.name,
    i.description, i.place, i.capacity, i.opening_times, i.populations, i.sharing, i.contact";

/// Whether the filer of row `i` listed an item of that name in year `year`: one index probe.
fn listed_in(year: &str) -> String {
    format!(
        "exists (select 1 from catalogue_resource o where o.year = {year}
                    and o.filer_key = i.filer_key and lower(o.name) = lower(i.name))"
    )
}

/// Published resources of year $1 matching the filters, in the catalogue's order, each marked
/// new when year $9's list (the year before) did not have it; $7 of them from the $8th.
fn resources_sql() -> String {
    format!(
        "select {RESOURCE}, ($9::int is not null and not {listed}) as new
           from catalogue_resource i
          where {FILTERS}
          order by i.filer_rank, i.submission_id, i.item_id
          limit $7 offset $8",
        listed = listed_in("$9"),
    )
}

/// A catalogue query of year $1 with the filters ($2–$6) and a page of rows: $7 of them from
/// the $8th. Further parameters are bound by the caller.
fn page_query<'q, O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>>(
    sql: &'q str,
    year: i32,
    q: &'q CatalogueQuery,
    (limit, offset): (i64, i64),
) -> QueryAs<'q, Postgres, O, PgArguments> {
    filtered(sqlx::query_as(sql), year, q)
        .bind(limit)
        .bind(offset)
}

/// Binds the year ($1) and the catalogue's filters ($2–$6) that every catalogue query shares.
fn filtered<'q, O>(
    query: QueryAs<'q, Postgres, O, PgArguments>,
    year: i32,
    q: &'q CatalogueQuery,
) -> QueryAs<'q, Postgres, O, PgArguments> {
    query
        .bind(year)
        .bind(like_literal(q.q.trim()))
        .bind(&q.category)
        .bind(&q.population)
        .bind(&q.town)
        .bind(q.member.parse::<i64>().ok())
}

async fn resources(
    tx: &mut Tx,
    year: i32,
    compare_to: Option<i32>,
    q: &CatalogueQuery,
    rows: (i64, i64),
) -> sqlx::Result<Vec<PublicResource>> {
    let sql = resources_sql();
    page_query(&sql, year, q, rows)
        .bind(compare_to)
        .fetch_all(&mut **tx)
        .await
}

/// Resources of `previous` (filtered) that `year`'s list no longer has.
async fn gone(
    tx: &mut Tx,
    year: i32,
    previous: i32,
    q: &CatalogueQuery,
) -> sqlx::Result<Vec<PublicResource>> {
    let sql = format!(
        "select {RESOURCE}, false as new from catalogue_resource i
          where {FILTERS} and not {listed}
          order by i.filer_rank, i.submission_id, i.item_id limit 200",
        listed = listed_in("$7"),
    );
    filtered(sqlx::query_as(&sql), previous, q)
        .bind(year)
        .fetch_all(&mut **tx)
        .await
}

/// Published action plans of year $1 matching the filters, $7 of them from the $8th.
fn plans_sql() -> String {
    format!(
        "select i.filer_key, i.filer_name, i.area, i.member_unit_id, i.title, i.category,
                i.populations, i.period, i.place, i.participants, i.budget, i.responsible
           from catalogue_plan i
          where {FILTERS}
          order by i.period, i.submission_id, i.item_id limit $7 offset $8"
    )
}

async fn plans(
    tx: &mut Tx,
    year: i32,
    q: &CatalogueQuery,
    rows: (i64, i64),
) -> sqlx::Result<Vec<PublicPlan>> {
    let sql = plans_sql();
    page_query(&sql, year, q, rows).fetch_all(&mut **tx).await
}

/// How many published resources and plans of year $1 match the filters, in one query.
async fn totals(tx: &mut Tx, year: i32, q: &CatalogueQuery) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "select (select count(*) from catalogue_resource i where {FILTERS}),
                (select count(*) from catalogue_plan i where {FILTERS})"
    );
    filtered(sqlx::query_as(&sql), year, q)
        .fetch_one(&mut **tx)
        .await
}

/// Every row, for the exports.
const ALL_ROWS: (i64, i64) = (i64::MAX, 0);

/// How many catalogue requests may read the database at once. The catalogue is open to anyone
/// and a search of a large year costs real work: past this many, requests wait here, holding no
/// connection, so staff pages keep the rest of the pool; a visitor who gives up while waiting
/// costs nothing. Measured during a flood of searches of a 100,000-item year: without the limit
/// a staff page got no connection for 4 s; with it, its p99 was 15 ms.
const PUBLIC_READERS: usize = 4;

static PUBLIC_TURNS: Semaphore = Semaphore::const_new(PUBLIC_READERS);

/// A turn to read (see [`PUBLIC_READERS`]), then a transaction bound to the district of `code`
/// (no user: the public reads), its name and its published years. Keep the turn while reading.
async fn district(
    app: &AppState,
    slot: &Slot,
    code: &str,
) -> Result<(SemaphorePermit<'static>, Tx, String, Vec<i32>)> {
    let turn = PUBLIC_TURNS.acquire().await.map_err(AppError::internal)?;
    let PublicTx { mut tx, district } = PublicTx::open(app, slot, code).await?;
    let years = sqlx::query_scalar(
        "select year from reporting_cycle where status = 'published' order by year desc",
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok((turn, tx, district.name, years))
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct DistrictsPage {
    ctx: Ctx,
    districts: Vec<(String, String, i32)>,
}

/// `GET /public`: the districts that have published lists, for residents to start from.
async fn districts(ctx: Ctx, AnyTx(mut tx): AnyTx) -> Result<Response> {
    let districts = sqlx::query_as("select code, name, latest from public_districts()")
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(render(&DistrictsPage { ctx, districts }))
}

async fn latest(
    State(app): State<AppState>,
    Extension(slot): Extension<Slot>,
    Path(code): Path<String>,
) -> Result<Response> {
    let (_turn, tx, _, years) = district(&app, &slot, &code).await?;
    tx.commit().await?;
    let year = years.first().or_404()?;
    Ok(Redirect::to(&format!("/public/{}/{year}", urlencode(&code))).into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CatalogueQuery {
    pub q: String,
    pub category: String,
    pub population: String,
    pub town: String,
    pub member: String,
    /// `plans` for the action plans; otherwise the resources.
    pub tab: String,
    pub page: Option<i64>,
}

impl CatalogueQuery {
    pub fn export_href(&self, base: &str) -> String {
        let parts: Vec<String> = [
            ("q", &self.q),
            ("category", &self.category),
            ("population", &self.population),
            ("town", &self.town),
            ("member", &self.member),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
        if parts.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    }
}

/// The filters and town and member-unit choices a catalogue of one year offers.
struct Choices {
    towns: Vec<String>,
    members: Vec<(i64, String)>,
}

async fn choices(tx: &mut Tx, year: i32) -> sqlx::Result<Choices> {
    // The towns as the year's lists were published: the filter compares with those names.
    let towns = sqlx::query_scalar(
        "select area from catalogue_resource where year = $1 and area <> ''
          union select area from catalogue_plan where year = $1 and area <> '' order by 1",
    )
    .bind(year)
    .fetch_all(&mut **tx)
    .await?;
    let members = sqlx::query_as("select id, name from member_unit order by sort, code")
        .fetch_all(&mut **tx)
        .await?;
    Ok(Choices { towns, members })
}

/// Rows a catalogue page shows of its list; exports and print have them all.
pub const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "public/catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    code: String,
    district: String,
    year: i32,
    years: Vec<i32>,
    q: CatalogueQuery,
    choices: Choices,
    /// One page of the chosen list (the other is empty), and what matches in each.
    resources: Vec<PublicResource>,
    gone: Vec<PublicResource>,
    plans: Vec<PublicPlan>,
    resource_total: i64,
    plan_total: i64,
    page: i64,
    pages: i64,
    resource_categories: &'static [&'static str],
    plan_categories: &'static [&'static str],
    populations: &'static [&'static str],
}

impl CataloguePage {
    /// A link under this year's catalogue that keeps the filters.
    fn href(&self, what: &str) -> String {
        self.q.export_href(&format!(
            "/public/{}/{}/{what}",
            urlencode(&self.code),
            self.year
        ))
    }

    fn plans_tab(&self) -> bool {
        self.q.tab == "plans"
    }

    fn tab(&self) -> &'static str {
        if self.plans_tab() {
            "plans"
        } else {
            "resources"
        }
    }

    /// This list, or the other, on a page, with the filters kept.
    fn page_href(&self, tab: &str, page: i64) -> String {
        let base = self
            .q
            .export_href(&format!("/public/{}/{}", urlencode(&self.code), self.year));
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}tab={tab}&page={page}")
    }
}

/// `GET /public/{district}/{year}`: a year's resources (with what is new and gone since the
/// year before) or its action plans, filtered, a page at a time under how many match in each.
async fn catalogue(
    ctx: Ctx,
    State(app): State<AppState>,
    Extension(slot): Extension<Slot>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &slot, &code).await?;
    if !years.contains(&year) {
        return Err(AppError::NotFound);
    }
    let (resource_total, plan_total) = totals(&mut tx, year, &q).await?;
    let plans_tab = q.tab == "plans";
    let total = if plans_tab {
        plan_total
    } else {
        resource_total
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows = (PAGE_SIZE, (page - 1) * PAGE_SIZE);
    let (resources, gone, plans) = if plans_tab {
        (
            Vec::new(),
            Vec::new(),
            plans(&mut tx, year, &q, rows).await?,
        )
    } else {
        let previous = years.iter().find(|y| **y < year).copied();
        let resources = resources(&mut tx, year, previous, &q, rows).await?;
        let gone = match previous {
            Some(prev) if page == 1 => gone(&mut tx, year, prev, &q).await?,
            _ => Vec::new(),
        };
        (resources, gone, Vec::new())
    };
    let choices = choices(&mut tx, year).await?;
    tx.commit().await?;
    let page = CataloguePage {
        ctx,
        code,
        district,
        year,
        years,
        q,
        choices,
        resources,
        gone,
        plans,
        resource_total,
        plan_total,
        page,
        pages,
        resource_categories: &RESOURCE_CATEGORIES,
        plan_categories: &PLAN_CATEGORIES,
        populations: &POPULATIONS,
    };
    Ok(render(&page))
}

fn labels(ctx: &Ctx, area: &str, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| ctx.label(area, c))
        .collect::<Vec<_>>()
        .join("、")
}

/// `GET /public/{district}/{year}/resources.xlsx`: the whole filtered list, streamed from the
/// database into the workbook row by row, so a 100,000-item year does not sit in memory.
async fn export_resources(
    ctx: Ctx,
    State(app): State<AppState>,
    Extension(slot): Extension<Slot>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &slot, &code).await?;
    if !years.contains(&year) {
        return Err(AppError::NotFound);
    }
    let headers = [
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
    ]
    .map(|k| ctx.t(k));
    let title = ctx.tf(
        "public.resources_title",
        &[("district", &district), ("year", &year)],
    );
    let mut book = xlsx::Writer::new();
    book.sheet(ctx.t("public.resources"), &title, &headers)
        .map_err(AppError::internal)?;
    let sql = resources_sql();
    book.stream(
        page_query(&sql, year, &q, ALL_ROWS)
            .bind(None::<i32>)
            .fetch(&mut *tx),
        |r: PublicResource| {
            vec![
                r.filer_name.as_str().into(),
                ctx.tr(&r.category_label()).into(),
                r.name.as_str().into(),
                r.description.as_str().into(),
                r.place.as_str().into(),
                r.capacity.into(),
                r.opening_times.as_str().into(),
                labels(&ctx, "population", &r.populations).into(),
                ctx.tr(&r.sharing_label()).into(),
                r.contact.as_str().into(),
            ]
        },
    )
    .await?;
    tx.commit().await?;
    let bytes = book.finish().map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("{code}-{year}-resources.xlsx"),
        bytes,
    ))
}

/// `GET /public/{district}/{year}/plans.xlsx`: the year's action plans, streamed like the resources.
async fn export_plans(
    ctx: Ctx,
    State(app): State<AppState>,
    Extension(slot): Extension<Slot>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &slot, &code).await?;
    if !years.contains(&year) {
        return Err(AppError::NotFound);
    }
    let headers = [
        "item.filer",
        "plan.title",
        "item.category",
        "item.populations",
        "plan.period",
        "plan.place",
        "plan.participants",
        "plan.budget",
        "plan.responsible",
    ]
    .map(|k| ctx.t(k));
    let title = ctx.tf(
        "public.plans_title",
        &[("district", &district), ("year", &(year + 1))],
    );
    let sheet = ctx.tf("public.plans", &[("year", &(year + 1))]);
    let mut book = xlsx::Writer::new();
    book.sheet(&sheet, &title, &headers)
        .map_err(AppError::internal)?;
    let sql = plans_sql();
    book.stream(
        page_query(&sql, year, &q, ALL_ROWS).fetch(&mut *tx),
        |p: PublicPlan| {
            vec![
                p.filer_name.as_str().into(),
                p.title.as_str().into(),
                ctx.tr(&p.category_label()).into(),
                labels(&ctx, "population", &p.populations).into(),
                ctx.tr(&p.period_label()).into(),
                p.place.as_str().into(),
                p.participants.into(),
                Cell::Number(p.budget as f64 / 100.0),
                p.responsible.as_str().into(),
            ]
        },
    )
    .await?;
    tx.commit().await?;
    let bytes = book.finish().map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("{code}-{}-plans.xlsx", year + 1),
        bytes,
    ))
}

/// Rows of each list the print view shows at most: a year's real lists fit (a district files
/// ~900 resources), and a 100,000-item year would otherwise be 20 MB of HTML held in memory per
/// request, on a page open to anyone. The exports have every row.
pub const PRINT_LIMIT: i64 = 5_000;

#[derive(Template)]
#[template(path = "public/print.html")]
struct PrintPage {
    ctx: Ctx,
    district: String,
    year: i32,
    resources: Vec<PublicResource>,
    plans: Vec<PublicPlan>,
    resource_total: i64,
    plan_total: i64,
    /// The exports' addresses, with the filters.
    resources_xlsx: String,
    plans_xlsx: String,
}

async fn print(
    ctx: Ctx,
    State(app): State<AppState>,
    Extension(slot): Extension<Slot>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &slot, &code).await?;
    if !years.contains(&year) {
        return Err(AppError::NotFound);
    }
    let (resource_total, plan_total) = totals(&mut tx, year, &q).await?;
    let resources = resources(&mut tx, year, None, &q, (PRINT_LIMIT, 0)).await?;
    let plans = plans(&mut tx, year, &q, (PRINT_LIMIT, 0)).await?;
    tx.commit().await?;
    let base = format!("/public/{}/{year}", urlencode(&code));
    Ok(render(&PrintPage {
        ctx,
        district,
        year,
        resources,
        plans,
        resource_total,
        plan_total,
        resources_xlsx: q.export_href(&format!("{base}/resources.xlsx")),
        plans_xlsx: q.export_href(&format!("{base}/plans.xlsx")),
    }))
}
