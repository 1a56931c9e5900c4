//! Demo data for the committee and the December cycle: the committee and duties of the policy's
//! annexes 1–2, a published 2025 cycle with accepted lists (so the public catalogue has
//! something and this year's changes show), and an open 2026 cycle to file. The people of
//! annex 1 are the policy's own; every list item and figure is invented for the demo.

use sqlx::PgConnection;

/// (member unit code, duties) from annex 2; units it does not name get the committee's general charge.
const DUTIES: &[(&str, &str)] = &[
    (
        "MU-EDU",
        "负责指导、督促、检查、协调全区社区教育工作。具体负责指导各级社区教育机构的组建、全区社区教育工作的管理和组织实施。将《全民健身计划纲要》的实施与开展社区教育工作紧密结合起来。",
    ),
    (
        "MU-CA",
        "把社区教育作为社区管理创新、乡镇服务型政府建设和城乡社区建设的重要内容，纳入城乡社区服务体系建设规划。",
    ),
    (
        "MU-FIN",
        "结合实际，逐步加大对社区教育经费的支持力度，确保社区教育政策性经费落实到位。",
    ),
    (
        "MU-HRSS",
        "加大对社区教育的支持力度，对社区教育管理人员、专兼职教师在聘任管理、福利待遇等方面给予指导。发挥社区教育在职业技能培训中的重要作用。",
    ),
    (
        "MU-CT",
        "积极探索公共文化资源服务社会的有效途径，通过公共文化服务体系为社区教育提供必要支持。",
    ),
    (
        "MU-YL",
        "充分发挥共青团、少先队组织在青少年校外教育和社区教育中的作用，积极开展校外教育及社会实践活动。",
    ),
    (
        "MU-SCI",
        "将《科普法》《河南省科学技术普及条例》《全民科学素质行动计划纲要》的实施及全区科普能力建设与开展社区教育工作紧密结合起来。",
    ),
    (
        "MU-OU",
        "依托孟津区社区教育学院设立孟津区社区教育指导中心，配合区教体局统筹指导全区社区教育工作开展，负责全区社区教育工作的业务指导和教学资源开发。",
    ),
];

/// Annex 1: (name, committee role, position, member unit code).
const MEMBERS: &[(&str, &str, &str, &str)] = &[
    ("鲁俊生", "chair", "区委常委、区人民政府副区长", ""),
    ("王国玉", "vice_chair", "区政府办副主任", ""),
    ("许学力", "vice_chair", "区教体局党组书记", "MU-EDU"),
    ("熊巍", "vice_chair", "区教体局局长", "MU-EDU"),
    ("李旭波", "member", "区委编办主任", "MU-BB"),
    ("王丽", "member", "区财政局局长", "MU-FIN"),
    ("郭智伟", "member", "区民政局局长", "MU-CA"),
    ("张敬民", "member", "区人社局局长", "MU-HRSS"),
    ("苏辉", "member", "区卫健委主任", "MU-HEALTH"),
    ("张权", "member", "区文广旅局局长", "MU-CT"),
    ("刘冰冰", "member", "区委老干局局长", "MU-VET"),
    ("马杏品", "member", "区妇联会主席", "MU-WF"),
    ("郝健丽", "member", "团区委书记", "MU-YL"),
    ("张连生", "member", "区科协主席", "MU-SCI"),
    ("张国贤", "member", "区文联主席", "MU-ART"),
    ("郭松才", "office_director", "区教师进修学校校长", "MU-TTS"),
];

