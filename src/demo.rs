//! Demo districts: Mengjin (the policy's own district) and a smaller Yanshi, so that tenancy is
//! visible. Town names are real; village points, people and every figure are invented and
//! marked `is_demo`, which the UI shows as 演示数据.

use crate::auth::password;
use crate::db::Db;

pub const PASSWORD: &str = "cedu-demo-2026";

/// (username, role, what the account is for), as printed at first start and in the README.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    (
        "mengjin-bureau",
        "district_admin",
        "孟津区教体局 / Mengjin education bureau",
    ),
    (
        "mengjin-supervisor",
        "supervisor",
        "孟津区政府教育督导室 / supervision office",
    ),
    (
        "mengjin-office",
        "committee_office",
        "社区教育指导委员会办公室 / committee office",
    ),
    (
        "mengjin-town",
        "town_admin",
        "城关镇社区教育学校 / Chengguan town school",
    ),
    (
        "mengjin-point",
        "point_coordinator",
        "城关镇东关社区教学点 / a Chengguan teaching point",
    ),
    (
        "mengjin-unit",
        "unit_officer",
        "区妇联 / women's federation (member unit)",
    ),
    (
        "mengjin-evaluator",
        "evaluator",
        "第三方评估机构 / third-party evaluator (assigned 城关镇)",
    ),
    (
        "yanshi-bureau",
        "district_admin",
        "偃师区教体局 / Yanshi education bureau",
    ),
    ("platform", "platform_admin", "平台运维 / platform operator"),
];

/// (code, town school name, area served, its teaching points as (code, name)).
type Town = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

struct District {
    code: &'static str,
    name: &'static str,
    division: &'static str,
    college: (&'static str, &'static str),
    towns: &'static [Town],
    member_units: &'static [(&'static str, &'static str)],
}

const MENGJIN: District = District {
    code: "mengjin",
    name: "孟津区",
    division: "410308",
    college: ("MJ", "孟津区社区教育学院"),
    towns: &[
        (
            "MJ-CG",
            "城关镇社区教育学校",
            "城关镇",
            &[
                ("MJ-CG-01", "东关社区教学点"),
                ("MJ-CG-02", "西关村教学点"),
                ("MJ-CG-03", "新庄村教学点"),
            ],
        ),
        (
            "MJ-HM",
            "会盟镇社区教育学校",
            "会盟镇",
            &[("MJ-HM-01", "扣马村教学点"), ("MJ-HM-02", "雷河村教学点")],
        ),
        (
            "MJ-PL",
            "平乐镇社区教育学校",
            "平乐镇",
            &[("MJ-PL-01", "平乐村教学点"), ("MJ-PL-02", "上河社区教学点")],
        ),
        (
            "MJ-SZ",
            "送庄镇社区教育学校",
            "送庄镇",
            &[("MJ-SZ-01", "送庄村教学点"), ("MJ-SZ-02", "东山头村教学点")],
        ),
        (
            "MJ-BH",
            "白鹤镇社区教育学校",
            "白鹤镇",
            &[("MJ-BH-01", "白鹤村教学点"), ("MJ-BH-02", "王庄村教学点")],
        ),
        (
            "MJ-CY",
            "朝阳镇社区教育学校",
            "朝阳镇",
            &[("MJ-CY-01", "朝阳村教学点"), ("MJ-CY-02", "卦沟村教学点")],
        ),
        (
            "MJ-XLD",
            "小浪底镇社区教育学校",
            "小浪底镇",
            &[("MJ-XLD-01", "乔岭村教学点"), ("MJ-XLD-02", "双槐村教学点")],
        ),
        (
            "MJ-MT",
            "麻屯镇社区教育学校",
            "麻屯镇",
            &[("MJ-MT-01", "麻屯村教学点"), ("MJ-MT-02", "下庄村教学点")],
        ),
        (
            "MJ-HS",
            "横水镇社区教育学校",
            "横水镇",
            &[("MJ-HS-01", "横水村教学点"), ("MJ-HS-02", "寺河村教学点")],
        ),
        (
            "MJ-CD",
            "常袋镇社区教育学校",
            "常袋镇",
            &[("MJ-CD-01", "常袋村教学点"), ("MJ-CD-02", "马岭村教学点")],
        ),
        (
            "MJ-XXY",
            "西霞院街道社区教育学校",
            "西霞院街道",
            &[
                ("MJ-XXY-01", "西霞院社区教学点"),
                ("MJ-XXY-02", "金沟村教学点"),
            ],
        ),
        (
            "MJ-KL",
            "康乐街道社区教育学校",
            "康乐街道",
            &[("MJ-KL-01", "康乐社区教学点"), ("MJ-KL-02", "后李村教学点")],
        ),
        (
            "MJ-JL",
            "吉利街道社区教育学校",
            "吉利街道",
            &[("MJ-JL-01", "吉利社区教学点"), ("MJ-JL-02", "柴河村教学点")],
        ),
        (
            "MJ-HY",
            "河阳街道社区教育学校",
            "河阳街道",
            &[("MJ-HY-01", "河阳社区教学点"), ("MJ-HY-02", "冶戌村教学点")],
        ),
    ],
    // The committee's member units of annex 1, in its order.
    member_units: &[
        ("MU-EDU", "区教体局"),
        ("MU-BB", "区委编办"),
        ("MU-FIN", "区财政局"),
        ("MU-CA", "区民政局"),
        ("MU-HRSS", "区人社局"),
        ("MU-HEALTH", "区卫健委"),
        ("MU-CT", "区文广旅局"),
        ("MU-VET", "区委老干局"),
        ("MU-WF", "区妇联"),
        ("MU-YL", "团区委"),
        ("MU-SCI", "区科协"),
        ("MU-ART", "区文联"),
        ("MU-TTS", "区教师进修学校"),
        ("MU-OU", "洛阳广播电视大学孟津分校"),
    ],
};

