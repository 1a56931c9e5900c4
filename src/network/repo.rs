//! SQL for org units. Every read takes the caller's scope path, so a unit outside it is not found.

use super::forms::UnitInput;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Unit {
    pub id: i64,
    pub kind: String,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub path: String,
    pub code: String,
    pub name: String,
    pub area: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
    #[serde(skip)]
    pub is_demo: bool,
    pub version: i32,
    #[serde(skip)]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub parent_name: Option<String>,
    #[serde(skip)]
    pub active_children: i64,
}

impl Unit {
    /// How deep in the tree: 0 college, 1 town school, 2 teaching point.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }

    pub fn kind_label(&self) -> String {
        format!("kind.{}", self.kind)
    }

    pub fn child_kind_label(&self) -> Option<String> {
        self.child_kind().map(|k| format!("kind.{k}"))
    }

    /// The kind a child of this unit has, if it can have children.
    pub fn child_kind(&self) -> Option<&'static str> {
        match self.kind.as_str() {
            "college" => Some("town_school"),
            "town_school" => Some("teaching_point"),
            _ => None,
        }
    }
}

const SELECT: &str = "select u.id, u.kind, u.parent_id, u.path, u.code, u.name, u.area, u.address,
        u.contact_name, u.contact_phone, u.active, u.is_demo, u.version, u.updated_at,
        p.name as parent_name,
        (select count(*) from org_unit c where c.tenant_id = u.tenant_id and c.parent_id = u.id and c.active) as active_children
   from org_unit u
   left join org_unit p on p.tenant_id = u.tenant_id and p.id = u.parent_id";

/// Filters for the network list.
#[derive(Debug, Default)]
pub struct UnitFilter {
    pub q: String,
    pub kind: String,
    pub include_inactive: bool,
}

/// Units in scope matching the filter, in tree order (college, each school followed by its points).
pub async fn list_in_scope(
    conn: &mut PgConnection,
    scope: &str,
    filter: &UnitFilter,
) -> sqlx::Result<Vec<Unit>> {
    let sql = format!(
        "{SELECT} where u.path like $1 || '%'
           and ($2 = '' or u.name like '%' || $2 || '%' or lower(u.code) like '%' || lower($2) || '%' or u.area like '%' || $2 || '%')
           and ($3 = '' or u.kind = $3)
           and ($4 or u.active)"
    );
    let mut units: Vec<Unit> = sqlx::query_as(&sql)
        .bind(scope)
        .bind(filter.q.trim())
        .bind(&filter.kind)
        .bind(filter.include_inactive)
        .fetch_all(&mut *conn)
        .await?;
    // Tree order: by the codes along the path, so each school is followed by its own points.
    let codes: std::collections::HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "select id, code from org_unit where path like $1 || '%' or $1 like path || '%'",
    )
    .bind(scope)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let key = |u: &Unit| -> Vec<String> {
        u.path
            .split('/')
            .filter_map(|id| id.parse::<i64>().ok())
            .map(|id| codes.get(&id).cloned().unwrap_or_default())
            .collect()
    };
    units.sort_by_cached_key(key);
    Ok(units)
}

pub async fn find_in_scope(
    conn: &mut PgConnection,
    scope: &str,
    id: i64,
) -> sqlx::Result<Option<Unit>> {
    sqlx::query_as(&format!(
        "{SELECT} where u.id = $1 and u.path like $2 || '%'"
    ))
    .bind(id)
    .bind(scope)
    .fetch_optional(conn)
    .await
}

pub async fn children(conn: &mut PgConnection, id: i64) -> sqlx::Result<Vec<Unit>> {
    sqlx::query_as(&format!(
        "{SELECT} where u.parent_id = $1 order by u.active desc, u.code"
    ))
    .bind(id)
    .fetch_all(conn)
    .await
}

/// Counts of active units by kind in scope, for home pages.
pub async fn counts(conn: &mut PgConnection, scope: &str) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "select count(*) filter (where kind = 'town_school' and active),
                count(*) filter (where kind = 'teaching_point' and active),
                count(*) filter (where not active)
           from org_unit where path like $1 || '%'",
    )
    .bind(scope)
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    kind: &str,
    parent_id: Option<i64>,
    input: &UnitInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, address, contact_name, contact_phone)
         values ($1, $2, $3, '', $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(parent_id)
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.area)
    .bind(&input.address)
    .bind(&input.contact_name)
    .bind(&input.contact_phone)
    .fetch_one(conn)
    .await
}

/// Saves an edit only if nobody saved since `version` was read; false means a conflict.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &UnitInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update org_unit set code = $3, name = $4, area = $5, address = $6, contact_name = $7, contact_phone = $8,
                version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.area)
    .bind(&input.address)
    .bind(&input.contact_name)
    .bind(&input.contact_phone)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_active(conn: &mut PgConnection, id: i64, active: bool) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update org_unit set active = $2, version = version + 1 where id = $1 and active <> $2",
    )
    .bind(id)
    .bind(active)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Town schools and teaching points of the district, for choosing an account's scope.
pub async fn scope_choices(conn: &mut PgConnection) -> sqlx::Result<Vec<Unit>> {
    let mut units = list_in_scope(conn, "/", &UnitFilter::default()).await?;
    units.retain(|u| u.kind != "college");
    Ok(units)
}

#[derive(sqlx::FromRow)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
}

impl HistoryEntry {
    pub fn action_label(&self) -> String {
        format!("audit.{}", self.action)
    }

    pub fn when(&self) -> String {
        self.at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

pub async fn history(conn: &mut PgConnection, id: i64) -> sqlx::Result<Vec<HistoryEntry>> {
    sqlx::query_as(
        "select at, actor_name, action from audit_log where entity = 'org_unit' and entity_id = $1 order by id desc limit 20",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}
