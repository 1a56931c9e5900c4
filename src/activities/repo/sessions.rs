//! SQL of what an activity holds: its sessions and their attendance, its participants by key
//! population, the teachers and volunteers serving it (and the hours proposed for them), its
//! photos and documents. The caller has found the activity in scope and locked it.

use crate::activities::model::Attendance;
use chrono::{NaiveDate, NaiveTime};
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub held_on: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub status: String,
    pub attendance: Option<i32>,
    pub walk_ins: i32,
    pub note: String,
    pub version: i32,
}

impl Session {
    pub fn times(&self) -> String {
        match (self.starts_at, self.ends_at) {
            (Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        }
    }

    pub fn status_label(&self) -> String {
        format!("session.status.{}", self.status)
    }

    pub fn attendance_text(&self) -> String {
        self.attendance.map(|n| n.to_string()).unwrap_or_default()
    }
}

pub async fn of(conn: &mut PgConnection, activity_id: i64) -> sqlx::Result<Vec<Session>> {
    sqlx::query_as(
        "select id, held_on, starts_at, ends_at, status, attendance, walk_ins, note, version
           from activity_session where activity_id = $1 order by held_on, starts_at nulls first, id",
    )
    .bind(activity_id)
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut PgConnection,
    activity_id: i64,
    id: i64,
) -> sqlx::Result<Option<Session>> {
    sqlx::query_as(
        "select id, held_on, starts_at, ends_at, status, attendance, walk_ins, note, version
           from activity_session where activity_id = $1 and id = $2",
    )
    .bind(activity_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Sessions on `days`, all at the same times.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    activity_id: i64,
    days: &[NaiveDate],
    times: (Option<NaiveTime>, Option<NaiveTime>),
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into activity_session (tenant_id, activity_id, held_on, starts_at, ends_at)
         select $1, $2, day, $4, $5 from unnest($3::date[]) as day",
    )
    .bind(tenant_id)
    .bind(activity_id)
    .bind(days)
    .bind(times.0)
    .bind(times.1)
    .execute(conn)
    .await?;
    Ok(())
}

/// A session's attendance at the version the page showed; false when someone saved first.
pub async fn record(
    conn: &mut PgConnection,
    activity_id: i64,
    id: i64,
    version: i32,
    a: &Attendance,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update activity_session set status = $4, attendance = $5, walk_ins = $6, note = $7, version = version + 1
          where activity_id = $1 and id = $2 and version = $3",
    )
    .bind(activity_id)
    .bind(id)
    .bind(version)
    .bind(a.status)
    .bind(a.attendance)
    .bind(a.walk_ins)
    .bind(&a.note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The activity's figures from its sessions and counts, written on the activity (lists and
/// roll-ups read them there); returns how many sessions are held.
pub async fn refresh_counts(conn: &mut PgConnection, activity_id: i64) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "update activity a set
            sessions_planned = s.planned, sessions_held = s.held, attendance = s.attendance,
            participants = coalesce((select sum(p.count) from activity_participation p
                                      where p.tenant_id = a.tenant_id and p.activity_id = a.id), 0)
           from (select count(*) filter (where status <> 'cancelled')::int as planned,
                        count(*) filter (where status = 'held')::int as held,
                        coalesce(sum(coalesce(attendance, 0) + walk_ins) filter (where status = 'held'), 0)::int as attendance
                   from activity_session where activity_id = $1) s
          where a.id = $1
         returning a.sessions_held",
    )
    .bind(activity_id)
    .fetch_one(conn)
    .await
}

/// Participants by key population.
pub async fn participation(
    conn: &mut PgConnection,
    activity_id: i64,
) -> sqlx::Result<Vec<(String, i32)>> {
    sqlx::query_as(
        "select population, count from activity_participation where activity_id = $1 order by population",
    )
    .bind(activity_id)
    .fetch_all(conn)
    .await
}

