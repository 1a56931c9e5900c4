//! The residents' side (三 居民的满意度; 四(四)): a district's public home for phones at
//! `/d/{district}` — this month's activities by town, the catalogue, the library, the public
//! notices, each town's survey and how to reach each town school — each town's and point's
//! page, the activity calendar, sign-up with a waitlist and check-in at the venue, and the
//! printable posters whose QR codes lead there. No account and no JavaScript needed.

pub mod forms;
pub mod model;
mod posters;
pub mod repo;
mod signups;

use crate::activities::repo::signups::{self as store, CalendarLine};
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::list::ListQuery;
use crate::web::tx::PublicTx;
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Days, NaiveDate};
use repo::{Links, Place};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/d/{district}", get(home))
        .route("/d/{district}/units/{id}", get(unit))
        .route("/d/{district}/calendar", get(calendar))
        .route(
            "/d/{district}/activities/{id}",
            get(signups::activity).post(signups::sign_up),
        )
        .route(
            "/d/{district}/signups/{token}",
            get(signups::mine).post(signups::cancel),
        )
        .route(
            "/d/{district}/checkin/{key}",
            get(signups::checkin_form).post(signups::check_in),
        )
        .route("/units/{id}/posters/print", get(posters::posters))
}

/// Where the site is reached, for the links QR codes carry: the request's own host.
pub fn origin(app: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if app.web.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The days of a calendar page, with their sessions.
pub struct Day {
    pub day: NaiveDate,
    pub lines: Vec<CalendarLine>,
}

fn by_day(lines: Vec<CalendarLine>) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for line in lines {
        match days.last_mut() {
            Some(d) if d.day == line.held_on => d.lines.push(line),
            _ => days.push(Day {
                day: line.held_on,
                lines: vec![line],
            }),
        }
    }
    days
}

fn weekday(day: &NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [day.weekday().num_days_from_monday() as usize]
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    ctx: Ctx,
    district: String,
    code: String,
    towns: Vec<Place>,
    days: Vec<Day>,
    links: Links,
    today: NaiveDate,
}

impl HomePage {
    fn weekday(&self, d: &NaiveDate) -> &'static str {
        weekday(d)
    }
    fn og_title(&self) -> String {
        format!("{}{}", self.district, self.ctx.t("portal.title"))
    }
}

/// `GET /d/{district}`: the district's public home.
pub async fn home(ctx: Ctx, public: PublicTx) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let now = today();
    let towns = repo::towns(&mut tx, district.id).await?;
    let lines = store::calendar(&mut tx, district.id, (now, now + Days::new(30)), None, 12).await?;
    let links = repo::links(&mut tx, district.id, now).await?;
    tx.commit().await?;
    Ok(render(&HomePage {
        ctx,
        district: district.name,
        code: district.code,
        towns,
        days: by_day(lines),
        links,
        today: now,
    }))
}

#[derive(Template)]
#[template(path = "portal/unit.html")]
struct UnitPage {
    ctx: Ctx,
    district: String,
    code: String,
    place: Place,
    points: Vec<Place>,
    days: Vec<Day>,
    survey_open: bool,
}

impl UnitPage {
    fn weekday(&self, d: &NaiveDate) -> &'static str {
        weekday(d)
    }
}

/// `GET /d/{district}/units/{id}`: a town school's or a teaching point's page: where, how to
/// reach it, its coming activities, its town's survey, its points.
pub async fn unit(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let place = repo::place(&mut tx, district.id, id).await?.or_404()?;
    let now = today();
    let points = if place.kind == "town_school" {
        repo::points(&mut tx, district.id, id).await?
    } else {
        Vec::new()
    };
    let lines = store::calendar(
        &mut tx,
        district.id,
        (now, now + Days::new(60)),
        Some(place.town_id),
        30,
    )
    .await?;
    let links = repo::links(&mut tx, district.id, now).await?;
    tx.commit().await?;
    Ok(render(&UnitPage {
        ctx,
        district: district.name,
        code: district.code,
        place,
        points,
        days: by_day(lines),
        survey_open: links.survey_open,
    }))
}

#[derive(Template)]
#[template(path = "portal/calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    district: String,
    code: String,
    towns: Vec<Place>,
    town: Option<i64>,
    month: NaiveDate,
    prev: String,
    next: String,
    days: Vec<Day>,
}

impl CalendarPage {
    fn weekday(&self, d: &NaiveDate) -> &'static str {
        weekday(d)
    }
    fn picked(&self, id: &i64) -> bool {
        self.town == Some(*id)
    }
    fn og_title(&self) -> String {
        format!("{} {}", self.district, self.ctx.t("portal.calendar"))
    }
    fn town_query(&self) -> String {
        self.town.map(|t| format!("&town={t}")).unwrap_or_default()
    }
}

/// `GET /d/{district}/calendar?month=2026-12&town=`: the published sessions of a month, day
/// by day, with places left.
pub async fn calendar(ctx: Ctx, public: PublicTx, query: ListQuery) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let month = model::parse_month(query.get("month")).unwrap_or_else(today);
    let (first, last) = model::month_of(month);
    let towns = repo::towns(&mut tx, district.id).await?;
    let town = query
        .id("town")
        .filter(|t| towns.iter().any(|p| p.id == *t));
    let lines = store::calendar(&mut tx, district.id, (first, last), town, 500).await?;
    tx.commit().await?;
    let prev = model::month_of(first - Days::new(1))
        .0
        .format("%Y-%m")
        .to_string();
    let next = (last + Days::new(1)).format("%Y-%m").to_string();
    Ok(render(&CalendarPage {
        ctx,
        district: district.name,
        code: district.code,
        towns,
        town,
        month: first,
        prev,
        next,
        days: by_day(lines),
    }))
}
