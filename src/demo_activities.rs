//! Demo data for activities (marked 演示数据): Mengjin's 2026 — a weekly 4点半 class at
//! 东关社区教学点 delivering its town school's plan item (the sessions before today held, today's
//! and later ones to record), a health lecture, the district's lifelong-learning week with
//! events in four towns (one report overdue), the reading month of the culture bureau paid
//! partly by donations, a training of the women's federation, an activity outside any plan,
//! one planned and one cancelled; two donations, one from a donor not to be named.

use chrono::{Days, NaiveDate};
use sqlx::PgConnection;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a demo date")
}

/// An activity of the demo: organiser code, title, category, plan item title (of the
/// organiser's or its town's 2025 list) or the reason it is outside the plan, campaign,
/// populations, first and last day, weekly, times, status, participants by population,
/// spend (yuan: government, donation, learners), report.
struct Demo {
    organiser: &'static str,
    title: &'static str,
    category: &'static str,
    plan: Result<&'static str, &'static str>,
    campaign: Option<&'static str>,
    populations: &'static [&'static str],
    first: &'static str,
    last: &'static str,
    weekly: bool,
    times: (&'static str, &'static str),
    status: &'static str,
    counts: &'static [(&'static str, i32)],
    spend: (i64, i64, i64),
    report: &'static str,
}

const WEEK: &str = "2026年孟津区全民终身学习活动周";
const READING: &str = "“书香孟津”全民阅读月";

const DEMOS: &[Demo] = &[
    Demo {
        organiser: "MJ-CG-01",
        title: "东关社区“四点半课堂”（秋季学期）",
        category: "youth",
        plan: Ok("“四点半课堂”课后服务"),
        campaign: None,
        populations: &["youth_after_school", "left_behind_children"],
        first: "2026-09-02",
        last: "2026-12-30",
        weekly: true,
        times: ("16:30", "18:00"),
        status: "held",
        counts: &[("youth_after_school", 28), ("left_behind_children", 9)],
        spend: (4000, 3000, 0),
        report: "",
    },
    Demo {
        organiser: "MJ-CG-01",
        title: "东关社区老年健康讲座",
        category: "health",
        plan: Ok("东关社区健康讲座"),
        campaign: None,
        populations: &["elderly"],
        first: "2026-08-20",
        last: "2026-08-20",
        weekly: false,
        times: ("09:00", "11:00"),
        status: "reported",
        counts: &[("elderly", 56), ("all", 8)],
        spend: (800, 0, 0),
        report: "邀请区人民医院医生讲解高血压、糖尿病的日常管理，现场免费测量血压，发放健康手册。老年人反响热烈，希望每季度举办一次。",
    },
    Demo {
        organiser: "MJ",
        title: "2026年全民终身学习活动周开幕式暨“百姓学习之星”展示",
        category: "culture",
        plan: Ok("全民终身学习活动周"),
        campaign: Some(WEEK),
        populations: &["all", "elderly"],
        first: "2026-11-02",
        last: "2026-11-02",
        weekly: false,
        times: ("09:00", "11:30"),
        status: "reported",
        counts: &[("all", 260), ("elderly", 90)],
        spend: (30000, 0, 0),
        report: "在区社区教育学院举行开幕式，展示各镇（街道）学习成果，表彰学习之星，各镇（街道）社区教育学校同步开展活动周系列活动。",
    },
    Demo {
        organiser: "MJ-HM",
        title: "活动周·老年人智能手机使用培训",
        category: "modern_life",
        plan: Ok("老年人智能手机使用培训"),
        campaign: Some(WEEK),
        populations: &["elderly"],
        first: "2026-11-04",
        last: "2026-11-04",
        weekly: false,
        times: ("14:30", "16:30"),
        status: "reported",
        counts: &[("elderly", 45)],
        spend: (600, 0, 0),
        report: "志愿者一对一指导老年人使用健康码、网上缴费和视频通话。",
    },
    Demo {
        organiser: "MJ-PL",
        title: "活动周·牡丹画体验课",
        category: "culture",
        plan: Err("配合全民终身学习活动周"),
        campaign: Some(WEEK),
        populations: &["all", "left_behind_women"],
        first: "2026-11-05",
        last: "2026-11-05",
        weekly: false,
        times: ("09:00", "11:00"),
        status: "reported",
        counts: &[("all", 30), ("left_behind_women", 18)],
        spend: (1200, 0, 300),
        report: "平乐村画师现场教学，学员完成牡丹画作品并展出。",
    },
    Demo {
        organiser: "MJ-BH",
        title: "活动周·冬季果树管理技术讲座",
        category: "rural_skills",
        plan: Ok("果树冬季管理技术培训"),
        campaign: Some(WEEK),
        populations: &["rural"],
        first: "2026-11-06",
        last: "2026-11-06",
        weekly: false,
        times: ("14:00", "16:00"),
        status: "held",
        counts: &[("rural", 52)],
        spend: (500, 0, 0),
        report: "",
    },
    Demo {
        organiser: "MU-CT",
        title: "“书香孟津”全民阅读月系列活动",
        category: "reading",
        plan: Ok("“书香孟津”全民阅读月"),
        campaign: Some(READING),
        populations: &["all", "youth_after_school"],
        first: "2026-04-01",
        last: "2026-04-29",
        weekly: true,
        times: ("15:00", "17:00"),
        status: "reported",
        counts: &[("all", 320), ("youth_after_school", 140)],
        spend: (20000, 2000, 0),
        report: "在区图书馆和河阳城市书房举办读书分享会、亲子阅读和好书推荐，评选书香家庭10户。",
    },
    Demo {
        organiser: "MU-WF",
        title: "留守妇女手工编织技能培训班",
        category: "rural_skills",
        plan: Ok("留守妇女手工编织技能培训"),
        campaign: None,
        populations: &["left_behind_women"],
        first: "2026-05-11",
        last: "2026-05-13",
        weekly: false,
        times: ("09:00", "12:00"),
        status: "reported",
        counts: &[("left_behind_women", 34)],
        spend: (6000, 0, 0),
        report: "三天集中培训，学员掌握基本编织技法，与本地企业对接订单。",
    },
    Demo {
        organiser: "MJ-CG",
        title: "冬季消防安全进社区讲座",
        category: "other",
        plan: Err("应区消防救援大队要求开展"),
        campaign: None,
        populations: &["all", "elderly"],
        first: "2026-12-18",
        last: "2026-12-18",
        weekly: false,
        times: ("09:30", "11:00"),
        status: "planned",
        counts: &[],
        spend: (0, 0, 0),
        report: "",
    },
    Demo {
        organiser: "MJ-SZ",
        title: "春季踏青诵读会",
        category: "reading",
        plan: Err("镇文化站邀请合办"),
        campaign: Some(READING),
        populations: &["all"],
        first: "2026-04-18",
        last: "2026-04-18",
        weekly: false,
        times: ("09:00", "11:00"),
        status: "cancelled",
        counts: &[],
        spend: (0, 0, 0),
        report: "",
    },
];

