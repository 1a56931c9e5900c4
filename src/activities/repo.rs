//! SQL of activities. An activity is in a user's scope when its organising unit lies under the
//! scope path, or, for a member unit's activity, when the user is district-wide or that unit's
//! officer: `$1` is the scope path and `$2` the officer's member unit throughout.

pub mod campaigns;
pub mod delivery;
pub mod sessions;
pub mod signups;

use super::model::{ActivityInput, Organiser, Spend};
use crate::web::list::{ListQuery, Listing, Rows, Select, Sorts};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Activity {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub organiser_unit_id: Option<i64>,
    pub organiser_member_unit_id: Option<i64>,
    pub organiser_name: String,
    /// The organising unit's path ("" for a member unit): where its scope is.
    #[serde(skip)]
    pub organiser_path: String,
    #[serde(skip)]
    pub town_name: String,
    pub partners: String,
    pub plan_item_id: Option<i64>,
    #[serde(skip)]
    pub plan_title: Option<String>,
    pub not_in_plan_reason: String,
    pub campaign_id: Option<i64>,
    #[serde(skip)]
    pub campaign_name: Option<String>,
    pub venue_item_id: Option<i64>,
    #[serde(skip)]
    pub venue_name: Option<String>,
    pub address: String,
    pub populations: Vec<String>,
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub series: bool,
    pub status: String,
    pub status_since: NaiveDate,
    pub cancel_reason: String,
    pub report: String,
    pub spend_government: i64,
    pub spend_donation: i64,
    pub spend_learners: i64,
    pub spend_other: i64,
    pub donation_id: Option<i64>,
    #[serde(skip)]
    pub donation_name: Option<String>,
    pub sessions_planned: i32,
    pub sessions_held: i32,
    pub attendance: i32,
    pub participants: i32,
    #[serde(skip)]
    pub is_demo: bool,
    pub version: i32,
    /// Over and not reported, more than 14 days after its last day.
    #[serde(skip)]
    pub overdue: bool,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Activity {
    pub fn organiser(&self) -> Organiser {
        match (self.organiser_unit_id, self.organiser_member_unit_id) {
            (Some(id), _) => Organiser::Unit(id),
            (None, Some(id)) => Organiser::Member(id),
            (None, None) => Organiser::Unit(0),
        }
    }

    pub fn spend(&self) -> Spend {
        Spend {
            government: self.spend_government,
            donation: self.spend_donation,
            learners: self.spend_learners,
            other: self.spend_other,
        }
    }

    pub fn spend_yuan(&self) -> String {
        crate::web::forms::yuan(self.spend().total())
    }

    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn status_label(&self) -> String {
        format!("activity.status.{}", self.status)
    }

    pub fn dates(&self) -> String {
        if self.ends_on == self.starts_on {
            self.starts_on.to_string()
        } else {
            format!("{} – {}", self.starts_on, self.ends_on)
        }
    }

    pub fn year(&self) -> i32 {
        self.starts_on.year()
    }

    pub fn place(&self) -> &str {
        self.venue_name.as_deref().unwrap_or(&self.address)
    }
}

/// The columns of an activity with the names it points to; `$3` is today (China). The names
/// are read by subqueries so that a list's page looks them up for the rows it shows only (the
/// planner evaluates them after the sort and limit), not for every match it counts.
const COLUMNS: &str = "a.id, a.title, a.category, a.organiser_unit_id, a.organiser_member_unit_id,
        coalesce((select u.name from org_unit u where u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id),
                 (select m.name from member_unit m where m.tenant_id = a.tenant_id and m.id = a.organiser_member_unit_id),
                 '') as organiser_name,
        coalesce((select u.path from org_unit u where u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id), '') as organiser_path,
        coalesce((select t.name from org_unit u
                    join org_unit t on t.tenant_id = u.tenant_id
                         and t.id = case when u.kind = 'teaching_point' then u.parent_id else u.id end
                   where u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id), '') as town_name,
        a.partners, a.plan_item_id,
        (select p.title from plan_item p where p.tenant_id = a.tenant_id and p.id = a.plan_item_id) as plan_title,
        a.not_in_plan_reason, a.campaign_id,
        (select c.name from campaign c where c.tenant_id = a.tenant_id and c.id = a.campaign_id) as campaign_name,
        a.venue_item_id,
        (select v.name from resource_item v where v.tenant_id = a.tenant_id and v.id = a.venue_item_id) as venue_name,
        a.address, a.populations, a.capacity, a.starts_on, a.ends_on, a.series, a.status, a.status_since,
        a.cancel_reason, a.report, a.spend_government, a.spend_donation, a.spend_learners, a.spend_other,
        a.donation_id, (select d.donor_name from donation d where d.tenant_id = a.tenant_id and d.id = a.donation_id) as donation_name,
        a.sessions_planned, a.sessions_held, a.attendance,
        a.participants, a.is_demo, a.version,
        (a.status in ('planned', 'held') and a.ends_on < $3::date - 14) as overdue";

/// One activity in scope: see the module's note.
const FROM: &str = "from activity a
    left join org_unit o on o.tenant_id = a.tenant_id and o.id = a.organiser_unit_id
  where (o.path like $1 || '%'
         or (a.organiser_member_unit_id is not null and ($1 = '/' or a.organiser_member_unit_id = $2)))";

/// The list's filters: words in the title or the report ($4), a year ($5) and month ($6) of
/// the first day, a town (its units, $7), an organising unit ($8, or member unit $17: `org`), a category ($9), a key
/// population ($10), a plan item ($11), in the plan or not ($12: 'yes', 'no'), a status ($13),
/// overdue only ($14), a campaign ($15), a donation ($16), a member unit ($17).
///
/// The scope, the town and the organiser become the lists of organisers they allow, read once,
/// and with the year they make the range each organiser's index reads: a town's year is the
/// index entries of its own activities, whatever the district holds. (A `case`, not
/// `coalesce`: row-level security lets only leakproof expressions into an index condition, and
/// PostgreSQL cannot tell that of `coalesce`.)
const LISTED: &str = "from activity a
  where (a.organiser_unit_id = any (array(
             select u.id from org_unit u
              where u.path like $1 || '%' and $17::bigint is null and ($8::bigint is null or u.id = $8)
                and ($7::bigint is null or u.path like (select t.path from org_unit t where t.id = $7) || '%')))
         or a.organiser_member_unit_id = any (array(
             select m.id from member_unit m
              where ($1 = '/' or m.id = $2) and ($17::bigint is null or m.id = $17)
                and $7::bigint is null and $8::bigint is null)))
    and a.starts_on >= case when $5::int is null then '-infinity'::date else make_date($5, 1, 1) end
    and a.starts_on < case when $5::int is null then 'infinity'::date else make_date($5 + 1, 1, 1) end
    and ($4 = '' or a.title like '%' || $4 || '%' or a.report like '%' || $4 || '%')
    and ($6::int is null or extract(month from a.starts_on) = $6)
    and ($9 = '' or a.category = $9)
    and ($10 = '' or $10 = any(a.populations))
    and ($11::bigint is null or a.plan_item_id = $11)
    and (case $12 when 'yes' then a.plan_item_id is not null when 'no' then a.plan_item_id is null else true end)
    and ($13 = '' or a.status = $13)
    and (not $14 or (a.status in ('planned', 'held') and a.ends_on < $3::date - 14))
    and ($15::bigint is null or a.campaign_id = $15)
    and ($16::bigint is null or a.donation_id = $16)";

pub const SORTS: Sorts = Sorts(&[
    ("date", "a.starts_on"),
    ("title", "a.title"),
    ("organiser", "organiser_name"),
    ("status", "a.status"),
    ("participants", "a.participants"),
    (
        "spend",
        "a.spend_government + a.spend_donation + a.spend_learners + a.spend_other",
    ),
]);

/// Whose activities a user sees: a scope path, and a member unit for its officer.
#[derive(Debug, Clone)]
pub struct Scope {
    pub path: String,
    pub member: Option<i64>,
}

/// The activities a user may see, as the page's filters and sort ask for them.
pub struct Activities<'a> {
    pub query: &'a ListQuery,
    pub scope: &'a Scope,
    pub today: NaiveDate,
}

