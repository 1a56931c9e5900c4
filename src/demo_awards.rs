//! Demo data for awards (marked 演示数据): the 2026 public holidays on the platform calendar;
//! Mengjin's 2025 learning stars, awarded (so a winner is refused when nominated again); its
//! 2026 learning stars in public notice — nominations from 城关镇 and 会盟镇, scored by the
//! panel, two recommended and one not — with one objection from a resident waiting to be
//! handled; and its 2026 outstanding volunteers open for nominations.

use crate::notices::model::notice_end;
use chrono::{Days, NaiveDate};
use sqlx::PgConnection;

/// The State Council's arrangement for 2026 (国办发明电〔2025〕7号): holidays, and the weekend
/// days worked instead (调休).
const HOLIDAYS_2026: &[(&str, bool, &str)] = &[
    ("2026-01-01", false, "元旦"),
    ("2026-01-02", false, "元旦"),
    ("2026-01-03", false, "元旦"),
    ("2026-01-04", true, "元旦调休"),
    ("2026-02-14", true, "春节调休"),
    ("2026-02-15", false, "春节"),
    ("2026-02-16", false, "春节"),
    ("2026-02-17", false, "春节"),
    ("2026-02-18", false, "春节"),
    ("2026-02-19", false, "春节"),
    ("2026-02-20", false, "春节"),
    ("2026-02-21", false, "春节"),
    ("2026-02-22", false, "春节"),
    ("2026-02-23", false, "春节"),
    ("2026-02-28", true, "春节调休"),
    ("2026-04-04", false, "清明节"),
    ("2026-04-05", false, "清明节"),
    ("2026-04-06", false, "清明节"),
    ("2026-05-01", false, "劳动节"),
    ("2026-05-02", false, "劳动节"),
    ("2026-05-03", false, "劳动节"),
    ("2026-05-04", false, "劳动节"),
    ("2026-05-05", false, "劳动节"),
    ("2026-05-09", true, "劳动节调休"),
    ("2026-06-19", false, "端午节"),
    ("2026-06-20", false, "端午节"),
    ("2026-06-21", false, "端午节"),
    ("2026-09-20", true, "国庆节调休"),
    ("2026-09-25", false, "中秋节"),
    ("2026-09-26", false, "中秋节"),
    ("2026-09-27", false, "中秋节"),
    ("2026-10-01", false, "国庆节"),
    ("2026-10-02", false, "国庆节"),
    ("2026-10-03", false, "国庆节"),
    ("2026-10-04", false, "国庆节"),
    ("2026-10-05", false, "国庆节"),
    ("2026-10-06", false, "国庆节"),
    ("2026-10-07", false, "国庆节"),
    ("2026-10-10", true, "国庆节调休"),
];

const CRITERIA: &str = r#"[{"name": "事迹突出", "weight": 40}, {"name": "示范带动", "weight": 30}, {"name": "群众认可", "weight": 30}]"#;

/// The platform's 2026 calendar, unless the platform administrator has set it already.
pub async fn calendar(tx: &mut PgConnection) -> sqlx::Result<()> {
    let (days, working, names): (Vec<NaiveDate>, Vec<bool>, Vec<&str>) =
        HOLIDAYS_2026
            .iter()
            .fold((vec![], vec![], vec![]), |mut acc, (d, w, n)| {
                acc.0
                    .push(NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date"));
                acc.1.push(*w);
                acc.2.push(n);
                acc
            });
    sqlx::query(
        "insert into calendar_day (day, working, name, set_by)
         select d, w, n, 'demo' from unnest($1::date[], $2::bool[], $3::text[]) as x(d, w, n)
         on conflict (day) do nothing",
    )
    .bind(days)
    .bind(working)
    .bind(names)
    .execute(tx)
    .await?;
    Ok(())
}

async fn programme(
    tx: &mut PgConnection,
    tenant_id: i64,
    (year, kind, name, status): (i32, &str, &str, &str),
    (nominations_close, review_close): (NaiveDate, NaiveDate),
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into award_programme (tenant_id, year, kind, name, nominee_kind, nominators, quota, materials,
                criteria, nominations_close, review_close, notice_days, issuing_body, status, status_since)
         values ($1, $2, $3, $4, 'person', '{town_school,college}', 2,
                 '事迹材料（1500字以内）、照片3–5张、推荐单位意见。', $5::jsonb, $6, $7, 5,
                 '孟津区社区教育工作指导委员会', $8, $7)
         returning id",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(kind)
    .bind(name)
    .bind(CRITERIA)
    .bind(nominations_close)
    .bind(review_close)
    .bind(status)
    .fetch_one(tx)
    .await
}

/// The panel: the evaluator and the supervisor.
async fn panel(tx: &mut PgConnection, tenant_id: i64, programme: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "insert into award_panel (tenant_id, programme_id, account_id)
         select $1, $2, id from account where username in ('mengjin-evaluator', 'mengjin-supervisor')
         returning account_id",
    )
    .bind(tenant_id)
    .bind(programme)
    .fetch_all(tx)
    .await
}

