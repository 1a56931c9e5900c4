//! The computed indicators: what cedu's own records say of a town school in a year (lists on
//! time, village coverage, transformation, demonstration, residents' satisfaction; and, from
//! the town's and its points' activities, delivery of the plan, the learning week, the key
//! populations served, funding by channel; from the registry, its teachers and volunteers;
//! from its own rounds, whether it supervised its teaching points).

use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::HashMap;

/// A computed indicator's value (0–100 %) and what it rests on.
#[derive(Debug, Clone)]
pub struct Computed {
    pub pct: f64,
    pub detail: String,
    /// Where the records it rests on are listed.
    pub link: Option<String>,
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
    plan_items: i64,
    plan_delivered: i64,
    week_activities: i64,
    week_participants: i64,
    elderly: i64,
    youth: i64,
    rural: i64,
    left_behind: i64,
    disabled: i64,
    spend: Vec<i64>,
    educators: i64,
    town_rounds: i64,
    points_scored: i64,
}

/// The computed indicators of many units at once: one query, however many units.
pub async fn computed_for(
    conn: &mut PgConnection,
    year: i32,
    units: &[i64],
) -> sqlx::Result<HashMap<i64, HashMap<&'static str, Computed>>> {
    let facts: Vec<Facts> = sqlx::query_as(
        // What each organiser held in the year comes from its totals (`delivery_total`), the
        // learning week's from the week's activities by their campaign: read once for all the
        // towns (a lateral per town over the year's activities took 3.5 s at scale).
        "with tree as materialized (
              -- Each unit asked about with itself and the units beneath it, found once.
              select u.id as town, o.id as unit
                from org_unit u join org_unit o on o.tenant_id = u.tenant_id and o.path like u.path || '%'
               where u.id = any($1)),
          held as materialized (
              select t.organiser_unit_id as unit_id,
                     sum(t.spend_government) as spend_government, sum(t.spend_donation) as spend_donation,
                     sum(t.spend_learners) as spend_learners, sum(t.spend_other) as spend_other,
                     sum(t.elderly) as elderly, sum(t.youth) as youth, sum(t.rural) as rural,
                     sum(t.left_behind) as left_behind, sum(t.disabled) as disabled
                from delivery_total t
               where t.tenant_id = (select d.tenant_id from org_unit d where d.id = ($1::bigint[])[1])
                 and t.year = $2 and t.organiser_unit_id <> 0
               group by t.organiser_unit_id),
          week as materialized (
              select a.organiser_unit_id as unit_id, count(*) as activities, sum(a.participants) as participants
                from campaign c
                join activity a on a.tenant_id = c.tenant_id and a.campaign_id = c.id
               where c.tenant_id = (select d.tenant_id from org_unit d where d.id = ($1::bigint[])[1])
                 and c.kind = 'learning_week' and c.year = $2 and a.status in ('held', 'reported')
                 and a.starts_on >= make_date($2, 1, 1) and a.starts_on < make_date($2 + 1, 1, 1)
               group by a.organiser_unit_id)
         select u.id, f.submitted_on, f.due_on, f.status as list_status,
                (select count(*) from org_unit p where p.tenant_id = u.tenant_id and p.parent_id = u.id and p.status = 'active') as points,
                u.villages_total, u.transformed_on,
                (select count(*) from demonstration d where d.tenant_id = u.tenant_id and d.unit_id = u.id and d.status = 'approved') as approved,
                coalesce(v.satisfied, 0) as satisfied, coalesce(v.answers, 0) as answers,
                pl.plan_items, pl.plan_delivered, wk.week_activities, wk.week_participants, act.spend,
                act.elderly, act.youth, act.rural, act.left_behind, act.disabled, ed.educators,
                ts.town_rounds, ts.points_scored
           from org_unit u
           left join lateral (select s.submitted_on, c.due_on, s.status from submission s
                                join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
                               where s.tenant_id = u.tenant_id and s.org_unit_id = u.id and c.year = $2) f on true
           left join lateral (select count(*) filter (where a >= 4) as satisfied, count(*) as answers
                                from survey_response r, unnest(r.answers) as a
                               where r.tenant_id = u.tenant_id and r.org_unit_id = u.id
                                 -- the year's survey found once, not joined per answer
                                 and r.survey_id = (select sv.id from survey sv where sv.year = $2)) v on true
           -- The plan filed the December before by the town and its points, and how many of
           -- its items an activity held this year delivered.
           left join lateral (select count(*) as plan_items,
                                     count(*) filter (where exists (
                                         select 1 from delivery_total t where t.tenant_id = pi.tenant_id
                                            and t.year = $2 and t.plan_item_id = pi.id and t.held > 0)) as plan_delivered
                                from submission s
                                join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id and c.year = $2 - 1
                                join tree o on o.town = u.id and o.unit = s.org_unit_id
                                join plan_item pi on pi.tenant_id = s.tenant_id and pi.submission_id = s.id
                               where s.tenant_id = u.tenant_id and s.status = 'accepted') pl on true
           -- What the town and its points held this year: for each key population, paid by
           -- which channel, and in the learning week.
           left join lateral (select array[coalesce(sum(h.spend_government), 0), coalesce(sum(h.spend_donation), 0),
                                           coalesce(sum(h.spend_learners), 0), coalesce(sum(h.spend_other), 0)]::bigint[] as spend,
                                     coalesce(sum(h.elderly), 0)::bigint as elderly, coalesce(sum(h.youth), 0)::bigint as youth,
                                     coalesce(sum(h.rural), 0)::bigint as rural, coalesce(sum(h.left_behind), 0)::bigint as left_behind,
                                     coalesce(sum(h.disabled), 0)::bigint as disabled
                                from held h
                                join tree o on o.town = u.id and o.unit = h.unit_id) act on true
           left join lateral (select coalesce(sum(w.activities), 0)::bigint as week_activities,
                                     coalesce(sum(w.participants), 0)::bigint as week_participants
                                from week w
                                join tree o on o.town = u.id and o.unit = w.unit_id) wk on true
           -- Active teachers and volunteers serving the town or its points.
           left join lateral (select count(distinct eu.educator_id) as educators
                                from educator_unit eu
                                join tree o on o.town = u.id and o.unit = eu.unit_id
                                join educator e on e.tenant_id = eu.tenant_id and e.id = eu.educator_id and e.status = 'active'
                               where eu.tenant_id = u.tenant_id) ed on true
           -- The town's own rounds of the year over its points, and how many of its active
           -- points it scored in them (its scores are kept as the supervisor kind).
           left join lateral (select count(*) as town_rounds,
                                     (select count(distinct ru.org_unit_id)
                                        from evaluation_round e
                                        join round_unit ru on ru.tenant_id = e.tenant_id and ru.round_id = e.id
                                        join org_unit p on p.tenant_id = ru.tenant_id and p.id = ru.org_unit_id
                                                       and p.parent_id = u.id and p.status = 'active'
                                       where e.tenant_id = u.tenant_id and e.owner_unit_id = u.id and e.year = $2
                                         and exists (select 1 from score s where s.tenant_id = ru.tenant_id
                                                        and s.round_unit_id = ru.id and s.scorer_kind = 'supervisor')) as points_scored
                                from evaluation_round e
                               where e.tenant_id = u.tenant_id and e.owner_unit_id = u.id and e.year = $2) ts on true
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
                link: None,
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
                link: Some(format!("/units?town={}", f.id)),
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
                link: Some(format!("/units/{}", f.id)),
            },
        );
        out.insert(
            "demonstration",
            Computed {
                pct: if f.approved > 0 { 100.0 } else { 0.0 },
                detail: f.approved.to_string(),
                link: Some(format!("/units/{}", f.id)),
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
                link: Some(format!("/supervision/survey?year={year}")),
            },
        );
        activity_metrics(&mut out, &f, year);
        all.insert(f.id, out);
    }
    Ok(all)
}

