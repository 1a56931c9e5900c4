//! SQL for org units, their history and designations. Every read takes the caller's scope path,
//! so a unit outside it is simply not found.

use super::forms::UnitInput;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;

/// A unit of the network. Lists (the network list, a unit's children, scope pickers) read only
/// [`LISTED`]'s columns and the rest keep their defaults (`#[sqlx(default)]`); a unit shown or
/// edited on its own, and the export, read every column.
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
    pub village: String,
    #[sqlx(default)]
    pub address: String,
    #[sqlx(default)]
    pub contact_name: String,
    #[sqlx(default)]
    pub contact_phone: String,
    pub status: String,
    #[sqlx(default)]
    pub status_since: NaiveDate,
    pub founded_on: Option<NaiveDate>,
    pub fulltime_managers: i32,
    pub parttime_managers: i32,
    pub fulltime_teachers: i32,
    pub parttime_teachers: i32,
    #[sqlx(default)]
    pub floor_area: Option<i32>,
    #[sqlx(default)]
    pub classrooms: Option<i32>,
    #[sqlx(default)]
    pub opening_hours: String,
    #[sqlx(default)]
    pub villages_total: Option<i32>,
    #[sqlx(default)]
    pub shared_venues: Vec<String>,
    #[sqlx(default)]
    pub predecessor: String,
    pub transformed_on: Option<NaiveDate>,
    #[serde(skip)]
    pub is_demo: bool,
    #[sqlx(default)]
    pub version: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    #[sqlx(default)]
    pub parent_name: Option<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub active_children: i64,
    /// Levels of the unit's approved demonstration designations.
    #[serde(skip)]
    pub demo_levels: Vec<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Unit {
    /// How deep in the tree: 0 college, 1 town school, 2 teaching point.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }

    pub fn kind_label(&self) -> String {
        format!("kind.{}", self.kind)
    }

    pub fn status_label(&self) -> String {
        format!("status.{}", self.status)
    }

    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The kind a child of this unit has, if it can have children.
    pub fn child_kind(&self) -> Option<&'static str> {
        match self.kind.as_str() {
            "college" => Some("town_school"),
            "town_school" => Some("teaching_point"),
            _ => None,
        }
    }

    pub fn child_kind_label(&self) -> Option<String> {
        self.child_kind().map(|k| format!("kind.{k}"))
    }

    pub fn staff_total(&self) -> i32 {
        self.fulltime_managers
            + self.parttime_managers
            + self.fulltime_teachers
            + self.parttime_teachers
    }

    pub fn is_transformed(&self) -> bool {
        self.transformed_on.is_some()
    }

    pub fn date_text(d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    pub fn founded_text(&self) -> String {
        Self::date_text(&self.founded_on)
    }

    pub fn transformed_text(&self) -> String {
        Self::date_text(&self.transformed_on)
    }

    pub fn number_text(n: &Option<i32>) -> String {
        n.map(|n| n.to_string()).unwrap_or_default()
    }

    pub fn floor_area_text(&self) -> String {
        Self::number_text(&self.floor_area)
    }

    pub fn classrooms_text(&self) -> String {
        Self::number_text(&self.classrooms)
    }

    pub fn villages_total_text(&self) -> String {
        Self::number_text(&self.villages_total)
    }

    /// Catalogue keys of the approved designation levels, highest first.
    pub fn demo_level_labels(&self) -> Vec<String> {
        ["provincial", "city", "district"]
            .iter()
            .filter(|l| self.demo_levels.iter().any(|d| d == *l))
            .map(|l| format!("level.{l}"))
            .collect()
    }
}

