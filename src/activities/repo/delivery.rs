//! SQL of delivery against the plan: the totals each organiser's year keeps per plan item
//! (`delivery_total`, rewritten whenever one of its activities changes), and the pages that
//! read them — a unit's plan items with what delivered them, and the roll-up of a town or the
//! district.

use crate::activities::model::Organiser;
use sqlx::PgConnection;

/// The key populations an organiser's totals keep: the evaluation's indicators 7.1 and 7.2.
const POPULATION_COLUMNS: &str = "elderly, youth, rural, left_behind, disabled";
/// One activity's participants of each of them, from its counts (`p`).
const BY_POPULATION: &str = "sum(p.count) filter (where p.population = 'elderly') as elderly,
    sum(p.count) filter (where p.population = 'youth_after_school') as youth,
    sum(p.count) filter (where p.population = 'rural') as rural,
    sum(p.count) filter (where p.population in ('left_behind_women', 'left_behind_children', 'left_behind_elderly')) as left_behind,
    sum(p.count) filter (where p.population = 'disabled') as disabled";
/// Their totals over the held activities of a group.
const POPULATION_SUMS: &str =
    "coalesce(sum(p.elderly) filter (where a.status in ('held', 'reported')), 0),
    coalesce(sum(p.youth) filter (where a.status in ('held', 'reported')), 0),
    coalesce(sum(p.rural) filter (where a.status in ('held', 'reported')), 0),
    coalesce(sum(p.left_behind) filter (where a.status in ('held', 'reported')), 0),
    coalesce(sum(p.disabled) filter (where a.status in ('held', 'reported')), 0)";

/// Rewrites the totals of `organiser`'s `year` from its activities: a few dozen rows, read by
/// the organiser's index. Called after every change that moves an activity's figures, for the
/// year and organiser it had before as well as after ([`refresh_each`]).
///
/// One rewrite of an organiser's year at a time: two at once would each delete the rows the
/// other could not yet see and insert the same keys (a unique violation for the second).
pub async fn refresh(
    conn: &mut PgConnection,
    tenant_id: i64,
    year: i32,
    organiser: Organiser,
) -> sqlx::Result<()> {
    let key = format!("delivery:{tenant_id}:{year}:{}", organiser.key());
    crate::db::lock_key(&mut *conn, &key).await?;
    let unit = organiser.unit().unwrap_or(0);
    let member = organiser.member().unwrap_or(0);
    sqlx::query(
        "delete from delivery_total
          where year = $1 and organiser_unit_id = $2 and organiser_member_unit_id = $3",
    )
    .bind(year)
    .bind(unit)
    .bind(member)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "insert into delivery_total (tenant_id, year, organiser_unit_id, organiser_member_unit_id, plan_item_id,
                activities, held, cancelled, sessions_held, participants,
                spend_government, spend_donation, spend_learners, spend_other, {POPULATION_COLUMNS})
         select $4, $1, $2, $3, coalesce(a.plan_item_id, 0), count(*),
                count(*) filter (where a.status in ('held', 'reported')),
                count(*) filter (where a.status = 'cancelled'),
                coalesce(sum(a.sessions_held) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.participants) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_government) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_donation) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_learners) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_other) filter (where a.status in ('held', 'reported')), 0),
                {POPULATION_SUMS}
           from activity a
           left join (select p.activity_id, {BY_POPULATION} from activity_participation p
                       where p.tenant_id = $4
                         and p.activity_id in (select a.id from activity a
                                                where a.tenant_id = $4
                                                  and (a.organiser_unit_id = nullif($2, 0) or a.organiser_member_unit_id = nullif($3, 0))
                                                  and a.starts_on >= make_date($1, 1, 1) and a.starts_on < make_date($1 + 1, 1, 1))
                       group by p.activity_id) p on p.activity_id = a.id
          where a.tenant_id = $4 and (a.organiser_unit_id = nullif($2, 0) or a.organiser_member_unit_id = nullif($3, 0))
            and a.starts_on >= make_date($1, 1, 1) and a.starts_on < make_date($1 + 1, 1, 1)
          group by coalesce(a.plan_item_id, 0)",
    ))
    .bind(year)
    .bind(unit)
    .bind(member)
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// [`refresh`] for each of `years` (an activity's organiser and year before and after an edit),
/// always in the same order, so that two edits moving activities between the same two never
/// wait for each other's lock.
pub async fn refresh_each(
    conn: &mut PgConnection,
    tenant_id: i64,
    mut years: Vec<(i32, Organiser)>,
) -> sqlx::Result<()> {
    years.sort();
    years.dedup();
    for (year, organiser) in years {
        refresh(&mut *conn, tenant_id, year, organiser).await?;
    }
    Ok(())
}