impl Activities<'_> {
    /// The year shown: the one asked for, this year when none is, every year for "all".
    pub fn year(&self) -> Option<i32> {
        match self.query.get("year") {
            "all" => None,
            y => y
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .or(Some(self.today.year())),
        }
    }
}

impl Listing for Activities<'_> {
    type Row = Activity;

    fn total(row: &Activity) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: COLUMNS,
            from: LISTED,
            order: SORTS.order_by(self.query, "a.starts_on desc", "a.id desc"),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        let q = self.query;
        let month = q
            .get("month")
            .parse::<i32>()
            .ok()
            .filter(|m| (1..=12).contains(m));
        let organiser = Organiser::parse(q.get("org"));
        rows.bind(&self.scope.path)
            .bind(self.scope.member)
            .bind(self.today)
            .bind(crate::db::like_literal(q.get("q")))
            .bind(self.year())
            .bind(month)
            .bind(q.id("town"))
            .bind(organiser.and_then(Organiser::unit))
            .bind(q.one_of("category", &super::model::CATEGORIES))
            .bind(q.one_of("population", &super::model::POPULATIONS))
            .bind(q.id("plan"))
            .bind(q.one_of("in_plan", &["yes", "no"]))
            .bind(q.one_of("status", &["planned", "held", "reported", "cancelled"]))
            .bind(q.get("overdue") == "1")
            .bind(q.id("campaign"))
            .bind(q.id("donation"))
            .bind(organiser.and_then(Organiser::member))
    }
}

