//! SQL of the registry of teachers and volunteers. A person is in a user's scope when their
//! home unit (the town school that registered or reviews them) or a unit they serve is, so a
//! town sees the people of its town and points and another town does not.

pub mod hours;
pub mod quals;

use super::model::EducatorInput;
use crate::web::list::{ListQuery, Sorts, page_sql};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::Stream;
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Educator {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    /// In full: shown only masked, or to those who may reveal it.
    #[serde(skip)]
    pub phone: String,
    pub id_masked: String,
    #[serde(skip)]
    pub has_id: bool,
    pub work_unit: String,
    pub member_unit_id: Option<i64>,
    #[serde(skip)]
    pub member_unit_name: Option<String>,
    pub position: String,
    pub specialties: Vec<i64>,
    #[serde(skip)]
    pub specialty_names: Vec<String>,
    pub specialty_other: String,
    pub kind: String,
    pub availability: Vec<String>,
    pub status: String,
    pub status_since: NaiveDate,
    pub status_note: String,
    pub home_unit_id: i64,
    #[serde(skip)]
    pub home_unit_name: String,
    #[serde(skip)]
    pub home_path: String,
    pub serves: Vec<i64>,
    #[serde(skip)]
    pub serves_names: Vec<String>,
    pub registered_by: String,
    #[serde(skip)]
    pub anonymised_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub is_demo: bool,
    pub version: i32,
    /// Approved minutes of service this year.
    #[serde(skip)]
    pub minutes_this_year: i64,
    /// Days until the first qualification runs out, when that is within 30 days (or past).
    #[serde(skip)]
    pub expires_in: Option<i32>,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Educator {
    pub fn kind_label(&self) -> String {
        format!("educator.kind.{}", self.kind)
    }

    pub fn status_label(&self) -> String {
        format!("educator.status.{}", self.status)
    }

    pub fn phone_masked(&self) -> String {
        crate::crypto::mask_phone(&self.phone)
    }

    pub fn hours_text(&self) -> String {
        super::model::hours_text(self.minutes_this_year)
    }

    pub fn specialties_text(&self) -> String {
        let mut all = self.specialty_names.clone();
        if !self.specialty_other.is_empty() {
            all.push(self.specialty_other.clone());
        }
        all.join("、")
    }

    pub fn serves_text(&self) -> String {
        self.serves_names.join("、")
    }

    pub fn is_anonymised(&self) -> bool {
        self.anonymised_at.is_some()
    }
}

/// The columns of a person, with what they serve, this year's hours and the nearest expiry.
/// `$1` is the scope path and `$2` today's date (China).
const COLUMNS: &str = "e.id, e.volunteer_no, e.name, e.gender, e.birth_year, e.phone, e.id_masked,
        e.id_cipher is not null as has_id, e.work_unit, e.member_unit_id, m.name as member_unit_name,
        e.position, e.specialties,
        coalesce((select array_agg(s.name order by s.sort, s.name) from specialty s
                   where s.tenant_id = e.tenant_id and s.id = any(e.specialties)), '{}') as specialty_names,
        e.specialty_other, e.kind, e.availability, e.status, e.status_since, e.status_note,
        e.home_unit_id, h.name as home_unit_name, h.path as home_path,
        coalesce((select array_agg(eu.unit_id order by eu.unit_id) from educator_unit eu
                   where eu.tenant_id = e.tenant_id and eu.educator_id = e.id), '{}') as serves,
        coalesce((select array_agg(su.name order by su.path) from educator_unit eu
                   join org_unit su on su.tenant_id = eu.tenant_id and su.id = eu.unit_id
                   where eu.tenant_id = e.tenant_id and eu.educator_id = e.id), '{}') as serves_names,
        e.registered_by, e.anonymised_at, e.is_demo, e.version,
        coalesce((select sum(x.minutes) from service_hours x
                   where x.tenant_id = e.tenant_id and x.educator_id = e.id and x.status = 'approved'
                     and x.served_on >= date_trunc('year', $2::date)), 0)::bigint as minutes_this_year,
        (select min(q.valid_until) - $2::date from qualification q
          where q.tenant_id = e.tenant_id and q.educator_id = e.id and q.valid_until <= $2::date + 30) as expires_in";

const FROM: &str = " from educator e
    join org_unit h on h.tenant_id = e.tenant_id and h.id = e.home_unit_id
    left join member_unit m on m.tenant_id = e.tenant_id and m.id = e.member_unit_id";

/// In scope: the home unit, or a unit served, lies under the scope path `$1`.
const IN_SCOPE: &str = "(h.path like $1 || '%' or exists (select 1 from educator_unit eu
        join org_unit su on su.tenant_id = eu.tenant_id and su.id = eu.unit_id
       where eu.tenant_id = e.tenant_id and eu.educator_id = e.id and su.path like $1 || '%'))";

