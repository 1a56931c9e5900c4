//! The computed indicators: what cedu's own records say of a town school in a year (lists on
//! time, village coverage, transformation, demonstration, residents' satisfaction).

use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::HashMap;

/// A computed indicator's value (0–100 %) and what it rests on.
#[derive(Debug, Clone)]
pub struct Computed {
    pub pct: f64,
    pub detail: String,
}

/// Values of the computed indicators for a town school in a year, from cedu's own records.
pub async fn computed(
    conn: &mut PgConnection,
    year: i32,
    unit: i64,
) -> sqlx::Result<HashMap<&'static str, Computed>> {
    Ok(computed_for(conn, year, &[unit])
        .await?
        .remove(&unit)
        .unwrap_or_default())
}

#[derive(sqlx::FromRow)]
struct Facts {
    id: i64,
    submitted_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    list_status: Option<String>,
    points: i64,
    villages_total: Option<i32>,
    transformed_on: Option<NaiveDate>,
    approved: i64,
    satisfied: i64,
    answers: i64,
}

/// The computed indicators of many units at once: one query, however many units.
pub async fn computed_for(
    conn: &mut PgConnection,
    year: i32,
    units: &[i64],
) -> sqlx::Result<HashMap<i64, HashMap<&'static str, Computed>>> {
    let facts: Vec<Facts> = sqlx::query_as(
        "select u.id, f.submitted_on, f.due_on, f.status as list_status,
                (select count(*) from org_unit p where p.tenant_id = u.tenant_id and p.parent_id = u.id and p.status = 'active') as points,
                u.villages_total, u.transformed_on,
                (select count(*) from demonstration d where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved') as approved,
                coalesce(v.satisfied, 0) as satisfied, coalesce(v.answers, 0) as answers
           from org_unit u
           left join lateral (select s.submitted_on, c.due_on, s.status from submission s
                                join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
                               where s.tenant_id = u.tenant_id and s.org_unit_id = u.id and c.year = $2) f on true
           left join lateral (select count(*) filter (where a >= 4) as satisfied, count(*) as answers
                                from survey_response r, unnest(r.answers) as a
                               where r.tenant_id = u.tenant_id and r.org_unit_id = u.id
                                 -- the year's survey found once, not joined per answer
                                 and r.survey_id = (select sv.id from survey sv where sv.year = $2)) v on true
          where u.id = any($1)",
    )
    .bind(units)
    .bind(year)
    .fetch_all(conn)
    .await?;
    let mut all = HashMap::new();
    for f in facts {
        let mut out = HashMap::new();
        let on_time = f
            .submitted_on
            .zip(f.due_on)
            .is_some_and(|(s, due)| s <= due);
        let detail = match (f.submitted_on, f.due_on, &f.list_status) {
            (s, Some(due), Some(status)) => format!(
                "{} / {due} · {status}",
                s.map_or("—".into(), |s| s.to_string())
            ),
            _ => "—".into(),
        };
        out.insert(
            "lists_on_time",
            Computed {
                pct: if on_time { 100.0 } else { 0.0 },
                detail,
            },
        );
        let coverage = f
            .villages_total
            .filter(|v| *v > 0)
            .map_or(0.0, |v| (f.points as f64 * 100.0 / f64::from(v)).min(100.0));
        out.insert(
            "village_coverage",
            Computed {
                pct: coverage,
                detail: format!(
                    "{} / {}",
                    f.points,
                    f.villages_total.map_or("—".into(), |v| v.to_string())
                ),
            },
        );
        out.insert(
            "transformed",
            Computed {
                pct: if f.transformed_on.is_some() {
                    100.0
                } else {
                    0.0
                },
                detail: f.transformed_on.map_or("—".into(), |d| d.to_string()),
            },
        );
        out.insert(
            "demonstration",
            Computed {
                pct: if f.approved > 0 { 100.0 } else { 0.0 },
                detail: f.approved.to_string(),
            },
        );
        let rate = if f.answers == 0 {
            0.0
        } else {
            f.satisfied as f64 * 100.0 / f.answers as f64
        };
        out.insert(
            "satisfaction",
            Computed {
                pct: rate,
                detail: format!("{} / {}", f.satisfied, f.answers),
            },
        );
        all.insert(f.id, out);
    }
    Ok(all)
}
