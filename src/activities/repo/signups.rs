//! SQL of the residents' side of activities: the public calendar, sign-ups with their waitlist,
//! cancellation, check-in at the venue, and the deletion of sign-ups a year after their
//! activity. Phones are kept sealed, hashed and masked (the caller seals them).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{PgConnection, PgPool};

/// Publishes an activity to the residents' calendar (or takes it off).
pub async fn set_public(conn: &mut PgConnection, id: i64, public: bool) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update activity set public = $2, version = version + 1
          where id = $1 and status in ('planned', 'held') and public <> $2",
    )
    .bind(id)
    .bind(public)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn is_public(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("select public from activity where id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// A published activity as residents see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicActivity {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub organiser: String,
    pub town_id: Option<i64>,
    pub town: String,
    pub place: String,
    pub address: String,
    pub populations: Vec<String>,
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub report: String,
}

const PUBLIC: &str = "select a.id, a.title, a.category, coalesce(o.name, mu.name, '') as organiser,
        ot.id as town_id, coalesce(ot.name, '') as town, coalesce(v.name, '') as place,
        coalesce(nullif(v.address, ''), a.address) as address, a.populations, a.capacity,
        a.starts_on, a.ends_on, '' as report
   from activity a
   left join org_unit o on o.tenant_id = a.tenant_id and o.id = a.organiser_unit_id
   left join org_unit ot on ot.tenant_id = o.tenant_id
         and ot.id = case when o.kind = 'teaching_point' then o.parent_id else o.id end
   left join member_unit mu on mu.tenant_id = a.tenant_id and mu.id = a.organiser_member_unit_id
   left join resource_item v on v.tenant_id = a.tenant_id and v.id = a.venue_item_id";

pub async fn public_activity(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<PublicActivity>> {
    sqlx::query_as(&format!(
        "{PUBLIC} where a.tenant_id = $1 and a.id = $2 and a.public and a.status in ('planned', 'held')"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A session with its places taken and waiting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenSession {
    pub id: i64,
    pub activity_id: i64,
    pub held_on: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub status: String,
    pub taken: i64,
    pub waiting: i64,
    pub checked_in: i64,
    pub checkin_key: Option<String>,
}

impl OpenSession {
    pub fn times(&self) -> String {
        match (self.starts_at, self.ends_at) {
            (Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        }
    }

    /// Places left, when there is a capacity.
    pub fn left(&self, capacity: Option<i32>) -> Option<i64> {
        capacity.map(|c| (i64::from(c) - self.taken).max(0))
    }
}

const SESSIONS: &str = "select s.id, s.activity_id, s.held_on, s.starts_at, s.ends_at, s.status,
        count(g.id) filter (where g.status = 'confirmed') as taken,
        count(g.id) filter (where g.status = 'waitlisted') as waiting,
        count(g.id) filter (where g.status = 'confirmed' and g.checked_in_at is not null) as checked_in,
        s.checkin_key
   from activity_session s
   left join signup g on g.tenant_id = s.tenant_id and g.session_id = s.id";

/// The activity's sessions; `upcoming`: only those from `today` on that are not cancelled.
pub async fn sessions(
    conn: &mut PgConnection,
    activity: i64,
    upcoming: Option<NaiveDate>,
) -> sqlx::Result<Vec<OpenSession>> {
    sqlx::query_as(&format!(
        "{SESSIONS} where s.activity_id = $1 and ($2::date is null or (s.held_on >= $2 and s.status <> 'cancelled'))
          group by s.tenant_id, s.id order by s.held_on, s.starts_at nulls first, s.id"
    ))
    .bind(activity)
    .bind(upcoming)
    .fetch_all(conn)
    .await
}

/// A line of the public calendar: one session of a published activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarLine {
    pub session_id: i64,
    pub held_on: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub activity_id: i64,
    pub title: String,
    pub town: String,
    pub place: String,
    pub address: String,
    pub populations: Vec<String>,
    pub capacity: Option<i32>,
    pub taken: i64,
}

impl CalendarLine {
    pub fn times(&self) -> String {
        match (self.starts_at, self.ends_at) {
            (Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        }
    }

    pub fn left(&self) -> Option<i64> {
        self.capacity.map(|c| (i64::from(c) - self.taken).max(0))
    }

    pub fn full(&self) -> bool {
        self.left() == Some(0)
    }
}

/// The district's published sessions between two days, of one town (its school and points)
/// or all; at most `limit`.
pub async fn calendar(
    conn: &mut PgConnection,
    tenant_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    town: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<CalendarLine>> {
    sqlx::query_as(
        "select s.id as session_id, s.held_on, s.starts_at, s.ends_at, a.id as activity_id, a.title,
                coalesce(ot.name, mu.name, '') as town, coalesce(v.name, '') as place,
                coalesce(nullif(v.address, ''), a.address) as address, a.populations, a.capacity,
                (select count(*) from signup g where g.tenant_id = s.tenant_id and g.session_id = s.id
                    and g.status = 'confirmed') as taken
           from activity_session s
           join activity a on a.tenant_id = s.tenant_id and a.id = s.activity_id
           left join org_unit o on o.tenant_id = a.tenant_id and o.id = a.organiser_unit_id
           left join org_unit ot on ot.tenant_id = o.tenant_id
                 and ot.id = case when o.kind = 'teaching_point' then o.parent_id else o.id end
           left join member_unit mu on mu.tenant_id = a.tenant_id and mu.id = a.organiser_member_unit_id
           left join resource_item v on v.tenant_id = a.tenant_id and v.id = a.venue_item_id
          where s.tenant_id = $1 and s.held_on between $2 and $3 and s.status <> 'cancelled'
            -- The published activities whose dates meet the range: `activity_public` (0033).
            and a.public and a.ends_on >= $2 and a.starts_on <= $3
            and a.status in ('planned', 'held')
            and ($4::bigint is null or ot.id = $4)
          order by s.held_on, s.starts_at nulls first, s.id
          limit $5",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .bind(town)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Gives every session of the activity its check-in key, for the QR codes at the venue.
pub async fn ensure_checkin_keys(
    conn: &mut PgConnection,
    activity: i64,
    keys: impl Fn() -> String,
) -> sqlx::Result<()> {
    let missing: Vec<i64> = sqlx::query_scalar(
        "select id from activity_session where activity_id = $1 and checkin_key is null",
    )
    .bind(activity)
    .fetch_all(&mut *conn)
    .await?;
    if missing.is_empty() {
        return Ok(());
    }
    let fresh: Vec<String> = missing.iter().map(|_| keys()).collect();
    sqlx::query(
        // Still without one: a key another page gave meanwhile may be printed already.
        "update activity_session s set checkin_key = k.key
           from unnest($1::bigint[], $2::text[]) as k(id, key) where s.id = k.id and s.checkin_key is null",
    )
    .bind(&missing)
    .bind(&fresh)
    .execute(conn)
    .await?;
    Ok(())
}

/// A session by its check-in key, with its activity.
pub async fn session_by_key(
    conn: &mut PgConnection,
    tenant_id: i64,
    key: &str,
) -> sqlx::Result<Option<OpenSession>> {
    sqlx::query_as(&format!(
        "{SESSIONS} where s.tenant_id = $1 and s.checkin_key = $2 group by s.tenant_id, s.id"
    ))
    .bind(tenant_id)
    .bind(key)
    .fetch_optional(conn)
    .await
}

/// Holds the session while a place is taken, given back or checked in, so that two never
/// count the same free place.
pub async fn lock_session(conn: &mut PgConnection, session: i64) -> sqlx::Result<()> {
    sqlx::query("select 1 from activity_session where id = $1 for update")
        .bind(session)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sign-ups from one address in the last day.
pub async fn from_address_today(conn: &mut PgConnection, address: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from signup where address_hash = $1 and created_at > now() - interval '1 day'",
    )
    .bind(address)
    .fetch_one(conn)
    .await
}

/// Whether the phone already holds a place (or a waiting one) in the session.
pub async fn phone_taken(
    conn: &mut PgConnection,
    session: i64,
    phone_hash: &[u8],
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from signup where session_id = $1 and phone_hash = $2 and status <> 'cancelled')",
    )
    .bind(session)
    .bind(phone_hash)
    .fetch_one(conn)
    .await
}

pub struct NewSignup<'a> {
    pub tenant_id: i64,
    pub activity_id: i64,
    pub session_id: i64,
    pub name: &'a str,
    pub phone_cipher: &'a [u8],
    pub phone_hash: &'a [u8],
    pub phone_masked: &'a str,
    pub phone_last4: &'a str,
    pub code: &'a str,
    pub token_hash: &'a [u8],
    pub status: &'a str,
    pub address: &'a str,
    pub delete_after: NaiveDate,
}

pub async fn insert(conn: &mut PgConnection, s: &NewSignup<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into signup (tenant_id, activity_id, session_id, name, phone_cipher, phone_hash, phone_masked,
                phone_last4, code, token_hash, status, address_hash, delete_after)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(s.tenant_id)
    .bind(s.activity_id)
    .bind(s.session_id)
    .bind(s.name)
    .bind(s.phone_cipher)
    .bind(s.phone_hash)
    .bind(s.phone_masked)
    .bind(s.phone_last4)
    .bind(s.code)
    .bind(s.token_hash)
    .bind(s.status)
    .bind(s.address)
    .bind(s.delete_after)
    .fetch_one(conn)
    .await
}

/// A sign-up as its resident and the staff see it: never the phone in full.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Signup {
    pub id: i64,
    pub activity_id: i64,
    pub session_id: i64,
    pub held_on: NaiveDate,
    pub name: String,
    pub phone_masked: String,
    pub code: String,
    pub status: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by: String,
    /// Its place in the waitlist (1 = next), when waiting.
    pub waiting_place: Option<i64>,
}

const SIGNUP: &str = "select g.id, g.activity_id, g.session_id, s.held_on, g.name, g.phone_masked, g.code, g.status,
        g.checked_in_at, g.checked_in_by,
        case when g.status = 'waitlisted' then
            (select count(*) from signup w where w.tenant_id = g.tenant_id and w.session_id = g.session_id
                and w.status = 'waitlisted' and (w.created_at, w.id) <= (g.created_at, g.id)) end as waiting_place
   from signup g join activity_session s on s.tenant_id = g.tenant_id and s.id = g.session_id";

pub async fn by_token(
    conn: &mut PgConnection,
    tenant_id: i64,
    token_hash: &[u8],
) -> sqlx::Result<Option<Signup>> {
    sqlx::query_as(&format!(
        "{SIGNUP} where g.tenant_id = $1 and g.token_hash = $2"
    ))
    .bind(tenant_id)
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, activity: i64, id: i64) -> sqlx::Result<Option<Signup>> {
    sqlx::query_as(&format!("{SIGNUP} where g.activity_id = $1 and g.id = $2"))
        .bind(activity)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn of_activity(conn: &mut PgConnection, activity: i64) -> sqlx::Result<Vec<Signup>> {
    sqlx::query_as(&format!(
        "{SIGNUP} where g.activity_id = $1 and g.status <> 'cancelled'
          order by s.held_on, g.session_id, g.status, g.created_at, g.id"
    ))
    .bind(activity)
    .fetch_all(conn)
    .await
}

/// Gives the place back; the first waiting for that session takes it. Returns whether it
/// was given back (false: already cancelled).
pub async fn cancel(conn: &mut PgConnection, id: i64, session: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update signup set status = 'cancelled' where id = $1 and status <> 'cancelled'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    promote(conn, session).await?;
    Ok(true)
}

/// The first waiting sign-ups of a session take the places free (none without a capacity).
pub async fn promote(conn: &mut PgConnection, session: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "with free as (
            select greatest(0, coalesce(a.capacity, 0)
                     - (select count(*) from signup c where c.session_id = s.id and c.status = 'confirmed')) as n
              from activity_session s join activity a on a.tenant_id = s.tenant_id and a.id = s.activity_id
             where s.id = $1)
         update signup set status = 'confirmed'
          where id in (select id from signup where session_id = $1 and status = 'waitlisted'
                        order by created_at, id limit (select n from free))",
    )
    .bind(session)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Marks a confirmed sign-up of the session present, found by its code or its phone's last
/// four digits; the ids that matched (more than one: the digits were not enough).
pub async fn find_for_checkin(
    conn: &mut PgConnection,
    session: i64,
    typed: &str,
) -> sqlx::Result<Vec<(i64, String, Option<DateTime<Utc>>)>> {
    sqlx::query_as(
        "select id, name, checked_in_at from signup
          where session_id = $1 and status = 'confirmed'
            and (code = $2 or (length($2) = 4 and phone_last4 = $2))",
    )
    .bind(session)
    .bind(typed)
    .fetch_all(conn)
    .await
}

/// Present (or not, when staff untick); the session's attendance follows: one more (or one
/// fewer) than the head count it had, never fewer than those checked in, and the session held
/// once its day has come. (Set to those checked in, a head count typed before a late check-in
/// would drop to it.)
pub async fn set_present(
    conn: &mut PgConnection,
    id: i64,
    present: bool,
    by: &str,
    today: NaiveDate,
) -> sqlx::Result<Option<i64>> {
    let changed: Option<(i64, i32)> = sqlx::query_as(
        "with was as (select id, checked_in_at is not null as present from signup
                       where id = $1 and status = 'confirmed' for update)
         update signup g set checked_in_at = case when $2 then coalesce(g.checked_in_at, now()) end,
                checked_in_by = case when $2 then $3 else '' end
           from was where g.id = was.id
         returning g.session_id, $2::int - was.present::int",
    )
    .bind(id)
    .bind(present)
    .bind(by)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((session, by_one)) = changed else {
        return Ok(None);
    };
    let activity: i64 = sqlx::query_scalar(
        "update activity_session s set
            attendance = greatest(coalesce(s.attendance, 0) + $3,
                                  (select count(*) from signup g where g.session_id = s.id and g.status = 'confirmed'
                                      and g.checked_in_at is not null)::int),
            status = case when s.status = 'scheduled' and s.held_on <= $2 then 'held' else s.status end,
            version = s.version + 1
          where s.id = $1 returning s.activity_id",
    )
    .bind(session)
    .bind(today)
    .bind(by_one)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(activity))
}

/// The failed check-ins of the last hour at `session`: from `address`, and from everyone.
pub async fn checkin_failures(
    conn: &mut PgConnection,
    session: i64,
    address: &str,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "select count(*) filter (where address_hash = $2), count(*) from checkin_failure
          where session_id = $1 and at > now() - interval '1 hour'",
    )
    .bind(session)
    .bind(address)
    .fetch_one(conn)
    .await
}

pub async fn record_checkin_failure(
    conn: &mut PgConnection,
    tenant_id: i64,
    session: i64,
    address: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into checkin_failure (tenant_id, session_id, address_hash) values ($1, $2, $3)",
    )
    .bind(tenant_id)
    .bind(session)
    .bind(address)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the sign-ups whose year after their activity has passed, and the failed check-ins
/// of before yesterday, in every district (on the system pool); how many sign-ups.
pub async fn purge(pool: &PgPool, today: NaiveDate) -> sqlx::Result<u64> {
    let done = sqlx::query("delete from signup where delete_after < $1")
        .bind(today)
        .execute(pool)
        .await?;
    sqlx::query("delete from checkin_failure where at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