/// The list's filters: words in the name or volunteer number ($3), a specialty ($4), a town
/// school's id ($5: home or served there), a kind ($6), a status ($7: "" for all but declined
/// and left, "applications" for those under review, or "all"), and "30" for a qualification
/// running out within 30 days ($8).
const FILTERS: &str = " and ($3 = '' or e.name like '%' || $3 || '%' or e.volunteer_no like '%' || $3 || '%')
    and ($4::bigint is null or $4 = any(e.specialties))
    and ($5::bigint is null or e.home_unit_id = $5 or exists (select 1 from educator_unit eu
            join org_unit su on su.tenant_id = eu.tenant_id and su.id = eu.unit_id
            join org_unit t on t.tenant_id = su.tenant_id and t.id = $5
           where eu.tenant_id = e.tenant_id and eu.educator_id = e.id and su.path like t.path || '%'))
    and ($6 = '' or e.kind = $6)
    and (case $7 when 'all' then true when '' then e.status not in ('declined', 'left')
                 when 'applications' then e.status in ('applied', 'more_info') else e.status = $7 end)
    and ($8 = '' or exists (select 1 from qualification q where q.tenant_id = e.tenant_id
            and q.educator_id = e.id and q.valid_until <= $2::date + 30))";

pub const SORTS: Sorts = Sorts(&[
    ("name", "e.name"),
    ("no", "e.volunteer_no"),
    ("kind", "e.kind"),
    ("status", "e.status"),
    ("hours", "minutes_this_year"),
]);

type EducatorQuery<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, Educator, sqlx::postgres::PgArguments>;

fn filtered<'q>(
    query: EducatorQuery<'q>,
    scope: &'q str,
    today: NaiveDate,
    q: &'q ListQuery,
) -> EducatorQuery<'q> {
    query
        .bind(scope)
        .bind(today)
        .bind(crate::db::like_literal(q.get("q")))
        .bind(q.id("specialty"))
        .bind(q.id("town"))
        .bind(q.one_of("kind", &super::model::KINDS))
        .bind(q.get("status"))
        .bind(q.one_of("expiring", &["30"]))
}

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, "e.name", "e.id")
}

/// One page of the people in scope that the filters match, each row with the count of all.
pub async fn page(
    conn: &mut PgConnection,
    scope: &str,
    today: NaiveDate,
    q: &ListQuery,
    page: i64,
) -> sqlx::Result<Vec<Educator>> {
    let sql = format!(
        "select {COLUMNS}, count(*) over () as total{FROM} where {IN_SCOPE}{FILTERS}{}{}",
        order(q),
        page_sql(page)
    );
    filtered(sqlx::query_as(&sql), scope, today, q)
        .fetch_all(conn)
        .await
}

/// The statement that reads every person the filters match, up to `limit` (export, print).
pub fn all_sql(q: &ListQuery, limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!(
        "select {COLUMNS}{FROM} where {IN_SCOPE}{FILTERS}{}{limit}",
        order(q)
    )
}

pub fn all<'c>(
    conn: &'c mut PgConnection,
    scope: &'c str,
    today: NaiveDate,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Educator>> + 'c {
    filtered(sqlx::query_as(sql), scope, today, q).fetch(conn)
}