/// Loads the demo activities of the district, with their campaigns and donations.
pub async fn load(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "insert into campaign (tenant_id, kind, name, year, theme, starts_on, ends_on, national_starts_on, national_ends_on)
         values ($1, 'learning_week', $2, 2026, '终身学习 人人皆学', date '2026-11-02', date '2026-11-08',
                 date '2026-10-25', date '2026-10-31'),
                ($1, 'reading', $3, 2026, '书香孟津 悦读人生', date '2026-04-01', date '2026-04-30', null, null)",
    )
    .bind(tenant_id)
    .bind(WEEK)
    .bind(READING)
    .execute(&mut *tx)
    .await?;
    let donations: Vec<i64> = sqlx::query_scalar(
        "insert into donation (tenant_id, donor_kind, donor_name, named_publicly, amount, received_on, stated_use)
         values ($1, 'company', '洛阳河洛文化传播有限公司（演示）', true, 2000000, date '2026-03-16', '“四点半课堂”图书和学习用品'),
                ($1, 'person', '张某（演示）', false, 200000, date '2026-03-28', '全民阅读活动')
         returning id",
    )
    .bind(tenant_id)
    .fetch_all(&mut *tx)
    .await?;
    let today = crate::web::today();
    for d in DEMOS {
        let (first, last) = (day(d.first), day(d.last));
        let donation = match (d.spend.1 > 0, d.category) {
            (false, _) => None,
            (true, "reading") => Some(donations[1]),
            (true, _) => Some(donations[0]),
        };
        let (plan, reason) = match d.plan {
            Ok(title) => (Some(title), ""),
            Err(reason) => (None, reason),
        };
        let id: i64 = sqlx::query_scalar(
            "insert into activity (tenant_id, title, category, organiser_unit_id, organiser_member_unit_id,
                    plan_item_id, not_in_plan_reason, campaign_id, address, populations, capacity, starts_on, ends_on,
                    series, status, status_since, cancel_reason, report, spend_government, spend_donation, spend_learners,
                    donation_id, is_demo, created_by)
             select $1, $2, $3, u.id, m.id,
                    (select pi.id from plan_item pi
                       join submission s on s.tenant_id = pi.tenant_id and s.id = pi.submission_id and s.status = 'accepted'
                       join reporting_cycle rc on rc.tenant_id = s.tenant_id and rc.id = s.cycle_id and rc.year = 2025
                      where pi.tenant_id = $1 and pi.title = $5
                        and (s.org_unit_id in (u.id, u.parent_id) or s.member_unit_id = m.id) limit 1),
                    $6, (select c.id from campaign c where c.tenant_id = $1 and c.name = $7), coalesce(nullif(u.address, ''), '孟津区（演示地址）'),
                    $8, 40, $9, $10, $11, $12, $10, case when $12 = 'cancelled' then '天气原因，改期另行通知' else '' end,
                    $13, $14, $15, $16, $17, true, 'demo'
               from (select 1) one
               left join org_unit u on u.tenant_id = $1 and u.code = $4
               left join member_unit m on m.tenant_id = $1 and m.code = $4 and u.id is null
             returning id",
        )
        .bind(tenant_id)
        .bind(d.title)
        .bind(d.category)
        .bind(d.organiser)
        .bind(plan)
        .bind(reason)
        .bind(d.campaign)
        .bind(d.populations)
        .bind(first)
        .bind(last)
        .bind(d.weekly)
        .bind(d.status)
        .bind(d.report)
        .bind(d.spend.0 * 100)
        .bind(d.spend.1 * 100)
        .bind(d.spend.2 * 100)
        .bind(donation)
        .fetch_one(&mut *tx)
        .await?;
        let step = if d.weekly { 7 } else { 1 };
        let mut days = Vec::new();
        let mut on = first;
        while on <= last {
            days.push(on);
            on = on + Days::new(step);
        }
        // Sessions before today are held (or cancelled with the activity), the rest scheduled;
        // attendance varies a little from week to week.
        sqlx::query(
            "insert into activity_session (tenant_id, activity_id, held_on, starts_at, ends_at, status, attendance, walk_ins)
             select $1, $2, d, $4::time, $5::time,
                    case when $6 = 'cancelled' then 'cancelled' when d < $7 or $6 = 'reported' then 'held' else 'scheduled' end,
                    case when $6 <> 'cancelled' and (d < $7 or $6 = 'reported') then $8 - (extract(day from d)::int % 5) end,
                    case when $6 <> 'cancelled' and (d < $7 or $6 = 'reported') then extract(day from d)::int % 3 else 0 end
               from unnest($3::date[]) as d",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(&days)
        .bind(d.times.0)
        .bind(d.times.1)
        .bind(d.status)
        .bind(today)
        .bind(d.counts.iter().map(|(_, n)| *n).sum::<i32>().clamp(5, 40))
        .execute(&mut *tx)
        .await?;
        for (population, count) in d.counts {
            sqlx::query(
                "insert into activity_participation (tenant_id, activity_id, population, count) values ($1, $2, $3, $4)",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(population)
            .bind(count)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "insert into activity_event (tenant_id, activity_id, kind, to_status, actor_name, at)
             values ($1, $2, 'created', 'planned', 'demo', $3::date - 30)",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(first)
        .execute(&mut *tx)
        .await?;
        if d.organiser == "MJ-CG-01" && d.weekly {
            // Two of the point's people teach the class.
            sqlx::query(
                "insert into activity_educator (tenant_id, activity_id, educator_id)
                 select $1, $2, e.id from educator e
                  where e.tenant_id = $1 and e.status = 'active'
                    and exists (select 1 from educator_unit eu join org_unit u on u.tenant_id = eu.tenant_id and u.id = eu.unit_id
                                 where eu.tenant_id = e.tenant_id and eu.educator_id = e.id and u.code in ('MJ-CG', 'MJ-CG-01'))
                  order by e.id limit 2",
            )
            .bind(tenant_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    // On the residents' calendar, taking sign-ups: the 4点半 class and the fire-safety talk.
    sqlx::query("update activity set public = true where tenant_id = $1 and title = any($2)")
        .bind(tenant_id)
        .bind(["东关社区“四点半课堂”（秋季学期）", "冬季消防安全进社区讲座"])
        .execute(&mut *tx)
        .await?;
    crate::activities::repo::delivery::rebuild(tx, tenant_id).await
}
