//! The SQL of award programmes, their panels, nominations, scores and files.

use super::model::Criterion;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Programme {
    pub id: i64,
    pub year: i32,
    pub kind: String,
    pub name: String,
    pub nominee_kind: String,
    pub nominators: Vec<String>,
    pub quota: i32,
    pub materials: String,
    pub criteria: Json<Vec<Criterion>>,
    pub nominations_close: NaiveDate,
    pub review_close: NaiveDate,
    pub notice_days: i32,
    pub award_on: Option<NaiveDate>,
    pub issuing_body: String,
    pub approval_no: String,
    pub status: String,
    pub status_since: NaiveDate,
    pub notice_id: Option<i64>,
    pub version: i32,
    /// Nominations submitted (drafts and withdrawn ones aside), and those awarded.
    pub submitted: i64,
    pub awarded: i64,
}

const PROGRAMME: &str =
    "select p.id, p.year, p.kind, p.name, p.nominee_kind, p.nominators, p.quota, p.materials,
        p.criteria, p.nominations_close, p.review_close, p.notice_days, p.award_on, p.issuing_body,
        p.approval_no, p.status, p.status_since, p.notice_id, p.version,
        (select count(*) from nomination n where n.tenant_id = p.tenant_id and n.programme_id = p.id
            and n.status not in ('draft', 'withdrawn')) as submitted,
        (select count(*) from nomination n where n.tenant_id = p.tenant_id and n.programme_id = p.id
            and n.status = 'awarded') as awarded
   from award_programme p";

/// The district's programmes of `year` (every year: `None`), newest first.
pub async fn programmes(
    conn: &mut PgConnection,
    year: Option<i32>,
) -> sqlx::Result<Vec<Programme>> {
    sqlx::query_as(&format!(
        "{PROGRAMME} where ($1::int is null or p.year = $1) order by p.year desc, p.id desc"
    ))
    .bind(year)
    .fetch_all(conn)
    .await
}

