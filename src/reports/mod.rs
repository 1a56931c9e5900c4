//! Dashboards and spreadsheets: where the network stands against the policy, per district and
//! per town, with the targets the bureau edits per year.

pub mod svg;
pub mod targets;
pub mod xlsx;
pub mod xlsx_in;

use crate::access::{Action, may};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs, date};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use targets::{Facts, Measure};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/targets", get(list_targets).post(add_year))
        .route("/targets/{id}", post(update_target))
}

/// One town school with what hangs under it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TownRow {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub status: String,
    pub villages_total: Option<i32>,
    pub transformed_on: Option<NaiveDate>,
    pub points: i64,
    pub staff: i64,
    pub demo_levels: Vec<String>,
}

impl TownRow {
    /// Villages and communities with a teaching point, as a percentage of the town's total.
    pub fn coverage(&self) -> Option<f64> {
        self.villages_total
            .filter(|t| *t > 0)
            .map(|t| (self.points as f64 * 100.0 / t as f64).min(100.0))
    }

    pub fn coverage_text(&self) -> String {
        self.coverage()
            .map_or_else(|| "—".into(), |c| format!("{c:.0}%"))
    }

    pub fn villages_text(&self) -> String {
        self.villages_total
            .map_or_else(|| "—".into(), |v| v.to_string())
    }

    pub fn demo_level_labels(&self) -> Vec<String> {
        ["provincial", "city", "district"]
            .iter()
            .filter(|l| self.demo_levels.iter().any(|d| d == *l))
            .map(|l| format!("level.{l}"))
            .collect()
    }
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Staffing {
    pub fulltime_managers: i64,
    pub parttime_managers: i64,
    pub fulltime_teachers: i64,
    pub parttime_teachers: i64,
}

impl Staffing {
    pub fn total(&self) -> i64 {
        self.fulltime_managers
            + self.parttime_managers
            + self.fulltime_teachers
            + self.parttime_teachers
    }
}

/// A target with how the data measures up to it.
#[derive(Debug, Clone)]
pub struct TargetView {
    pub id: i64,
    pub year: i32,
    pub metric: String,
    pub target: i32,
    pub deadline: NaiveDate,
    pub version: i32,
    pub measure: Measure,
}

impl TargetView {
    pub fn label(&self) -> String {
        format!("target.{}", self.metric)
    }

    pub fn progress_label(&self) -> String {
        format!("progress.{}", self.measure.progress.as_str())
    }

    pub fn unit(&self) -> &'static str {
        if self.metric == "transformed_share" {
            "%"
        } else {
            ""
        }
    }

    pub fn bar(&self) -> String {
        let share = if self.target == 0 {
            1.0
        } else {
            self.measure.actual as f64 / self.target as f64
        };
        svg::progress(&self.metric, share, self.measure.progress.as_str())
    }

    pub fn achieved_text(&self) -> String {
        self.measure
            .achieved_on
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

/// Everything the district (or a town's) dashboard shows, in a handful of queries.
pub struct Dashboard {
    /// Active town schools, active teaching points, units not active: as `network::repo::counts`.
    pub counts: (i64, i64, i64),
    pub towns: Vec<TownRow>,
    pub staffing: Staffing,
    pub targets: Vec<TargetView>,
    pub year: i32,
    pub years: Vec<i32>,
}

impl Dashboard {
    pub fn towns_with_school(&self) -> usize {
        let mut areas: Vec<&str> = self
            .towns
            .iter()
            .filter(|t| t.status == "active")
            .map(|t| t.area.as_str())
            .collect();
        areas.sort();
        areas.dedup();
        areas.len()
    }

    pub fn points(&self) -> i64 {
        self.towns.iter().map(|t| t.points).sum()
    }

    pub fn villages_total(&self) -> i64 {
        self.towns
            .iter()
            .filter_map(|t| t.villages_total)
            .map(i64::from)
            .sum()
    }

    pub fn coverage_text(&self) -> String {
        let total = self.villages_total();
        if total == 0 {
            "—".into()
        } else {
            format!(
                "{:.0}%",
                (self.points() as f64 * 100.0 / total as f64).min(100.0)
            )
        }
    }

    pub fn transformed(&self) -> usize {
        self.towns
            .iter()
            .filter(|t| t.transformed_on.is_some())
            .count()
    }

    /// A bar per town: its coverage of villages by teaching points.
    pub fn coverage_chart(&self, title: &str) -> String {
        let rows: Vec<(String, f64, String)> = self
            .towns
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.coverage().unwrap_or(0.0),
                    format!("{} · {}", t.coverage_text(), t.points),
                )
            })
            .collect();
        svg::bars(title, &rows, 100.0)
    }
}

