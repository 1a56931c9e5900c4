//! Delivery against the plan: for the district, each town (its school and points together),
//! the college and each member unit; for a town, each of its units; for one unit, each item of
//! the plan it filed the December before with what delivered it, the items nothing delivered,
//! and what it did outside the plan — with a chart, export and print.

use super::model::{Organiser, share};
use super::repo::delivery::{self, Delivered, Figures, ItemDelivery, UnitLine};
use super::{require, scope};
use crate::access::{Action, Role};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::Cell;
use crate::web::forms::yuan;
use crate::web::list::ListQuery;
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;

/// One line of a roll-up: a unit, or a town with its points.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub label: String,
    pub href: String,
    pub has_plan: bool,
    pub items: i64,
    pub items_delivered: i64,
    pub budget: i64,
    pub held_in_plan: i64,
    pub held_outside: i64,
    pub sessions_held: i64,
    pub participants: i64,
    pub spend: i64,
}

impl Line {
    fn add(&mut self, u: &UnitLine) {
        self.has_plan |= u.has_plan;
        self.items += u.items;
        self.items_delivered += u.items_delivered;
        self.budget += u.budget;
        self.held_in_plan += u.held_in_plan;
        self.held_outside += u.held_outside;
        self.sessions_held += u.sessions_held;
        self.participants += u.participants;
        self.spend += u.spend;
    }

    pub fn share(&self) -> i64 {
        share(self.items_delivered, self.items)
    }

    pub fn budget_yuan(&self) -> String {
        yuan(self.budget)
    }

    pub fn spend_yuan(&self) -> String {
        yuan(self.spend)
    }
}

/// The year asked for, or this year.
fn year_of(query: &ListQuery) -> i32 {
    query
        .get("year")
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| today().year())
}

