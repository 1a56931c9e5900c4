//! Demo data for the registry of teachers and volunteers: invented people (marked 演示数据)
//! across Mengjin's town schools, with where they serve, hours approved and waiting, a few
//! qualifications (one running out in ten days), an application waiting for review, one
//! person paused and one who has left. Phone numbers are from the reserved 1380000xxxx range.

use sqlx::PgConnection;

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "秀英", "建国", "桂兰", "志强", "玉梅", "国华", "丽娟", "海涛", "春燕", "明轩", "淑芳", "德胜",
];
const WORK: [&str; 6] = [
    "城关镇中心小学（退休）",
    "区人民医院",
    "区文化馆",
    "区司法局",
    "个体经营",
    "区农业农村局",
];

/// Loads the demo people of the district; `today` anchors the dates (qualifications, hours).
pub async fn load(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    let towns: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "select t.id, (select p.id from org_unit p where p.tenant_id = t.tenant_id and p.parent_id = t.id
                        and p.status = 'active' order by p.code limit 1)
           from org_unit t where t.tenant_id = $1 and t.kind = 'town_school' order by t.code",
    )
    .bind(tenant_id)
    .fetch_all(&mut *tx)
    .await?;
    let specialties: Vec<i64> =
        sqlx::query_scalar("select id from specialty where tenant_id = $1 order by sort")
            .bind(tenant_id)
            .fetch_all(&mut *tx)
            .await?;
    let kinds = ["volunteer", "teacher", "teacher_volunteer", "volunteer"];
    let availability = [
        vec!["weekend_day"],
        vec!["weekday_evening", "weekend_day"],
        vec!["weekday_day"],
        vec!["weekend_day", "weekend_evening"],
    ];
    let mut n = 0usize;
    for (t, (town, point)) in towns.iter().enumerate() {
        for k in 0..3usize {
            n += 1;
            // The first town's third person is an application waiting for review; two others
            // are paused and gone, so every state shows somewhere.
            let status = match (t, k) {
                (0, 2) => "applied",
                (1, 2) => "paused",
                (2, 2) => "left",
                _ => "active",
            };
            let registered_by = if status == "applied" { "self" } else { "staff" };
            let serves: Vec<i64> = match (k, point) {
                (1, Some(p)) => vec![*town, *p],
                _ => vec![*town],
            };
            let picked = vec![
                specialties[(n * 3) % specialties.len()],
                specialties[(n * 5 + 1) % specialties.len()],
            ];
            let id: i64 = sqlx::query_scalar(
                "insert into educator (tenant_id, volunteer_no, name, gender, birth_year, phone, work_unit, position,
                        specialties, kind, availability, status, status_since, home_unit_id, registered_by, consent_at, is_demo)
                 values ($1, '410308-' || lpad($2::text, 6, '0'), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                         current_date - 30, $13, $14, case when $14 = 'self' then now() end, true)
                 returning id",
            )
            .bind(tenant_id)
            .bind(n as i64)
            .bind(format!("{}{}", SURNAMES[n % 12], GIVEN[(n * 7) % 12]))
            .bind(if n.is_multiple_of(2) { "female" } else { "male" })
            .bind(1955 + (n as i32 * 3) % 45)
            .bind(format!("1380000{:04}", n))
            .bind(WORK[n % WORK.len()])
            .bind(if k == 1 { "教师" } else { "" })
            .bind(&picked)
            .bind(kinds[n % kinds.len()])
            .bind(&availability[n % availability.len()])
            .bind(status)
            .bind(town)
            .bind(registered_by)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "insert into educator_unit (tenant_id, educator_id, unit_id) select $1, $2, u from unnest($3::bigint[]) u",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(&serves)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into educator_event (tenant_id, educator_id, effective_on, kind, to_status, actor_name)
                 values ($1, $2, current_date - 30, $3, $4, 'demo')",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(if status == "applied" { "applied" } else { "registered" })
            .bind(status)
            .execute(&mut *tx)
            .await?;
            if status == "applied" {
                continue;
            }
            // Four afternoons this season, countersigned; the latest still waiting.
            sqlx::query(
                "insert into service_hours (tenant_id, educator_id, unit_id, served_on, starts_at, ends_at, minutes,
                        content, status, recorded_by, decided_by, decided_at, is_demo)
                 select $1, $2, $3, current_date - (g * 7 + $4), time '14:00', time '16:30', 150,
                        (array['书法兴趣班授课', '老年智能手机培训', '4点半课堂辅导', '健康讲座'])[1 + (g + $4) % 4],
                        case when g = 1 then 'pending' else 'approved' end, 'demo',
                        case when g = 1 then '' else 'demo-countersign' end,
                        case when g = 1 then null else now() end, true
                   from generate_series(1, 4) g",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(serves[serves.len() - 1])
            .bind((n % 5) as i32)
            .execute(&mut *tx)
            .await?;
            if k == 1 {
                // A qualification; the first town's runs out in ten days.
                sqlx::query(
                    "insert into qualification (tenant_id, educator_id, name, issuer, number, valid_until)
                     values ($1, $2, $3, '洛阳市演示发证机构', 'DEMO-' || $2, current_date + $4)",
                )
                .bind(tenant_id)
                .bind(id)
                .bind(if n.is_multiple_of(2) { "教师资格证" } else { "社会体育指导员证书" })
                .bind(if t == 0 { 10 } else { 400 + t as i32 * 30 })
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    Ok(())
}