const SELECT: &str = "select u.id, u.kind, u.parent_id, u.path, u.code, u.name, u.area, u.village, u.address,
        u.contact_name, u.contact_phone, u.status, u.status_since, u.founded_on,
        u.fulltime_managers, u.parttime_managers, u.fulltime_teachers, u.parttime_teachers,
        u.floor_area, u.classrooms, u.opening_hours, u.villages_total, u.shared_venues,
        u.predecessor, u.transformed_on, u.is_demo, u.version, u.updated_at,
        p.name as parent_name,
        (select count(*) from org_unit c where c.tenant_id = u.tenant_id and c.parent_id = u.id and c.status = 'active') as active_children,
        coalesce((select array_agg(distinct d.level) from demonstration d
                   where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved'), '{}') as demo_levels";

/// What the network list shows: no contact details, history or child counts to fetch per row.
const LISTED: &str = "select u.id, u.kind, u.parent_id, u.path, u.code, u.name, u.area, u.village,
        u.status, u.founded_on, u.fulltime_managers, u.parttime_managers, u.fulltime_teachers, u.parttime_teachers,
        u.transformed_on, u.is_demo,
        coalesce((select array_agg(distinct d.level) from demonstration d
                   where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved'), '{}') as demo_levels";

/// Which columns a list reads: the page's few, or all of them (export, a town's home).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    Listed,
    All,
}

const FROM: &str = " from org_unit u
    left join org_unit p on p.tenant_id = u.tenant_id and p.id = u.parent_id
    left join org_unit g on g.tenant_id = p.tenant_id and g.id = p.parent_id";

/// Filters, sort and page of the network list; the same filter drives export and print.
#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    pub q: String,
    pub kind: String,
    /// A town school's id: that school and its points.
    pub town: Option<i64>,
    /// A status, "" for every status but closed, or "all".
    pub status: String,
    /// An approved designation at this level ("any" for any level).
    pub demo: String,
    /// "yes", "no" or "".
    pub transformed: String,
    pub sort: String,
    pub desc: bool,
}

impl UnitFilter {
    fn order_by(&self) -> String {
        let column = match self.sort.as_str() {
            "code" => "u.code",
            "name" => "u.name",
            "kind" => "array_position(array['college','town_school','teaching_point'], u.kind)",
            "status" => "array_position(array['planned','active','suspended','closed'], u.status)",
            "founded" => "u.founded_on",
            "staff" => {
                "(u.fulltime_managers + u.parttime_managers + u.fulltime_teachers + u.parttime_teachers)"
            }
            // Tree order: by the codes along the path (three levels at most), so each school
            // is followed by its points; joins rather than a subquery per row.
            _ => "concat_ws('/', g.code, p.code, u.code)",
        };
        let dir = if self.desc {
            "desc nulls last"
        } else {
            "asc nulls last"
        };
        format!(" order by {column} {dir}, u.code")
    }
}

const WHERE: &str = " where u.path like $1 || '%'
    and ($2 = '' or u.name like '%' || $2 || '%' or lower(u.code) like '%' || lower($2) || '%'
         or u.area like '%' || $2 || '%' or u.village like '%' || $2 || '%')
    and ($3 = '' or u.kind = $3)
    and ($4::bigint is null or u.id = $4 or u.parent_id = $4)
    and (case $5 when 'all' then true when '' then u.status <> 'closed' else u.status = $5 end)
    and ($6 = '' or exists (select 1 from demonstration d where d.tenant_id = u.tenant_id and d.unit_id = u.id
                              and d.status = 'approved' and ($6 = 'any' or d.level = $6)))
    and (case $7 when 'yes' then u.transformed_on is not null when 'no' then u.transformed_on is null and u.kind <> 'college' else true end)";

/// One page of units in scope matching the filter, each row carrying the total count.
pub async fn list_in_scope(
    conn: &mut PgConnection,
    scope: &str,
    f: &UnitFilter,
    columns: Columns,
    limit: Option<(i64, i64)>,
) -> sqlx::Result<Vec<Unit>> {
    let page = match limit {
        Some((limit, offset)) => format!(" limit {limit} offset {offset}"),
        None => String::new(),
    };
    let select = match columns {
        Columns::Listed => LISTED,
        Columns::All => SELECT,
    };
    let sql = format!(
        "{select}, count(*) over () as total{FROM}{WHERE}{}{page}",
        f.order_by()
    );
    sqlx::query_as(&sql)
        .bind(scope)
        .bind(crate::db::like_literal(f.q.trim()))
        .bind(&f.kind)
        .bind(f.town)
        .bind(&f.status)
        .bind(&f.demo)
        .bind(&f.transformed)
        .fetch_all(conn)
        .await
}

pub async fn find_in_scope(
    conn: &mut PgConnection,
    scope: &str,
    id: i64,
) -> sqlx::Result<Option<Unit>> {
    sqlx::query_as(&format!(
        "{SELECT}{FROM} where u.id = $1 and u.path like $2 || '%'"
    ))
    .bind(id)
    .bind(scope)
    .fetch_optional(conn)
    .await
}

pub async fn find_by_code(conn: &mut PgConnection, code: &str) -> sqlx::Result<Option<Unit>> {
    sqlx::query_as(&format!("{SELECT}{FROM} where u.code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// A unit's children, as a list shows them ([`LISTED`] columns).
pub async fn children(conn: &mut PgConnection, id: i64) -> sqlx::Result<Vec<Unit>> {
    sqlx::query_as(&format!(
        "{LISTED}{FROM} where u.parent_id = $1 order by u.status = 'active' desc, u.code"
    ))
    .bind(id)
    .fetch_all(conn)
    .await
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

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    kind: &str,
    parent_id: Option<i64>,
    i: &UnitInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, village, address, contact_name,
                contact_phone, founded_on, fulltime_managers, parttime_managers, fulltime_teachers, parttime_teachers,
                floor_area, classrooms, opening_hours, villages_total, shared_venues, predecessor, transformed_on, status_since)
         values ($1, $2, $3, '', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         returning id",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(parent_id)
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
    let done = sqlx::query(
        "update org_unit set code = $3, name = $4, area = $5, village = $6, address = $7, contact_name = $8,
                contact_phone = $9, founded_on = $10, fulltime_managers = $11, parttime_managers = $12,
                fulltime_teachers = $13, parttime_teachers = $14, floor_area = $15, classrooms = $16,
                opening_hours = $17, villages_total = $18, shared_venues = $19, predecessor = $20,
                transformed_on = $21, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
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
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a unit from status `from` to `to`; false when someone moved it first.
pub async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    from: &str,
    to: &str,
    since: NaiveDate,
) -> sqlx::Result<bool> {
    let done = sqlx::query("update org_unit set status = $3, status_since = $4, version = version + 1 where id = $1 and status = $2")
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(since)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Town schools and teaching points of the district, for choosing an account's scope.
pub async fn scope_choices(conn: &mut PgConnection) -> sqlx::Result<Vec<Unit>> {
    let mut units = list_in_scope(conn, "/", &UnitFilter::default(), Columns::Listed, None).await?;
    units.retain(|u| u.kind != "college");
    Ok(units)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub effective_on: NaiveDate,
    pub kind: String,
    pub changes: serde_json::Value,
    pub note: String,
    pub actor_name: String,
}

impl Event {
    pub fn kind_label(&self) -> String {
        format!("event.{}", self.kind)
    }

    /// "field: old → new" pairs, with the field's catalogue key.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let serde_json::Value::Object(map) = &self.changes else {
            return Vec::new();
        };
        map.iter()
            .map(|(field, change)| {
                let show = |v: &serde_json::Value| match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "—".into(),
                    other => other.to_string(),
                };
                let (old, new) = match change {
                    serde_json::Value::Array(pair) if pair.len() == 2 => {
                        (show(&pair[0]), show(&pair[1]))
                    }
                    other => (String::new(), show(other)),
                };
                (format!("field.{field}"), old, new)
            })
            .collect()
    }
}

/// A dated entry for a unit's history.
pub struct NewEvent<'a> {
    pub unit_id: i64,
    pub effective_on: NaiveDate,
    pub kind: &'a str,
    pub changes: serde_json::Value,
    pub note: &'a str,
}

/// Records a dated event in the unit's history.
pub async fn record_event(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    e: NewEvent<'_>,
) -> sqlx::Result<()> {
    let NewEvent {
        unit_id,
        effective_on,
        kind,
        changes,
        note,
    } = e;
    sqlx::query(
        "insert into unit_event (tenant_id, unit_id, effective_on, kind, changes, note, actor_name) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(unit_id)
    .bind(effective_on)
    .bind(kind)
    .bind(changes)
    .bind(note)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select effective_on, kind, changes, note, actor_name from unit_event where unit_id = $1 order by effective_on desc, id desc",
    )
    .bind(unit_id)
    .fetch_all(conn)
    .await
}

/// The fields that differ between two serialized units, as {field: [old, new]}.
pub fn diff(before: &Unit, after: &Unit) -> serde_json::Value {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return serde_json::Value::Null;
    };
    let changed = a
        .iter()
        .filter(|(k, v)| {
            !["version", "status_since", "id", "parent_id", "kind"].contains(&k.as_str())
                && b.get(*k) != Some(v)
        })
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::json!([b.get(k).cloned().unwrap_or(serde_json::Value::Null), v]),
            )
        })
        .collect();
    serde_json::Value::Object(changed)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Designation {
    pub id: i64,
    pub unit_id: i64,
    pub level: String,
    pub year: i32,
    pub status: String,
    pub candidate_on: NaiveDate,
    pub declared_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub note: String,
    pub version: i32,
}