pub async fn total(
    conn: &mut PgConnection,
    scope: &str,
    today: NaiveDate,
    q: &ListQuery,
) -> sqlx::Result<i64> {
    let sql = format!("select count(*){FROM} where {IN_SCOPE}{FILTERS}");
    sqlx::query_scalar(&sql)
        .bind(scope)
        .bind(today)
        .bind(crate::db::like_literal(q.get("q")))
        .bind(q.id("specialty"))
        .bind(q.id("town"))
        .bind(q.one_of("kind", &super::model::KINDS))
        .bind(q.get("status"))
        .bind(q.one_of("expiring", &["30"]))
        .fetch_one(conn)
        .await
}

/// A person in scope.
pub async fn find(
    conn: &mut PgConnection,
    scope: &str,
    today: NaiveDate,
    id: i64,
) -> sqlx::Result<Option<Educator>> {
    sqlx::query_as(&format!(
        "select {COLUMNS}{FROM} where {IN_SCOPE} and e.id = $3"
    ))
    .bind(scope)
    .bind(today)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The same person locked for a change (the day's hours, a status step).
pub async fn lock(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select 1 from educator where id = $1 for update")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who already holds this phone or ID number in the district (not anonymised).
pub async fn duplicate(
    conn: &mut PgConnection,
    phone: &str,
    id_hash: Option<&[u8]>,
    except: Option<i64>,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "select id, case when phone = $1 and $1 <> '' then 'phone' else 'id_number' end from educator
          where ((phone = $1 and $1 <> '') or ($2::bytea is not null and id_hash = $2))
            and id is distinct from $3
          order by id limit 1",
    )
    .bind(phone)
    .bind(id_hash)
    .bind(except)
    .fetch_optional(conn)
    .await
}

/// What an educator is stored as: the checked input with its ID number sealed.
pub struct Stored<'a> {
    pub input: &'a EducatorInput,
    pub id_cipher: Option<Vec<u8>>,
    pub id_hash: Option<Vec<u8>>,
    pub id_masked: String,
}

/// The next volunteer number of the district: its division code (or code) and a sequence.
pub async fn next_volunteer_no(conn: &mut PgConnection, tenant_id: i64) -> sqlx::Result<String> {
    // One registration at a time draws a number, so two never draw the same; people are
    // never deleted, so the count only grows.
    crate::db::lock_key(conn, &format!("volunteer_no:{tenant_id}")).await?;
    let (prefix, used): (String, i64) = sqlx::query_as(
        "select coalesce(nullif(t.division_code, ''), t.code),
                (select count(*) from educator e where e.tenant_id = t.id)
           from tenant t where t.id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await?;
    Ok(super::model::volunteer_no(&prefix, used + 1))
}

pub struct Registration<'a> {
    pub tenant_id: i64,
    pub status: &'a str,
    pub registered_by: &'a str,
    pub consent: bool,
    pub applied_from: &'a str,
}

/// A new person, with the units they serve; returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    r: Registration<'_>,
    volunteer_no: &str,
    s: &Stored<'_>,
) -> sqlx::Result<i64> {
    let i = s.input;
    let id: i64 = sqlx::query_scalar(
        "insert into educator (tenant_id, volunteer_no, name, gender, birth_year, phone, id_cipher, id_hash, id_masked,
                work_unit, member_unit_id, position, specialties, specialty_other, kind, availability, status,
                home_unit_id, registered_by, consent_at, applied_from)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                 case when $20 then now() end, $21)
         returning id",
    )
    .bind(r.tenant_id)
    .bind(volunteer_no)
    .bind(&i.name)
    .bind(&i.gender)
    .bind(i.birth_year)
    .bind(&i.phone)
    .bind(&s.id_cipher)
    .bind(&s.id_hash)
    .bind(&s.id_masked)
    .bind(&i.work_unit)
    .bind(i.member_unit_id)
    .bind(&i.position)
    .bind(&i.specialties)
    .bind(&i.specialty_other)
    .bind(&i.kind)
    .bind(&i.availability)
    .bind(r.status)
    .bind(i.home_unit_id)
    .bind(r.registered_by)
    .bind(r.consent)
    .bind(r.applied_from)
    .fetch_one(&mut *conn)
    .await?;
    set_serves(conn, r.tenant_id, id, &i.serves).await?;
    Ok(id)
}