const YANSHI: District = District {
    code: "yanshi",
    name: "偃师区",
    division: "410307",
    college: ("YS", "偃师区社区教育学院"),
    towns: &[
        (
            "YS-SYS",
            "首阳山街道社区教育学校",
            "首阳山街道",
            &[("YS-SYS-01", "首阳山社区教学点")],
        ),
        (
            "YS-FD",
            "府店镇社区教育学校",
            "府店镇",
            &[("YS-FD-01", "府店村教学点"), ("YS-FD-02", "佛光村教学点")],
        ),
        (
            "YS-GS",
            "缑氏镇社区教育学校",
            "缑氏镇",
            &[("YS-GS-01", "缑氏村教学点")],
        ),
    ],
    member_units: &[("MU-FIN", "区财政局"), ("MU-WF", "区妇联")],
};

/// Loads the demo districts unless they are there already; true when it loaded them.
pub async fn load(db: &Db) -> sqlx::Result<bool> {
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from tenant where code = 'mengjin')")
            .fetch_one(&db.sys)
            .await?;
    if exists {
        return Ok(false);
    }
    // One hash for all demo accounts: they share the published demo password anyway.
    let hash = password::hash(PASSWORD.to_string()).await;
    let mut tx = db.begin_sys().await?;
    let mut ids = std::collections::HashMap::new();
    for district in [&MENGJIN, &YANSHI] {
        let tenant_id: i64 = sqlx::query_scalar("insert into tenant (code, name, division_code, is_demo) values ($1, $2, $3, true) returning id")
            .bind(district.code)
            .bind(district.name)
            .bind(district.division)
            .fetch_one(&mut *tx)
            .await?;
        let unit = |kind: &'static str,
                    parent: Option<i64>,
                    code: &'static str,
                    name: String,
                    area: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, address, contact_name, contact_phone, is_demo)
                 values ($1, $2, $3, '', $4, $5, $6, $7, '示例联系人', '0379-0000000', true) returning id",
            )
            .bind(tenant_id)
            .bind(kind)
            .bind(parent)
            .bind(code)
            .bind(name)
            .bind(area)
            .bind(format!("{}{}（演示地址）", district.name, area))
        };
        let college = unit(
            "college",
            None,
            district.college.0,
            district.college.1.to_string(),
            "",
        )
        .fetch_one(&mut *tx)
        .await?;
        ids.insert(district.college.0, (tenant_id, college));
        for (code, name, area, points) in district.towns {
            let school = unit("town_school", Some(college), code, name.to_string(), area)
                .fetch_one(&mut *tx)
                .await?;
            ids.insert(*code, (tenant_id, school));
            for (point_code, point_name) in *points {
                let point = unit(
                    "teaching_point",
                    Some(school),
                    point_code,
                    format!("{area}{point_name}"),
                    area,
                )
                .fetch_one(&mut *tx)
                .await?;
                ids.insert(*point_code, (tenant_id, point));
            }
        }
        for (code, name) in district.member_units {
            let id: i64 = sqlx::query_scalar("insert into member_unit (tenant_id, code, name, is_demo) values ($1, $2, $3, true) returning id")
                .bind(tenant_id)
                .bind(code)
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
            ids.insert(
                if district.code == "mengjin" {
                    *code
                } else {
                    ""
                },
                (tenant_id, id),
            );
        }
    }
    for district in [&MENGJIN, &YANSHI] {
        let tenant_id = ids[district.college.0].0;
        sqlx::query("select seed_policy_targets($1), seed_specialties($1)")
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        enrich(&mut tx, tenant_id, district).await?;
    }
    crate::demo_cycle::seed(&mut tx, ids[MENGJIN.college.0].0).await?;
    let mengjin = ids[MENGJIN.college.0].0;
    let yanshi = ids[YANSHI.college.0].0;
    // (username, display name, role, district, org unit, member unit)
    type DemoAccount<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let accounts: [DemoAccount; 9] = [
        (
            "mengjin-bureau",
            "孟津区教体局（演示）",
            "district_admin",
            Some(mengjin),
            None,
            None,
        ),
        (
            "mengjin-supervisor",
            "区政府教育督导室（演示）",
            "supervisor",
            Some(mengjin),
            None,
            None,
        ),
        (
            "mengjin-office",
            "指导委员会办公室（演示）",
            "committee_office",
            Some(mengjin),
            None,
            None,
        ),
        (
            "mengjin-town",
            "城关镇社区教育学校管理员（演示）",
            "town_admin",
            Some(mengjin),
            Some(ids["MJ-CG"].1),
            None,
        ),
        (
            "mengjin-point",
            "东关社区教学点负责人（演示）",
            "point_coordinator",
            Some(mengjin),
            Some(ids["MJ-CG-01"].1),
            None,
        ),
        (
            "mengjin-unit",
            "区妇联联络员（演示）",
            "unit_officer",
            Some(mengjin),
            None,
            Some(ids["MU-WF"].1),
        ),
        (
            "mengjin-evaluator",
            "第三方评估机构（演示）",
            "evaluator",
            Some(mengjin),
            None,
            None,
        ),
        (
            "yanshi-bureau",
            "偃师区教体局（演示）",
            "district_admin",
            Some(yanshi),
            None,
            None,
        ),
        (
            "platform",
            "平台运维（演示）",
            "platform_admin",
            None,
            None,
            None,
        ),
    ];
    for (username, display_name, role, tenant, unit, member_unit) in accounts {
        // Each with its platform-wide identity (migration 0022).
        let Some(tenant) = tenant else {
            sqlx::query("select add_platform_admin($1, $2, $3, true)")
                .bind(username)
                .bind(display_name)
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
            continue;
        };
        crate::db::set_tenant(&mut tx, tenant).await?;
        sqlx::query("select add_account($1, $2, $3, $4, $5, $6, true)")
            .bind(username)
            .bind(display_name)
            .bind(&hash)
            .bind(role)
            .bind(unit)
            .bind(member_unit)
            .execute(&mut *tx)
            .await?;
    }
    crate::demo_cycle::supervision(&mut tx, mengjin).await?;
    crate::demo_supervision::load(&mut tx, mengjin).await?;
    crate::demo_educators::load(&mut tx, mengjin).await?;
    crate::demo_activities::load(&mut tx, mengjin).await?;
    crate::demo_awards::load(&mut tx, mengjin).await?;
    crate::demo_library::load(&mut tx, mengjin).await?;
    tx.commit().await?;
    Ok(true)
}