/// What a set of activities delivered, as the roll-ups add it.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Figures {
    pub activities: i64,
    pub held: i64,
    pub sessions_held: i64,
    pub participants: i64,
    pub spend_government: i64,
    pub spend_donation: i64,
    pub spend_learners: i64,
    pub spend_other: i64,
}

impl Figures {
    pub fn spend(&self) -> [i64; 4] {
        [
            self.spend_government,
            self.spend_donation,
            self.spend_learners,
            self.spend_other,
        ]
    }

    pub fn spend_total(&self) -> i64 {
        self.spend().iter().sum()
    }

    pub fn spend_yuan(&self) -> String {
        crate::web::forms::yuan(self.spend_total())
    }
}

/// A plan item of a unit's year with what delivered it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemDelivery {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub period: String,
    pub participants_planned: Option<i32>,
    pub budget_government: i64,
    pub budget_donation: i64,
    pub budget_learners: i64,
    pub budget_other: i64,
    #[sqlx(flatten)]
    pub done: Figures,
}

impl ItemDelivery {
    pub fn budget(&self) -> [i64; 4] {
        [
            self.budget_government,
            self.budget_donation,
            self.budget_learners,
            self.budget_other,
        ]
    }

    pub fn budget_total(&self) -> i64 {
        self.budget().iter().sum()
    }

    /// Spent against budgeted, in yuan, for each channel that has either (by its label's key).
    pub fn channels(&self) -> Vec<(&'static str, String, String)> {
        let spent = self.done.spend();
        crate::activities::model::Spend::LABELS
            .iter()
            .zip(self.budget())
            .zip(spent)
            .filter(|((_, b), s)| *b > 0 || *s > 0)
            .map(|((ch, b), s)| (*ch, crate::web::forms::yuan(s), crate::web::forms::yuan(b)))
            .collect()
    }

    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn period_label(&self) -> String {
        format!("period.{}", self.period)
    }
}

const FIGURES: &str = "coalesce(sum(t.activities), 0)::bigint as activities,
        coalesce(sum(t.held), 0)::bigint as held,
        coalesce(sum(t.sessions_held), 0)::bigint as sessions_held,
        coalesce(sum(t.participants), 0)::bigint as participants,
        coalesce(sum(t.spend_government), 0)::bigint as spend_government,
        coalesce(sum(t.spend_donation), 0)::bigint as spend_donation,
        coalesce(sum(t.spend_learners), 0)::bigint as spend_learners,
        coalesce(sum(t.spend_other), 0)::bigint as spend_other";

/// The items of `organiser`'s accepted plan for `year` (filed the December before), each with
/// what delivered it.
pub async fn items(
    conn: &mut PgConnection,
    organiser: Organiser,
    year: i32,
) -> sqlx::Result<Vec<ItemDelivery>> {
    sqlx::query_as(&format!(
        "select pi.id, pi.title, pi.category, pi.period, pi.participants as participants_planned,
                pi.budget_government, pi.budget_donation, pi.budget_learners, pi.budget_other, {FIGURES}
           from submission s
           join reporting_cycle rc on rc.tenant_id = s.tenant_id and rc.id = s.cycle_id and rc.year = $3 - 1
           join plan_item pi on pi.tenant_id = s.tenant_id and pi.submission_id = s.id
           left join delivery_total t on t.tenant_id = pi.tenant_id and t.year = $3 and t.plan_item_id = pi.id
          where s.status = 'accepted' and (s.org_unit_id = $1 or s.member_unit_id = $2)
          group by pi.tenant_id, pi.id order by pi.period, pi.id"
    ))
    .bind(organiser.unit())
    .bind(organiser.member())
    .bind(year)
    .fetch_all(conn)
    .await
}

/// What `organiser` delivered in `year` outside its plan.
pub async fn outside(
    conn: &mut PgConnection,
    organiser: Organiser,
    year: i32,
) -> sqlx::Result<Figures> {
    sqlx::query_as(&format!(
        "select {FIGURES} from delivery_total t
          where t.year = $3 and t.plan_item_id = 0
            and t.organiser_unit_id = coalesce($1::bigint, 0) and t.organiser_member_unit_id = coalesce($2::bigint, 0)"
    ))
    .bind(organiser.unit())
    .bind(organiser.member())
    .bind(year)
    .fetch_one(conn)
    .await
}

/// One unit's line of a roll-up: its plan's size and budget, how many of its items something
/// delivered, and what it delivered in and outside the plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitLine {
    /// `u12` or `m3`.
    pub organiser: String,
    pub name: String,
    pub kind: String,
    /// The town school a unit belongs to (itself for a town school), 0 for the college and
    /// member units.
    pub town_id: i64,
    pub town_name: String,
    pub has_plan: bool,
    pub items: i64,
    pub items_delivered: i64,
    pub budget: i64,
    pub held_in_plan: i64,
    pub held_outside: i64,
    pub sessions_held: i64,
    pub participants: i64,
    pub spend: i64,
    pub channels: i32,
}