/// An activity in scope.
pub async fn find(
    conn: &mut PgConnection,
    scope: &Scope,
    today: NaiveDate,
    id: i64,
) -> sqlx::Result<Option<Activity>> {
    sqlx::query_as(&format!("select {COLUMNS} {FROM} and a.id = $4"))
        .bind(&scope.path)
        .bind(scope.member)
        .bind(today)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The activity locked for a change of its sessions, counts or spend, so two such changes
/// never add up from the same figures.
pub async fn lock(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("select 1 from activity where id = $1 for update")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A change of what the activity holds at the version the page showed (its counts); false
/// when someone saved first.
pub async fn bump(conn: &mut PgConnection, id: i64, version: i32) -> sqlx::Result<bool> {
    let done =
        sqlx::query("update activity set version = version + 1 where id = $1 and version = $2")
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// This month's activities and those overdue, in scope, for a town's or a point's home.
pub async fn for_home(
    conn: &mut PgConnection,
    scope: &Scope,
    today: NaiveDate,
) -> sqlx::Result<Vec<Activity>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} {FROM}
            and ((a.starts_on <= $4 and a.ends_on >= date_trunc('month', $3::date) and a.status <> 'cancelled')
                 or (a.status in ('planned', 'held') and a.ends_on < $3::date - 14))
          order by (a.status in ('planned', 'held') and a.ends_on < $3::date - 14) desc, a.starts_on, a.id
          limit 20"
    ))
    .bind(&scope.path)
    .bind(scope.member)
    .bind(today)
    .bind(end_of_month(today))
    .fetch_all(conn)
    .await
}

fn end_of_month(day: NaiveDate) -> NaiveDate {
    let (y, m) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
}