/// Invented figures: villages per town (Mengjin's 234 in all), staffing, transformation of the
/// old adult-culture schools, venues, and demonstration designations that meet some targets
/// in time, one late and leave one open, so the dashboard has something to say.
async fn enrich(
    tx: &mut sqlx::PgConnection,
    tenant_id: i64,
    district: &District,
) -> sqlx::Result<()> {
    const VILLAGES: [i32; 14] = [24, 20, 16, 15, 18, 17, 19, 16, 17, 15, 14, 13, 16, 14];
    sqlx::query(
        "update org_unit set founded_on = date '2021-06-01', fulltime_managers = 3, parttime_managers = 2, fulltime_teachers = 8,
                parttime_teachers = 20, floor_area = 2400, classrooms = 12, opening_hours = '周一至周六 8:30-20:30',
                shared_venues = '{open_university,vocational_centre,elderly_university}'
          where tenant_id = $1 and kind = 'college'",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    for (i, (code, _, area, _)) in district.towns.iter().enumerate() {
        let i = i as i32;
        // Two towns have not transformed their adult-culture school yet, and one did so late.
        let transformed_on = match *code {
            "MJ-XLD" | "MJ-CD" | "YS-GS" => None,
            "MJ-JL" => chrono::NaiveDate::from_ymd_opt(2023, 3, 10),
            _ => chrono::NaiveDate::from_ymd_opt(2022, 3 + (i % 8) as u32, 1 + (i * 3 % 27) as u32),
        };
        sqlx::query(
            "update org_unit set villages_total = $3, founded_on = date '2021-09-01' + $4, predecessor = $5, transformed_on = $6,
                    fulltime_managers = 1, parttime_managers = 1 + $4 % 2, fulltime_teachers = 1 + $4 % 3, parttime_teachers = 4 + $4 % 5,
                    floor_area = 300 + 40 * $4, classrooms = 3 + $4 % 3, opening_hours = '周一至周五 8:30-17:30，周六上午',
                    shared_venues = case when $4 % 3 = 0 then '{cultural_centre,library,elderly_university}'::text[]
                                         else '{cultural_centre,library}'::text[] end
              where tenant_id = $1 and code = $2",
        )
        .bind(tenant_id)
        .bind(code)
        .bind(VILLAGES.get(i as usize).copied().unwrap_or(10))
        .bind(i)
        .bind(transformed_on.map(|_| format!("{area}成人文化技术学校")).unwrap_or_default())
        .bind(transformed_on)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "update org_unit set founded_on = date '2022-01-10' + (id % 90)::int, parttime_managers = 1, parttime_teachers = 2 + id % 3,
                floor_area = 60 + (id % 5) * 20, classrooms = 1 + id % 2, opening_hours = '周二、周四 14:30-17:30',
                shared_venues = '{library}'
          where tenant_id = $1 and kind = 'teaching_point'",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    // (unit code, level, candidate, declared, decided, status)
    type Step<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
    );
    let designations: &[Step] = &[
        (
            "MJ-CG",
            "city",
            "2022-02-01",
            Some("2022-03-01"),
            Some("2022-05-30"),
            "approved",
        ),
        (
            "MJ-CG",
            "provincial",
            "2022-03-01",
            Some("2022-04-10"),
            Some("2022-11-20"),
            "approved",
        ),
        (
            "MJ-HM",
            "city",
            "2022-02-15",
            Some("2022-04-01"),
            Some("2022-08-15"),
            "approved",
        ),
        (
            "MJ-PL",
            "city",
            "2023-01-05",
            Some("2023-03-01"),
            None,
            "declared",
        ),
        (
            "MJ-CG-01",
            "city",
            "2022-02-01",
            Some("2022-03-15"),
            Some("2022-06-10"),
            "approved",
        ),
        (
            "MJ-HM-01",
            "district",
            "2022-02-01",
            Some("2022-03-15"),
            Some("2022-06-20"),
            "approved",
        ),
        (
            "MJ-PL-01",
            "district",
            "2022-02-01",
            Some("2022-03-15"),
            Some("2022-06-25"),
            "not_approved",
        ),
    ];
    for (code, level, candidate, declared, decided, status) in designations {
        sqlx::query(
            "insert into demonstration (tenant_id, unit_id, level, year, status, candidate_on, declared_on, decided_on, note)
             select $1, id, $3, extract(year from $4::date)::int, $7, $4::date, $5::date, $6::date, '演示数据'
               from org_unit where tenant_id = $1 and code = $2",
        )
        .bind(tenant_id)
        .bind(code)
        .bind(level)
        .bind(candidate)
        .bind(declared)
        .bind(decided)
        .bind(status)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "update org_unit set status_since = coalesce(founded_on, status_since),
                village = case when kind = 'teaching_point' then replace(replace(name, area, ''), '教学点', '') else '' end
          where tenant_id = $1",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into unit_event (tenant_id, unit_id, effective_on, kind, note, actor_name)
         select tenant_id, id, founded_on, 'created', '演示数据', 'demo' from org_unit where tenant_id = $1",
    )
    .bind(tenant_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The lines printed at first start: the demo accounts and their password.
pub fn accounts_text() -> String {
    let mut out = format!("Demo accounts (password: {PASSWORD}):\n");
    for (username, role, what) in ACCOUNTS {
        out.push_str(&format!("  {username:<20} {role:<18} {what}\n"));
    }
    out
}
