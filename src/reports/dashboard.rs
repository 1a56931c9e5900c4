//! The dashboard of the network against the policy, for the district or for one town: its
//! counts, staff and towns, and the year's targets each measured against the district's data.

use super::model::{self, Facts, Measure};
use super::repo::{self, Target, Totals, TownRow};
use super::svg;
use crate::web::today;
use chrono::Datelike;
use sqlx::PgConnection;

/// A target with how the data measures up to it.
#[derive(Debug, Clone)]
pub struct TargetView {
    pub id: i64,
    pub year: i32,
    pub metric: String,
    pub target: i32,
    pub deadline: chrono::NaiveDate,
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
    pub totals: Totals,
    pub towns: Vec<TownRow>,
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

/// The dashboard of the units under `scope`, with the targets of `year` (see [`targets_of_year`]).
pub async fn dashboard(
    conn: &mut PgConnection,
    scope: &str,
    year: Option<i32>,
) -> sqlx::Result<Dashboard> {
    let towns = repo::towns(conn, scope).await?;
    let totals = repo::totals(conn, scope).await?;
    let (year, years, targets) = targets_of_year(conn, year).await?;
    Ok(Dashboard {
        totals,
        towns,
        targets,
        year,
        years,
    })
}

/// The asked-for year's targets (else this year's, else the latest), and every year that has some.
pub async fn targets_of_year(
    conn: &mut PgConnection,
    year: Option<i32>,
) -> sqlx::Result<(i32, Vec<i32>, Vec<TargetView>)> {
    // Every year's targets at once: the years for the picker come with them.
    let all = repo::targets(conn).await?;
    let mut years: Vec<i32> = all.iter().map(|t| t.year).collect();
    years.dedup();
    let this_year = today().year();
    let year = year
        .filter(|y| years.contains(y))
        .or_else(|| years.iter().rev().find(|y| **y <= this_year).copied())
        .or(years.last().copied())
        .unwrap_or(this_year);
    let rows: Vec<Target> = all.into_iter().filter(|t| t.year == year).collect();
    let facts = facts(conn).await?;
    let now = today();
    let targets = rows
        .into_iter()
        .map(|t| TargetView {
            measure: model::measure(&t.metric, t.target.into(), t.deadline, &facts, now),
            id: t.id,
            year,
            metric: t.metric,
            target: t.target,
            deadline: t.deadline,
            version: t.version,
        })
        .collect();
    Ok((year, years, targets))
}

/// The whole district's data the targets are measured against, in one query.
async fn facts(conn: &mut PgConnection) -> sqlx::Result<Facts> {
    let mut schools_transformed_on = Vec::new();
    let mut approvals = Vec::new();
    let mut last_school = None;
    for u in repo::unit_facts(conn).await? {
        if u.kind == "town_school" && last_school != Some(u.id) {
            schools_transformed_on.push(u.transformed_on);
            last_school = Some(u.id);
        }
        if let (Some(level), Some(decided_on)) = (u.level, u.decided_on) {
            approvals.push((u.id, u.kind, level, decided_on));
        }
    }
    Ok(Facts {
        schools_transformed_on,
        approvals,
    })
}