/// Saves an edit only over `version`; false when someone saved first. An ID number left empty
/// on the form keeps the stored one (`s.id_cipher` is then `None` and `keep_id` true).
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    version: i32,
    s: &Stored<'_>,
    keep_id: bool,
) -> sqlx::Result<bool> {
    let i = s.input;
    let done = sqlx::query(
        "update educator set name = $3, gender = $4, birth_year = $5, phone = $6,
                id_cipher = case when $18 then id_cipher else $7 end,
                id_hash = case when $18 then id_hash else $8 end,
                id_masked = case when $18 then id_masked else $9 end,
                work_unit = $10, member_unit_id = $11, position = $12, specialties = $13,
                specialty_other = $14, kind = $15, availability = $16, home_unit_id = $17,
                version = version + 1
          where id = $1 and version = $2 and anonymised_at is null",
    )
    .bind(id)
    .bind(version)
    .bind(&i.name)
    .bind(&i.gender)
    .bind(i.birth_year)
    .bind(&i.phone)
    .bind(&s.id_cipher)
    .bind(&s.id_hash)
    .bind(&s.id_masked)
    .bind(&i.work_unit)
    .bind(i.member_unit_id)
    .bind(&i.position)
    .bind(&i.specialties)
    .bind(&i.specialty_other)
    .bind(&i.kind)
    .bind(&i.availability)
    .bind(i.home_unit_id)
    .bind(keep_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    set_serves(conn, tenant_id, id, &i.serves).await?;
    Ok(true)
}

async fn set_serves(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    units: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("delete from educator_unit where educator_id = $1 and not (unit_id = any($2))")
        .bind(id)
        .bind(units)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into educator_unit (tenant_id, educator_id, unit_id)
         select $1, $2, u from unnest($3::bigint[]) u on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(units)
    .execute(conn)
    .await?;
    Ok(())
}

/// The sealed ID number of a person, for the few who may see it in full.
pub async fn id_cipher(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("select id_cipher from educator where id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Name, contact and ID replaced for good; the volunteer number, hours and totals kept.
pub async fn anonymise(conn: &mut PgConnection, id: i64, placeholder: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update educator set name = $2, phone = '', id_cipher = null, id_hash = null, id_masked = '',
                birth_year = null, work_unit = '', position = '', applied_from = '', status_note = '',
                anonymised_at = now(), version = version + 1
          where id = $1 and status = 'left' and anonymised_at is null",
    )
    .bind(id)
    .bind(placeholder)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update qualification set number = '', file_name = '', content_type = '', size = 0, content = null
          where educator_id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub effective_on: NaiveDate,
    pub kind: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub actor_name: String,
}

impl Event {
    pub fn kind_label(&self) -> String {
        format!("educator.event.{}", self.kind)
    }
}

pub struct NewEvent<'a> {
    pub educator_id: i64,
    pub kind: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub note: &'a str,
}

pub async fn record_event(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    e: NewEvent<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into educator_event (tenant_id, educator_id, effective_on, kind, from_status, to_status, note, actor_name)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant_id)
    .bind(e.educator_id)
    .bind(crate::web::today())
    .bind(e.kind)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.note)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut PgConnection, educator_id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select at, effective_on, kind, from_status, to_status, note, actor_name from educator_event
          where educator_id = $1 order by id desc",
    )
    .bind(educator_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The district's specialties, in their order (active ones only unless `all`).
pub async fn specialties(conn: &mut PgConnection, all: bool) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("select id, name from specialty where active or $1 order by sort, name")
        .bind(all)
        .fetch_all(conn)
        .await
}

/// Town schools and teaching points in scope (active), to choose where someone serves.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

pub async fn units_in_scope(conn: &mut PgConnection, scope: &str) -> sqlx::Result<Vec<UnitChoice>> {
    sqlx::query_as(
        "select id, name, kind from org_unit
          where status = 'active' and kind <> 'college' and path like $1 || '%' order by path",
    )
    .bind(scope)
    .fetch_all(conn)
    .await
}

/// Active town schools of the district (where an applicant may apply), and the college.
pub async fn homes(conn: &mut PgConnection) -> sqlx::Result<Vec<UnitChoice>> {
    sqlx::query_as(
        "select id, name, kind from org_unit
          where status = 'active' and kind in ('college', 'town_school') order by path",
    )
    .fetch_all(conn)
    .await
}