/// Replaces the counts by key population (zeros are not kept).
pub async fn set_participation(
    conn: &mut PgConnection,
    tenant_id: i64,
    activity_id: i64,
    counts: &[(String, i32)],
) -> sqlx::Result<()> {
    sqlx::query("delete from activity_participation where activity_id = $1")
        .bind(activity_id)
        .execute(&mut *conn)
        .await?;
    let (populations, numbers): (Vec<String>, Vec<i32>) =
        counts.iter().filter(|(_, n)| *n > 0).cloned().unzip();
    sqlx::query(
        "insert into activity_participation (tenant_id, activity_id, population, count)
         select $1, $2, p, n from unnest($3::text[], $4::int[]) as x(p, n)",
    )
    .bind(tenant_id)
    .bind(activity_id)
    .bind(&populations)
    .bind(&numbers)
    .execute(conn)
    .await?;
    Ok(())
}

/// A teacher or volunteer serving the activity, with the hours proposed for them here.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Server {
    pub educator_id: i64,
    pub name: String,
    pub volunteer_no: String,
    pub kind: String,
    pub pending: i64,
    pub approved: i64,
}

impl Server {
    pub fn kind_label(&self) -> String {
        format!("educator.kind.{}", self.kind)
    }

    pub fn approved_text(&self) -> String {
        crate::educators::model::hours_text(self.approved)
    }

    pub fn pending_text(&self) -> String {
        crate::educators::model::hours_text(self.pending)
    }
}

pub async fn servers(conn: &mut PgConnection, activity_id: i64) -> sqlx::Result<Vec<Server>> {
    sqlx::query_as(
        "select e.id as educator_id, e.name, e.volunteer_no, e.kind,
                coalesce(sum(h.minutes) filter (where h.status = 'pending'), 0)::bigint as pending,
                coalesce(sum(h.minutes) filter (where h.status = 'approved'), 0)::bigint as approved
           from activity_educator ae
           join educator e on e.tenant_id = ae.tenant_id and e.id = ae.educator_id
           left join service_hours h on h.tenant_id = ae.tenant_id and h.activity_id = ae.activity_id
                 and h.educator_id = ae.educator_id
          where ae.activity_id = $1
          group by e.tenant_id, e.id order by e.name",
    )
    .bind(activity_id)
    .fetch_all(conn)
    .await
}

/// Active people who may serve an activity of the user's: those serving a unit under `path`
/// (the bureau: anyone active), not serving it already.
pub async fn candidates(
    conn: &mut PgConnection,
    activity_id: i64,
    path: &str,
) -> sqlx::Result<Vec<super::Choice>> {
    sqlx::query_as(
        "select e.id, e.name || '（' || e.volunteer_no || '）' as name from educator e
          where e.status = 'active'
            and ($2 = '/' or exists (select 1 from educator_unit eu
                   join org_unit u on u.tenant_id = eu.tenant_id and u.id = eu.unit_id
                  where eu.tenant_id = e.tenant_id and eu.educator_id = e.id and u.path like $2 || '%'))
            and not exists (select 1 from activity_educator ae
                             where ae.tenant_id = e.tenant_id and ae.activity_id = $1 and ae.educator_id = e.id)
          order by e.name limit 500",
    )
    .bind(activity_id)
    .bind(path)
    .fetch_all(conn)
    .await
}

