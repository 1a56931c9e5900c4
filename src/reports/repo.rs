//! SQL for the dashboards and the policy targets: the towns in scope with what hangs under
//! them, the network's counts and staff, each year's targets and the facts they are measured
//! against. Row-level security keeps every statement inside the district; the dashboard's
//! reads take the scope path.

use super::model::TargetInput;
use chrono::NaiveDate;
use sqlx::PgConnection;

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
        crate::network::model::level_labels(&self.demo_levels)
    }
}

/// The open town schools in scope, each with its active points, its staff and theirs, and its
/// approved designations.
pub async fn towns(conn: &mut PgConnection, scope: &str) -> sqlx::Result<Vec<TownRow>> {
    sqlx::query_as(
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
    .fetch_all(conn)
    .await
}

/// The network in scope counted: active town schools, active teaching points, units not
/// active, and the active units' staff.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Totals {
    pub schools: i64,
    pub points: i64,
    pub inactive: i64,
    pub fulltime_managers: i64,
    pub parttime_managers: i64,
    pub fulltime_teachers: i64,
    pub parttime_teachers: i64,
}

impl Totals {
    pub fn staff(&self) -> i64 {
        self.fulltime_managers
            + self.parttime_managers
            + self.fulltime_teachers
            + self.parttime_teachers
    }
}

/// The counts and the active staff in one pass over the units in scope.
pub async fn totals(conn: &mut PgConnection, scope: &str) -> sqlx::Result<Totals> {
    sqlx::query_as(
        "select count(*) filter (where kind = 'town_school' and status = 'active') as schools,
                count(*) filter (where kind = 'teaching_point' and status = 'active') as points,
                count(*) filter (where status <> 'active') as inactive,
                coalesce(sum(fulltime_managers) filter (where status = 'active'), 0)::bigint as fulltime_managers,
                coalesce(sum(parttime_managers) filter (where status = 'active'), 0)::bigint as parttime_managers,
                coalesce(sum(fulltime_teachers) filter (where status = 'active'), 0)::bigint as fulltime_teachers,
                coalesce(sum(parttime_teachers) filter (where status = 'active'), 0)::bigint as parttime_teachers
           from org_unit where path like $1 || '%'",
    )
    .bind(scope)
    .fetch_one(conn)
    .await
}

/// A policy target of a year.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub year: i32,
    pub metric: String,
    pub target: i32,
    pub deadline: NaiveDate,
    pub version: i32,
}

const TARGET: &str = "select id, year, metric, target, deadline, version from policy_target";

/// Every year's targets (a few rows a year), by year and in the policy's order.
pub async fn targets(conn: &mut PgConnection) -> sqlx::Result<Vec<Target>> {
    sqlx::query_as(&format!(
        "{TARGET} order by year, array_position(array['transformed_share','provincial_demo_schools','demo_town_schools','demo_points'], metric)"
    ))
    .fetch_all(conn)
    .await
}

pub async fn target(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Target>> {
    sqlx::query_as(&format!("{TARGET} where id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Saves a target's value and deadline only over `version`; false means someone saved first.
pub async fn update_target(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: TargetInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update policy_target set target = $3, deadline = $4, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(i.target)
    .bind(i.deadline)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A new year's targets, the policy's (2022's) with that year's deadlines; how many were added
/// (none when the year has them already).
pub async fn add_year(conn: &mut PgConnection, tenant_id: i64, year: i32) -> sqlx::Result<u64> {
    let added = sqlx::query(
        "insert into policy_target (tenant_id, year, metric, target, deadline)
         select $1, $2, metric, target, make_date($2, extract(month from deadline)::int, extract(day from deadline)::int)
           from policy_target where year = 2022
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(year)
    .execute(conn)
    .await?;
    Ok(added.rows_affected())
}

/// An open town school (for the transformed share) or a unit with an approved designation;
/// a school with several designations comes once per designation, one without once with no
/// level.
#[derive(sqlx::FromRow)]
pub struct UnitFact {
    pub id: i64,
    pub kind: String,
    pub transformed_on: Option<NaiveDate>,
    pub level: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

/// The whole district's facts the targets are measured against, by unit.
pub async fn unit_facts(conn: &mut PgConnection) -> sqlx::Result<Vec<UnitFact>> {
    sqlx::query_as(
        "select u.id, u.kind, u.transformed_on, d.level, d.decided_on
           from org_unit u
           left join demonstration d on d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved'
          where u.status <> 'closed' and (u.kind = 'town_school' or d.id is not null)
          order by u.id",
    )
    .fetch_all(conn)
    .await
}