/// A new activity; returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    i: &ActivityInput,
    created_by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into activity (tenant_id, title, category, organiser_unit_id, organiser_member_unit_id, partners,
                plan_item_id, not_in_plan_reason, campaign_id, venue_item_id, address, populations, capacity,
                starts_on, ends_on, series, spend_government, spend_donation, spend_learners, spend_other,
                donation_id, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         returning id",
    )
    .bind(tenant_id)
    .bind(&i.title)
    .bind(&i.category)
    .bind(i.organiser.unit())
    .bind(i.organiser.member())
    .bind(&i.partners)
    .bind(i.plan_item_id)
    .bind(&i.not_in_plan_reason)
    .bind(i.campaign_id)
    .bind(i.venue_item_id)
    .bind(&i.address)
    .bind(&i.populations)
    .bind(i.capacity)
    .bind(i.starts_on)
    .bind(i.ends_on)
    .bind(i.repeat != super::model::Repeat::Once)
    .bind(i.spend.government)
    .bind(i.spend.donation)
    .bind(i.spend.learners)
    .bind(i.spend.other)
    .bind(i.donation_id)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// An edit at the version the form showed; false when someone saved first.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &ActivityInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update activity set title = $3, category = $4, organiser_unit_id = $5, organiser_member_unit_id = $6,
                partners = $7, plan_item_id = $8, not_in_plan_reason = $9, campaign_id = $10, venue_item_id = $11,
                address = $12, populations = $13, capacity = $14, starts_on = $15, ends_on = $16,
                spend_government = $17, spend_donation = $18, spend_learners = $19, spend_other = $20,
                donation_id = $21, version = version + 1
          where id = $1 and version = $2 and status in ('planned', 'held')",
    )
    .bind(id)
    .bind(version)
    .bind(&i.title)
    .bind(&i.category)
    .bind(i.organiser.unit())
    .bind(i.organiser.member())
    .bind(&i.partners)
    .bind(i.plan_item_id)
    .bind(&i.not_in_plan_reason)
    .bind(i.campaign_id)
    .bind(i.venue_item_id)
    .bind(&i.address)
    .bind(&i.populations)
    .bind(i.capacity)
    .bind(i.starts_on)
    .bind(i.ends_on)
    .bind(i.spend.government)
    .bind(i.spend.donation)
    .bind(i.spend.learners)
    .bind(i.spend.other)
    .bind(i.donation_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewEvent<'a> {
    pub activity_id: i64,
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
        "insert into activity_event (tenant_id, activity_id, kind, from_status, to_status, note, actor_name)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(e.activity_id)
    .bind(e.kind)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.note)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub actor_name: String,
}

impl Event {
    pub fn when(&self) -> String {
        crate::web::china_time(self.at)
    }
}

pub async fn events(conn: &mut PgConnection, id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select at, kind, from_status, to_status, note, actor_name from activity_event
          where activity_id = $1 order by at, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

/// Who the user may name as organiser: units in scope and, for the bureau, the member units;
/// for a member unit's officer, that unit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganiserChoice {
    pub key: String,
    pub name: String,
    pub kind: String,
    /// Whose plan items it may deliver besides its own: a teaching point its town school's.
    pub plan_owner: Option<String>,
}

impl OrganiserChoice {
    /// The unit's or member unit's id, as a filter writes it.
    pub fn id(&self) -> &str {
        self.key.get(1..).unwrap_or("")
    }
}

pub async fn organisers(
    conn: &mut PgConnection,
    scope: &Scope,
    with_members: bool,
) -> sqlx::Result<Vec<OrganiserChoice>> {
    sqlx::query_as(
        "select 'u' || id as key, name, kind,
                case when kind = 'teaching_point' then 'u' || parent_id end as plan_owner, code as sort
           from org_unit where path like $1 || '%' and status = 'active'
         union all
         select 'm' || id, name, 'member_unit', null, '~' || code from member_unit
          where active and ($3 or id = $2)
         order by sort",
    )
    .bind(&scope.path)
    .bind(scope.member)
    .bind(with_members)
    .fetch_all(conn)
    .await
}

/// A plan item of an accepted (or not yet accepted) action plan: whose and which December.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanChoice {
    pub id: i64,
    pub title: String,
    pub organiser: String,
    pub organiser_name: String,
    /// The December it was filed in; it plans the year after.
    pub cycle_year: i32,
    pub accepted: bool,
    pub period: String,
}

