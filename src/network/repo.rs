//! SQL for the network. Every read of units takes the caller's scope path, so a unit outside it
//! is simply not found; row-level security keeps every statement inside the district. Here: a
//! unit on its own, its children and the counts; beside it, the list (`list`), a unit's
//! history (`history`), its designations (`designations`) and import batches (`import`).

pub mod designations;
pub mod history;
pub mod import;
pub mod list;
mod unit;

use super::model::UnitInput;
use crate::web::transition::Step;
use sqlx::PgConnection;

pub use list::{scope_choices, units_in_scope};
pub use unit::Unit;

/// Every column of a unit, with its parent's name and code.
const COLUMNS: &str =
    "u.id, u.kind, u.parent_id, u.path, u.code, u.name, u.area, u.village, u.address,
        u.contact_name, u.contact_phone, u.status, u.status_since, u.founded_on,
        u.fulltime_managers, u.parttime_managers, u.fulltime_teachers, u.parttime_teachers,
        u.floor_area, u.classrooms, u.opening_hours, u.villages_total, u.shared_venues,
        u.predecessor, u.transformed_on, u.is_demo, u.version, u.updated_at,
        p.name as parent_name, p.code as parent_code";

/// The levels of a unit's approved designations, which lists and a unit's page show as badges.
const DEMO_LEVELS: &str = "coalesce((select array_agg(distinct d.level) from demonstration d
                   where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved'), '{}') as demo_levels";

/// What a list shows: no contact details, history or child counts.
const LISTED: &str = "u.id, u.kind, u.parent_id, u.path, u.code, u.name, u.area, u.village,
        u.status, u.founded_on, u.fulltime_managers, u.parttime_managers, u.fulltime_teachers, u.parttime_teachers,
        u.transformed_on, u.is_demo";

/// A unit with its parent and grandparent (the list's tree order reads their codes).
const FROM: &str = " from org_unit u
    left join org_unit p on p.tenant_id = u.tenant_id and p.id = u.parent_id
    left join org_unit g on g.tenant_id = p.tenant_id and g.id = p.parent_id";

/// A unit in scope with everything its page shows: every column, its active children, its
/// approved designations.
pub async fn find_in_scope(
    conn: &mut PgConnection,
    scope: &str,
    id: i64,
) -> sqlx::Result<Option<Unit>> {
    sqlx::query_as(&format!(
        "select {COLUMNS}, {DEMO_LEVELS},
                (select count(*) from org_unit c
                  where c.tenant_id = u.tenant_id and c.parent_id = u.id and c.status = 'active') as active_children
           {FROM} where u.id = $1 and u.path like $2 || '%'"
    ))
    .bind(id)
    .bind(scope)
    .fetch_optional(conn)
    .await
}

/// A unit's children, as a list shows them.
pub async fn children(conn: &mut PgConnection, id: i64) -> sqlx::Result<Vec<Unit>> {
    sqlx::query_as(&format!(
        "select {LISTED}, {DEMO_LEVELS}{FROM} where u.parent_id = $1 order by u.status = 'active' desc, u.code"
    ))
    .bind(id)
    .fetch_all(conn)
    .await
}

/// The status of a unit's parent (a reopened unit needs an active one).
pub async fn status_of(conn: &mut PgConnection, id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("select status from org_unit where id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// A unit's move from one of the statuses `from` to `to`, its new status counting from the
/// step's day (`Step::apply_on`).
pub fn status_step<'a>(id: i64, from: &'a [&'a str], to: &'a str) -> Step<'a> {
    Step {
        table: "org_unit",
        id,
        from,
        to,
        version: None,
        also: "status_since = $5",
        note: "",
    }
}

/// Active town schools in scope, for the town filter and account scopes.
pub async fn town_schools(
    conn: &mut PgConnection,
    scope: &str,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("select id, name from org_unit where kind = 'town_school' and status <> 'closed' and path like $1 || '%' order by code")
        .bind(scope)
        .fetch_all(conn)
        .await
}

/// Counts of active units by kind in scope, and of those not active.
pub async fn counts(conn: &mut PgConnection, scope: &str) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "select count(*) filter (where kind = 'town_school' and status = 'active'),
                count(*) filter (where kind = 'teaching_point' and status = 'active'),
                count(*) filter (where status <> 'active')
           from org_unit where path like $1 || '%'",
    )
    .bind(scope)
    .fetch_one(conn)
    .await
}

type Scalar<'q> = sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, sqlx::postgres::PgArguments>;

/// The form's values, bound in the order both statements below name them.
fn bind_input<'q>(query: Scalar<'q>, i: &'q UnitInput) -> Scalar<'q> {
    query
        .bind(&i.code)
        .bind(&i.name)
        .bind(&i.area)
        .bind(&i.village)
        .bind(&i.address)
        .bind(&i.contact_name)
        .bind(&i.contact_phone)
        .bind(i.founded_on)
        .bind(i.fulltime_managers)
        .bind(i.parttime_managers)
        .bind(i.fulltime_teachers)
        .bind(i.parttime_teachers)
        .bind(i.floor_area)
        .bind(i.classrooms)
        .bind(&i.opening_hours)
        .bind(i.villages_total)
        .bind(&i.shared_venues)
        .bind(&i.predecessor)
        .bind(i.transformed_on)
}

/// A new unit of `kind` under `parent_id`, its status dated from the form's effective day.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    kind: &str,
    parent_id: Option<i64>,
    i: &UnitInput,
) -> sqlx::Result<i64> {
    let query = sqlx::query_scalar(
        "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, village, address, contact_name,
                contact_phone, founded_on, fulltime_managers, parttime_managers, fulltime_teachers, parttime_teachers,
                floor_area, classrooms, opening_hours, villages_total, shared_venues, predecessor, transformed_on, status_since)
         values ($1, $2, $3, '', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         returning id",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(parent_id);
    bind_input(query, i)
        .bind(i.effective_on)
        .fetch_one(conn)
        .await
}

/// Saves an edit only if nobody saved since `version` was read; false means a conflict.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &UnitInput,
) -> sqlx::Result<bool> {
    let query = sqlx::query_scalar(
        "update org_unit set code = $3, name = $4, area = $5, village = $6, address = $7, contact_name = $8,
                contact_phone = $9, founded_on = $10, fulltime_managers = $11, parttime_managers = $12,
                fulltime_teachers = $13, parttime_teachers = $14, floor_area = $15, classrooms = $16,
                opening_hours = $17, villages_total = $18, shared_venues = $19, predecessor = $20,
                transformed_on = $21, version = version + 1
          where id = $1 and version = $2
          returning id",
    )
    .bind(id)
    .bind(version);
    Ok(bind_input(query, i).fetch_optional(conn).await?.is_some())
}
