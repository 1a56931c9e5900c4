//! The province-scale generator: whole districts, deterministic for a seed, others untouched;
//! their activities carry the figures their sessions and counts give, and the pages over them
//! count their own district only. The tests draw a few activities a unit a year, not 50.

use crate::support::TestApp;
use cedu::scale::Size;
use reqwest::StatusCode;

/// The tests' districts: two activities a unit a year; the 100,000-item list only where it is
/// checked (it takes most of a district's time).
const SMALL: Size = Size {
    activities: 2,
    big_list: true,
};
const SMALLER: Size = Size {
    activities: 2,
    big_list: false,
};

/// A digest of everything a district holds that the generator writes, in a stable order.
async fn digest(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar(
        "select md5(string_agg(x, '|' order by x)) from (
             select 'u' || u.code || u.name || u.status || coalesce(u.transformed_on::text, '') as x
               from org_unit u join tenant t on t.id = u.tenant_id where t.code = $1
             union all
             select 'r' || c.year || i.name || i.category || i.capacity || i.sharing
               from resource_item i join submission s on s.id = i.submission_id
               join reporting_cycle c on c.id = s.cycle_id join tenant t on t.id = i.tenant_id
              where t.code = $1 and i.name not like '大清单%'
             union all
             select 'h' || e.volunteer_no || e.phone || x.served_on || x.minutes || x.status || u.code
               from service_hours x join educator e on e.id = x.educator_id join org_unit u on u.id = x.unit_id
               join tenant t on t.id = x.tenant_id
              where t.code = $1
             union all
             select 's' || r.year || u.code || sc.scorer_kind || sc.value
               from score sc join round_unit ru on ru.id = sc.round_unit_id join org_unit u on u.id = ru.org_unit_id
               join evaluation_round r on r.id = ru.round_id join tenant t on t.id = sc.tenant_id
              where t.code = $1
             union all
             select 'a' || coalesce(u.code, m.code) || a.title || a.starts_on || a.ends_on || a.status || a.sessions_held
                    || a.attendance || a.participants || a.spend_government || a.spend_donation || coalesce(pi.title, '')
               from activity a join tenant t on t.id = a.tenant_id
               left join org_unit u on u.id = a.organiser_unit_id left join member_unit m on m.id = a.organiser_member_unit_id
               left join plan_item pi on pi.id = a.plan_item_id
              where t.code = $1) d",
    )
    .bind(code)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_generator_adds_whole_districts_deterministically_and_touches_no_other() {
    let app = TestApp::spawn().await;
    let mengjin = "select (select count(*) from org_unit where tenant_id = 1) + (select count(*) from resource_item where tenant_id = 1)
                        + (select count(*) from audit_log where tenant_id = 1) + (select count(*) from catalogue_resource where tenant_id = 1)";
    let before = count(&app, mengjin).await;
    assert_eq!(
        cedu::scale::generate_with(&app.db, 2, 9, SMALL)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        cedu::scale::generate(&app.db, 2, 9).await.unwrap(),
        0,
        "districts already there are left alone"
    );
    assert_eq!(
        count(&app, mengjin).await,
        before,
        "the real district is untouched"
    );

    let units = count(&app, "select count(*) from org_unit u join tenant t on t.id = u.tenant_id where t.code = 'sim9-002'").await;
    assert_eq!(units, 1 + 14 + 14 * 20);
    let cycles = count(&app, "select count(*) from reporting_cycle c join tenant t on t.id = c.tenant_id where t.code = 'sim9-002' and c.status = 'published'").await;
    assert_eq!(cycles, 10);
    // Every published year's accepted lists are in the catalogue, and only they.
    let listed = count(
        &app,
        "select count(*) from resource_item i join submission s on s.id = i.submission_id
           join reporting_cycle c on c.id = s.cycle_id join tenant t on t.id = i.tenant_id
          where t.code = 'sim9-002' and c.status = 'published' and s.status = 'accepted'",
    )
    .await;
    let catalogued = count(&app, "select count(*) from catalogue_resource r join tenant t on t.id = r.tenant_id where t.code = 'sim9-002'").await;
    assert!(listed > 1000);
    assert_eq!(catalogued, listed);
    let big = count(&app, "select count(*) from catalogue_resource r join tenant t on t.id = r.tenant_id where t.code = 'sim9-001' and r.name like '大清单%'").await;
    assert_eq!(big, i64::from(cedu::scale::BIG_LIST));

    // Its accounts sign in and see their own district.
    let bureau = app.login("sim9-002-bureau").await;
    bureau.get("/home").await.assert_contains("模拟区002");
    let catalogue = app.client().get("/public/sim9-002/2025").await;
    assert_eq!(catalogue.status, StatusCode::OK);
    catalogue.assert_contains("id=\"resource-total\"");

    // The same seed on the same starting data gives the same districts in another database.
    let other = TestApp::spawn().await;
    assert_eq!(
        cedu::scale::generate_with(&other.db, 2, 9, SMALL)
            .await
            .unwrap(),
        2
    );
    for code in ["sim9-001", "sim9-002"] {
        assert_eq!(
            digest(&app, code).await,
            digest(&other, code).await,
            "{code}"
        );
    }
    assert_ne!(
        digest(&app, "sim9-001").await,
        digest(&app, "sim9-002").await
    );
}