/// The share `part` of `whole` as a percentage (0 of nothing is 0).
fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 * 100.0 / whole as f64).min(100.0)
    }
}

/// The indicators computed from the town's activities and registry (2.2, 3.2, 6.1, 6.2, 7.1,
/// 7.2 of the platform's template).
fn activity_metrics(out: &mut HashMap<&'static str, Computed>, f: &Facts, year: i32) {
    let town = f.id;
    let activities = |extra: &str| Some(format!("/activities?town={town}&year={year}{extra}"));
    out.insert(
        "plan_delivery",
        Computed {
            pct: pct(f.plan_delivered, f.plan_items),
            detail: format!("{} / {}", f.plan_delivered, f.plan_items),
            link: Some(format!("/delivery?year={year}&town={town}")),
        },
    );
    out.insert(
        "learning_week",
        Computed {
            pct: if f.week_activities > 0 { 100.0 } else { 0.0 },
            detail: format!("{} · {}", f.week_activities, f.week_participants),
            link: Some(format!("/campaigns?year={year}")),
        },
    );
    // 7.1: both the elderly and after-school youth served; 7.2: rural residents, the
    // left-behind and people with disabilities, a third each.
    let served = |groups: &[i64]| groups.iter().filter(|n| **n > 0).count() as i64;
    out.insert(
        "elderly_youth",
        Computed {
            pct: pct(served(&[f.elderly, f.youth]), 2),
            detail: format!("{} · {}", f.elderly, f.youth),
            link: activities("&population=elderly"),
        },
    );
    out.insert(
        "rural_left_behind",
        Computed {
            pct: pct(served(&[f.rural, f.left_behind, f.disabled]), 3),
            detail: format!("{} · {} · {}", f.rural, f.left_behind, f.disabled),
            link: activities("&population=rural"),
        },
    );
    let channels = f.spend.iter().filter(|v| **v > 0).count() as i64;
    out.insert(
        "funding_channels",
        Computed {
            pct: pct(channels, 2),
            detail: channels.to_string(),
            link: activities(""),
        },
    );
    // 1.2: the town supervised its own points this year: the share of its active points it
    // scored in its own rounds of the year.
    out.insert(
        "town_supervision",
        Computed {
            pct: pct(f.points_scored, f.points),
            detail: format!("{} · {} / {}", f.town_rounds, f.points_scored, f.points),
            link: Some(format!("/supervision?town={town}&year={year}#town-rounds")),
        },
    );
    // 3.2: at least one registered, active teacher or volunteer for each teaching point.
    out.insert(
        "educators_registered",
        Computed {
            pct: pct(f.educators, f.points.max(1)),
            detail: format!("{} / {}", f.educators, f.points),
            link: Some(format!("/educators?town={town}")),
        },
    );
}