pub async fn programme(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Programme>> {
    sqlx::query_as(&format!("{PROGRAMME} where p.tenant_id = $1 and p.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A programme as typed on its form, checked.
#[derive(Debug, Clone)]
pub struct ProgrammeInput {
    pub year: i32,
    pub kind: String,
    pub name: String,
    pub nominee_kind: String,
    pub nominators: Vec<String>,
    pub quota: i32,
    pub materials: String,
    pub criteria: Vec<Criterion>,
    pub nominations_close: NaiveDate,
    pub review_close: NaiveDate,
    pub notice_days: i32,
    pub award_on: Option<NaiveDate>,
    pub issuing_body: String,
    pub approval_no: String,
}

pub async fn insert_programme(
    conn: &mut PgConnection,
    tenant_id: i64,
    p: &ProgrammeInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into award_programme (tenant_id, year, kind, name, nominee_kind, nominators, quota, materials,
                criteria, nominations_close, review_close, notice_days, award_on, issuing_body, approval_no)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id",
    )
    .bind(tenant_id)
    .bind(p.year)
    .bind(&p.kind)
    .bind(&p.name)
    .bind(&p.nominee_kind)
    .bind(&p.nominators)
    .bind(p.quota)
    .bind(&p.materials)
    .bind(Json(&p.criteria))
    .bind(p.nominations_close)
    .bind(p.review_close)
    .bind(p.notice_days)
    .bind(p.award_on)
    .bind(&p.issuing_body)
    .bind(&p.approval_no)
    .fetch_one(conn)
    .await
}

/// An edit, while nominations are not yet under review; false when the programme had moved
/// on or someone else's save came first.
pub async fn update_programme(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    p: &ProgrammeInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update award_programme set year = $3, kind = $4, name = $5, nominee_kind = $6, nominators = $7,
                quota = $8, materials = $9, criteria = $10, nominations_close = $11, review_close = $12,
                notice_days = $13, award_on = $14, issuing_body = $15, approval_no = $16, version = version + 1
          where id = $1 and version = $2 and status in ('draft', 'nominating')",
    )
    .bind(id)
    .bind(version)
    .bind(p.year)
    .bind(&p.kind)
    .bind(&p.name)
    .bind(&p.nominee_kind)
    .bind(&p.nominators)
    .bind(p.quota)
    .bind(&p.materials)
    .bind(Json(&p.criteria))
    .bind(p.nominations_close)
    .bind(p.review_close)
    .bind(p.notice_days)
    .bind(p.award_on)
    .bind(&p.issuing_body)
    .bind(&p.approval_no)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_notice(conn: &mut PgConnection, id: i64, notice_id: i64) -> sqlx::Result<()> {
    sqlx::query("update award_programme set notice_id = $2 where id = $1")
        .bind(id)
        .bind(notice_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Member {
    pub id: i64,
    pub display_name: String,
    pub role: String,
    pub on_panel: bool,
}

/// Who may sit on a programme's panel (the district-wide roles and the evaluators, enabled),
/// each marked when they do.
pub async fn panel_choices(conn: &mut PgConnection, programme: i64) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "select a.id, a.display_name, a.role,
                exists (select 1 from award_panel p where p.tenant_id = a.tenant_id and p.programme_id = $1
                           and p.account_id = a.id) as on_panel
           from account a
          where not a.disabled
            and a.role in ('district_admin', 'committee_office', 'supervisor', 'evaluator', 'viewer')
          order by on_panel desc, a.display_name",
    )
    .bind(programme)
    .fetch_all(conn)
    .await
}

/// Replaces the panel with `accounts` (those of `panel_choices` only).
pub async fn set_panel(
    conn: &mut PgConnection,
    tenant_id: i64,
    programme: i64,
    accounts: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("delete from award_panel where programme_id = $1")
        .bind(programme)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into award_panel (tenant_id, programme_id, account_id)
         select $1, $2, a.id from account a
          where a.id = any($3) and not a.disabled
            and a.role in ('district_admin', 'committee_office', 'supervisor', 'evaluator', 'viewer')",
    )
    .bind(tenant_id)
    .bind(programme)
    .bind(accounts)
    .execute(conn)
    .await?;
    Ok(())
}

/// The programmes whose panel `account` sits on.
pub async fn panels_of(conn: &mut PgConnection, account: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("select programme_id from award_panel where account_id = $1")
        .bind(account)
        .fetch_all(conn)
        .await
}

/// What cedu's records said of a nominee when the nomination was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    /// A person's: registry number, kind, home unit, approved hours, activities served.
    #[serde(default)]
    pub volunteer_no: String,
    #[serde(default)]
    pub educator_kind: String,
    #[serde(default)]
    pub home_unit: String,
    #[serde(default)]
    pub hours: f64,
    #[serde(default)]
    pub served: Vec<String>,
    /// A project's: its running unit, dates, sessions, attendance, participants, satisfaction.
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub dates: String,
    #[serde(default)]
    pub sessions: i32,
    #[serde(default)]
    pub attendance: i32,
    #[serde(default)]
    pub participants: i32,
    #[serde(default)]
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Nomination {
    pub id: i64,
    pub programme_id: i64,
    pub org_unit_id: Option<i64>,
    pub member_unit_id: Option<i64>,
    pub nominator: String,
    pub nominee_name: String,
    pub nominee_unit: String,
    pub educator_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub leading_cadre: bool,
    pub story: String,
    pub summary: String,
    pub record: Json<Record>,
    pub status: String,
    pub status_since: NaiveDate,
    pub return_reason: String,
    pub decision_reason: String,
    pub certificate_no: Option<String>,
    pub created_by: String,
    pub version: i32,
    pub files: i64,
    /// The panel's scores in, and their mean.
    pub scored: i64,
    pub mean: Option<f64>,
}

const NOMINATION: &str = "select n.id, n.programme_id, n.org_unit_id, n.member_unit_id,
        coalesce(u.name, m.name, '') as nominator, n.nominee_name, n.nominee_unit, n.educator_id,
        n.activity_id, n.leading_cadre, n.story, n.summary, n.record, n.status, n.status_since,
        n.return_reason, n.decision_reason, n.certificate_no, n.created_by, n.version,
        (select count(*) from nomination_file f where f.tenant_id = n.tenant_id and f.nomination_id = n.id) as files,
        s.scored, s.mean
   from nomination n
   left join org_unit u on u.tenant_id = n.tenant_id and u.id = n.org_unit_id
   left join member_unit m on m.tenant_id = n.tenant_id and m.id = n.member_unit_id
   cross join lateral (
        select count(*) as scored, round(avg(ps.total), 2)::float8 as mean from panel_score ps
         where ps.tenant_id = n.tenant_id and ps.nomination_id = n.id) s";

/// Whose nominations a list shows.
pub enum Seen {
    /// The district's: every one past its draft.
    District,
    /// One nominating unit's, drafts included.
    Unit(Nominator),
    /// A panel's: those submitted for review.
    Panel,
}

/// A nominating unit: a town school or the college, or a member unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nominator {
    pub org_unit_id: Option<i64>,
    pub member_unit_id: Option<i64>,
}

pub async fn nominations(
    conn: &mut PgConnection,
    programme: i64,
    seen: &Seen,
) -> sqlx::Result<Vec<Nomination>> {
    let (whose, unit) = match seen {
        Seen::District => ("district", None),
        Seen::Unit(u) => ("unit", Some(*u)),
        Seen::Panel => ("panel", None),
    };
    sqlx::query_as(&format!(
        "{NOMINATION}
          where n.programme_id = $1
            and case $4 when 'unit' then n.org_unit_id = $2 or n.member_unit_id = $3
                        when 'panel' then n.status in ('submitted', 'recommended', 'not_recommended', 'awarded')
                        else n.status <> 'draft' end
          order by s.mean desc nulls last, n.id"
    ))
    .bind(programme)
    .bind(unit.and_then(|u| u.org_unit_id))
    .bind(unit.and_then(|u| u.member_unit_id))
    .bind(whose)
    .fetch_all(conn)
    .await
}

pub async fn nomination(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Nomination>> {
    sqlx::query_as(&format!(
        "{NOMINATION} where n.tenant_id = $1 and n.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The nomination locked for a step, so a submission and its quota are counted one at a time.
pub async fn lock_programme(conn: &mut PgConnection, programme: i64) -> sqlx::Result<()> {
    sqlx::query("select 1 from award_programme where id = $1 for update")
        .bind(programme)
        .execute(conn)
        .await?;
    Ok(())
}

/// A nomination as typed (and prefilled), checked.
#[derive(Debug, Clone)]
pub struct NominationInput {
    pub nominee_name: String,
    pub nominee_unit: String,
    pub educator_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub leading_cadre: bool,
    pub story: String,
    pub summary: String,
}

pub async fn insert_nomination(
    conn: &mut PgConnection,
    tenant_id: i64,
    programme: i64,
    by: Nominator,
    n: &NominationInput,
    record: &Record,
    created_by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into nomination (tenant_id, programme_id, org_unit_id, member_unit_id, nominee_name, nominee_unit,
                educator_id, activity_id, leading_cadre, story, summary, record, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(tenant_id)
    .bind(programme)
    .bind(by.org_unit_id)
    .bind(by.member_unit_id)
    .bind(&n.nominee_name)
    .bind(&n.nominee_unit)
    .bind(n.educator_id)
    .bind(n.activity_id)
    .bind(n.leading_cadre)
    .bind(&n.story)
    .bind(&n.summary)
    .bind(Json(record))
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// An edit by the nominating unit while the nomination is a draft or returned.
pub async fn update_nomination(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    n: &NominationInput,
    record: &Record,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update nomination set nominee_name = $3, nominee_unit = $4, educator_id = $5, activity_id = $6,
                leading_cadre = $7, story = $8, summary = $9, record = $10, version = version + 1
          where id = $1 and version = $2 and status in ('draft', 'returned')",
    )
    .bind(id)
    .bind(version)
    .bind(&n.nominee_name)
    .bind(&n.nominee_unit)
    .bind(n.educator_id)
    .bind(n.activity_id)
    .bind(n.leading_cadre)
    .bind(&n.story)
    .bind(&n.summary)
    .bind(Json(record))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The nominations of `by` in a programme that count against its quota, `except` aside.
pub async fn counted(
    conn: &mut PgConnection,
    programme: i64,
    by: Nominator,
    except: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from nomination
          where programme_id = $1 and id <> $4
            and (org_unit_id = $2 or member_unit_id = $3)
            and status = any($5)",
    )
    .bind(programme)
    .bind(by.org_unit_id)
    .bind(by.member_unit_id)
    .bind(except)
    .bind(super::model::nomination::COUNTED)
    .fetch_one(conn)
    .await
}

/// A past award of a programme of the same kind to the same nominee (the same registry
/// entry or activity, or the same name of the same unit): its year and programme.
pub async fn past_award(
    conn: &mut PgConnection,
    kind: &str,
    year: i32,
    n: &NominationInput,
) -> sqlx::Result<Option<(i32, String)>> {
    sqlx::query_as(
        "select p.year, p.name from nomination x
           join award_programme p on p.tenant_id = x.tenant_id and p.id = x.programme_id
          where x.status = 'awarded' and p.kind = $1 and p.year < $2
            and (x.educator_id = $3 or x.activity_id = $4
                 or (x.nominee_name = $5 and x.nominee_unit = $6))
          order by p.year desc limit 1",
    )
    .bind(kind)
    .bind(year)
    .bind(n.educator_id)
    .bind(n.activity_id)
    .bind(&n.nominee_name)
    .bind(&n.nominee_unit)
    .fetch_optional(conn)
    .await
}

/// Another live nomination of the same nominee in the same programme.
pub async fn nominated_already(
    conn: &mut PgConnection,
    programme: i64,
    except: i64,
    n: &NominationInput,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "select id from nomination
          where programme_id = $1 and id <> $2 and status not in ('withdrawn', 'not_recommended')
            and (educator_id = $3 or activity_id = $4 or (nominee_name = $5 and nominee_unit = $6))
          limit 1",
    )
    .bind(programme)
    .bind(except)
    .bind(n.educator_id)
    .bind(n.activity_id)
    .bind(&n.nominee_name)
    .bind(&n.nominee_unit)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub actor_name: String,
}

impl Event {
    pub fn at_text(&self) -> String {
        crate::web::china_time(self.at)
    }
}

pub async fn record_event(
    conn: &mut PgConnection,
    tenant_id: i64,
    nomination: i64,
    kind: &str,
    (from, to): (&str, &str),
    note: &str,
    actor: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into nomination_event (tenant_id, nomination_id, kind, from_status, to_status, note, actor_name)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(nomination)
    .bind(kind)
    .bind(from)
    .bind(to)
    .bind(note)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut PgConnection, nomination: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select at, kind, from_status, to_status, note, actor_name from nomination_event
          where nomination_id = $1 order by at, id",
    )
    .bind(nomination)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Score {
    pub account_id: i64,
    pub display_name: String,
    pub scores: Vec<f64>,
    pub total: f64,
    pub note: String,
    pub submitted_at: DateTime<Utc>,
}

pub async fn scores(conn: &mut PgConnection, nomination: i64) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(
        "select s.account_id, a.display_name, s.scores::float8[] as scores, s.total::float8 as total, s.note,
                s.submitted_at
           from panel_score s join account a on a.tenant_id = s.tenant_id and a.id = s.account_id
          where s.nomination_id = $1 order by s.submitted_at",
    )
    .bind(nomination)
    .fetch_all(conn)
    .await
}

/// A panel member's scores; false when theirs is already in (a score is never changed).
pub async fn insert_score(
    conn: &mut PgConnection,
    tenant_id: i64,
    nomination: i64,
    account: i64,
    scores: &[f64],
    total: f64,
    note: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into panel_score (tenant_id, nomination_id, account_id, scores, total, note)
         values ($1, $2, $3, $4::float8[]::numeric(5, 2)[], $5, $6) on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(nomination)
    .bind(account)
    .bind(scores)
    .bind(total)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The nominations of a programme `account` has scored.
pub async fn scored_by(
    conn: &mut PgConnection,
    programme: i64,
    account: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select s.nomination_id from panel_score s
           join nomination n on n.tenant_id = s.tenant_id and n.id = s.nomination_id
          where n.programme_id = $1 and s.account_id = $2",
    )
    .bind(programme)
    .bind(account)
    .fetch_all(conn)
    .await
}

/// The recommended nominations become awards, numbered in the order of their mean.
pub async fn confirm_awards(
    conn: &mut PgConnection,
    programme: i64,
    prefix: &str,
    on: NaiveDate,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "with ranked as (
            select n.id, row_number() over (order by avg(s.total) desc nulls last, n.id) as k
              from nomination n
              left join panel_score s on s.tenant_id = n.tenant_id and s.nomination_id = n.id
             where n.programme_id = $1 and n.status = 'recommended'
             group by n.id)
         update nomination n
            set status = 'awarded', status_since = $3, version = n.version + 1,
                certificate_no = $2 || lpad(ranked.k::text, 3, '0')
           from ranked where n.id = ranked.id",
    )
    .bind(programme)
    .bind(prefix)
    .bind(on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The nominations of a programme in `statuses` (for the steps' checks).
pub async fn count_in(
    conn: &mut PgConnection,
    programme: i64,
    statuses: &[&str],
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from nomination where programme_id = $1 and status = any($2)",
    )
    .bind(programme)
    .bind(statuses)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// The people of the registry a unit may nominate: those at home in its scope (a member unit:
/// its own people), active, named.
pub async fn educator_choices(
    conn: &mut PgConnection,
    path: &str,
    member: Option<i64>,
) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select e.id, e.name || '（' || e.volunteer_no || '，' || u.name || '）' as label
           from educator e join org_unit u on u.tenant_id = e.tenant_id and u.id = e.home_unit_id
          where e.status in ('active', 'paused') and e.anonymised_at is null
            and (case when $2::bigint is null then u.path like $1 || '%' else e.member_unit_id = $2 end)
          order by e.name limit 500",
    )
    .bind(path)
    .bind(member)
    .fetch_all(conn)
    .await
}

/// The activities a unit may put forward as a project: held or reported in the last three
/// years, organised in its scope.
pub async fn activity_choices(
    conn: &mut PgConnection,
    path: &str,
    member: Option<i64>,
    year: i32,
) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select a.id, a.title || '（' || coalesce(u.name, m.name, '') || '，' || a.starts_on || '）' as label
           from activity a
           left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id
           left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.organiser_member_unit_id
          where a.status in ('held', 'reported') and a.starts_on >= make_date($3 - 2, 1, 1)
            and (case when $2::bigint is null then u.path like $1 || '%' else a.organiser_member_unit_id = $2 end)
          order by a.starts_on desc limit 500",
    )
    .bind(path)
    .bind(member)
    .bind(year)
    .fetch_all(conn)
    .await
}

/// Name, unit, registry number, kind, home unit, approved hours, activities served.
type PersonRow = (String, String, String, String, String, f64, Vec<String>);

/// Title, unit, first and last day, sessions, attendance, participants, satisfaction.
type ProjectRow = (
    String,
    String,
    NaiveDate,
    NaiveDate,
    i32,
    i32,
    i32,
    Option<f64>,
);

/// What the registry says of a person: name, work unit, number, kind, home unit, approved
/// hours and the activities they served (newest first).
pub async fn person_record(
    conn: &mut PgConnection,
    educator: i64,
) -> sqlx::Result<Option<(String, String, Record)>> {
    let row: Option<PersonRow> = sqlx::query_as(
        "select e.name, coalesce(nullif(e.work_unit, ''), m.name, ''), e.volunteer_no, e.kind, u.name,
                coalesce((select sum(h.minutes) from service_hours h
                           where h.tenant_id = e.tenant_id and h.educator_id = e.id and h.status = 'approved'), 0)::float8 / 60,
                coalesce((select array_agg(x.title order by x.starts_on desc) from (
                    select a.title, a.starts_on from activity_educator ae
                      join activity a on a.tenant_id = ae.tenant_id and a.id = ae.activity_id
                     where ae.tenant_id = e.tenant_id and ae.educator_id = e.id and a.status <> 'cancelled'
                     order by a.starts_on desc limit 20) x), '{}')
           from educator e
           join org_unit u on u.tenant_id = e.tenant_id and u.id = e.home_unit_id
           left join member_unit m on m.tenant_id = e.tenant_id and m.id = e.member_unit_id
          where e.id = $1 and e.anonymised_at is null",
    )
    .bind(educator)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(name, unit, no, kind, home, hours, served)| {
        (
            name,
            unit,
            Record {
                volunteer_no: no,
                educator_kind: kind,
                home_unit: home,
                hours: (hours * 10.0).round() / 10.0,
                served,
                ..Default::default()
            },
        )
    }))
}