/// Invented 2025 lists: (filer code, resources [(category, name, sharing, populations)], plans [(title, category, period, yuan)]).
type Resource<'a> = (&'a str, &'a str, &'a str, &'a str);
type Plan<'a> = (&'a str, &'a str, &'a str, i64);
const LISTS_2025: &[(&str, &[Resource], &[Plan])] = &[
    (
        "MU-WF",
        &[
            (
                "course",
                "巾帼家长学校",
                "free",
                "{left_behind_women,left_behind_children}",
            ),
            (
                "volunteer_team",
                "巾帼志愿服务队",
                "free",
                "{left_behind_elderly}",
            ),
        ],
        &[("留守妇女手工编织技能培训", "rural_skills", "Q2", 20000)],
    ),
    (
        "MU-CT",
        &[
            ("venue", "孟津区图书馆阅览室", "free", "{all}"),
            ("venue", "河阳城市书房", "free", "{all,youth_after_school}"),
        ],
        &[("“书香孟津”全民阅读月", "reading", "M04", 50000)],
    ),
    (
        "MJ",
        &[
            ("course", "老年大学书法与太极课程", "fee", "{elderly}"),
            ("digital", "孟津终身学习网课程库", "free", "{all}"),
        ],
        &[("全民终身学习活动周", "culture", "M11", 80000)],
    ),
    (
        "MJ-CG",
        &[("venue", "城关镇社区教育学校多功能教室", "booking", "{all}")],
        &[("“四点半课堂”课后服务", "youth", "Y", 30000)],
    ),
    (
        "MJ-CG-01",
        &[("venue", "东关社区老年活动室", "free", "{elderly}")],
        &[("东关社区健康讲座", "health", "Q3", 3000)],
    ),
    (
        "MJ-HM",
        &[("venue", "会盟镇社区教育学校报告厅", "booking", "{all}")],
        &[
            ("老年人智能手机使用培训", "modern_life", "Q4", 5000),
            ("黄河湿地科普研学", "science", "Q3", 8000),
        ],
    ),
    (
        "MJ-PL",
        &[(
            "venue",
            "平乐牡丹画创作基地",
            "booking",
            "{all,left_behind_women}",
        )],
        &[
            ("农民画师技能提升班", "rural_skills", "Q1", 10000),
            ("“四点半课堂”课后服务", "youth", "Y", 12000),
        ],
    ),
    (
        "MJ-BH",
        &[("facility", "白鹤镇农技培训教室", "free", "{rural}")],
        &[("果树冬季管理技术培训", "rural_skills", "M11", 4000)],
    ),
];

pub async fn seed(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "insert into committee (tenant_id, name, office_host, office_duties)
         values ($1, '孟津区社区教育指导委员会', '孟津区教师进修学校', '具体负责全区社区教育日常工作，办公室主任由区教师进修学校校长兼任。')",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update member_unit set sort = s.n, duties = '按照区社区教育指导委员会的分工要求，各司其职、各负其责，配合做好全区社区教育工作。',
                contact_name = '联络员（演示）', contact_phone = '0379-0000000'
           from (select id, row_number() over (order by id) as n from member_unit where tenant_id = $1) s
          where member_unit.id = s.id",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    for (code, duties) in DUTIES {
        sqlx::query("update member_unit set duties = $3 where tenant_id = $1 and code = $2")
            .bind(tenant_id)
            .bind(code)
            .bind(duties)
            .execute(&mut *tx)
            .await?;
    }
    for (i, (name, role, position, unit)) in MEMBERS.iter().enumerate() {
        sqlx::query(
            "insert into committee_member (tenant_id, name, committee_role, position, member_unit_id, term_start, sort)
             values ($1, $2, $3, $4, (select id from member_unit where tenant_id = $1 and code = $5), date '2022-03-11', $6)",
        )
        .bind(tenant_id)
        .bind(name)
        .bind(role)
        .bind(position)
        .bind(unit)
        .bind(i as i32)
        .execute(&mut *tx)
        .await?;
    }
    // 2025: published, the lists above accepted.
    let cycle_2025: i64 = sqlx::query_scalar(
        "insert into reporting_cycle (tenant_id, year, opens_on, due_on, status, published_on)
         values ($1, 2025, date '2025-12-01', date '2025-12-31', 'published', date '2026-01-15') returning id",
    )
    .bind(tenant_id)
    .fetch_one(&mut *tx)
    .await?;
    for (code, resources, plans) in LISTS_2025 {
        let submission: i64 = sqlx::query_scalar(
            "insert into submission (tenant_id, cycle_id, member_unit_id, org_unit_id, status, submitted_on, decided_on)
             values ($1, $2, (select id from member_unit where tenant_id = $1 and code = $3),
                     (select id from org_unit where tenant_id = $1 and code = $3), 'accepted', date '2025-12-20', date '2025-12-28')
             returning id",
        )
        .bind(tenant_id)
        .bind(cycle_2025)
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
        for (category, name, sharing, populations) in *resources {
            sqlx::query(
                "insert into resource_item (tenant_id, submission_id, category, name, description, location_unit_id, address, capacity,
                        opening_times, populations, sharing, contact)
                 values ($1, $2, $3, $4, '演示数据', (select org_unit_id from submission where id = $2), '孟津区（演示地址）', 40,
                         '周一至周五 8:30-17:30', $5::text[], $6, '联系人（演示） 0379-0000000')",
            )
            .bind(tenant_id)
            .bind(submission)
            .bind(category)
            .bind(name)
            .bind(populations)
            .bind(sharing)
            .execute(&mut *tx)
            .await?;
        }
        for (title, category, period, yuan) in *plans {
            sqlx::query(
                "insert into plan_item (tenant_id, submission_id, title, category, populations, period, place, participants,
                        budget_government, responsible)
                 values ($1, $2, $3, $4, '{all}', $5, '孟津区', 200, $6, '负责人（演示）')",
            )
            .bind(tenant_id)
            .bind(submission)
            .bind(title)
            .bind(category)
            .bind(period)
            .bind(yuan * 100)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "insert into submission_event (tenant_id, submission_id, action, actor_name, at)
             values ($1, $2, 'submit', 'demo', '2025-12-20 10:00+08'), ($1, $2, 'accept', 'demo', '2025-12-28 10:00+08')",
        )
        .bind(tenant_id)
        .bind(submission)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("select publish_catalogue($1)")
        .bind(cycle_2025)
        .execute(&mut *tx)
        .await?;
    // 2026: open now, everybody to file.
    let cycle_2026: i64 = sqlx::query_scalar(
        "insert into reporting_cycle (tenant_id, year, opens_on, due_on) values ($1, 2026, date '2026-11-16', date '2026-12-31') returning id",
    )
    .bind(tenant_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into submission (tenant_id, cycle_id, member_unit_id) select $1, $2, id from member_unit where tenant_id = $1;",
    )
    .bind(tenant_id)
    .bind(cycle_2026)
    .execute(&mut *tx)
    .await?;
    sqlx::query("insert into submission (tenant_id, cycle_id, org_unit_id) select $1, $2, id from org_unit where tenant_id = $1 and status = 'active'")
        .bind(tenant_id)
        .bind(cycle_2026)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Supervision demo: the platform template adopted for this year, an open round over the town
