//! The published catalogue, open to residents without login: the accepted resource inventories
//! and action plans of a published cycle, searchable, exportable and printable as the official
//! district list, with what is new and what is gone since last year.

use super::model::{PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES};
use super::repo::yuan;
use crate::app::AppState;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::web::{Ctx, render, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
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

/// The submission behind each item (`i`), with its filer and published cycle.
const JOINS: &str = "join submission s on s.tenant_id = i.tenant_id and s.id = i.submission_id
   join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id and c.status = 'published'
   left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id
   left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id";

/// Accepted items only; a teaching point's only once its town's consolidated list is accepted too.
const PUBLISHED: &str = "where s.status = 'accepted' and c.year = $1
    and (u.kind is distinct from 'teaching_point' or exists (
         select 1 from submission t where t.tenant_id = s.tenant_id and t.cycle_id = s.cycle_id
            and t.org_unit_id = u.parent_id and t.status = 'accepted'))";

const FILER: &str = "coalesce('m' || s.member_unit_id, 'u' || s.org_unit_id) as filer_key, coalesce(m.name, u.name) as filer_name,
        coalesce(u.area, '') as area, s.member_unit_id";

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

/// The catalogue's filters as SQL over the item `i`, its submission `s`, filer `m`/`u`, location `l`.
const FILTERS: &str = "and ($2 = '' or i.name like '%' || $2 || '%' or coalesce(m.name, u.name) like '%' || $2 || '%' ITEM_TEXT)
    and ($3 = '' or i.category = $3)
    and ($4 = '' or $4 = any(i.populations) or 'all' = any(i.populations))
    and ($5 = '' or u.area = $5)
    and ($6::bigint is null or s.member_unit_id = $6)";

/// Whether the filer `f` (its `org_unit_id`, `member_unit_id`) listed an item named like item
/// `i` in its accepted submission of year $7's published cycle: a few index probes per row (the
/// filer's submission by its unique key, then the name), not a scan of the whole other year.
/// (`offset 0` keeps the planner from turning the test into a hash of that whole year.)
fn listed_in_other_year(f: &str, i: &str) -> String {
    let by = |filer: &str| {
        format!(
            "exists (select 1 from submission os
                       join resource_item o on o.tenant_id = os.tenant_id and o.submission_id = os.id
                      where os.cycle_id = (select oc.id from reporting_cycle oc where oc.year = $7 and oc.status = 'published')
                        and os.{filer} = {f}.{filer} and os.status = 'accepted' and lower(o.name) = lower({i}.name)
                     offset 0)"
        )
    };
    format!("({} or {})", by("org_unit_id"), by("member_unit_id"))
}

/// Published resources of year $1 matching the filters, each marked new when year $7's list (the
/// year before) did not have it; at most $8 of them. Only the rows returned are compared.
fn resources_sql() -> String {
    // The location's name is matched through the few units whose name matches (found once), and
    // joined for display only to the rows returned: not looked up for every item of the year.
    let filters = FILTERS.replace("ITEM_TEXT", "or i.description like '%' || $2 || '%' or i.address like '%' || $2 || '%'
        or i.location_unit_id = any(array(select n.id from org_unit n where n.name like '%' || $2 || '%'))");
    format!(
        "select p.*, concat_ws(' · ', l.name, nullif(p.address, '')) as place,
                ($7::int is not null and not {listed}) as new
           from (select {FILER}, i.category, i.name, i.description, i.address, i.location_unit_id,
                        i.capacity, i.opening_times, i.populations, i.sharing, i.contact, s.org_unit_id,
                        array_position(array['member_unit','college','town_school','teaching_point'], coalesce(u.kind, 'member_unit')) as filer_rank,
                        s.id as submission_id, i.id as item_id
                   from resource_item i {JOINS}
                 {PUBLISHED} {filters}
                 order by filer_rank, s.id, i.id
                 limit $8) p
           left join org_unit l on l.id = p.location_unit_id
          order by p.filer_rank, p.submission_id, p.item_id",
        listed = listed_in_other_year("p", "p"),
    )
}

fn resources_query<'q>(
    sql: &'q str,
    year: i32,
    compare_to: Option<i32>,
    q: &'q CatalogueQuery,
    limit: i64,
) -> QueryAs<'q, Postgres, PublicResource, PgArguments> {
    filtered(sqlx::query_as(sql), year, q)
        .bind(compare_to)
        .bind(limit)
}