/// A nomination of the `n`th active person at home in town `town` (or one of its points),
/// by the town school, with what the registry says of them.
async fn nominate(
    tx: &mut PgConnection,
    tenant_id: i64,
    programme: i64,
    (town, n): (&str, i64),
    status: &str,
    story: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into nomination (tenant_id, programme_id, org_unit_id, nominee_name, nominee_unit, educator_id,
                story, summary, record, status, created_by)
         select $1, $2, t.id, e.name, coalesce(nullif(e.work_unit, ''), u.name), e.id, $5,
                left($5, 60) || '……',
                jsonb_build_object('volunteer_no', e.volunteer_no, 'educator_kind', e.kind, 'home_unit', u.name,
                    'hours', coalesce((select round(sum(h.minutes) / 60.0, 1) from service_hours h
                                        where h.tenant_id = e.tenant_id and h.educator_id = e.id and h.status = 'approved'), 0)),
                $6, t.name || '（演示）'
           from org_unit t
           join org_unit u on u.tenant_id = t.tenant_id and u.path like t.path || '%'
           join educator e on e.tenant_id = u.tenant_id and e.home_unit_id = u.id and e.status = 'active'
          where t.tenant_id = $1 and t.code = $3
          order by e.id offset $4 limit 1
         returning id",
    )
    .bind(tenant_id)
    .bind(programme)
    .bind(town)
    .bind(n)
    .bind(story)
    .bind(status)
    .fetch_optional(tx)
    .await
}

async fn score(
    tx: &mut PgConnection,
    tenant_id: i64,
    nomination: i64,
    account: i64,
    scores: [f64; 3],
) -> sqlx::Result<()> {
    let criteria: Vec<crate::awards::model::Criterion> =
        serde_json::from_str(CRITERIA).expect("the demo's criteria");
    let total = crate::awards::model::weighted(&criteria, &scores);
    sqlx::query(
        "insert into panel_score (tenant_id, nomination_id, account_id, scores, total, note)
         values ($1, $2, $3, $4::float8[]::numeric(5, 2)[], $5, '演示评分')",
    )
    .bind(tenant_id)
    .bind(nomination)
    .bind(account)
    .bind(scores.to_vec())
    .bind(total)
    .execute(tx)
    .await?;
    Ok(())
}

const STORY_A: &str = "退休后坚持在社区教学点义务教授书法八年，每周两次课从不间断，带出学员一百二十余人，其中二十多人的作品在区老年书画展中展出；还把课堂开到了敬老院和留守儿童之家。";
const STORY_B: &str = "扎根村级教学点开展农业实用技术培训，结合本地苹果、葡萄种植编写通俗讲义，组织田间课堂三十余场，帮助二百多户农户提高了收入，群众称他是“田间地头的老师”。";
const STORY_C: &str =
    "组织社区居民开展亲子共读和家庭教育讲座，三年来服务家庭四百余户，形成了社区“周末读书会”品牌。";