pub async fn dashboard(tx: &mut Tx, scope: &str, year: Option<i32>) -> sqlx::Result<Dashboard> {
    let towns: Vec<TownRow> = sqlx::query_as(
        "select s.id, s.name, s.area, s.status, s.villages_total, s.transformed_on,
                (select count(*) from org_unit p where p.tenant_id = s.tenant_id and p.parent_id = s.id and p.status = 'active') as points,
                (s.fulltime_managers + s.parttime_managers + s.fulltime_teachers + s.parttime_teachers
                 + coalesce((select sum(p.fulltime_managers + p.parttime_managers + p.fulltime_teachers + p.parttime_teachers)
                               from org_unit p where p.tenant_id = s.tenant_id and p.parent_id = s.id and p.status = 'active'), 0))::bigint as staff,
                coalesce((select array_agg(distinct d.level) from demonstration d
                           where d.tenant_id = s.tenant_id and d.unit_id = s.id and d.status = 'approved'), '{}') as demo_levels
           from org_unit s
          where s.kind = 'town_school' and s.status <> 'closed' and s.path like $1 || '%'
          order by s.code",
    )
    .bind(scope)
    .fetch_all(&mut **tx)
    .await?;
    // The network's counts and its active staff in one pass over the units in scope.
    let (schools, points, inactive, staffing): (i64, i64, i64, Staffing) = {
        let row: (i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "select count(*) filter (where kind = 'town_school' and status = 'active'),
                    count(*) filter (where kind = 'teaching_point' and status = 'active'),
                    count(*) filter (where status <> 'active'),
                    coalesce(sum(fulltime_managers) filter (where status = 'active'), 0)::bigint,
                    coalesce(sum(parttime_managers) filter (where status = 'active'), 0)::bigint,
                    coalesce(sum(fulltime_teachers) filter (where status = 'active'), 0)::bigint,
                    coalesce(sum(parttime_teachers) filter (where status = 'active'), 0)::bigint
               from org_unit where path like $1 || '%'",
        )
        .bind(scope)
        .fetch_one(&mut **tx)
        .await?;
        let staffing = Staffing {
            fulltime_managers: row.3,
            parttime_managers: row.4,
            fulltime_teachers: row.5,
            parttime_teachers: row.6,
        };
        (row.0, row.1, row.2, staffing)
    };
    let (year, years, targets) = targets_of_year(tx, year).await?;
    Ok(Dashboard {
        counts: (schools, points, inactive),
        towns,
        staffing,
        targets,
        year,
        years,
    })
}