/// Binds the year ($1) and the catalogue's filters ($2–$6) that every catalogue query shares.
fn filtered<'q, O>(
    query: QueryAs<'q, Postgres, O, PgArguments>,
    year: i32,
    q: &'q CatalogueQuery,
) -> QueryAs<'q, Postgres, O, PgArguments> {
    query
        .bind(year)
        .bind(q.q.trim())
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
    limit: i64,
) -> sqlx::Result<Vec<PublicResource>> {
    let sql = resources_sql();
    resources_query(&sql, year, compare_to, q, limit)
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
    let filters = FILTERS.replace("ITEM_TEXT", "or i.description like '%' || $2 || '%'");
    let sql = format!(
        "select {FILER}, i.category, i.name, i.description, i.address as place, i.capacity, i.opening_times,
                i.populations, i.sharing, i.contact, false as new
           from resource_item i {JOINS}
         {PUBLISHED} {filters} and not {listed}
         order by s.id, i.id limit 200",
        listed = listed_in_other_year("s", "i"),
    );
    filtered(sqlx::query_as(&sql), previous, q)
        .bind(year)
        .fetch_all(&mut **tx)
        .await
}

/// Published action plans of year $1 matching the filters, at most $7 of them.
fn plans_sql() -> String {
    let filters = FILTERS
        .replace(
            "ITEM_TEXT",
            "or i.title like '%' || $2 || '%' or i.place like '%' || $2 || '%'",
        )
        .replace("i.name like", "i.title like");
    format!(
        "select {FILER}, i.title, i.category, i.populations, i.period, i.place, i.participants,
                i.budget_government + i.budget_donation + i.budget_learners + i.budget_other as budget, i.responsible
           from plan_item i {JOINS}
         {PUBLISHED} {filters}
         order by i.period, s.id, i.id limit $7"
    )
}

fn plans_query<'q>(
    sql: &'q str,
    year: i32,
    q: &'q CatalogueQuery,
    limit: i64,
) -> QueryAs<'q, Postgres, PublicPlan, PgArguments> {
    filtered(sqlx::query_as(sql), year, q).bind(limit)
}

async fn plans(
    tx: &mut Tx,
    year: i32,
    q: &CatalogueQuery,
    limit: i64,
) -> sqlx::Result<Vec<PublicPlan>> {
    let sql = plans_sql();
    plans_query(&sql, year, q, limit).fetch_all(&mut **tx).await
}

/// How many catalogue requests may read the database at once. The catalogue is open to anyone
/// and a search of a large year costs real work: past this many, requests wait here, holding no
/// connection, so staff pages keep the rest of the pool; a visitor who gives up while waiting
/// costs nothing. Measured during a flood of searches of a 100,000-item year: without the limit
/// a staff page got no connection for 4 s; with it, its p99 was 15 ms.
const PUBLIC_READERS: usize = 4;

static PUBLIC_TURNS: Semaphore = Semaphore::const_new(PUBLIC_READERS);