/// What cedu holds of an activity put forward as a project: its running unit, dates,
/// sessions, attendance, participants, and the satisfaction residents gave its town school
/// that year (the mean answer of the survey, 1–5).
pub async fn project_record(
    conn: &mut PgConnection,
    activity: i64,
) -> sqlx::Result<Option<(String, String, Record)>> {
    let row: Option<ProjectRow> = sqlx::query_as(
        "select a.title, coalesce(u.name, m.name, ''), a.starts_on, a.ends_on, a.sessions_held, a.attendance,
                a.participants,
                (select round(avg(x), 2)::float8 from survey_response r
                   join survey s on s.tenant_id = r.tenant_id and s.id = r.survey_id
                   cross join lateral unnest(r.answers) x
                  where r.tenant_id = a.tenant_id and s.year = extract(year from a.starts_on)::int
                    and r.org_unit_id = case when u.kind = 'teaching_point' then u.parent_id else u.id end)
           from activity a
           left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id
           left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.organiser_member_unit_id
          where a.id = $1",
    )
    .bind(activity)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(title, unit, from, to, sessions, attendance, participants, satisfaction)| {
            let dates = if from == to {
                from.to_string()
            } else {
                format!("{from} – {to}")
            };
            (
                title,
                unit.clone(),
                Record {
                    organiser: unit,
                    dates,
                    sessions,
                    attendance,
                    participants,
                    satisfaction,
                    ..Default::default()
                },
            )
        },
    ))
}