impl Designation {
    pub fn level_label(&self) -> String {
        format!("level.{}", self.level)
    }

    pub fn status_label(&self) -> String {
        format!("designation.{}", self.status)
    }

    pub fn declared_text(&self) -> String {
        Unit::date_text(&self.declared_on)
    }

    pub fn decided_text(&self) -> String {
        Unit::date_text(&self.decided_on)
    }

    /// The steps this designation may take next.
    pub fn next_steps(&self) -> Vec<&'static str> {
        ["declared", "approved", "not_approved"]
            .into_iter()
            .filter(|to| super::model::designation_can_become(&self.status, to))
            .collect()
    }
}

pub async fn designations(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<Vec<Designation>> {
    sqlx::query_as(
        "select id, unit_id, level, year, status, candidate_on, declared_on, decided_on, note, version
           from demonstration where unit_id = $1 order by year desc, array_position(array['provincial','city','district'], level)",
    )
    .bind(unit_id)
    .fetch_all(conn)
    .await
}

pub async fn designation(
    conn: &mut PgConnection,
    unit_id: i64,
    id: i64,
) -> sqlx::Result<Option<Designation>> {
    sqlx::query_as(
        "select id, unit_id, level, year, status, candidate_on, declared_on, decided_on, note, version
           from demonstration where unit_id = $1 and id = $2",
    )
    .bind(unit_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}