/// The asked-for year's targets (else this year's, else the latest), and every year that has some.
pub async fn targets_of_year(
    tx: &mut Tx,
    year: Option<i32>,
) -> sqlx::Result<(i32, Vec<i32>, Vec<TargetView>)> {
    // Every year's targets at once (a few rows a year): the years for the picker come with them.
    let all: Vec<(i64, i32, String, i32, NaiveDate, i32)> = sqlx::query_as(
        "select id, year, metric, target, deadline, version from policy_target
          order by year, array_position(array['transformed_share','provincial_demo_schools','demo_town_schools','demo_points'], metric)",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut years: Vec<i32> = all.iter().map(|t| t.1).collect();
    years.dedup();
    let this_year = today().year();
    let year = year
        .filter(|y| years.contains(y))
        .or_else(|| years.iter().rev().find(|y| **y <= this_year).copied())
        .or(years.last().copied())
        .unwrap_or(this_year);
    let rows = all
        .into_iter()
        .filter(|t| t.1 == year)
        .map(|(id, _, metric, target, deadline, version)| (id, metric, target, deadline, version))
        .collect();
    let targets = targets_for(tx, year, rows).await?;
    Ok((year, years, targets))
}

/// The year's targets, each measured against the whole district's data.
async fn targets_for(
    tx: &mut Tx,
    year: i32,
    rows: Vec<(i64, String, i32, NaiveDate, i32)>,
) -> sqlx::Result<Vec<TargetView>> {
    // Open town schools (for the transformed share) and approved designations, in one query:
    // a school without designations comes once with a null level.
    #[derive(sqlx::FromRow)]
    struct UnitFact {
        id: i64,
        kind: String,
        transformed_on: Option<NaiveDate>,
        level: Option<String>,
        decided_on: Option<NaiveDate>,
    }
    let units: Vec<UnitFact> = sqlx::query_as(
        "select u.id, u.kind, u.transformed_on, d.level, d.decided_on
           from org_unit u
           left join demonstration d on d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved'
          where u.status <> 'closed' and (u.kind = 'town_school' or d.id is not null)
          order by u.id",
    )
        .fetch_all(&mut **tx)
        .await?;
    let mut schools_transformed_on = Vec::new();
    let mut approvals = Vec::new();
    let mut last_school = None;
    for u in units {
        if u.kind == "town_school" && last_school != Some(u.id) {
            schools_transformed_on.push(u.transformed_on);
            last_school = Some(u.id);
        }
        if let (Some(level), Some(decided_on)) = (u.level, u.decided_on) {
            approvals.push((u.id, u.kind, level, decided_on));
        }
    }
    let facts = Facts {
        schools_transformed_on,
        approvals,
    };
    let now = today();
    Ok(rows
        .into_iter()
        .map(|(id, metric, target, deadline, version)| {
            let measure = targets::measure(&metric, target.into(), deadline, &facts, now);
            TargetView {
                id,
                year,
                metric,
                target,
                deadline,
                version,
                measure,
            }
        })
        .collect())
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

#[derive(Template)]
#[template(path = "reports/targets.html")]
struct TargetsPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    targets: Vec<TargetView>,
    can_edit: bool,
    errors: FieldErrors,
    failed: Option<i64>,
}

fn require_view(user: &CurrentUser) -> Result<()> {
    if user.role.is_district_wide() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn targets_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    year: Option<i32>,
    errors: FieldErrors,
    failed: Option<i64>,
) -> Result<TargetsPage> {
    let (year, years, targets) = targets_of_year(tx, year).await?;
    Ok(TargetsPage {
        ctx,
        year,
        years,
        targets,
        can_edit: may(user.role, Action::EditTargets),
        errors,
        failed,
    })
}

/// `GET /targets?year=`: the year's targets; the bureau edits them here.
async fn list_targets(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    require_view(&user)?;
    let page = targets_page(&mut tx, ctx, &user, q.year, FieldErrors::default(), None).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /targets/{id}`: a new target value or deadline, refused if someone saved first.
async fn update_target(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    if !may(user.role, Action::EditTargets) {
        return Err(AppError::NotFound);
    }
    let tenant_id = user.tenant()?;
    let (year, before_target, before_deadline): (i32, i32, NaiveDate) =
        sqlx::query_as("select year, target, deadline from policy_target where id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .or_404()?;
    let mut errors = FieldErrors::default();
    let target = p
        .get("target")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|t| (0..=100_000).contains(t));
    if target.is_none() {
        errors.add("target", "form.count");
    }
    let deadline = date(&mut errors, "deadline", &p.get("deadline"), true);
    let (Some(target), Some(deadline), true) = (target, deadline, errors.is_empty()) else {
        let page = targets_page(&mut tx, ctx, &user, Some(year), errors, Some(id)).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let done = sqlx::query("update policy_target set target = $3, deadline = $4, version = version + 1 where id = $1 and version = $2")
        .bind(id)
        .bind(p.get("version").parse::<i32>().unwrap_or(0))
        .bind(target)
        .bind(deadline)
        .execute(&mut *tx)
        .await?;
    let to = format!("/targets?year={year}");
    if done.rows_affected() == 0 {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let change = Change {
        tenant_id,
        action: "policy_target.update",
        entity: "policy_target",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "target": before_target, "deadline": before_deadline })),
        after: Some(serde_json::json!({ "target": target, "deadline": deadline })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("target.saved", &to))
}

/// `POST /targets`: a new year, starting from the policy's targets with that year's deadlines.
async fn add_year(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    if !may(user.role, Action::EditTargets) {
        return Err(AppError::NotFound);
    }
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let Some(year) = p
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        let mut errors = FieldErrors::default();
        errors.add("year", "designation.year_format");
        let page = targets_page(&mut tx, ctx, &user, None, errors, None).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let added = sqlx::query(
        "insert into policy_target (tenant_id, year, metric, target, deadline)
         select $1, $2, metric, target, make_date($2, extract(month from deadline)::int, extract(day from deadline)::int)
           from policy_target where year = 2022
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(year)
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() > 0 {
        let change = Change {
            tenant_id,
            action: "policy_target.add_year",
            entity: "policy_target",
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({ "year": year })),
        };
        audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    }
    let location = format!("/targets?year={year}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("target.year_added", &location))
}