impl UnitLine {
    pub fn share(&self) -> i64 {
        crate::activities::model::share(self.items_delivered, self.items)
    }

    pub fn href(&self, year: i32) -> String {
        let (kind, id) = self.organiser.split_at(1);
        format!("/delivery/{kind}/{id}?year={year}")
    }
}

/// Every unit under `path` (and, with `members`, every member unit) with its line for `year`,
/// in the network's order: a few statements' worth of rows a unit, whatever the activities.
pub async fn lines(
    conn: &mut PgConnection,
    path: &str,
    members: bool,
    year: i32,
) -> sqlx::Result<Vec<UnitLine>> {
    sqlx::query_as(
        "with filers as (
            select 'u' || u.id as organiser, u.id as unit_id, 0::bigint as member_id, u.name, u.kind, u.code as sort,
                   case u.kind when 'teaching_point' then u.parent_id when 'town_school' then u.id else 0 end as town_id
              from org_unit u where u.path like $1 || '%' and u.status = 'active'
            union all
            select 'm' || m.id, 0, m.id, m.name, 'member_unit', '~' || m.code, 0
              from member_unit m where $2 and m.active
         ),
         -- An item counts as delivered for the unit whose plan it is, whoever held it (a
         -- teaching point delivers its town school's items too): the year's plans and the
         -- year's totals, each read once.
         plans as (
            select coalesce(s.org_unit_id, 0) as unit_id, coalesce(s.member_unit_id, 0) as member_id,
                   count(pi.id) as items, count(dt.plan_item_id) as items_delivered,
                   coalesce(sum(pi.budget_government + pi.budget_donation + pi.budget_learners + pi.budget_other), 0)::bigint as budget
              from submission s
              join reporting_cycle rc on rc.tenant_id = s.tenant_id and rc.id = s.cycle_id and rc.year = $3 - 1
              left join plan_item pi on pi.tenant_id = s.tenant_id and pi.submission_id = s.id
              left join (select distinct t.plan_item_id from delivery_total t where t.year = $3 and t.held > 0) dt
                     on dt.plan_item_id = pi.id
             where s.status = 'accepted'
             group by 1, 2
         ),
         done as (
            select t.organiser_unit_id as unit_id, t.organiser_member_unit_id as member_id,
                   coalesce(sum(t.held) filter (where t.plan_item_id <> 0), 0)::bigint as held_in_plan,
                   coalesce(sum(t.held) filter (where t.plan_item_id = 0), 0)::bigint as held_outside,
                   sum(t.sessions_held)::bigint as sessions_held, sum(t.participants)::bigint as participants,
                   sum(t.spend_government + t.spend_donation + t.spend_learners + t.spend_other)::bigint as spend,
                   ((sum(t.spend_government) > 0)::int + (sum(t.spend_donation) > 0)::int
                    + (sum(t.spend_learners) > 0)::int + (sum(t.spend_other) > 0)::int) as channels
              from delivery_total t where t.year = $3
             group by 1, 2
         )
         select f.organiser, f.name, f.kind, f.town_id, coalesce(tu.name, '') as town_name,
                p.unit_id is not null as has_plan, coalesce(p.items, 0) as items,
                coalesce(p.items_delivered, 0) as items_delivered, coalesce(p.budget, 0) as budget,
                coalesce(d.held_in_plan, 0) as held_in_plan, coalesce(d.held_outside, 0) as held_outside,
                coalesce(d.sessions_held, 0) as sessions_held, coalesce(d.participants, 0) as participants,
                coalesce(d.spend, 0) as spend, coalesce(d.channels, 0) as channels
           from filers f
           left join org_unit tu on tu.id = f.town_id
           left join plans p on p.unit_id = f.unit_id and p.member_id = f.member_id
           left join done d on d.unit_id = f.unit_id and d.member_id = f.member_id
          order by f.sort",
    )
    .bind(path)
    .bind(members)
    .bind(year)
    .fetch_all(conn)
    .await
}

/// An activity on a unit's delivery page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivered {
    pub id: i64,
    pub title: String,
    pub plan_item_id: Option<i64>,
    pub starts_on: chrono::NaiveDate,
    pub status: String,
    pub sessions_held: i32,
    pub participants: i32,
}

impl Delivered {
    pub fn status_label(&self) -> String {
        format!("activity.status.{}", self.status)
    }
}