pub async fn member_units(conn: &mut PgConnection) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("select id, name from member_unit where active order by sort, code")
        .fetch_all(conn)
        .await
}

/// A step of a person's status: from one of `from`, at `version`; false when it had moved on.
pub async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    from: &[&str],
    to: &str,
    version: Option<i32>,
    note: &str,
) -> sqlx::Result<bool> {
    crate::web::transition::Step {
        table: "educator",
        id,
        from,
        to,
        version,
        also: "status_since = $5, status_note = $6",
        note,
    }
    .apply(conn)
    .await
}

/// How many applications an address sent today (the public form's limit).
pub async fn applications_today(conn: &mut PgConnection, from: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from educator where applied_from = $1 and created_at > now() - interval '1 day'",
    )
    .bind(from)
    .fetch_one(conn)
    .await
}

/// The specialties list as the bureau edits it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Specialty {
    pub id: i64,
    pub name: String,
    pub sort: i32,
    pub active: bool,
    pub people: i64,
}

pub async fn specialty_list(conn: &mut PgConnection) -> sqlx::Result<Vec<Specialty>> {
    sqlx::query_as(
        "select s.id, s.name, s.sort, s.active,
                (select count(*) from educator e where e.tenant_id = s.tenant_id and s.id = any(e.specialties)) as people
           from specialty s order by s.sort, s.name",
    )
    .fetch_all(conn)
    .await
}

/// A new specialty, or `None` when the name is taken.
pub async fn add_specialty(
    conn: &mut PgConnection,
    tenant_id: i64,
    name: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into specialty (tenant_id, name, sort)
         values ($1, $2, coalesce((select max(sort) + 1 from specialty), 1))
         on conflict on constraint specialty_name_once do nothing returning id",
    )
    .bind(tenant_id)
    .bind(name)
    .fetch_optional(conn)
    .await
}

pub async fn set_specialty_active(
    conn: &mut PgConnection,
    id: i64,
    active: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query("update specialty set active = $2 where id = $1")
        .bind(id)
        .bind(active)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// People of the town schools under `scope` whose qualification runs out within 30 days, for
/// the town's home: (person, qualification, days left).
pub async fn expiring(
    conn: &mut PgConnection,
    scope: &str,
    today: NaiveDate,
) -> sqlx::Result<Vec<(i64, String, String, i32)>> {
    sqlx::query_as(&format!(
        "select e.id, e.name, q.name, q.valid_until - $2::date
           from qualification q join educator e on e.tenant_id = q.tenant_id and e.id = q.educator_id
           join org_unit h on h.tenant_id = e.tenant_id and h.id = e.home_unit_id
          where q.valid_until <= $2::date + 30 and e.status in ('active', 'paused') and {IN_SCOPE}
          order by q.valid_until, e.name limit 20"
    ))
    .bind(scope)
    .bind(today)
    .fetch_all(conn)
    .await
}

/// Codes of the district's active units, for reading a spreadsheet's unit columns.
pub async fn unit_codes(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("select code, id from org_unit where status = 'active'")
        .fetch_all(conn)
        .await
}

/// Rows of an uploaded spreadsheet, kept for the dry run and the confirmation.
pub async fn stage_import(
    conn: &mut PgConnection,
    tenant_id: i64,
    file_name: &str,
    rows: &serde_json::Value,
    by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into import_batch (tenant_id, kind, file_name, rows, created_by) values ($1, 'educators', $2, $3, $4) returning id",
    )
    .bind(tenant_id)
    .bind(file_name)
    .bind(rows)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// A staged import: its file name, rows, and whether it was applied.
pub async fn staged_import(
    conn: &mut PgConnection,
    batch: i64,
) -> sqlx::Result<Option<(String, serde_json::Value, bool)>> {
    sqlx::query_as(
        "select file_name, rows, applied_at is not null from import_batch where id = $1 and kind = 'educators'",
    )
    .bind(batch)
    .fetch_optional(conn)
    .await
}

/// Marks a staged import applied; false when it already was (a second click).
pub async fn mark_import_applied(conn: &mut PgConnection, batch: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update import_batch set applied_at = now() where id = $1 and applied_at is null",
    )
    .bind(batch)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
