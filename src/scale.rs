//! Province-scale synthetic data: `cedu demo --scale N [--seed S]` adds N districts shaped like
//! real ones — a college, 14 town schools with 20 teaching points each, 14 member units,
//! accounts, ten published years of December lists and an open one, ten evaluation rounds with
//! scores, survey answers, 560 teachers and volunteers with four years of service hours, audit
//! rows, and ten years of activities, 50 a unit a year, with their sessions and counts
//! ([`crate::scale_activities`]) — set-based in SQL, deterministic for a seed, and
//! without touching any other district. District 1 also carries a 100,000-item list, the
//! export benchmark's subject.

use crate::auth::password;
use crate::db::Db;
use std::time::Instant;

pub const TOWNS: i32 = 14;
pub const POINTS_PER_TOWN: i32 = 20;
pub const YEARS: std::ops::RangeInclusive<i32> = 2016..=2025;
pub const BIG_LIST: i32 = 100_000;

/// The code of synthetic district `i` for `seed`.
pub fn code(seed: u64, i: u32) -> String {
    format!("sim{seed}-{i:03}")
}

/// The district's submissions with their filer's name and a pseudo-random number of their own
/// (from the filer's code and year, not the row id: ids depend on what the database held before
/// and on the order a plan yields rows, so values drawn from them would differ between runs).
const SUBMISSION_KEYS: &str = "select s.id, s.org_unit_id, coalesce(u.name, m.name) as filer,
        abs(hashtext($2 || '/' || coalesce(u.code, m.code) || '/' || c.year))::bigint as k
   from submission s join reporting_cycle c on c.id = s.cycle_id
   left join org_unit u on u.id = s.org_unit_id left join member_unit m on m.id = s.member_unit_id
  where s.tenant_id = $1";

/// How much of a district the generator writes.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Activities a unit a year.
    pub activities: i32,
    /// Whether district 1 carries the [`BIG_LIST`].
    pub big_list: bool,
}

impl Size {
    /// What `cedu demo --scale` writes.
    pub const FULL: Size = Size {
        activities: crate::scale_activities::PER_UNIT,
        big_list: true,
    };
}

/// Adds districts 1..=n that are not there yet, at full size; returns how many it added.
pub async fn generate(db: &Db, n: u32, seed: u64) -> Result<u32, String> {
    generate_with(db, n, seed, Size::FULL).await
}

