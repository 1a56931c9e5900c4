//! The published catalogue, open to residents without login: the accepted resource inventories
//! and action plans of a published cycle, searchable and a page at a time, with what is new
//! and what is gone since last year. Its exports and print view are in `public/exports.rs`.

mod exports;

use super::model::{PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES};
use super::repo::catalogue::{self as repo, FILTERS, PublicPlan, PublicResource};
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::list::{self, ListQuery, PAGE_SIZE, Paged};
use crate::web::tx::{AnyTx, PublicTx, Slot};
use crate::web::{Ctx, render, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tokio::sync::{Semaphore, SemaphorePermit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public", get(districts))
        .route("/public/{district}", get(latest))
        .route("/public/{district}/{year}", get(catalogue))
        .merge(exports::router())
}

/// How many catalogue requests may read the database at once. The catalogue is open to anyone
/// and a search of a large year costs real work: past this many, requests wait here, holding no
/// connection, so staff pages keep the rest of the pool; a visitor who gives up while waiting
/// costs nothing. Measured during a flood of searches of a 100,000-item year: without the limit
/// a staff page got no connection for 4 s; with it, its p99 was 15 ms.
const PUBLIC_READERS: usize = 4;

static PUBLIC_TURNS: Semaphore = Semaphore::const_new(PUBLIC_READERS);

/// A district's catalogue at a published year, from the path (`/public/{district}/{year}`, or
/// its latest year at `/public/{district}`; 404 when that year is not published), open to read:
/// the turn (see [`PUBLIC_READERS`]), taken before the connection and kept while reading; the
/// transaction bound to the district (no user: the public reads); its name and its published
/// years, latest first.
struct Catalogue {
    _turn: SemaphorePermit<'static>,
    tx: Tx,
    code: String,
    district: String,
    year: i32,
    years: Vec<i32>,
}

impl FromRequestParts<AppState> for Catalogue {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| AppError::NotFound)?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        };
        let code = param("district").ok_or(AppError::NotFound)?;
        let year = param("year")
            .map(|y| y.parse::<i32>().map_err(|_| AppError::BadRequest))
            .transpose()?;
        let slot = parts.extensions.get::<Slot>().cloned().unwrap_or_default();
        let turn = PUBLIC_TURNS.acquire().await.map_err(AppError::internal)?;
        let PublicTx { mut tx, district } = PublicTx::open(app, &slot, &code).await?;
        let years = repo::years(&mut tx).await?;
        let year = match year {
            None => *years.first().or_404()?,
            Some(year) if years.contains(&year) => year,
            Some(_) => return Err(AppError::NotFound),
        };
        Ok(Self {
            _turn: turn,
            tx,
            code,
            district: district.name,
            year,
            years,
        })
    }
}

/// The filters of a catalogue's query string (without its tab and page), in the order links
/// write them; `tab` after them when given.
fn filters(q: &ListQuery, tab: Option<&str>) -> ListQuery {
    let mut pairs: Vec<(&str, &str)> = FILTERS.iter().map(|name| (*name, q.get(name))).collect();
    pairs.extend(tab.map(|t| ("tab", t)));
    ListQuery::from_pairs(&pairs)
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct DistrictsPage {
    ctx: Ctx,
    districts: Vec<(String, String, i32)>,
}

/// `GET /public`: the districts that have published lists, for residents to start from.
async fn districts(ctx: Ctx, AnyTx(mut tx): AnyTx) -> Result<Response> {
    let districts = repo::districts(&mut tx).await?;
    tx.commit().await?;
    Ok(render(&DistrictsPage { ctx, districts }))
}

/// `GET /public/{district}`: its latest published year.
async fn latest(c: Catalogue) -> Result<Response> {
    let to = format!("/public/{}/{}", urlencode(&c.code), c.year);
    c.tx.commit().await?;
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "public/catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    code: String,
    district: String,
    year: i32,
    years: Vec<i32>,
    /// The filters, and the filters with the tab shown, for links.
    filters: ListQuery,
    tabbed: ListQuery,
    plans_tab: bool,
    towns: Vec<String>,
    members: Vec<(i64, String)>,
    /// One page of the chosen list (the other has only its count), and what is gone.
    resources: Paged<PublicResource>,
    plans: Paged<PublicPlan>,
    gone: Vec<PublicResource>,
    resource_categories: &'static [&'static str],
    plan_categories: &'static [&'static str],
    populations: &'static [&'static str],
}

impl CataloguePage {
    /// This year's catalogue, or a page under it.
    fn base(&self, what: &str) -> String {
        let base = format!("/public/{}/{}", urlencode(&self.code), self.year);
        if what.is_empty() {
            base
        } else {
            format!("{base}/{what}")
        }
    }

    /// A link under this year's catalogue that keeps the filters (exports, print).
    fn href(&self, what: &str) -> String {
        self.filters.href(&self.base(what), None, None)
    }

    /// Whether a filter besides the words is set, so "more filters" shows open.
    fn more_filters(&self) -> bool {
        ["category", "population", "town", "member"]
            .iter()
            .any(|f| !self.filters.get(f).is_empty())
    }

    /// A tab's first page, with the filters kept.
    fn tab_href(&self, tab: &str) -> String {
        filters(&self.filters, Some(tab)).href(&self.base(""), None, None)
    }
}

/// `GET /public/{district}/{year}?<filters>&tab=&page=`: a year's resources (with what is new
/// and gone since the year before) or its action plans, filtered, a page at a time under how
/// many match in each.
async fn catalogue(ctx: Ctx, query: ListQuery, mut c: Catalogue) -> Result<Response> {
    let (tx, year) = (&mut c.tx, c.year);
    let (resource_total, plan_total) = repo::totals(tx, year, &query).await?;
    let plans_tab = query.get("tab") == "plans";
    let total = if plans_tab {
        plan_total
    } else {
        resource_total
    };
    let page = query.page().min(list::pages(total));
    let rows = (PAGE_SIZE, (page - 1) * PAGE_SIZE);
    let (resources, gone, plans) = if plans_tab {
        let plans = repo::plans(tx, year, &query, rows).await?;
        (Vec::new(), Vec::new(), plans)
    } else {
        let previous = c.years.iter().find(|y| **y < year).copied();
        let resources = repo::resources(tx, year, previous, &query, rows).await?;
        let gone = match previous {
            Some(prev) if page == 1 => repo::gone(tx, year, prev, &query).await?,
            _ => Vec::new(),
        };
        (resources, gone, Vec::new())
    };
    let towns = repo::towns(tx, year).await?;
    let members = repo::member_units(tx).await?;
    c.tx.commit().await?;
    let tab = if plans_tab { "plans" } else { "resources" };
    Ok(render(&CataloguePage {
        ctx,
        code: c.code,
        district: c.district,
        year,
        years: c.years,
        filters: filters(&query, None),
        tabbed: filters(&query, Some(tab)),
        plans_tab,
        towns,
        members,
        resources: Paged::new(resources, resource_total, page),
        plans: Paged::new(plans, plan_total, page),
        gone,
        resource_categories: &RESOURCE_CATEGORIES,
        plan_categories: &PLAN_CATEGORIES,
        populations: &POPULATIONS,
    }))
}
