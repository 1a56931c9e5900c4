//! The list of activities: by year, month, town, organiser, category, key population, plan
//! item, campaign, donation, status and overdue reports, with count, sort, pages, export and
//! print.

use super::model::{CATEGORIES, POPULATIONS, Status};
use super::repo::{self, Activities, Activity, Choice, OrganiserChoice};
use super::{require, scope};
use crate::access::{Action, may};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::Result;
use crate::reports::xlsx::Cell;
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::{Ctx, render, today};
use askama::Template;
use axum::response::Response;
use chrono::Datelike;

/// What the filters may choose from.
pub struct Filters {
    pub towns: Vec<OrganiserChoice>,
    pub organisers: Vec<OrganiserChoice>,
    pub campaigns: Vec<Choice>,
    pub categories: &'static [&'static str],
    pub populations: &'static [&'static str],
    pub statuses: [Status; 4],
    pub years: Vec<i32>,
    /// The plan item the list is narrowed to, named.
    pub plan: Option<String>,
}

async fn filters(tx: &mut Tx, user: &CurrentUser, query: &ListQuery) -> Result<Filters> {
    let s = scope(user);
    let organisers = repo::organisers(tx, &s, user.role.is_district_wide()).await?;
    let plan = match query.id("plan") {
        Some(id) => repo::plan_item(tx, id).await?.map(|p| p.title),
        None => None,
    };
    let year = today().year();
    Ok(Filters {
        towns: organisers
            .iter()
            .filter(|o| o.kind == "town_school")
            .cloned()
            .collect(),
        organisers,
        campaigns: repo::campaign_choices(tx, year - 3).await?,
        categories: &CATEGORIES,
        populations: &POPULATIONS,
        statuses: Status::ALL,
        years: (year - 4..=year + 1).rev().collect(),
        plan,
    })
}

#[derive(Template)]
#[template(path = "activities/index.html")]
struct ListPage {
    ctx: Ctx,
    list: Paged<Activity>,
    query: ListQuery,
    filters: Filters,
    year: Option<i32>,
    can_record: bool,
}

impl ListPage {
    /// Whether year `y` is the one shown.
    fn picked(&self, y: &i32) -> bool {
        self.year == Some(*y)
    }
}

pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let s = scope(&user);
    let listing = Activities {
        query: &query,
        scope: &s,
        today: today(),
    };
    let year = listing.year();
    let rows = list::page(&mut tx, &listing, query.page()).await?;
    let filters = filters(&mut tx, &user, &query).await?;
    tx.commit().await?;
    Ok(render(&ListPage {
        ctx,
        list: rows,
        filters,
        year,
        can_record: may(user.role, Action::RecordActivities),
        query,
    }))
}

const COLUMNS: [&str; 18] = [
    "activity.starts_on",
    "activity.ends_on",
    "activity.title_field",
    "activity.category",
    "activity.organiser",
    "network.town",
    "activity.plan_item",
    "activity.campaign",
    "activity.populations",
    "activity.status",
    "activity.sessions_held",
    "activity.attendance",
    "activity.participants",
    "plan.budget_government",
    "plan.budget_donation",
    "plan.budget_learners",
    "plan.budget_other",
    "activity.report",
];

fn row(ctx: &Ctx, a: Activity) -> Vec<Cell> {
    let populations: Vec<String> = a
        .populations
        .iter()
        .map(|p| ctx.tr(&format!("population.{p}")))
        .collect();
    vec![
        a.starts_on.to_string().into(),
        a.ends_on.to_string().into(),
        a.title.as_str().into(),
        ctx.tr(&a.category_label()).into(),
        a.organiser_name.as_str().into(),
        a.town_name.as_str().into(),
        a.plan_title
            .clone()
            .unwrap_or_else(|| {
                format!(
                    "{}：{}",
                    ctx.t("activity.not_in_plan"),
                    a.not_in_plan_reason
                )
            })
            .into(),
        a.campaign_name.clone().unwrap_or_default().into(),
        populations.join("、").into(),
        ctx.tr(&a.status_label()).into(),
        a.sessions_held.into(),
        a.attendance.into(),
        a.participants.into(),
        Cell::yuan(a.spend_government),
        Cell::yuan(a.spend_donation),
        Cell::yuan(a.spend_learners),
        Cell::yuan(a.spend_other),
        a.report.as_str().into(),
    ]
}

/// `GET /activities/export.xlsx?<filters>`: every activity the list shows.
pub async fn export(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let s = scope(&user);
    let listing = Activities {
        query: &query,
        scope: &s,
        today: today(),
    };
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    list::export_all(
        &mut tx,
        &listing,
        &user.tenant_name,
        ctx.t("activity.title"),
        "activities",
        &headers,
        |a| row(&ctx, a),
    )
    .await
}

#[derive(Template)]
#[template(path = "activities/print.html")]
struct PrintPage {
    ctx: Ctx,
    rows: Vec<Activity>,
    printed: Printed,
    district: String,
    date: String,
    year: Option<i32>,
}

pub async fn print(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let s = scope(&user);
    let listing = Activities {
        query: &query,
        scope: &s,
        today: today(),
    };
    let year = listing.year();
    let (rows, printed) = list::print(&mut tx, &listing).await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        rows,
        printed,
        district: user.tenant_name.clone(),
        date: today().to_string(),
        year,
    }))
}