async fn tenant(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("select id from tenant where code = $1")
        .bind(code)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

/// Every activity's figures and every organiser's totals of district `t`, in a stable order.
async fn figures(app: &TestApp, t: i64) -> String {
    sqlx::query_scalar(
        "select md5(coalesce((select string_agg(concat_ws('/', id, sessions_planned, sessions_held, attendance, participants), '|' order by id)
                                from activity where tenant_id = $1), '')
                    || coalesce((select string_agg(concat_ws('/', year, organiser_unit_id, organiser_member_unit_id, plan_item_id,
                                                            activities, held, cancelled, sessions_held, participants, spend_government,
                                                            spend_donation, spend_learners, spend_other, elderly, youth, rural,
                                                            left_behind, disabled),
                                                  '|' order by year, organiser_unit_id, organiser_member_unit_id, plan_item_id)
                                   from delivery_total where tenant_id = $1), ''))",
    )
    .bind(t)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

async fn count_in(app: &TestApp, t: i64, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(t)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn generated_activities_add_up_as_the_app_adds_them_and_keep_the_plans_rules() {
    let app = TestApp::spawn().await;
    assert_eq!(
        cedu::scale::generate_with(
            &app.db,
            1,
            4,
            Size {
                activities: 3,
                big_list: false
            }
        )
        .await
        .unwrap(),
        1
    );
    let t = tenant(&app, "sim4-001").await;
    let activities = count_in(
        &app,
        t,
        "select count(*) from activity where tenant_id = $1",
    )
    .await;
    let organisers = count_in(
        &app,
        t,
        "select (select count(*) from org_unit where tenant_id = $1 and status = 'active')
              + (select count(*) from member_unit where tenant_id = $1 and active)",
    )
    .await;
    assert_eq!(
        activities,
        organisers * 3 * 10,
        "3 a unit a year, 2017–2026"
    );

    // Each activity's sessions, attendance and participants are what its sessions and counts
    // give, and the totals what the app adds up from them: rebuilding them changes nothing.
    let differing = count_in(
        &app,
        t,
        "select count(*) from activity a
           left join (select activity_id, count(*) filter (where status <> 'cancelled') as planned,
                             count(*) filter (where status = 'held') as held,
                             coalesce(sum(coalesce(attendance, 0) + walk_ins) filter (where status = 'held'), 0) as attendance
                        from activity_session where tenant_id = $1 group by 1) s on s.activity_id = a.id
           left join (select activity_id, sum(count) as n from activity_participation where tenant_id = $1 group by 1) p
                  on p.activity_id = a.id
          where a.tenant_id = $1
            and (s.activity_id is null or a.sessions_planned <> s.planned or a.sessions_held <> s.held
                 or a.attendance <> s.attendance or a.participants <> coalesce(p.n, 0))",
    )
    .await;
    assert_eq!(
        differing, 0,
        "every activity has sessions and their figures"
    );
    let before = figures(&app, t).await;
    let mut tx = app.db.sys.begin().await.unwrap();
    cedu::activities::repo::delivery::rebuild(&mut tx, t)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(figures(&app, t).await, before);
    // And what a request writes for one organiser's year (its key populations too) is what
    // the district's rebuild wrote.
    let organisers: Vec<(i32, i64, i64)> = sqlx::query_as(
        "select distinct year, organiser_unit_id, organiser_member_unit_id from delivery_total
          where tenant_id = $1 and (elderly > 0 or youth > 0 or rural > 0) order by 1, 2, 3 limit 6",
    )
    .bind(t)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(
        !organisers.is_empty(),
        "some years reached the key populations"
    );
    let mut tx = app.db.sys.begin().await.unwrap();
    cedu::db::set_tenant(&mut tx, t).await.unwrap();
    for (year, unit, member) in organisers {
        let organiser = match unit {
            0 => cedu::activities::model::Organiser::Member(member),
            u => cedu::activities::model::Organiser::Unit(u),
        };
        cedu::activities::repo::delivery::refresh(&mut tx, t, year, organiser)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(figures(&app, t).await, before);
    // One activity in 25 takes sign-ups, for its sessions of the last year only: never more
    // confirmed than its places, the rest waiting, check-ins only at held sessions.
    let (public, signups, waiting, checked_in): (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from activity where tenant_id = $1 and public),
                count(*), count(*) filter (where status = 'waitlisted'), count(checked_in_at)
           from signup where tenant_id = $1",
    )
    .bind(t)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(public > 0 && signups > 0 && waiting > 0 && checked_in > 0);
    let broken_signups = [
        "select count(*) from (select s.session_id from signup s join activity a on a.tenant_id = s.tenant_id and a.id = s.activity_id
                                where s.tenant_id = $1 and s.status = 'confirmed'
                                group by s.session_id, a.capacity having count(*) > a.capacity) over",
        "select count(*) from signup g join activity_session x on x.tenant_id = g.tenant_id and x.id = g.session_id
          where g.tenant_id = $1 and g.checked_in_at is not null and (x.status <> 'held' or g.status <> 'confirmed')",
        "select count(*) from signup g join activity a on a.tenant_id = g.tenant_id and a.id = g.activity_id
          where g.tenant_id = $1 and (not a.public or g.delete_after < date '2026-12-01')",
    ];
    for sql in broken_signups {
        assert_eq!(count_in(&app, t, sql).await, 0, "{sql}");
    }
    assert!(
        count_in(
            &app,
            t,
            "select count(*) from delivery_total where tenant_id = $1"
        )
        .await
            > 0
    );

    // The rules a request keeps: a plan item of the organiser's accepted plan filed the
    // December before (or its town school's, for a point), or a reason; sessions within the
    // activity's dates; a campaign's activities in its window; no donation overspent; figures
    // only for what was held.
    let broken = [
        "select count(*) from activity a
           left join plan_item pi on pi.tenant_id = a.tenant_id and pi.id = a.plan_item_id
           left join submission s on s.tenant_id = pi.tenant_id and s.id = pi.submission_id
           left join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
           left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id
          where a.tenant_id = $1
            and case when a.plan_item_id is null then a.not_in_plan_reason = ''
                     else s.status <> 'accepted' or c.year <> extract(year from a.starts_on) - 1
                          or not (s.org_unit_id = a.organiser_unit_id or s.member_unit_id = a.organiser_member_unit_id
                                  or (u.kind = 'teaching_point' and s.org_unit_id = u.parent_id)) end",
        "select count(*) from activity_session x join activity a on a.tenant_id = x.tenant_id and a.id = x.activity_id
          where x.tenant_id = $1 and (x.held_on < a.starts_on or x.held_on > a.ends_on)",
        "select count(*) from activity a join campaign c on c.tenant_id = a.tenant_id and c.id = a.campaign_id
          where a.tenant_id = $1 and (a.starts_on < c.starts_on or a.starts_on > c.ends_on)",
        "select count(*) from donation d
          where d.tenant_id = $1 and d.amount < (select coalesce(sum(a.spend_donation), 0) from activity a
                                                  where a.tenant_id = d.tenant_id and a.donation_id = d.id)",
        "select count(*) from activity where tenant_id = $1 and status in ('planned', 'cancelled')
            and (sessions_held > 0 or participants > 0
                 or spend_government + spend_donation + spend_learners + spend_other > 0)",
    ];
    for sql in broken {
        assert_eq!(count_in(&app, t, sql).await, 0, "{sql}");
    }
    assert!(
        count_in(
            &app,
            t,
            "select count(*) from activity where tenant_id = $1 and series"
        )
        .await
            > 0
    );
    assert!(
        count_in(
            &app,
            t,
            "select count(*) from activity_educator where tenant_id = $1"
        )
        .await
            > 0
    );
}