/// [`generate`] at another [`Size`] (the tests' districts are smaller).
pub async fn generate_with(db: &Db, n: u32, seed: u64, size: Size) -> Result<u32, String> {
    let hash = password::hash(crate::demo::PASSWORD.to_string()).await;
    let mut added = 0;
    for i in 1..=n {
        let code = code(seed, i);
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from tenant where code = $1)")
                .bind(&code)
                .fetch_one(&db.sys)
                .await
                .map_err(|e| e.to_string())?;
        if exists {
            continue;
        }
        let started = Instant::now();
        district(db, &code, i, seed, &hash, size)
            .await
            .map_err(|e| format!("district {code}: {e}"))?;
        added += 1;
        println!("{code}: {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(added)
}

/// One district in one transaction: all of it or none of it.
async fn district(
    db: &Db,
    code: &str,
    i: u32,
    seed: u64,
    hash: &str,
    size: Size,
) -> sqlx::Result<()> {
    let mut tx = db.begin_sys().await?;
    let key = format!("{seed}/{i}");
    let t: i64 = sqlx::query_scalar("insert into tenant (code, name, division_code, is_demo) values ($1, $2, '', true) returning id")
        .bind(code)
        .bind(format!("模拟区{i:03}"))
        .fetch_one(&mut *tx)
        .await?;
    // Every step is one statement over generate_series; h(...) is a deterministic pseudo-random number.
    let steps: &[&str] = &[
        "insert into org_unit (tenant_id, kind, path, code, name, status, founded_on, fulltime_managers, fulltime_teachers, parttime_teachers, is_demo)
         values ($1, 'college', '', 'C', '模拟社区教育学院', 'active', date '2020-01-01', 3, 8, 20, true)",
        "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, villages_total, transformed_on, predecessor,
                fulltime_managers, parttime_managers, fulltime_teachers, parttime_teachers, founded_on, shared_venues, is_demo)
         select $1, 'town_school', c.id, '', 'T' || lpad(g::text, 2, '0'), '模拟镇' || g || '社区教育学校', '模拟镇' || g,
                18 + abs(hashtext($2 || '/v/' || g)) % 8,
                case when abs(hashtext($2 || '/t/' || g)) % 6 = 0 then null else date '2022-01-10' + abs(hashtext($2 || '/d/' || g)) % 300 end,
                '模拟镇' || g || '成人文化技术学校', 1, 1 + g % 2, 1 + g % 3, 4 + g % 5, date '2021-09-01', '{library,cultural_centre}', true
           from org_unit c, generate_series(1, 14) g where c.tenant_id = $1 and c.kind = 'college'",
        "insert into org_unit (tenant_id, kind, parent_id, path, code, name, area, village, parttime_managers, parttime_teachers, founded_on, is_demo)
         select $1, 'teaching_point', s.id, '', s.code || '-' || lpad(g::text, 2, '0'), s.area || '第' || g || '村教学点', s.area, '第' || g || '村',
                1, 1 + abs(hashtext($2 || s.code || g)) % 4, date '2022-01-01' + g, true
           from org_unit s, generate_series(1, 20) g where s.tenant_id = $1 and s.kind = 'town_school'",
        "update org_unit set status = 'closed', status_since = date '2024-06-30' where tenant_id = $1 and kind = 'teaching_point' and abs(hashtext($2 || code)) % 25 = 0",
        "insert into member_unit (tenant_id, code, name, duties, sort, is_demo)
         select $1, 'M' || lpad(g::text, 2, '0'), '模拟成员单位' || g, '按照指导委员会分工做好社区教育相关工作。', g, true from generate_series(1, 14) g",
        "insert into demonstration (tenant_id, unit_id, level, year, status, candidate_on, declared_on, decided_on)
         select $1, id, (array['district','city','provincial'])[1 + abs(hashtext($2 || code || 'l')) % 3], 2022, 'approved',
                date '2022-02-01', date '2022-03-01', date '2022-05-01' + abs(hashtext($2 || code)) % 120
           from org_unit where tenant_id = $1 and kind <> 'college' and abs(hashtext($2 || code || 'demo')) % 9 = 0",
        "insert into reporting_cycle (tenant_id, year, opens_on, due_on, status, published_on)
         select $1, y, least(make_date(y, 12, 1), current_date - 14), make_date(y, 12, 31), case when y < 2026 then 'published' else 'open' end,
                case when y < 2026 then make_date(y + 1, 1, 15) end
           from generate_series(2016, 2026) y",
        "insert into submission (tenant_id, cycle_id, member_unit_id, status, submitted_on, decided_on)
         select $1, c.id, m.id, case when c.year < 2026 then 'accepted' else 'draft' end,
                case when c.year < 2026 then make_date(c.year, 12, 10) + abs(hashtext($2 || m.code || c.year)) % 30 end,
                case when c.year < 2026 then make_date(c.year + 1, 1, 10) end
           from reporting_cycle c, member_unit m where c.tenant_id = $1 and m.tenant_id = $1",
        "insert into submission (tenant_id, cycle_id, org_unit_id, status, submitted_on, decided_on)
         select $1, c.id, u.id, case when c.year < 2026 then 'accepted' else 'draft' end,
                case when c.year < 2026 then make_date(c.year, 12, 10) + abs(hashtext($2 || u.code || c.year)) % 30 end,
                case when c.year < 2026 then make_date(c.year + 1, 1, 10) end
           from reporting_cycle c, org_unit u where c.tenant_id = $1 and u.tenant_id = $1 and u.status = 'active'",
        "insert into resource_item (tenant_id, submission_id, category, name, description, location_unit_id, address, capacity,
                opening_times, populations, sharing, contact)
         select $1, s.id, (array['venue','facility','course','teacher_team','volunteer_team','digital','funding','brand','other'])[1 + (s.k + g) % 9],
                s.filer || '资源' || g, '模拟数据', s.org_unit_id, '模拟地址' || g, 20 + (s.k * g) % 200, '周一至周五 8:30-17:30',
                (array['{elderly}','{youth_after_school}','{rural}','{all}','{left_behind_children,left_behind_women}'])[1 + (s.k + g) % 5]::text[],
                (array['free','booking','fee'])[1 + (s.k + g) % 3], '联系人 0379-0000000'
           from (SUBMISSION_KEYS) s, generate_series(1, 3) g",
        "insert into plan_item (tenant_id, submission_id, title, category, populations, period, place, participants, budget_government, responsible)
         select $1, s.id, '模拟活动' || g, (array['elderly','youth','rural_skills','employment','modern_life','reading','science','health','culture','other'])[1 + (s.k + g) % 10],
                '{all}', (array['Y','Q1','Q2','Q3','Q4'])[1 + (s.k + g) % 5], '模拟地点', 50 + (s.k * g) % 300, 100000 * (1 + (s.k + g) % 20), '负责人'
           from (SUBMISSION_KEYS) s, generate_series(1, 2) g",
        "insert into submission_event (tenant_id, submission_id, action, actor_name, at)
         select $1, s.id, a, 'sim', make_date(c.year, 12, 20)::timestamptz
           from submission s join reporting_cycle c on c.id = s.cycle_id, unnest(array['submit','accept']) a
          where s.tenant_id = $1 and s.status = 'accepted'",
        "select seed_policy_targets($1), seed_specialties($1)",
        "insert into framework (tenant_id, year, name) select $1, 2016, name from framework_template order by id limit 1",
        "insert into indicator (tenant_id, framework_id, code, name, max_score, guidance, evidence, metric)
         select $1, f.id, i.code, i.name, i.max_score, i.guidance, i.evidence, i.metric
           from framework f, (select indicators from framework_template order by id limit 1) t,
                jsonb_to_recordset(t.indicators) as i(code text, name text, max_score numeric, guidance text, evidence text, metric text)
          where f.tenant_id = $1",
        "update indicator c set parent_id = p.id from indicator p
          where c.tenant_id = $1 and p.tenant_id = $1 and c.code like '%.%' and p.code = substring(c.code from '^(.*)[.][0-9]+$')",
        "insert into evaluation_round (tenant_id, year, name, framework_id, self_due, review_due, status, evaluator_weight, published_on)
         select $1, y, y || '年度督导评估', f.id, make_date(y, 11, 30), make_date(y, 12, 31), 'published', 0, make_date(y + 1, 1, 20)
           from framework f, generate_series(2016, 2025) y where f.tenant_id = $1",
        "insert into round_unit (tenant_id, round_id, org_unit_id, self_submitted_on, strengths, problems)
         select $1, r.id, u.id, r.self_due, '模拟：工作扎实。', '模拟：覆盖率有待提高。'
           from evaluation_round r, org_unit u where r.tenant_id = $1 and u.tenant_id = $1 and u.kind = 'town_school'",
        "insert into score (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value)
         select $1, ru.id, i.id, k, 0, 'sim', round(i.max_score * (60 + abs(hashtext($2 || u.code || r.year || i.code || k)) % 41) / 100.0, 1)
           from round_unit ru join evaluation_round r on r.id = ru.round_id join org_unit u on u.id = ru.org_unit_id
           join indicator i on i.framework_id = r.framework_id and i.metric is null
                and not exists (select 1 from indicator c where c.parent_id = i.id),
                unnest(array['self','supervisor']) k
          where ru.tenant_id = $1",
        "insert into survey (tenant_id, year, title, questions) values ($1, 2026, '社区教育居民满意度调查', array['问题一','问题二','问题三'])",
        "insert into survey_response (tenant_id, survey_id, org_unit_id, answers, address_hash)
         select $1, v.id, u.id, array[3 + g % 3, 2 + g % 4, 4 + g % 2]::smallint[], md5($2 || u.code || g)
           from survey v, org_unit u, generate_series(1, 40) g where v.tenant_id = $1 and u.tenant_id = $1 and u.kind = 'town_school'",
        // The registry: 40 people a town, each serving the town and one of its points.
        "insert into educator (tenant_id, volunteer_no, name, gender, birth_year, phone, work_unit, specialties, kind,
                availability, status, home_unit_id, registered_by, is_demo)
         select $1, 'SIM-' || s.code || '-' || lpad(g::text, 3, '0'), '模拟人员' || s.code || '-' || g,
                (array['female','male'])[1 + g % 2], 1950 + abs(hashtext($2 || s.code || g)) % 50,
                '1390' || substr(s.code, 2, 2) || lpad(g::text, 5, '0'), '模拟单位' || (g % 7),
                array[(select p.id from specialty p where p.tenant_id = $1 order by p.sort offset (abs(hashtext($2 || s.code || g || 'sp')) % 14) limit 1)],
                (array['volunteer','teacher','teacher_volunteer','volunteer'])[1 + g % 4], '{weekend_day}',
                case when g % 20 = 0 then 'left' when g % 13 = 0 then 'applied' else 'active' end, s.id, 'staff', true
           from org_unit s, generate_series(1, 40) g where s.tenant_id = $1 and s.kind = 'town_school'",
        "insert into educator_unit (tenant_id, educator_id, unit_id)
         select $1, e.id, u.id from educator e join org_unit h on h.id = e.home_unit_id
           join org_unit u on u.tenant_id = e.tenant_id
                and (u.id = h.id or u.code = h.code || '-' || lpad((1 + abs(hashtext($2 || e.volunteer_no)) % 20)::text, 2, '0'))
          where e.tenant_id = $1",
        // Eight afternoons a year from 2023, each in its own month, at the point; this year's last
        // two wait to be countersigned.
        "insert into service_hours (tenant_id, educator_id, unit_id, served_on, starts_at, ends_at, minutes, content, status,
                recorded_by, decided_by, decided_at, is_demo)
         select $1, e.id, eu.unit_id, make_date(y, 1 + k, 1 + abs(hashtext($2 || e.volunteer_no || y || k)) % 27),
                time '14:00', time '16:30', 150, '模拟服务', case when y = 2026 and k >= 6 then 'pending' else 'approved' end,
                'sim', case when y = 2026 and k >= 6 then '' else 'sim-sign' end,
                case when y = 2026 and k >= 6 then null else make_date(y, 1 + k, 28)::timestamptz end, true
           from educator e join lateral (select x.unit_id from educator_unit x join org_unit u on u.id = x.unit_id
                                          where x.educator_id = e.id order by u.kind = 'teaching_point' desc limit 1) eu on true,
                generate_series(2023, 2026) y, generate_series(0, 7) k
          where e.tenant_id = $1 and e.status in ('active', 'left') and (y < 2026 or k < 10)",
        "insert into audit_log (tenant_id, at, actor_name, action, entity, entity_id, after)
         select $1, timestamptz '2016-01-01' + g * interval '1 hour', 'sim', 'org_unit.update', 'org_unit', u.id, '{}'::jsonb
           from (select id, row_number() over (order by code) as n from org_unit where tenant_id = $1) u, generate_series(1, 8) g",
    ];
    for sql in steps {
        let sql = sql.replace("SUBMISSION_KEYS", SUBMISSION_KEYS);
        sqlx::query(&sql)
            .bind(t)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
    }
    crate::scale_activities::fill(&mut tx, t, &key, size.activities).await?;
    if i == 1 && size.big_list {
        // The export benchmark's subject: one accepted, published list of 100,000 items.
        sqlx::query(
            "insert into resource_item (tenant_id, submission_id, category, name, description, address, capacity, opening_times, populations, sharing, contact)
             select $1, s.id, 'course', '大清单课程' || g, '模拟数据', '模拟地址', 30, '每天', '{all}', 'free', '联系人 0379-0000000'
               from submission s join reporting_cycle c on c.id = s.cycle_id join org_unit u on u.id = s.org_unit_id,
                    generate_series(1, $2) g
              where s.tenant_id = $1 and c.year = 2025 and u.kind = 'college'",
        )
        .bind(t)
        .bind(BIG_LIST)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("select publish_catalogue(id) from reporting_cycle where tenant_id = $1 and status = 'published'")
        .bind(t)
        .execute(&mut *tx)
        .await?;
    let accounts: [(&str, &str, Option<&str>); 5] = [
        ("bureau", "district_admin", None),
        ("supervisor", "supervisor", None),
        ("office", "committee_office", None),
        ("town", "town_admin", Some("T01")),
        ("point", "point_coordinator", Some("T01-01")),
    ];
    crate::db::set_tenant(&mut tx, t).await?;
    for (suffix, role, unit) in accounts {
        sqlx::query(
            "select add_account($2, $2, $3, $4, (select id from org_unit where tenant_id = $1 and code = $5), null, true)",
        )
        .bind(t)
        .bind(format!("{code}-{suffix}"))
        .bind(hash)
        .bind(role)
        .bind(unit)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