/// The roll-up the user's scope sees: the district by town (or one town by unit, when asked),
/// a town by unit, a point its own line.
async fn rollup(
    tx: &mut Tx,
    user: &CurrentUser,
    year: i32,
    town: Option<i64>,
) -> Result<(Vec<Line>, Line, Option<String>)> {
    let s = scope(user);
    let district = user.role.is_district_wide();
    let units = delivery::lines(tx, &s.path, district, year).await?;
    let mut total = Line::default();
    let by_unit = |u: &UnitLine| Line {
        label: u.name.clone(),
        href: u.href(year),
        ..Line::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut town_name = None;
    if district && town.is_none() {
        // A town's line adds its school and its points; the college and member units stand alone.
        for u in &units {
            total.add(u);
            if u.town_id == 0 {
                let mut line = by_unit(u);
                line.add(u);
                lines.push(line);
                continue;
            }
            let href = format!("/delivery?year={year}&town={}", u.town_id);
            match lines.iter_mut().find(|l| l.href == href) {
                Some(line) => line.add(u),
                None => {
                    let mut line = Line {
                        label: u.town_name.clone(),
                        href,
                        ..Line::default()
                    };
                    line.add(u);
                    lines.push(line);
                }
            }
        }
    } else {
        for u in units.iter().filter(|u| town.is_none_or(|t| u.town_id == t)) {
            total.add(u);
            let mut line = by_unit(u);
            line.add(u);
            lines.push(line);
            if town.is_some() {
                town_name = Some(u.town_name.clone());
            }
        }
        if town.is_some() && lines.is_empty() {
            return Err(AppError::NotFound);
        }
    }
    Ok((lines, total, town_name))
}

#[derive(Template)]
#[template(path = "activities/delivery.html")]
struct OverviewPage {
    ctx: Ctx,
    year: i32,
    town: Option<i64>,
    town_name: Option<String>,
    lines: Vec<Line>,
    total: Line,
    years: Vec<i32>,
    district: String,
    date: String,
}

impl OverviewPage {
    fn chart(&self) -> String {
        let rows: Vec<(String, f64, String)> = self
            .lines
            .iter()
            .filter(|l| l.has_plan)
            .map(|l| (l.label.clone(), l.share() as f64, format!("{}%", l.share())))
            .collect();
        crate::reports::svg::bars(self.ctx.t("delivery.chart"), &rows, 100.0)
    }

    fn query(&self) -> String {
        match self.town {
            Some(t) => format!("?year={}&town={t}", self.year),
            None => format!("?year={}", self.year),
        }
    }
}

/// `GET /delivery?year=&town=`: the roll-up of the user's scope (and `/delivery/print`, the
/// same laid out to print).
pub async fn overview(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    if user.role == Role::UnitOfficer {
        let id = user.member_unit_id.or_404()?;
        return Ok(
            Redirect::to(&format!("/delivery/m/{id}?year={}", year_of(&query))).into_response(),
        );
    }
    let year = year_of(&query);
    let town = query.id("town").filter(|_| user.role.is_district_wide());
    let (lines, total, town_name) = rollup(&mut tx, &user, year, town).await?;
    tx.commit().await?;
    let now = today().year();
    Ok(render(&OverviewPage {
        ctx,
        year,
        town,
        town_name,
        lines,
        total,
        years: (now - 4..=now).rev().collect(),
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

const COLUMNS: [&str; 10] = [
    "delivery.unit",
    "delivery.items",
    "delivery.items_delivered",
    "delivery.share",
    "delivery.held_in_plan",
    "delivery.held_outside",
    "activity.sessions_held",
    "activity.participants",
    "delivery.budget",
    "delivery.spend",
];

/// `GET /delivery/export.xlsx?year=&town=`: the roll-up as a workbook.
pub async fn export(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    if user.role == Role::UnitOfficer {
        return Err(AppError::NotFound);
    }
    let year = year_of(&query);
    let town = query.id("town").filter(|_| user.role.is_district_wide());
    let (mut lines, mut total, _) = rollup(&mut tx, &user, year, town).await?;
    tx.commit().await?;
    total.label = ctx.t("delivery.total").to_string();
    lines.push(total);
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let rows = lines
        .into_iter()
        .map(|l| {
            Ok(vec![
                l.label.as_str().into(),
                l.items.into(),
                l.items_delivered.into(),
                l.share().into(),
                l.held_in_plan.into(),
                l.held_outside.into(),
                l.sessions_held.into(),
                l.participants.into(),
                Cell::yuan(l.budget),
                Cell::yuan(l.spend),
            ])
        })
        .collect::<Vec<sqlx::Result<Vec<Cell>>>>();
    let title = format!(
        "{} · {}（{year}）",
        user.tenant_name,
        ctx.t("delivery.title")
    );
    crate::web::list::export(
        &format!("delivery-{year}.xlsx"),
        ctx.t("delivery.title"),
        &title,
        &headers,
        futures_util::stream::iter(rows),
        |cells| cells,
    )
    .await
}

/// An item of a unit's plan with the activities that deliver it.
pub struct Item {
    pub item: ItemDelivery,
    pub activities: Vec<Delivered>,
}

#[derive(Template)]
#[template(path = "activities/delivery_unit.html")]
struct UnitPage {
    ctx: Ctx,
    year: i32,
    organiser: Organiser,
    name: String,
    items: Vec<Item>,
    outside: Vec<Delivered>,
    /// Its activities delivering its town school's plan items.
    others: Vec<Delivered>,
    outside_figures: Figures,
    can_record: bool,
    district: String,
    date: String,
}

impl UnitPage {
    fn delivered(&self) -> usize {
        self.items.iter().filter(|i| i.item.done.held > 0).count()
    }

    fn share(&self) -> i64 {
        share(self.delivered() as i64, self.items.len() as i64)
    }

    fn base(&self) -> String {
        match self.organiser {
            Organiser::Unit(id) => format!("/delivery/u/{id}"),
            Organiser::Member(id) => format!("/delivery/m/{id}"),
        }
    }

    fn list_href(&self) -> String {
        format!(
            "/activities?year={}&org={}",
            self.year,
            self.organiser.key()
        )
    }
}

/// `GET /delivery/{u|m}/{id}?year=`: a unit's plan items with what delivered them (and
/// `…/print`, the same laid out to print).
pub async fn unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((kind, id)): Path<(String, i64)>,
    query: ListQuery,
) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let organiser = Organiser::parse(&format!("{kind}{id}")).or_404()?;
    let s = scope(&user);
    let name = delivery::organiser_name(&mut tx, organiser, &s)
        .await?
        .or_404()?;
    let year = year_of(&query);
    let plan = delivery::items(&mut tx, organiser, year).await?;
    let ids: Vec<i64> = plan.iter().map(|i| i.id).collect();
    let mut activities = delivery::activities_of(&mut tx, organiser, year, &ids).await?;
    let outside_figures = delivery::outside(&mut tx, organiser, year).await?;
    tx.commit().await?;
    let items = plan
        .into_iter()
        .map(|item| {
            let (mine, rest): (Vec<_>, Vec<_>) = activities
                .drain(..)
                .partition(|a| a.plan_item_id == Some(item.id));
            activities = rest;
            Item {
                item,
                activities: mine,
            }
        })
        .collect();
    // What is left: outside any plan, or delivering another unit's (its town school's).
    let (outside, others): (Vec<_>, Vec<_>) = activities
        .into_iter()
        .partition(|a| a.plan_item_id.is_none());
    Ok(render(&UnitPage {
        ctx,
        year,
        organiser,
        name,
        items,
        outside,
        others,
        outside_figures,
        can_record: crate::access::may(user.role, Action::RecordActivities),
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}