#[tokio::test]
async fn the_activity_pages_of_a_generated_district_count_that_district_only() {
    let app = TestApp::spawn().await;
    assert_eq!(
        cedu::scale::generate_with(&app.db, 2, 6, SMALLER)
            .await
            .unwrap(),
        2
    );
    let t = tenant(&app, "sim6-002").await;

    // The town's list of 2025: its school's and its points' activities.
    let town = count_in(
        &app,
        t,
        "select count(*) from activity a join org_unit u on u.tenant_id = a.tenant_id and u.id = a.organiser_unit_id
           join org_unit s on s.tenant_id = u.tenant_id and s.code = 'T01' and u.path like s.path || '%'
          where a.tenant_id = $1 and extract(year from a.starts_on) = 2025",
    )
    .await;
    assert!(town > 0);
    app.login("sim6-002-town")
        .await
        .get("/activities?year=2025")
        .await
        .assert_contains(&format!("<strong id=\"activity-count\">{town}</strong>"));

    // The district's plan against delivery: its plan items of 2025, and what its totals say.
    let bureau = app.login("sim6-002-bureau").await;
    let items = count_in(
        &app,
        t,
        "select count(*) from plan_item pi join submission s on s.tenant_id = pi.tenant_id and s.id = pi.submission_id
           join reporting_cycle c on c.tenant_id = s.tenant_id and c.id = s.cycle_id
          where pi.tenant_id = $1 and c.year = 2024 and s.status = 'accepted'",
    )
    .await;
    let delivered = count_in(
        &app,
        t,
        "select count(distinct plan_item_id) from delivery_total where tenant_id = $1 and year = 2025 and held > 0 and plan_item_id <> 0",
    )
    .await;
    let sessions = count_in(&app, t, "select sum(sessions_held)::bigint from delivery_total where tenant_id = $1 and year = 2025").await;
    let participants = count_in(
        &app,
        t,
        "select sum(participants)::bigint from delivery_total where tenant_id = $1 and year = 2025",
    )
    .await;
    let page = bureau.get("/delivery?year=2025").await;
    page.assert_contains(&format!(
        "<td class=\"n\">{items}</td><td class=\"n\">{delivered}</td>"
    ));
    page.assert_contains(&format!(
        "<td class=\"n\">{sessions}</td><td class=\"n\">{participants}</td><td class=\"n\">"
    ));

    // The learning week of 2025, counted live.
    let week = count_in(
        &app,
        t,
        "select id from campaign where tenant_id = $1 and kind = 'learning_week' and year = 2025",
    )
    .await;
    let (activities, held, people): (i64, i64, i64) = sqlx::query_as(
        "select count(*), coalesce(sum(sessions_held), 0)::bigint,
                coalesce(sum(participants) filter (where status in ('held', 'reported')), 0)::bigint
           from activity where tenant_id = $1 and campaign_id = $2 and status <> 'cancelled'",
    )
    .bind(t)
    .bind(week)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(activities > 0);
    bureau
        .get(&format!("/campaigns/{week}"))
        .await
        .assert_contains(&format!(
            "共 {activities} 项活动，已开展 {held} 场，参与 {people} 人。"
        ));
}