const PLAN_CHOICE: &str = "select pi.id, pi.title,
        case when s.org_unit_id is not null then 'u' || s.org_unit_id else 'm' || s.member_unit_id end as organiser,
        coalesce(u.name, m.name, '') as organiser_name, rc.year as cycle_year, s.status = 'accepted' as accepted,
        pi.period
   from plan_item pi
   join submission s on s.tenant_id = pi.tenant_id and s.id = pi.submission_id
   join reporting_cycle rc on rc.tenant_id = s.tenant_id and rc.id = s.cycle_id
   left join org_unit u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
   left join member_unit m on m.tenant_id = s.tenant_id and m.id = s.member_unit_id";

/// The accepted plan items the user's organisers deliver, for the plans of `years` (cycle
/// years), by organiser and title.
pub async fn plan_choices(
    conn: &mut PgConnection,
    organisers: &[String],
    cycle_years: &[i32],
) -> sqlx::Result<Vec<PlanChoice>> {
    sqlx::query_as(&format!(
        "{PLAN_CHOICE}
          where s.status = 'accepted' and rc.year = any($2)
            and (case when s.org_unit_id is not null then 'u' || s.org_unit_id else 'm' || s.member_unit_id end) = any($1)
          order by rc.year desc, organiser_name, pi.id"
    ))
    .bind(organisers)
    .bind(cycle_years)
    .fetch_all(conn)
    .await
}

/// Any plan item of the district, to check a choice against.
pub async fn plan_item(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<PlanChoice>> {
    sqlx::query_as(&format!("{PLAN_CHOICE} where pi.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// An id and a name to choose.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The venues of the latest published resource inventory.
pub async fn venues(conn: &mut PgConnection) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select item_id as id, name || '（' || filer_name || '）' as name from catalogue_resource
          where category = 'venue'
            and year = (select max(year) from reporting_cycle where status = 'published')
          order by filer_rank, name",
    )
    .fetch_all(conn)
    .await
}

/// Campaigns still running or recent, to tag an activity with.
pub async fn campaign_choices(conn: &mut PgConnection, since: i32) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select id, year || ' ' || name as name from campaign where year >= $1 order by year desc, starts_on, id",
    )
    .bind(since)
    .fetch_all(conn)
    .await
}

/// Donations to pay from, with what is left of each.
pub async fn donation_choices(conn: &mut PgConnection, since: i32) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select d.id, d.donor_name || ' · ' || d.received_on || ' · ' ||
                ((d.amount - coalesce((select sum(a.spend_donation) from activity a
                                        where a.tenant_id = d.tenant_id and a.donation_id = d.id
                                          and a.status <> 'cancelled'), 0)) / 100) || ' 元可用' as name
           from donation d where extract(year from d.received_on) >= $1
          order by d.received_on desc, d.id",
    )
    .bind(since)
    .fetch_all(conn)
    .await
}

/// A donation's amount and what activities other than `except` spend of it, the donation
/// locked so two spends never both fit in what is left.
///
/// Two statements: a statement that waited for the lock still reads with the snapshot it
/// started with, so a sum in the locking statement would miss the spend of the transaction it
/// waited for. The sum after it sees that spend committed.
pub async fn donation_room(
    conn: &mut PgConnection,
    donation_id: i64,
    except: Option<i64>,
) -> sqlx::Result<Option<(i64, i64)>> {
    let Some(amount) =
        sqlx::query_scalar::<_, i64>("select amount from donation where id = $1 for update")
            .bind(donation_id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let used: i64 = sqlx::query_scalar(
        "select coalesce(sum(spend_donation), 0)::bigint from activity
          where donation_id = $1 and status <> 'cancelled' and id is distinct from $2",
    )
    .bind(donation_id)
    .bind(except)
    .fetch_one(conn)
    .await?;
    Ok(Some((amount, used)))
}
