//! SQL for the committee: its heading, the members' roster and the member units, each a list
//! ([`Members`], [`Units`]: filters, sort, read by `web::list`), and their saves. Row-level security keeps every statement inside the district.

use super::model::{MemberInput, UnitInput};
use crate::web::list::{ListQuery, Listing, Rows, Select, Sorts};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;

/// The committee's name and its office, as the page heads them.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Committee {
    pub name: String,
    pub office_host: String,
    pub office_duties: String,
}

pub async fn committee(conn: &mut PgConnection) -> sqlx::Result<Committee> {
    let found = sqlx::query_as("select name, office_host, office_duties from committee")
        .fetch_optional(conn)
        .await?;
    Ok(found.unwrap_or_default())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub committee_role: String,
    pub position: String,
    pub member_unit_id: Option<i64>,
    #[serde(skip)]
    pub unit_name: Option<String>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub version: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Member {
    pub fn role_label(&self) -> String {
        format!("committee.{}", self.committee_role)
    }

    pub fn term(&self) -> String {
        match (self.term_start, self.term_end) {
            (None, None) => String::new(),
            (s, e) => format!(
                "{} — {}",
                s.map(|d| d.to_string()).unwrap_or_default(),
                e.map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MemberUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub duties: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
    pub version: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl MemberUnit {
    /// The liaison's phone as this reader sees it: whole for those who run the committee and
    /// call the units, masked for everyone else who reads the list.
    pub fn phone_for(&self, runs_committee: bool) -> String {
        if runs_committee {
            self.contact_phone.clone()
        } else {
            crate::crypto::mask_phone(&self.contact_phone)
        }
    }
}

// The roster ------------------------------------------------------------------------------

const MEMBER_COLUMNS: &str = "c.id, c.name, c.committee_role, c.position, c.member_unit_id,
        m.name as unit_name, c.term_start, c.term_end, c.version";

/// Where a member's unit comes from, written once for both statements below.
macro_rules! members {
    () => {
        "from committee_member c
   left join member_unit m on m.tenant_id = c.tenant_id and m.id = c.member_unit_id"
    };
}

const MEMBER_FROM: &str = members!();

/// The roster's filters: words in the name or position, a committee role, a member unit.
const MEMBERS: &str = concat!(
    members!(),
    "
  where ($1 = '' or c.name like '%' || $1 || '%' or c.position like '%' || $1 || '%')
    and ($2 = '' or c.committee_role = $2)
    and ($3::bigint is null or c.member_unit_id = $3)"
);

/// Chair first, then vice-chairs, members and the office's director.
const ROLE_ORDER: &str =
    "array_position(array['chair','vice_chair','member','office_director'], c.committee_role)";

pub const MEMBER_SORTS: Sorts = Sorts(&[
    ("role", ROLE_ORDER),
    ("name", "c.name"),
    ("position", "c.position"),
    ("unit", "m.name"),
    ("term", "c.term_start"),
]);

/// The roster as the page's filters and sort ask for it.
pub struct Members<'a>(pub &'a ListQuery);

impl Listing for Members<'_> {
    type Row = Member;

    fn total(row: &Member) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: MEMBER_COLUMNS,
            from: MEMBERS,
            order: MEMBER_SORTS.order_by(self.0, ROLE_ORDER, "c.id"),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        let q = self.0;
        rows.bind(crate::db::like_literal(q.get("q")))
            .bind(q.one_of("role", &super::model::ROLES))
            .bind(q.id("unit"))
    }
}

pub async fn member(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Member>> {
    let sql = format!("select {MEMBER_COLUMNS} {MEMBER_FROM} where c.id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
}

pub async fn insert_member(
    conn: &mut PgConnection,
    tenant_id: i64,
    i: &MemberInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into committee_member (tenant_id, name, committee_role, position, member_unit_id, term_start, term_end)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(tenant_id)
    .bind(&i.name)
    .bind(&i.role)
    .bind(&i.position)
    .bind(i.unit)
    .bind(i.start)
    .bind(i.end)
    .fetch_one(conn)
    .await
}

/// Saves a member only over `version`; false means someone saved first.
pub async fn update_member(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &MemberInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update committee_member set name = $3, committee_role = $4, position = $5, member_unit_id = $6,
                term_start = $7, term_end = $8, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&i.name)
    .bind(&i.role)
    .bind(&i.position)
    .bind(i.unit)
    .bind(i.start)
    .bind(i.end)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_member(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("delete from committee_member where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// The member units ------------------------------------------------------------------------

const UNIT_COLUMNS: &str = "id, code, name, duties, contact_name, contact_phone, active, version";

/// The member units' filters: words in the name, code or duties; active or not.
const UNITS: &str = "from member_unit
  where ($1 = '' or name like '%' || $1 || '%' or code like '%' || $1 || '%' or duties like '%' || $1 || '%')
    and (case $2 when 'active' then active when 'inactive' then not active else true end)";

pub const UNIT_SORTS: Sorts = Sorts(&[
    ("code", "code"),
    ("name", "name"),
    ("contact", "contact_name"),
]);

/// The member units as the page's filters and sort ask for them.
pub struct Units<'a>(pub &'a ListQuery);

impl Listing for Units<'_> {
    type Row = MemberUnit;

    fn total(row: &MemberUnit) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: UNIT_COLUMNS,
            from: UNITS,
            order: UNIT_SORTS.order_by(self.0, "active desc, sort, code", "id"),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        rows.bind(crate::db::like_literal(self.0.get("q")))
            .bind(self.0.one_of("state", &["active", "inactive"]))
    }
}

/// The active member units, for a member's unit and the roster's filter.
pub async fn unit_choices(conn: &mut PgConnection) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("select id, name from member_unit where active order by sort, code")
        .fetch_all(conn)
        .await
}

pub async fn unit(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<MemberUnit>> {
    sqlx::query_as(&format!(
        "select {UNIT_COLUMNS} from member_unit where id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A new member unit at the end of the list, or `None` when its code is taken (DO NOTHING
/// keeps the transaction usable to show the form again).
pub async fn insert_unit(
    conn: &mut PgConnection,
    tenant_id: i64,
    i: &UnitInput,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into member_unit (tenant_id, code, name, duties, contact_name, contact_phone, active, sort)
         values ($1, $2, $3, $4, $5, $6, $7, (select coalesce(max(sort), 0) + 1 from member_unit))
         on conflict on constraint member_unit_code_key do nothing returning id",
    )
    .bind(tenant_id)
    .bind(&i.code)
    .bind(&i.name)
    .bind(&i.duties)
    .bind(&i.contact_name)
    .bind(&i.contact_phone)
    .bind(i.active)
    .fetch_optional(conn)
    .await
}

/// How a versioned save of a member unit ended.
pub enum Saved {
    Done,
    /// Someone saved first.
    Stale,
    /// Another member unit has the code.
    CodeTaken,
}

/// Saves a member unit only over `version`. A code taken by another unit fails the statement,
/// which leaves the transaction aborted: the caller shows the form again and queries no more.
pub async fn update_unit(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &UnitInput,
) -> sqlx::Result<Saved> {
    let done = sqlx::query(
        "update member_unit set code = $3, name = $4, duties = $5, contact_name = $6, contact_phone = $7,
                active = $8, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&i.code)
    .bind(&i.name)
    .bind(&i.duties)
    .bind(&i.contact_name)
    .bind(&i.contact_phone)
    .bind(i.active)
    .execute(conn)
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(Saved::Done),
        Ok(_) => Ok(Saved::Stale),
        Err(e) if crate::db::violates(&e, "member_unit_code_key") => Ok(Saved::CodeTaken),
        Err(e) => Err(e),
    }
}
