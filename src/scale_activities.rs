//! Province-scale activities for a synthetic district (`cedu demo --scale N`): about 50 a
//! unit a year for the ten years its published plans cover (a plan filed in December `y` is
//! delivered in `y + 1`), most delivering an item of the unit's accepted plan (a teaching
//! point's sometimes its town school's), some outside the plan with a reason, some cancelled,
//! a fifth in several sessions (weekly classes of 4–16 weeks, two-day trainings); their
//! sessions with attendance, participants by key population, spending by channel, the people
//! of the registry who teach the weekly classes and each activity's steps; a lifelong-learning
//! week a year with activities tagged to it, and three donations a year that some activities
//! spend. Set-based: one statement a table, over temporary tables that draw every activity
//! once, so that its figures (sessions, attendance, participants) are written with it and
//! `delivery_total` is added up from them by `activities::repo::delivery::totals`, as
//! requests keep it. One activity in 25 is on the residents' calendar, and its sessions of the
//! last year have residents' sign-ups (a waitlist, places given back, check-ins); the head
//! counts stay the sessions' attendance.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// Activities a unit holds in a year.
pub const PER_UNIT: i32 = 50;

/// The day the generated activities stand at, whatever day the generator runs, so that a seed
/// gives the same districts: sessions before it are held, activities after it planned.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// `$1` the district, `$2` the seed's key, `$3` activities a unit a year, `$4` [`as_of`].
const STEPS: &[&str] = &[
    // The district's units, plans and registry were written in this transaction: without
    // statistics the planner takes them for empty and joins them row by row.
    "analyze org_unit, member_unit, reporting_cycle, submission, plan_item, resource_item, educator, educator_unit",
    // The lifelong-learning week, a week after the national one opens, every year.
    "insert into campaign (tenant_id, kind, name, year, theme, starts_on, ends_on, national_starts_on, national_ends_on)
     select $1, 'learning_week', y || '年全民终身学习活动周',  y,
            (array['终身学习 人人皆学','学习成就美好生活','全民学习 共建共享','技能创造未来'])[1 + abs(hashtext($2 || '/w/' || y)) % 4],
            n + 7, n + 13, n, n + 6
       from generate_series(2017, 2026) y,
            lateral (select make_date(y, 10, 20) + abs(hashtext($2 || '/n/' || y)) % 14 as n) national",
    // Three donations a year, received in January; one donor in five asked not to be named.
    "insert into donation (tenant_id, donor_kind, donor_name, named_publicly, amount, received_on, stated_use)
     select $1, (array['company','organisation','person'])[k], '模拟捐赠方' || y || '-' || k,
            abs(hashtext($2 || '/g/' || y || k)) % 5 <> 0, 100 * (80000 + abs(hashtext($2 || '/ga/' || y || k)) % 120000),
            make_date(y, 1, 4 + 7 * k), '社区教育活动'
       from generate_series(2017, 2026) y, generate_series(1, 3) k",
    "insert into donation_disclosure (tenant_id, year, published_on, published_by)
     select $1, y, make_date(y + 1, 1, 31), 'sim' from generate_series(2017, 2025) y",
    // Every activity drawn once: who, which year, its number n in that year, and two
    // pseudo-random numbers h and h2 whose digits decide the rest.
    "create temporary table sim_activity on commit drop as
     with organiser as (
        select u.id as unit_id, null::bigint as member_id, u.code, u.kind,
               case when u.kind = 'teaching_point' then 'u' || u.parent_id else 'u' || u.id end as town_owner,
               'u' || u.id as owner, coalesce(nullif(u.village, ''), nullif(u.area, ''), '') as label,
               coalesce(nullif(u.area, ''), u.name) || coalesce(nullif(u.village, ''), '') as place
          from org_unit u where u.tenant_id = $1 and u.status = 'active'
        union all
        select null, m.id, m.code, 'member_unit', 'm' || m.id, 'm' || m.id, '', m.name
          from member_unit m where m.tenant_id = $1 and m.active
     ),
     -- The accepted plans' items by whose plan they are, the year they plan and their number.
     plan as (
        select coalesce('u' || s.org_unit_id, 'm' || s.member_unit_id) as owner, c.year + 1 as year,
               row_number() over (partition by s.id order by pi.title) as g, pi.id, pi.category, pi.period
          from submission s
          join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
          join plan_item pi on pi.tenant_id = s.tenant_id and pi.submission_id = s.id
         where s.tenant_id = $1 and s.status = 'accepted'
     ),
     venue as (
        select distinct on (s.org_unit_id, c.year) 'u' || s.org_unit_id as owner, c.year + 1 as year, i.id
          from resource_item i
          join submission s on s.tenant_id = i.tenant_id and s.id = i.submission_id and s.status = 'accepted'
          join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
         where i.tenant_id = $1 and i.category = 'venue' and s.org_unit_id is not null
         order by s.org_unit_id, c.year, i.name
     ),
     gift as (
        select id, extract(year from received_on)::int as year,
               row_number() over (partition by extract(year from received_on) order by donor_name) as k
          from donation where tenant_id = $1
     ),
     -- Materialized: inlined, each use of h and h2 below would hash the key again (3.5 times
     -- slower).
     drawn as materialized (
        select o.*, y as year, n,
               abs(hashtext($2 || '/a/' || o.code || '/' || y || '/' || n)::bigint) as h,
               abs(hashtext($2 || '/b/' || o.code || '/' || y || '/' || n)::bigint) as h2
          from organiser o, generate_series(2017, 2026) y, generate_series(1, $3) n
     ),
     -- Its plan item (six in seven; a teaching point's one in three its town school's), the
     -- learning week (every unit's first activity of the year, a third of the points'), and
     -- how many sessions: one, two days running (one in five), or weekly for 4–16 weeks (one
     -- in five).
     placed as (
        select d.*, p.id as plan_item_id, p.category as plan_category, coalesce(p.period, 'Y') as period,
               w.id as campaign_id, w.starts_on as week_starts,
               w.id is null and (d.h / 840) % 5 = 0 as weekly,
               case when w.id is not null then 1 when (d.h / 840) % 5 = 0 then 4 + (d.h2 % 13)::int
                    when d.h2 % 5 = 0 then 2 else 1 end as sessions
          from drawn d
          left join plan p on (d.h / 20) % 7 <> 0 and p.year = d.year and p.g = 1 + (d.h / 420) % 2
               and p.owner = case when d.kind = 'teaching_point' and (d.h / 140) % 3 = 0 then d.town_owner else d.owner end
          left join campaign w on w.tenant_id = $1 and w.kind = 'learning_week' and w.year = d.year
               and d.n = 1 and (d.kind <> 'teaching_point' or d.h2 % 3 = 0)
     ),
     -- In the learning week, in its plan item's quarter, or any time of the year, ending by
     -- the year's end.
     dated as (
        select p.*, starts_on, starts_on + span as ends_on, span
          from placed p,
               lateral (select case when p.weekly then 7 * (p.sessions - 1) else p.sessions - 1 end as span) s,
               lateral (select least(case when p.week_starts is not null then p.week_starts + ((p.h2 / 13) % 7)::int
                                          when p.period like 'Q%' then make_date(p.year, 3 * substr(p.period, 2)::int - 2, 1) + ((p.h2 / 13) % 85)::int
                                          else make_date(p.year, 1, 1) + ((p.h2 / 13) % 360)::int end,
                                     make_date(p.year, 12, 31) - s.span) as starts_on) d
     ),
     -- One in twenty cancelled; held and reported (one in fifty of those long over, and two in
     -- five of those over within two months, still waiting for the report); held while
     -- running; planned when it starts after the day the data stand at.
     stood as (
        select d.*, case when d.h % 20 = 0 then 'cancelled' when d.starts_on >= $4 then 'planned'
                         when d.ends_on >= $4 then 'held'
                         when d.ends_on < $4::date - 60 then case when d.h2 % 50 = 0 then 'held' else 'reported' end
                         when d.h2 % 5 < 2 then 'held' else 'reported' end as status
          from dated d
     )
     select nextval((select pg_get_serial_sequence('activity', 'id'))::regclass) as id,
            s.unit_id, s.member_id, s.year, s.n, s.h, s.h2, s.plan_item_id, s.campaign_id, s.weekly, s.sessions,
            s.starts_on, s.ends_on, s.status,
            coalesce(s.plan_category, (array['elderly','youth','rural_skills','employment','modern_life','reading','science',
                                               'health','culture','other'])[1 + (s.h2 / 31) % 10]) as category,
            case when s.plan_item_id is null
                 then (array['应上级部门要求开展','配合镇（街道）中心工作','群众临时提出需求','合作单位邀请合办'])[1 + (s.h2 / 41) % 4]
                 else '' end as not_in_plan_reason,
            case when s.h2 % 3 = 0 then v.id end as venue_item_id, s.place || '模拟活动地点' as address, s.label,
            (array[pop[1 + o], pop[1 + (o + 3) % 8], pop[1 + (o + 5) % 8]])[1:1 + (s.h2 / 37) % 3] as populations,
            20 + (s.h2 / 29) % 9 * 10 as capacity,
            15 + (s.h2 / 43) % 45 as base,
            case when s.status not in ('held', 'reported') then 0
                 else 100 * (100 + (s.h2 / 7) % 1900) * (case when s.weekly then 3 else 1 end) end as spend_government,
            case when s.status in ('held', 'reported') and (s.h / 3360) % 40 = 3 and s.starts_on >= make_date(s.year, 2, 1)
                 then 100 * (100 + (s.h2 / 19) % 500) else 0 end as spend_donation,
            case when s.status in ('held', 'reported') and (s.h / 3360) % 4 = 0 then 100 * (20 + (s.h2 / 11) % 480) else 0 end as spend_learners,
            case when s.status in ('held', 'reported') and (s.h / 3360) % 9 = 1 then 100 * (50 + (s.h2 / 17) % 950) else 0 end as spend_other,
            g.id as gift_id
       from stood s
       cross join (select array['elderly','youth_after_school','rural','left_behind_women','left_behind_children',
                                'left_behind_elderly','disabled','all'] as pop) p
       cross join lateral (select ((s.h / 1680) % 8)::int as o) r
       left join venue v on v.owner = s.owner and v.year = s.year
       left join gift g on g.year = s.year and g.k = 1 + (s.h2 / 23) % 3",
    "analyze sim_activity",
    // Its sessions: a weekly class now and then missed a week; attendance varies a little.
    "create temporary table sim_session on commit drop as
     select a.id as activity_id, a.starts_on + k * (case when a.weekly then 7 else 1 end) as held_on, k,
            case when a.status = 'cancelled' then 'cancelled'
                 when a.starts_on + k * (case when a.weekly then 7 else 1 end) >= $4 then 'scheduled'
                 when a.weekly and k > 0 and (a.h2 + k) % 15 = 0 then 'cancelled'
                 else 'held' end as status,
            a.base - (k * 7 + a.n) % 6 as attendance, (k + a.n) % 3 as walk_ins
       from sim_activity a, generate_series(0, a.sessions - 1) k",
    // Participants by key population, for what was held: the first population most of them.
    "create temporary table sim_participation on commit drop as
     select a.id as activity_id, x.population, x.count
       from sim_activity a,
            lateral (select a.base + (case when a.weekly then a.base / 3 else 0 end) as total) t,
            lateral (select case cardinality(a.populations) when 2 then t.total * 3 / 10 when 3 then t.total / 4 else 0 end as second,
                            case cardinality(a.populations) when 3 then t.total * 15 / 100 else 0 end as third) c,
            unnest(a.populations, array[t.total - c.second - c.third, c.second, c.third]) as x(population, count)
      where a.status in ('held', 'reported') and x.population is not null",
    "analyze sim_session",
    "analyze sim_participation",
    "insert into activity (tenant_id, id, title, category, organiser_unit_id, organiser_member_unit_id, plan_item_id,
            not_in_plan_reason, campaign_id, venue_item_id, address, populations, capacity, starts_on, ends_on, series,
            status, status_since, cancel_reason, report, spend_government, spend_donation, spend_learners, spend_other,
            donation_id, sessions_planned, sessions_held, attendance, participants, is_demo, created_by, created_at, updated_at,
            public)
     overriding system value
     select $1, a.id,
            (array['老年人智能手机培训','“四点半课堂”','农业实用技术培训','就业技能培训','文明生活讲座','读书分享会','科普讲座',
                   '健康讲座','文化艺术活动','社区教育活动'])[array_position(array['elderly','youth','rural_skills','employment',
                   'modern_life','reading','science','health','culture','other'], a.category)]
              || '（' || a.label || '第' || a.n || '期）',
            a.category, a.unit_id, a.member_id, a.plan_item_id, a.not_in_plan_reason, a.campaign_id, a.venue_item_id,
            a.address, a.populations, a.capacity, a.starts_on, a.ends_on, a.sessions > 1, a.status,
            case a.status when 'planned' then a.starts_on - 30 when 'cancelled' then a.starts_on - 1 - (a.h2 % 10)::int
                          when 'held' then a.starts_on else least(a.ends_on + (a.h2 % 14)::int, $4::date - 1) end,
            case when a.status = 'cancelled' then (array['天气原因，改期另行通知','场地临时占用','报名人数不足'])[1 + a.h2 % 3] else '' end,
            case when a.status = 'reported'
                 then (array['活动按计划完成，参与群众反响良好。','邀请专业教师授课，学员掌握了基本技能。',
                             '结合本地实际开展，群众参与积极，建议常态化举办。','志愿者全程参与服务，活动秩序良好。'])[1 + a.h2 % 4]
                 else '' end,
            a.spend_government, a.spend_donation, a.spend_learners, a.spend_other,
            case when a.spend_donation > 0 then a.gift_id end,
            coalesce(s.planned, 0), coalesce(s.held, 0), coalesce(s.attendance, 0), coalesce(p.participants, 0),
            true, 'sim', (a.starts_on - 30)::timestamptz, (a.starts_on - 30)::timestamptz,
            -- One activity in 25 is published to the residents' calendar and takes sign-ups.
            a.status <> 'cancelled' and (a.h2 / 31) % 25 = 0
       from sim_activity a
       left join (select activity_id, count(*) filter (where status <> 'cancelled')::int as planned,
                         count(*) filter (where status = 'held')::int as held,
                         coalesce(sum(attendance + walk_ins) filter (where status = 'held'), 0)::int as attendance
                    from sim_session group by activity_id) s on s.activity_id = a.id
       left join (select activity_id, sum(count)::int as participants from sim_participation group by activity_id) p
              on p.activity_id = a.id",
    "insert into activity_session (tenant_id, activity_id, held_on, starts_at, ends_at, status, attendance, walk_ins)
     select $1, s.activity_id, s.held_on,
            case when a.weekly then time '16:30' when a.h2 % 2 = 0 then time '09:00' else time '14:30' end,
            case when a.weekly then time '18:00' when a.h2 % 2 = 0 then time '11:00' else time '16:30' end,
            s.status, case when s.status = 'held' then s.attendance end, case when s.status = 'held' then s.walk_ins else 0 end
       from sim_session s join sim_activity a on a.id = s.activity_id",
    "insert into activity_participation (tenant_id, activity_id, population, count)
     select $1, activity_id, population, count from sim_participation",
    // The activities, sessions and counts were written in this transaction: without their
    // statistics the sign-ups' join below ran as nested scans (45 s a district, against 1.5 s),
    // and the delivery totals' join of the counts, once autovacuum had analyzed the counts of
    // the districts before, as a nested loop over them (stalled past 7 minutes at district 22).
    "analyze activity, activity_session, activity_participation",
    // Residents' sign-ups for the published activities' sessions, only those of the last year
    // (older ones are deleted a year after their activity, as `cedu serve` does): up to the
    // capacity and two more on the waitlist, one in eleven given back, four in five of the
    // others checked in at a held session. Synthetic: the sealed phone is a stand-in digest
    // (nothing reads it back), the hash and the token's hash distinct digests of the seed.
    "insert into signup (tenant_id, activity_id, session_id, name, phone_cipher, phone_hash, phone_masked, phone_last4,
            code, token_hash, status, checked_in_at, checked_in_by, address_hash, created_at, delete_after)
     select $1, a.id, s.id, '模拟居民' || k, sha256(convert_to('sim-seal/' || s.id || '/' || k, 'UTF8')),
            sha256(convert_to($2 || '/phone/' || s.id || '/' || k, 'UTF8')),
            '139****' || lpad((k * 37 % 10000)::text, 4, '0'), lpad((k * 37 % 10000)::text, 4, '0'),
            lpad((abs(hashtext($2 || '/code/' || s.id || '/' || k)) % 1000000)::text, 6, '0'),
            sha256(convert_to($2 || '/token/' || s.id || '/' || k, 'UTF8')),
            case when k > a.capacity then 'waitlisted' when k % 11 = 0 then 'cancelled' else 'confirmed' end,
            case when s.status = 'held' and k <= a.capacity and k % 11 <> 0 and k % 5 <> 0
                 then (s.held_on + s.starts_at)::timestamptz end,
            case when s.status = 'held' and k <= a.capacity and k % 11 <> 0 and k % 5 <> 0
                 then (case when k % 3 = 0 then 'sim-staff' else 'self' end) else '' end,
            md5($2 || '/address/' || s.id || '/' || k), (s.held_on - 1 - k % 5)::timestamptz, a.ends_on + 365
       from activity a
       join activity_session s on s.tenant_id = a.tenant_id and s.activity_id = a.id and s.status <> 'cancelled',
            generate_series(1, least(a.capacity + 2, 6 + (s.id % 24)::int)) k
      where a.tenant_id = $1 and a.public and a.ends_on + 365 >= $4::date",
    // One or two of the registry's people serving the unit teach each weekly class: the
    // activity's number h picks them among the unit's active people, in registry order.
    "insert into activity_educator (tenant_id, activity_id, educator_id)
     select $1, a.id, p.educator_id
       from sim_activity a
       join (select x.unit_id, x.educator_id, count(*) over (partition by x.unit_id) as people,
                    row_number() over (partition by x.unit_id order by e.volunteer_no) - 1 as k
               from educator_unit x
               join educator e on e.tenant_id = x.tenant_id and e.id = x.educator_id and e.status = 'active'
              where x.tenant_id = $1) p on p.unit_id = a.unit_id
            and (p.k = a.h % p.people or (a.h % 2 = 1 and p.k = (a.h + 1) % p.people))
      where a.weekly",
    // Each activity's steps: created a month ahead, held on its first day, then reported or
    // cancelled.
    "insert into activity_event (tenant_id, activity_id, at, kind, from_status, to_status, note, actor_name)
     select $1, a.id, e.at, e.kind, e.from_status, e.to_status, e.note, 'sim'
       from activity a,
            lateral (values ((a.starts_on - 30)::timestamptz, 'created', '', 'planned', '', true),
                            ((a.starts_on + time '18:00')::timestamptz, 'status', 'planned', 'held', '', a.status in ('held', 'reported')),
                            ((a.status_since + time '10:00')::timestamptz, 'status', 'held', 'reported', '', a.status = 'reported'),
                            ((a.status_since + time '10:00')::timestamptz, 'status', 'planned', 'cancelled', a.cancel_reason, a.status = 'cancelled'))
                    as e(at, kind, from_status, to_status, note, keep)
      where a.tenant_id = $1 and e.keep",
];

/// Fills the district's activities, `per_unit` a unit a year ([`PER_UNIT`] at full size).
pub async fn fill(
    conn: &mut PgConnection,
    tenant_id: i64,
    key: &str,
    per_unit: i32,
) -> sqlx::Result<()> {
    for sql in STEPS {
        sqlx::query(sql)
            .bind(tenant_id)
            .bind(key)
            .bind(per_unit)
            .bind(as_of())
            .execute(&mut *conn)
            .await?;
    }
    // What each organiser's year delivered per plan item, added up as requests keep it.
    crate::activities::repo::delivery::totals(conn, tenant_id).await
}