/// schools with the evaluator assigned to 城关镇, and this year's satisfaction survey.
pub async fn supervision(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    let framework: i64 = sqlx::query_scalar(
        "insert into framework (tenant_id, year, name) select $1, extract(year from current_date)::int, name || '（' || extract(year from current_date) || '）'
           from framework_template order by id limit 1 returning id",
    )
    .bind(tenant_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into indicator (tenant_id, framework_id, code, name, max_score, guidance, evidence, metric)
         select $1, $2, i.code, i.name, i.max_score, i.guidance, i.evidence, i.metric
           from (select indicators from framework_template order by id limit 1) t,
                jsonb_to_recordset(t.indicators) as i(code text, name text, max_score numeric, guidance text, evidence text, metric text)",
    )
    .bind(tenant_id)
    .bind(framework)
    .execute(&mut *tx)
    .await?;
    // The tree follows the codes: 1.2's parent is 1.
    sqlx::query(
        "update indicator c set parent_id = p.id from indicator p
          where c.framework_id = $1 and p.framework_id = $1 and c.code like '%.%'
            and p.code = substring(c.code from '^(.*)[.][0-9]+$')",
    )
    .bind(framework)
    .execute(&mut *tx)
    .await?;
    let round: i64 = sqlx::query_scalar(
        "insert into evaluation_round (tenant_id, year, name, framework_id, self_due, review_due, evaluator_weight)
         values ($1, extract(year from current_date)::int, extract(year from current_date) || '年度镇（街道）社区教育督导评估', $2,
                 current_date + 20, current_date + 45, 30) returning id",
    )
    .bind(tenant_id)
    .bind(framework)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into round_unit (tenant_id, round_id, org_unit_id) select $1, $2, id from org_unit where tenant_id = $1 and kind = 'town_school' and status = 'active'")
        .bind(tenant_id)
        .bind(round)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into round_evaluator (tenant_id, round_unit_id, account_id)
         select $1, r.id, a.id from round_unit r join org_unit u on u.id = r.org_unit_id, account a
          where r.round_id = $2 and u.code = 'MJ-CG' and a.username = 'mengjin-evaluator'",
    )
    .bind(tenant_id)
    .bind(round)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into survey (tenant_id, year, title, questions) values ($1, extract(year from current_date)::int, '社区教育居民满意度调查',
            array['您对身边社区教育学习场所的便利程度是否满意？', '您对社区教育课程和活动的内容是否满意？',
                  '您对社区教育教师和志愿者的服务是否满意？', '您对老年人、青少年等重点人群的教育服务是否满意？',
                  '总体而言，您对本镇（街道）社区教育工作是否满意？'])",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