/// The college of the district: the nominating unit of the bureau.
pub async fn college(conn: &mut PgConnection) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select id from org_unit where kind = 'college'")
        .fetch_optional(conn)
        .await
}

/// The awards a person of the registry has received: year, programme, certificate.
pub async fn awards_of(
    conn: &mut PgConnection,
    educator: i64,
) -> sqlx::Result<Vec<(i64, i32, String, String)>> {
    sqlx::query_as(
        "select n.id, p.year, p.name, coalesce(n.certificate_no, '') from nomination n
           join award_programme p on p.tenant_id = n.tenant_id and p.id = n.programme_id
          where n.educator_id = $1 and n.status = 'awarded' order by p.year desc",
    )
    .bind(educator)
    .fetch_all(conn)
    .await
}

pub async fn insert_file(
    conn: &mut PgConnection,
    tenant_id: i64,
    nomination: i64,
    (name, kind): (&str, &str),
    bytes: &[u8],
    by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into nomination_file (tenant_id, nomination_id, file_name, content_type, size, content, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(tenant_id)
    .bind(nomination)
    .bind(name)
    .bind(kind)
    .bind(bytes.len() as i32)
    .bind(bytes)
    .bind(by)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub file_name: String,
    pub size: i32,
    pub uploaded_by: String,
}

pub async fn files(conn: &mut PgConnection, nomination: i64) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(
        "select id, file_name, size, uploaded_by from nomination_file where nomination_id = $1 order by id",
    )
    .bind(nomination)
    .fetch_all(conn)
    .await
}

pub async fn file(
    conn: &mut PgConnection,
    nomination: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "select file_name, content_type, content from nomination_file where nomination_id = $1 and id = $2",
    )
    .bind(nomination)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn delete_file(conn: &mut PgConnection, nomination: i64, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from nomination_file where nomination_id = $1 and id = $2")
        .bind(nomination)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