/// Adds a person (a second click adds nothing); whether they were added.
pub async fn add_server(
    conn: &mut PgConnection,
    tenant_id: i64,
    activity_id: i64,
    educator_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into activity_educator (tenant_id, activity_id, educator_id) values ($1, $2, $3)
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(activity_id)
    .bind(educator_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_server(
    conn: &mut PgConnection,
    activity_id: i64,
    educator_id: i64,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("delete from activity_educator where activity_id = $1 and educator_id = $2")
            .bind(activity_id)
            .bind(educator_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Proposes to the registry, for countersigning at `unit_id`, the hours of every person
/// serving the activity at each of its held sessions with times: whole quarter hours, once a
/// session and person (a second click, or a session already proposed, adds nothing), and never
/// past 12 hours on one day for one person. Returns how many entries were proposed.
pub async fn propose_hours(
    conn: &mut PgConnection,
    tenant_id: i64,
    activity_id: i64,
    unit_id: i64,
    content: &str,
    recorded_by: &str,
) -> sqlx::Result<u64> {
    // The people serving it locked, in one order, as an entry in the registry locks its
    // person: a person's day is added up by one writer at a time, whichever page writes.
    sqlx::query(
        "select 1 from educator e
          where e.id in (select ae.educator_id from activity_educator ae where ae.activity_id = $1)
          order by e.id for update",
    )
    .bind(activity_id)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        // The day's limit counts what the person has already and, in the order of the
        // sessions, what this statement adds before each: two new sessions of one day are
        // checked together, not each against the day without the other.
        "insert into service_hours (tenant_id, educator_id, unit_id, served_on, starts_at, ends_at, minutes,
                content, recorded_by, activity_id, session_id)
         select $1, c.educator_id, $3, c.held_on, c.starts_at, c.ends_at, c.minutes, $4, $5, $2, c.session_id
           from (select ae.educator_id, s.held_on, s.starts_at, s.ends_at, s.id as session_id, m.minutes,
                        sum(m.minutes) over (partition by ae.educator_id, s.held_on
                                             order by s.starts_at, s.id) as running
                   from activity_session s
                   join activity_educator ae on ae.tenant_id = s.tenant_id and ae.activity_id = s.activity_id
                   join educator e on e.tenant_id = ae.tenant_id and e.id = ae.educator_id and e.status = 'active'
                   cross join lateral (select least(720, (extract(epoch from s.ends_at - s.starts_at)::int / 60) / 15 * 15) as minutes) m
                  where s.activity_id = $2 and s.status = 'held' and s.starts_at is not null and m.minutes > 0
                    and not exists (select 1 from service_hours h where h.tenant_id = s.tenant_id and h.session_id = s.id
                                      and h.educator_id = ae.educator_id and h.status <> 'declined')) c
          where coalesce((select sum(h.minutes) from service_hours h where h.tenant_id = $1
                            and h.educator_id = c.educator_id and h.served_on = c.held_on
                            and h.status <> 'declined'), 0) + c.running <= 720
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(activity_id)
    .bind(unit_id)
    .bind(content)
    .bind(recorded_by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct File {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl File {
    pub fn when(&self) -> String {
        crate::web::china_time(self.created_at)
    }

    pub fn size_text(&self) -> String {
        if self.size >= 1024 * 1024 {
            format!("{:.1} MB", self.size as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (self.size + 1023) / 1024)
        }
    }
}

pub async fn files(conn: &mut PgConnection, activity_id: i64) -> sqlx::Result<Vec<File>> {
    sqlx::query_as(
        "select id, file_name, content_type, size, uploaded_by, created_at from activity_file
          where activity_id = $1 order by id",
    )
    .bind(activity_id)
    .fetch_all(conn)
    .await
}

pub async fn insert_file(
    conn: &mut PgConnection,
    tenant_id: i64,
    activity_id: i64,
    name: &str,
    kind: &str,
    bytes: &[u8],
    uploaded_by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into activity_file (tenant_id, activity_id, file_name, content_type, size, content, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(tenant_id)
    .bind(activity_id)
    .bind(name)
    .bind(kind)
    .bind(bytes.len() as i32)
    .bind(bytes)
    .bind(uploaded_by)
    .fetch_one(conn)
    .await
}

pub async fn file(
    conn: &mut PgConnection,
    activity_id: i64,
    id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "select file_name, content_type, content from activity_file where activity_id = $1 and id = $2",
    )
    .bind(activity_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn delete_file(
    conn: &mut PgConnection,
    activity_id: i64,
    id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "delete from activity_file where activity_id = $1 and id = $2 returning file_name",
    )
    .bind(activity_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}