/// A turn to read (see [`PUBLIC_READERS`]), the district by its code, a transaction bound to it
/// (no user: the public reads), its name and its published years. Keep the turn while reading.
async fn district(
    app: &AppState,
    code: &str,
) -> Result<(SemaphorePermit<'static>, Tx, String, Vec<i32>)> {
    let (id, name): (i64, String) = sqlx::query_as("select id, name from tenant where code = $1")
        .bind(code)
        .fetch_optional(&app.db.sys)
        .await?
        .or_404()?;
    let turn = PUBLIC_TURNS.acquire().await.map_err(AppError::internal)?;
    let mut tx = app.db.begin_for(id).await?;
    let years = sqlx::query_scalar(
        "select year from reporting_cycle where status = 'published' order by year desc",
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok((turn, tx, name, years))
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct DistrictsPage {
    ctx: Ctx,
    districts: Vec<(String, String, i32)>,
}

/// `GET /public`: the districts that have published lists, for residents to start from.
async fn districts(ctx: Ctx, State(app): State<AppState>) -> Result<Response> {
    // Platform-level: which tenants have published anything (names only, nothing inside).
    let districts = sqlx::query_as(
        "select t.code, t.name, max(c.year) from tenant t join reporting_cycle c on c.tenant_id = t.id and c.status = 'published'
          group by t.code, t.name order by t.code",
    )
    .fetch_all(&app.db.sys)
    .await?;
    Ok(render(&DistrictsPage { ctx, districts }))
}

async fn latest(State(app): State<AppState>, Path(code): Path<String>) -> Result<Response> {
    let (_turn, tx, _, years) = district(&app, &code).await?;
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
    pub tab: String,
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

/// Everything one published year shows, filtered.
struct Listing {
    resources: Vec<(PublicResource, bool)>,
    gone: Vec<PublicResource>,
    plans: Vec<PublicPlan>,
    towns: Vec<String>,
    members: Vec<(i64, String)>,
    limit: i64,
}

impl Listing {
    /// Whether the page shows only the first `limit` rows of a longer list.
    fn truncated(&self) -> bool {
        self.resources.len() as i64 >= self.limit || self.plans.len() as i64 >= self.limit
    }
}

/// Rows a catalogue page shows at most; exports and print have no limit.
pub const PAGE_LIMIT: i64 = 500;

async fn listing(
    tx: &mut Tx,
    year: i32,
    years: &[i32],
    q: &CatalogueQuery,
    limit: i64,
) -> Result<Listing> {
    if !years.contains(&year) {
        return Err(AppError::NotFound);
    }
    // Exports and print want the list only; the page also shows what changed since last year.
    let previous = if limit == PAGE_LIMIT {
        years.iter().find(|y| **y < year).copied()
    } else {
        None
    };
    let resources = resources(tx, year, previous, q, limit)
        .await?
        .into_iter()
        .map(|r| {
            let new = r.new;
            (r, new)
        })
        .collect();
    let gone = match previous {
        Some(prev) => gone(tx, year, prev, q).await?,
        None => Vec::new(),
    };
    let plans = plans(tx, year, q, limit).await?;
    let towns: Vec<String> = sqlx::query_scalar(
        "select distinct u.area from submission s join reporting_cycle c on c.id = s.cycle_id and c.status = 'published'
           join org_unit u on u.id = s.org_unit_id where c.year = $1 and s.status = 'accepted' and u.area <> '' order by 1",
    )
    .bind(year)
    .fetch_all(&mut **tx)
    .await?;
    let members: Vec<(i64, String)> =
        sqlx::query_as("select id, name from member_unit order by sort, code")
            .fetch_all(&mut **tx)
            .await?;
    Ok(Listing {
        resources,
        gone,
        plans,
        towns,
        members,
        limit,
    })
}

#[derive(Template)]
#[template(path = "public/catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    code: String,
    district: String,
    year: i32,
    years: Vec<i32>,
    q: CatalogueQuery,
    list: Listing,
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
}

async fn catalogue(
    ctx: Ctx,
    State(app): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &code).await?;
    let list = listing(&mut tx, year, &years, &q, PAGE_LIMIT).await?;
    tx.commit().await?;
    let page = CataloguePage {
        ctx,
        code,
        district,
        year,
        years,
        q,
        list,
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
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &code).await?;
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
    let title = format!("{district}{year}{}", ctx.t("public.resources_title"));
    let mut book = xlsx::Writer::new();
    book.sheet(ctx.t("public.resources"), &title, &headers)
        .map_err(AppError::internal)?;
    let sql = resources_sql();
    book.stream(
        resources_query(&sql, year, None, &q, i64::MAX).fetch(&mut *tx),
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
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &code).await?;
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
    let title = format!("{district}{}{}", year + 1, ctx.t("public.plans_title"));
    let mut book = xlsx::Writer::new();
    book.sheet(ctx.t("public.plans"), &title, &headers)
        .map_err(AppError::internal)?;
    let sql = plans_sql();
    book.stream(
        plans_query(&sql, year, &q, i64::MAX).fetch(&mut *tx),
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

#[derive(Template)]
#[template(path = "public/print.html")]
struct PrintPage {
    ctx: Ctx,
    district: String,
    year: i32,
    list: Listing,
}

async fn print(
    ctx: Ctx,
    State(app): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response> {
    let (_turn, mut tx, district, years) = district(&app, &code).await?;
    let list = listing(&mut tx, year, &years, &q, i64::MAX).await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        district,
        year,
        list,
    }))
}