/// The activities of `organiser`'s year and those delivering its plan `items` (held by its
/// teaching points), for its delivery page.
pub async fn activities_of(
    conn: &mut PgConnection,
    organiser: Organiser,
    year: i32,
    items: &[i64],
) -> sqlx::Result<Vec<Delivered>> {
    sqlx::query_as(
        "select id, title, plan_item_id, starts_on, status, sessions_held, participants from activity
          where (organiser_unit_id = $1 or organiser_member_unit_id = $2 or plan_item_id = any($4))
            and starts_on >= make_date($3, 1, 1) and starts_on < make_date($3 + 1, 1, 1)
          order by starts_on, id limit 1000",
    )
    .bind(organiser.unit())
    .bind(organiser.member())
    .bind(year)
    .bind(items)
    .fetch_all(conn)
    .await
}

/// Last year's delivery of each plan item of a December list being filed: for carrying an
/// item forward, what it delivered (by the item it was carried from, matched by title).
pub async fn last_year_by_title(
    conn: &mut PgConnection,
    organiser: Organiser,
    year: i32,
) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    sqlx::query_as(
        "select pi.title, coalesce(sum(t.held), 0)::bigint, coalesce(sum(t.sessions_held), 0)::bigint,
                coalesce(sum(t.participants), 0)::bigint
           from submission s
           join reporting_cycle rc on rc.tenant_id = s.tenant_id and rc.id = s.cycle_id and rc.year = $3 - 1
           join plan_item pi on pi.tenant_id = s.tenant_id and pi.submission_id = s.id
           left join delivery_total t on t.tenant_id = pi.tenant_id and t.year = $3 and t.plan_item_id = pi.id
          where s.status = 'accepted' and (s.org_unit_id = $1 or s.member_unit_id = $2)
          group by pi.id, pi.title",
    )
    .bind(organiser.unit())
    .bind(organiser.member())
    .bind(year)
    .fetch_all(conn)
    .await
}

/// The organiser's name when it is in the user's scope.
pub async fn organiser_name(
    conn: &mut PgConnection,
    organiser: Organiser,
    scope: &super::Scope,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "select name from org_unit where id = $1 and path like $3 || '%'
         union all
         select name from member_unit where id = $2 and ($3 = '/' or id = $4)",
    )
    .bind(organiser.unit())
    .bind(organiser.member())
    .bind(&scope.path)
    .bind(scope.member)
    .fetch_optional(conn)
    .await
}

/// Every activity's figures and every organiser's totals of a district written again from its
/// sessions and counts, set-based: for the demo and the province-scale generator, which fill
/// activities in bulk. (Requests keep them one activity at a time.)
pub async fn rebuild(conn: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "update activity a set sessions_planned = s.planned, sessions_held = s.held, attendance = s.attendance
           from (select activity_id,
                        count(*) filter (where status <> 'cancelled')::int as planned,
                        count(*) filter (where status = 'held')::int as held,
                        coalesce(sum(coalesce(attendance, 0) + walk_ins) filter (where status = 'held'), 0)::int as attendance
                   from activity_session where tenant_id = $1 group by activity_id) s
          where a.tenant_id = $1 and a.id = s.activity_id",
    )
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update activity a set participants = p.n
           from (select activity_id, sum(count)::int as n from activity_participation
                  where tenant_id = $1 group by activity_id) p
          where a.tenant_id = $1 and a.id = p.activity_id",
    )
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    totals(conn, tenant_id).await
}

/// Every organiser's totals of a district written again from its activities' figures, one
/// statement: `rebuild`'s last step, and the province-scale generator's, whose activities carry
/// their figures from the start.
pub async fn totals(conn: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    sqlx::query("delete from delivery_total where tenant_id = $1")
        .bind(tenant_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!(
        "insert into delivery_total (tenant_id, year, organiser_unit_id, organiser_member_unit_id, plan_item_id,
                activities, held, cancelled, sessions_held, participants,
                spend_government, spend_donation, spend_learners, spend_other, {POPULATION_COLUMNS})
         select $1, extract(year from a.starts_on)::int, coalesce(a.organiser_unit_id, 0),
                coalesce(a.organiser_member_unit_id, 0), coalesce(a.plan_item_id, 0), count(*),
                count(*) filter (where a.status in ('held', 'reported')),
                count(*) filter (where a.status = 'cancelled'),
                coalesce(sum(a.sessions_held) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.participants) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_government) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_donation) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_learners) filter (where a.status in ('held', 'reported')), 0),
                coalesce(sum(a.spend_other) filter (where a.status in ('held', 'reported')), 0),
                {POPULATION_SUMS}
           from activity a
           left join (select p.activity_id, {BY_POPULATION} from activity_participation p
                       where p.tenant_id = $1 group by p.activity_id) p on p.activity_id = a.id
          where a.tenant_id = $1
          group by 2, 3, 4, 5",
    ))
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}