pub async fn load(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    calendar(tx).await?;
    let today = crate::web::today();
    // 2025's learning stars, awarded last December: 城关镇's first person won.
    let past = programme(
        tx,
        tenant_id,
        (
            2025,
            "learning_star",
            "2025年度孟津区“百姓学习之星”评选",
            "awarded",
        ),
        (
            NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(),
            NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        ),
    )
    .await?;
    if let Some(n) = nominate(tx, tenant_id, past, ("MJ-HM", 1), "awarded", STORY_C).await? {
        sqlx::query("update nomination set certificate_no = 'MENGJIN-2025-' || lpad($2::text, 2, '0') || '-001' where id = $1")
            .bind(n)
            .bind(past)
            .execute(&mut *tx)
            .await?;
    }
    // 2026's learning stars, in public notice since two days ago.
    let star = programme(
        tx,
        tenant_id,
        (
            2026,
            "learning_star",
            "2026年度孟津区“百姓学习之星”评选",
            "notice",
        ),
        (today - Days::new(30), today - Days::new(5)),
    )
    .await?;
    let members = panel(tx, tenant_id, star).await?;
    let mut recommended = Vec::new();
    for (i, (town, k, status, story)) in [
        ("MJ-CG", 0, "recommended", STORY_A),
        ("MJ-HM", 0, "recommended", STORY_B),
        ("MJ-CG", 1, "not_recommended", STORY_C),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(n) = nominate(tx, tenant_id, star, (town, k), status, story).await? else {
            continue;
        };
        for (j, account) in members.iter().enumerate() {
            let base = [92.0, 88.0, 71.0][i] - 3.0 * j as f64;
            score(tx, tenant_id, n, *account, [base, base - 2.0, base + 1.0]).await?;
        }
        if status == "not_recommended" {
            sqlx::query("update nomination set decision_reason = '事迹与本年度另一推荐对象相近，建议参加“书香家庭”评选。' where id = $1")
                .bind(n)
                .execute(&mut *tx)
                .await?;
        } else {
            recommended.push(n);
        }
    }
    let calendar: Vec<(NaiveDate, bool)> =
        sqlx::query_as("select day, working from calendar_day where day >= $1 - 2")
            .bind(today)
            .fetch_all(&mut *tx)
            .await?;
    let starts = today - Days::new(2);
    let ends = notice_end(starts, 5, &calendar);
    let notice: i64 = sqlx::query_scalar(
        "insert into public_notice (tenant_id, subject_kind, subject_id, title, body, entries, starts_on, working_days,
                ends_on, contact, published_by)
         select $1, 'award_programme', p.id, '关于' || p.name || '拟表彰对象的公示',
                p.name || '经推荐、评审，孟津区社区教育工作指导委员会拟对以下对象予以表彰，现予公示。公示期间如有异议，可在本页提出（可以不留姓名）。',
                (select jsonb_agg(jsonb_build_object('name', n.nominee_name, 'unit', n.nominee_unit, 'summary', n.summary) order by n.id)
                   from nomination n where n.tenant_id = p.tenant_id and n.id = any($3)),
                $4, 5, $5, '孟津区社区教育学院 0379-67912345', '区教育局（演示）'
           from award_programme p where p.tenant_id = $1 and p.id = $2
         returning id",
    )
    .bind(tenant_id)
    .bind(star)
    .bind(&recommended)
    .bind(starts)
    .bind(ends)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update award_programme set notice_id = $2 where id = $1")
        .bind(star)
        .bind(notice)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into notice_objection (tenant_id, notice_id, entry, text, address_hash)
         select $1, $2, n.nominee_name, '听说这位老师的书法班收费，不是义务教学，请核实。（演示）', 'demo'
           from nomination n where n.id = $3",
    )
    .bind(tenant_id)
    .bind(notice)
    .bind(recommended.first().copied().unwrap_or(0))
    .execute(&mut *tx)
    .await?;
    // 2026's outstanding volunteers, open for nominations for two more weeks.
    let volunteers = programme(
        tx,
        tenant_id,
        (
            2026,
            "volunteer",
            "2026年度孟津区优秀社区教育志愿者评选",
            "nominating",
        ),
        (today + Days::new(14), today + Days::new(28)),
    )
    .await?;
    panel(tx, tenant_id, volunteers).await?;
    Ok(())
}
