//! Demo data for town-level supervision (五(四) 镇（街道）督导评估制度): 城关镇's school runs
//! its own round of the year over its three teaching points with a framework of its own (only
//! the computed indicators a point can have). Every point has handed in its self-assessment;
//! the town has scored two of them, so the district's indicator 1.2 reads 2 of 3. Scores and
//! names are invented.

use sqlx::PgConnection;

/// 城关镇's framework for its points: (code, name, points, metric), weights adding to 100.
const INDICATORS: [(&str, &str, f64, Option<&str>); 12] = [
    ("1", "组织管理", 20.0, None),
    ("1.1", "有负责人、有管理制度、有学习场所", 10.0, None),
    (
        "1.2",
        "按时提交年度资源清单和行动计划",
        10.0,
        Some("lists_on_time"),
    ),
    ("2", "教育活动", 50.0, None),
    ("2.1", "落实年度行动计划", 20.0, Some("plan_delivery")),
    ("2.2", "参与全民终身学习活动周", 10.0, Some("learning_week")),
    ("2.3", "老年教育和“四点半课堂”", 10.0, Some("elderly_youth")),
    ("2.4", "活动记录、签到和照片齐全", 10.0, None),
    ("3", "队伍和服务", 30.0, None),
    (
        "3.1",
        "注册在岗的教师和志愿者",
        10.0,
        Some("educators_registered"),
    ),
    ("3.2", "学习场所开放时间和安全管理", 10.0, None),
    ("3.3", "居民参与和意见反馈", 10.0, None),
];

/// Typed indicators' self scores and the town's scores per point, as shares of the maximum.
const SCORED: [(&str, f64, Option<f64>); 3] = [
    ("MJ-CG-01", 0.9, Some(0.8)),
    ("MJ-CG-02", 0.85, Some(0.7)),
    ("MJ-CG-03", 0.8, None),
];

pub async fn load(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    let (town, town_account): (i64, i64) = sqlx::query_as(
        "select u.id, a.id from org_unit u, account a
          where u.tenant_id = $1 and u.code = 'MJ-CG' and a.tenant_id = $1 and a.username = 'mengjin-town'",
    )
    .bind(tenant_id)
    .fetch_one(&mut *tx)
    .await?;
    let framework: i64 = sqlx::query_scalar(
        "insert into framework (tenant_id, year, name, owner_unit_id)
         values ($1, extract(year from current_date)::int,
                 '城关镇社区教育教学点督导评估指标（' || extract(year from current_date) || '）', $2) returning id",
    )
    .bind(tenant_id)
    .bind(town)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into indicator (tenant_id, framework_id, code, name, max_score, metric)
         select $1, $2, t.code, t.name, t.max_score::numeric, t.metric
           from unnest($3::text[], $4::text[], $5::float8[], $6::text[]) as t(code, name, max_score, metric)",
    )
    .bind(tenant_id)
    .bind(framework)
    .bind(INDICATORS.map(|i| i.0).to_vec())
    .bind(INDICATORS.map(|i| i.1).to_vec())
    .bind(INDICATORS.map(|i| i.2).to_vec())
    .bind(INDICATORS.map(|i| i.3).to_vec())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update indicator c set parent_id = p.id from indicator p
          where c.tenant_id = $1 and p.tenant_id = $1 and c.framework_id = $2 and p.framework_id = $2
            and p.code = substring(c.code from '^(.*)[.][0-9]+$')",
    )
    .bind(tenant_id)
    .bind(framework)
    .execute(&mut *tx)
    .await?;
    // In review: the points handed in before the self-assessment closed; the town is scoring.
    let round: i64 = sqlx::query_scalar(
        "insert into evaluation_round (tenant_id, year, name, framework_id, self_due, review_due, status, owner_unit_id)
         values ($1, extract(year from current_date)::int,
                 extract(year from current_date) || '年度城关镇社区教育教学点督导评估', $2,
                 current_date - 5, current_date + 25, 'review', $3) returning id",
    )
    .bind(tenant_id)
    .bind(framework)
    .bind(town)
    .fetch_one(&mut *tx)
    .await?;
    for (i, (point, own, town_share)) in SCORED.iter().enumerate() {
        let (unit, coordinator): (i64, Option<(i64, String)>) = (
            sqlx::query_scalar(
                "insert into round_unit (tenant_id, round_id, org_unit_id, self_submitted_on)
                 select $1, $2, id, current_date - 7 - $4::int from org_unit where tenant_id = $1 and code = $3 returning id",
            )
            .bind(tenant_id)
            .bind(round)
            .bind(point)
            .bind(i as i32)
            .fetch_one(&mut *tx)
            .await?,
            sqlx::query_as(
                "select a.id, a.username from account a join org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
                  where a.tenant_id = $1 and u.code = $2 and a.role = 'point_coordinator' order by a.id limit 1",
            )
            .bind(tenant_id)
            .bind(point)
            .fetch_optional(&mut *tx)
            .await?,
        );
        // The point's own account where the demo has one (东关: mengjin-point).
        let coordinator = coordinator.unwrap_or((0, "教学点负责人（演示）".into()));
        let sheet = (unit, framework);
        score(tx, tenant_id, sheet, ("self", *own), &coordinator).await?;
        if let Some(share) = town_share {
            let town = (town_account, "mengjin-town".to_string());
            score(tx, tenant_id, sheet, ("supervisor", *share), &town).await?;
        }
    }
    Ok(())
}

/// Scores every typed leaf of a unit's sheet at `share` of its maximum, as `kind`, by `who`
/// (an account's id and name).
async fn score(
    tx: &mut PgConnection,
    tenant_id: i64,
    (unit, framework): (i64, i64),
    (kind, share): (&str, f64),
    who: &(i64, String),
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into score (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value, note)
         select $1, $2, i.id, $4, $6, $7, round(i.max_score * $5::numeric, 1),
                case when $4 = 'self' then '见佐证材料（演示）' else '' end
           from indicator i
          where i.tenant_id = $1 and i.framework_id = $3 and i.metric is null
            and not exists (select 1 from indicator c where c.tenant_id = $1 and c.parent_id = i.id)",
    )
    .bind(tenant_id)
    .bind(unit)
    .bind(framework)
    .bind(kind)
    .bind(share)
    .bind(who.0)
    .bind(&who.1)
    .execute(tx)
    .await?;
    Ok(())
}
