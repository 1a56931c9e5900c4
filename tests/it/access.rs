//! The access matrix: every route × every role, inside its scope, in another town, in another
//! district. Out of scope answers 404 exactly like a missing record. Grows with each route.
//! Where a list or an export answers 200 to many roles, what it holds for each is checked too.

use crate::support::{Client, TestApp};
use reqwest::StatusCode;

/// Columns of the matrix, in order.
const USERS: [&str; 9] = [
    "mengjin-bureau",
    "mengjin-supervisor",
    "mengjin-office",
    "mengjin-town",
    "mengjin-point",
    "mengjin-unit",
    "yanshi-bureau",
    "platform",
    "mengjin-huimeng", // town admin of another Mengjin town (会盟镇)
];

#[tokio::test]
async fn every_route_answers_each_role_inside_and_outside_its_scope() {
    let app = TestApp::spawn().await;
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let college = app.unit_id_in("mengjin", "MJ").await;
    let cg = app.unit_id("MJ-CG").await;
    let cg01 = app.unit_id("MJ-CG-01").await;
    let cg02 = app.unit_id("MJ-CG-02").await;
    let hm01 = app.unit_id("MJ-HM-01").await;
    let ys_college = app.unit_id_in("yanshi", "YS").await;
    let ys_fd = app.unit_id("YS-FD").await;
    let hm = app.unit_id("MJ-HM").await;
    let cg01_designation: i64 =
        sqlx::query_scalar("select id from demonstration where unit_id = $1")
            .bind(cg01)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let town_account = app.account_id("mengjin-town").await;
    let (round, ru_cg) = crate::supervision::round_unit(&app, "MJ-CG").await;
    let (_, ru_hm) = crate::supervision::round_unit(&app, "MJ-HM").await;
    let framework: i64 =
        sqlx::query_scalar("select framework_id from evaluation_round where id = $1")
            .bind(round)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    // 城关镇's own round over its points (the demo's), two of its sheets, its framework.
    let (town_round, ru_cg01) = crate::town_supervision::town_round(&app, "MJ-CG-01").await;
    let (_, ru_cg02) = crate::town_supervision::town_round(&app, "MJ-CG-02").await;
    let town_framework = crate::town_supervision::framework_of(&app, town_round).await;
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let s_cg = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let s_cg01 = crate::cycle::submission_of(&app, 2026, "MJ-CG-01").await;
    let s_wf = crate::cycle::submission_of(&app, 2026, "MU-WF").await;
    let yanshi_account = app.account_id("yanshi-bureau").await;
    // A person registered by 城关镇 who serves the town only, and one of 会盟镇.
    let person_of = |town: &'static str| {
        let db = app.db.sys.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select e.id from educator e join org_unit h on h.id = e.home_unit_id
                  where h.code = $1 and e.status = 'active'
                    and not exists (select 1 from educator_unit eu join org_unit u on u.id = eu.unit_id
                                     where eu.educator_id = e.id and u.kind = 'teaching_point')
                  order by e.id limit 1",
            )
            .bind(town)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let e_cg = person_of("MJ-CG").await;
    let e_hm = person_of("MJ-HM").await;
    let platform_account = app.account_id("platform").await;
    let a_cg01 = crate::activities::activity_id(&app, crate::activities::CLASS).await;
    let a_hm = crate::activities::activity_id(&app, "活动周·老年人智能手机使用培训").await;
    let a_wf = crate::activities::activity_id(&app, "留守妇女手工编织技能培训班").await;
    let a_cg = crate::activities::activity_id(&app, "冬季消防安全进社区讲座").await;
    let campaign: i64 = sqlx::query_scalar(
        "select id from campaign where kind = 'learning_week' and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let donation: i64 = sqlx::query_scalar(
        "select id from donation where donor_kind = 'company' and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let wf: i64 =
        sqlx::query_scalar("select id from member_unit where code = 'MU-WF' and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();

    let star = crate::awards::programme_id(&app, crate::awards::STAR).await;
    let volunteers = crate::awards::programme_id(&app, crate::awards::VOLUNTEERS).await;
    let past = crate::awards::programme_id(&app, crate::awards::PAST).await;
    let nominated_by = |programme: i64, town: &'static str| {
        let db = app.db.sys.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select n.id from nomination n join org_unit u on u.id = n.org_unit_id
                  where n.programme_id = $1 and u.code = $2 order by n.id limit 1",
            )
            .bind(programme)
            .bind(town)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let n_cg = nominated_by(star, "MJ-CG").await;
    let n_hm = nominated_by(star, "MJ-HM").await;
    let n_past = nominated_by(past, "MJ-HM").await;
    let audio = crate::library::resource_id(&app, crate::library::AUDIO).await;
    let awaiting = crate::library::resource_id(&app, crate::library::AWAITING).await;
    let taiji = crate::library::resource_id(&app, "太极拳基础八式（视频）").await;
    let notice: i64 = sqlx::query_scalar("select notice_id from award_programme where id = $1")
        .bind(star)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();

    // 2 = 200, 3 = 303 (sent elsewhere), 4 = 404; one digit per column of USERS.
    let matrix: Vec<(String, &str)> = vec![
        ("/home".into(), "222222232"),
        ("/units".into(), "222224242"),
        (format!("/units/{college}"), "222444444"),
        (format!("/units/{cg}"), "222244444"),
        (format!("/units/{cg01}"), "222224444"),
        (format!("/units/{cg02}"), "222244444"),
        (format!("/units/{hm01}"), "222444442"),
        (format!("/units/{ys_fd}"), "444444244"),
        (format!("/units/{cg01}/edit"), "244244444"),
        (format!("/units/{cg}/edit"), "244244444"),
        (format!("/units/{hm01}/edit"), "244444442"),
        (format!("/units/{ys_fd}/edit"), "444444244"),
        (format!("/units/{college}/edit"), "244444444"),
        (format!("/units/{college}/children/new"), "244444444"),
        (format!("/units/{cg}/children/new"), "244244444"),
        (format!("/units/{cg01}/children/new"), "444444444"),
        (format!("/units/{ys_college}/children/new"), "444444244"),
        ("/units/999999".into(), "444444444"),
        ("/accounts".into(), "244444244"),
        ("/accounts/new".into(), "244444244"),
        (format!("/accounts/{town_account}"), "244444444"),
        (format!("/accounts/{yanshi_account}"), "444444244"),
        (format!("/accounts/{platform_account}"), "444444444"),
        ("/accounts/export.xlsx".into(), "244444244"),
        ("/accounts/print?role=town_admin".into(), "244444244"),
        ("/audit".into(), "224444244"),
        ("/audit/export.xlsx".into(), "224444244"),
        ("/audit/print?entity=org_unit".into(), "224444244"),
        ("/platform/districts".into(), "444444424"),
        ("/platform/districts/new".into(), "444444424"),
        ("/account/password".into(), "222222222"),
        ("/units/export.xlsx".into(), "222224242"),
        (format!("/units/export.xlsx?town={hm}"), "222224242"),
        ("/units/print".into(), "222224242"),
        ("/units/import".into(), "244444244"),
        ("/units/import/template.xlsx".into(), "244444244"),
        (format!("/units/{cg01}/designations/new"), "244444444"),
        (format!("/units/{ys_fd}/designations/new"), "444444244"),
        (
            format!("/units/{cg01}/designations/{cg01_designation}"),
            "244444444",
        ),
        ("/targets".into(), "222444244"),
        ("/inbox".into(), "222222242"),
        ("/cycles".into(), "222444244"),
        ("/cycles/export.xlsx".into(), "222444244"),
        ("/cycles/print?status=open".into(), "222444244"),
        ("/cycles/new".into(), "242444244"),
        (format!("/cycles/{cycle}"), "222444444"),
        (format!("/cycles/{cycle}/board.xlsx"), "222444444"),
        (
            format!("/cycles/{cycle}/print?kind=member_unit"),
            "222444444",
        ),
        (format!("/submissions/{s_cg}"), "222244444"),
        (format!("/submissions/{s_cg01}"), "222224444"),
        (format!("/submissions/{s_wf}"), "222442444"),
        (format!("/submissions/{s_cg}/resources/new"), "444244444"),
        (format!("/submissions/{s_cg}/plans/new"), "444244444"),
        (format!("/submissions/{s_wf}/resources/new"), "444442444"),
        ("/committee".into(), "222442244"),
        ("/committee/members/new".into(), "242444244"),
        ("/committee/units/new".into(), "242444244"),
        ("/committee/members".into(), "222442244"),
        ("/committee/members/export.xlsx".into(), "222442244"),
        ("/committee/members/print".into(), "222442244"),
        ("/committee/units".into(), "222442244"),
        ("/committee/units/export.xlsx".into(), "222442244"),
        ("/committee/units/print".into(), "222442244"),
        ("/public/mengjin/2025".into(), "222222222"),
        ("/supervision".into(), "222224242"),
        (format!("/supervision/rounds/{round}"), "224444444"),
        (
            format!("/supervision/rounds/{round}/results.xlsx"),
            "224444444",
        ),
        (format!("/supervision/rounds/{round}/notice"), "224444444"),
        (
            format!("/supervision/rounds/{round}/units/{ru_cg}"),
            "224244444",
        ),
        (
            format!("/supervision/rounds/{round}/units/{ru_hm}"),
            "224444442",
        ),
        (format!("/supervision/frameworks/{framework}"), "224444444"),
        (format!("/supervision/rounds/{town_round}"), "222244444"),
        (
            format!("/supervision/rounds/{town_round}/results.xlsx"),
            "222244444",
        ),
        (
            format!("/supervision/rounds/{town_round}/notice"),
            "222244444",
        ),
        (
            format!("/supervision/rounds/{town_round}/units/{ru_cg01}"),
            "222224444",
        ),
        (
            format!("/supervision/rounds/{town_round}/units/{ru_cg01}/sheet.xlsx"),
            "222224444",
        ),
        (
            format!("/supervision/rounds/{town_round}/units/{ru_cg02}"),
            "222244444",
        ),
        (
            format!("/supervision/frameworks/{town_framework}"),
            "222244444",
        ),
        ("/supervision/survey".into(), "224444244"),
        ("/supervision/survey/export.xlsx".into(), "224444244"),
        ("/supervision/survey/print".into(), "224444244"),
        ("/rectifications".into(), "224224242"),
        ("/rectifications/export.xlsx".into(), "224224242"),
        ("/rectifications/print".into(), "224224242"),
        ("/targets?year=2022".into(), "222444244"),
        ("/educators".into(), "222224242"),
        ("/educators?status=applications".into(), "222224242"),
        ("/educators/export.xlsx".into(), "222224242"),
        ("/educators/print".into(), "222224242"),
        ("/educators/new".into(), "242244242"),
        (format!("/educators/{e_cg}"), "222244444"),
        (format!("/educators/{e_hm}"), "222444442"),
        (format!("/educators/{e_cg}/edit"), "242244444"),
        (format!("/educators/{e_cg}/hours/new"), "244244444"),
        ("/educators/import".into(), "244244242"),
        ("/educators/import/template.xlsx".into(), "244244242"),
        ("/hours".into(), "244224242"),
        ("/hours/export.xlsx".into(), "244224242"),
        ("/specialties".into(), "244444244"),
        ("/join/mengjin".into(), "222222222"),
        ("/activities".into(), "222222242"),
        ("/activities?year=all&overdue=1".into(), "222222242"),
        ("/activities/export.xlsx".into(), "222222242"),
        ("/activities/print".into(), "222222242"),
        ("/activities/new".into(), "244222242"),
        (format!("/activities/{a_cg01}"), "222224444"),
        (format!("/activities/{a_hm}"), "222444442"),
        (format!("/activities/{a_wf}"), "222442444"),
        (format!("/activities/{a_cg}"), "222244444"),
        (format!("/activities/{a_cg01}/edit"), "244224444"),
        (format!("/activities/{a_cg}/edit"), "244244444"),
        (format!("/activities/{a_wf}/edit"), "444444444"),
        ("/delivery".into(), "222223242"),
        (format!("/delivery?year=2026&town={cg}"), "222223442"),
        ("/delivery/export.xlsx".into(), "222224242"),
        ("/delivery/print".into(), "222223242"),
        (format!("/delivery/u/{cg}"), "222244444"),
        (format!("/delivery/u/{cg}/print"), "222244444"),
        (format!("/delivery/u/{cg01}"), "222224444"),
        (format!("/delivery/u/{hm}"), "222444442"),
        (format!("/delivery/m/{wf}"), "222442444"),
        (format!("/delivery/u/{ys_fd}"), "444444244"),
        ("/campaigns".into(), "222222242"),
        ("/campaigns/new".into(), "244444244"),
        (format!("/campaigns/{campaign}"), "222222442"),
        (format!("/campaigns/{campaign}/edit"), "244444444"),
        ("/donations".into(), "222444244"),
        ("/donations/new".into(), "244444244"),
        (format!("/donations/{donation}"), "222444444"),
        (format!("/donations/{donation}/edit"), "244444444"),
        ("/awards".into(), "222242242"),
        ("/awards/new".into(), "242444244"),
        (format!("/awards/{star}"), "222244442"),
        (format!("/awards/{star}/export.xlsx"), "222244442"),
        (format!("/awards/{star}/print"), "222244442"),
        (format!("/awards/{volunteers}/edit"), "242444444"),
        (format!("/awards/{volunteers}/nominate"), "244244442"),
        (format!("/awards/{star}/nominate"), "444444444"),
        (format!("/awards/{past}/commendation/print"), "222244442"),
        (format!("/nominations/{n_cg}"), "222244444"),
        (format!("/nominations/{n_hm}"), "222444442"),
        (format!("/nominations/{n_cg}/edit"), "444444444"),
        (
            format!("/nominations/{n_past}/certificate/print"),
            "222444442",
        ),
        (
            format!("/nominations/{n_cg}/certificate/print"),
            "444444444",
        ),
        (format!("/notices/{notice}"), "222444444"),
        ("/platform/calendar".into(), "444444424"),
        ("/public/mengjin/notices".into(), "222222222"),
        ("/d/mengjin".into(), "222222222"),
        ("/d/mengjin/calendar".into(), "222222222"),
        (format!("/d/mengjin/units/{cg}"), "222222222"),
        (format!("/d/mengjin/units/{college}"), "444444444"),
        (format!("/d/yanshi/units/{cg}"), "444444444"),
        (format!("/d/mengjin/activities/{a_cg01}"), "222222222"),
        (format!("/d/mengjin/activities/{a_wf}"), "444444444"),
        (format!("/units/{cg}/posters/print"), "222244444"),
        (format!("/units/{cg01}/posters/print"), "222224444"),
        (format!("/units/{hm01}/posters/print"), "222444442"),
        (format!("/activities/{a_cg01}/signups"), "222224444"),
        (format!("/activities/{a_hm}/signups"), "222444442"),
        (format!("/public/mengjin/notices/{notice}"), "222222222"),
        (format!("/public/yanshi/notices/{notice}"), "444444444"),
        (format!("/public/mengjin/awards/{past}"), "222222222"),
        (format!("/public/mengjin/awards/{star}"), "444444444"),
        ("/library".into(), "222222242"),
        ("/library/new".into(), "244222242"),
        ("/library/export.xlsx".into(), "222222242"),
        ("/library/print?kind=video".into(), "222222242"),
        (format!("/library/{audio}"), "222244444"),
        (format!("/library/{audio}/preview"), "222244444"),
        (format!("/library/{audio}/edit"), "344344444"),
        (format!("/library/{taiji}"), "222444442"),
        (format!("/library/{awaiting}"), "222442444"),
        (format!("/library/{awaiting}/preview"), "222442444"),
        (format!("/library/{awaiting}/edit"), "344443444"),
        ("/d/mengjin/library".into(), "222222222"),
        (format!("/d/mengjin/library/{audio}"), "222222222"),
        (format!("/d/mengjin/library/{audio}/file"), "222222222"),
        (format!("/d/mengjin/library/{awaiting}"), "444444444"),
        (format!("/d/mengjin/library/{awaiting}/file"), "444444444"),
        (format!("/d/yanshi/library/{audio}"), "444444444"),
        ("/oai?verb=Identify".into(), "222222222"),
    ];

    let mut clients: Vec<Client> = Vec::new();
    for user in USERS {
        clients.push(app.login(user).await);
    }
    let mut failures = Vec::new();
    for (path, expected) in &matrix {
        for ((user, client), want) in USERS.iter().zip(&clients).zip(expected.chars()) {
            let got = client.get(path).await.status;
            let want = match want {
                '2' => StatusCode::OK,
                '3' => StatusCode::SEE_OTHER,
                _ => StatusCode::NOT_FOUND,
            };
            if got != want {
                failures.push(format!("{user} GET {path}: expected {want}, got {got}"));
            }
        }
    }
    // Nobody signed in: every page sends to the login page.
    let anonymous = app.client();
    for (path, expected) in &matrix {
        let page = anonymous.get(path).await;
        if path.starts_with("/public/")
            || path.starts_with("/join/")
            || path.starts_with("/d/")
            || path.starts_with("/oai")
        {
            // The published catalogue is for residents: open without login, and what is not
            // there for the bureau is not there for them.
            let want = if expected.starts_with('2') {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            if page.status != want {
                failures.push(format!("anonymous GET {path}: got {}", page.status));
            }
        } else if page.status != StatusCode::SEE_OTHER || !page.location().starts_with("/login") {
            failures.push(format!(
                "anonymous GET {path}: got {} to {}",
                page.status,
                page.location()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn out_of_scope_posts_answer_404_and_change_nothing() {
    let app = TestApp::spawn().await;
    let hm01 = app.unit_id("MJ-HM-01").await;
    let ys_fd = app.unit_id("YS-FD").await;
    let ys_college = app.unit_id_in("yanshi", "YS").await;
    let yanshi_account = app.account_id("yanshi-bureau").await;
    // A person registered by 城关镇 who serves the town only, and one of 会盟镇.
    let person_of = |town: &'static str| {
        let db = app.db.sys.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select e.id from educator e join org_unit h on h.id = e.home_unit_id
                  where h.code = $1 and e.status = 'active'
                    and not exists (select 1 from educator_unit eu join org_unit u on u.id = eu.unit_id
                                     where eu.educator_id = e.id and u.kind = 'teaching_point')
                  order by e.id limit 1",
            )
            .bind(town)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let e_cg = person_of("MJ-CG").await;
    let e_hm = person_of("MJ-HM").await;
    let a_cg01 = crate::activities::activity_id(&app, crate::activities::CLASS).await;
    let a_hm = crate::activities::activity_id(&app, "活动周·老年人智能手机使用培训").await;
    let a_wf = crate::activities::activity_id(&app, "留守妇女手工编织技能培训班").await;
    let a_cg = crate::activities::activity_id(&app, "冬季消防安全进社区讲座").await;
    let audio = crate::library::resource_id(&app, crate::library::AUDIO).await;
    let awaiting = crate::library::resource_id(&app, crate::library::AWAITING).await;
    // The district's round, published (as if reviewed), and 城关镇's own.
    let (round, _) = crate::supervision::round_unit(&app, "MJ-CG").await;
    sqlx::query("update evaluation_round set status = 'published', published_on = current_date where id = $1")
        .bind(round)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let (town_round, _) = crate::town_supervision::town_round(&app, "MJ-CG-01").await;
    let unit = app.login("mengjin-unit").await;
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    let point = app.login("mengjin-point").await;
    let yanshi = app.login("yanshi-bureau").await;
    let s_cg = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let s_wf = crate::cycle::submission_of(&app, 2026, "MU-WF").await;
    let fields = [("name", "被改名"), ("code", "X-1"), ("version", "1")];
    type Attempt<'a> = (&'a Client, String, &'a [(&'a str, &'a str)]);
    let attempts: Vec<Attempt> = vec![
        (&town, format!("/units/{hm01}"), &fields),
        (
            &town,
            format!("/units/{hm01}/status"),
            &[("status", "closed"), ("status_on", "2026-12-01")],
        ),
        (&bureau, format!("/units/{ys_fd}"), &fields),
        (
            &bureau,
            format!("/units/{ys_fd}/status"),
            &[("status", "closed"), ("status_on", "2026-12-01")],
        ),
        (&bureau, format!("/units/{ys_college}/children"), &fields),
        (
            &point,
            format!("/units/{}", app.unit_id("MJ-CG-01").await),
            &fields,
        ),
        (&bureau, format!("/accounts/{yanshi_account}/disable"), &[]),
        (
            &bureau,
            format!("/accounts/{yanshi_account}/password"),
            &[("password", "a long new password")],
        ),
        (
            &town,
            "/accounts".to_string(),
            &[
                ("username", "sneaky"),
                ("display_name", "x"),
                ("role", "district_admin"),
                ("password", "a long new password"),
            ],
        ),
        (
            &bureau,
            "/platform/districts".to_string(),
            &[("code", "luoning")],
        ),
        (
            &town,
            format!("/units/{hm01}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-01-01"),
            ],
        ),
        (
            &bureau,
            format!("/units/{ys_fd}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-01-01"),
            ],
        ),
        (&town, "/targets".to_string(), &[("year", "2030")]),
        (
            &town,
            "/cycles".to_string(),
            &[
                ("year", "2030"),
                ("opens_on", "2030-12-01"),
                ("due_on", "2030-12-31"),
                ("filers", "college"),
            ],
        ),
        (
            &point,
            format!("/submissions/{s_cg}/resources"),
            &[
                ("category", "venue"),
                ("name", "x"),
                ("address", "x"),
                ("sharing", "free"),
                ("contact", "x"),
            ],
        ),
        (&town, format!("/submissions/{s_wf}/carry-forward"), &[]),
        (
            &yanshi,
            format!("/submissions/{s_wf}/accept"),
            &[("version", "1")],
        ),
        (
            &town,
            "/committee/members".to_string(),
            &[("name", "x"), ("committee_role", "member")],
        ),
        (
            &point,
            format!("/units/{hm01}/status"),
            &[("status", "closed"), ("status_on", "2026-12-01")],
        ),
        (&town, format!("/educators/{e_hm}"), &[("name", "x")]),
        (
            &town,
            format!("/educators/{e_hm}/reveal"),
            &[("field", "phone")],
        ),
        (
            &town,
            format!("/educators/{e_hm}/status"),
            &[("to", "paused"), ("confirm", "yes")],
        ),
        (
            &point,
            format!("/educators/{e_cg}/reveal"),
            &[("field", "phone")],
        ),
        (&point, format!("/educators/{e_cg}"), &[("name", "x")]),
        (
            &yanshi,
            format!("/educators/{e_cg}/status"),
            &[("to", "paused"), ("confirm", "yes")],
        ),
        (
            &yanshi,
            format!("/educators/{e_cg}/hours"),
            &[
                ("served_on", "2026-11-01"),
                ("hours", "2"),
                ("content", "x"),
            ],
        ),
        (
            &town,
            format!("/educators/{e_hm}/anonymise"),
            &[("confirm", "yes")],
        ),
        (&town, "/specialties".to_string(), &[("name", "偷加的")]),
        (
            &town,
            format!("/activities/{a_hm}"),
            &[("title", "x"), ("version", "1")],
        ),
        (
            &town,
            format!("/activities/{a_hm}/status"),
            &[("to", "reported"), ("report", "x")],
        ),
        (
            &town,
            format!("/activities/{a_hm}/sessions"),
            &[("held_on", "2026-11-04")],
        ),
        (
            &point,
            format!("/activities/{a_cg}"),
            &[("title", "x"), ("version", "1")],
        ),
        (
            &point,
            format!("/activities/{a_cg}/status"),
            &[("to", "cancelled"), ("reason", "x"), ("confirm", "yes")],
        ),
        (
            &yanshi,
            format!("/activities/{a_cg01}/participation"),
            &[("count_all", "5"), ("version", "1")],
        ),
        (&yanshi, format!("/activities/{a_cg01}/hours"), &[]),
        (
            &town,
            format!("/activities/{a_wf}/educators"),
            &[("educator_id", "1")],
        ),
        (
            &town,
            "/campaigns".to_string(),
            &[("kind", "other"), ("name", "x"), ("year", "2026")],
        ),
        (
            &town,
            "/donations".to_string(),
            &[
                ("donor_kind", "person"),
                ("donor_name", "x"),
                ("amount", "1"),
            ],
        ),
        (
            &town,
            "/donations/disclose".to_string(),
            &[("year", "2026"), ("confirm", "yes")],
        ),
        (
            &town,
            format!("/library/{awaiting}/step"),
            &[("action", "publish"), ("confirm", "yes")],
        ),
        (
            &unit,
            format!("/library/{awaiting}/step"),
            &[("action", "publish"), ("confirm", "yes")],
        ),
        (
            &point,
            format!("/library/{audio}/lessons"),
            &[("lesson_title", "x")],
        ),
        (
            &unit,
            format!("/library/{audio}"),
            &[("title", "x"), ("version", "1")],
        ),
        (
            &yanshi,
            format!("/library/{audio}/step"),
            &[("action", "withdraw"), ("reason", "x"), ("confirm", "yes")],
        ),
        (
            &town,
            "/library/settings".to_string(),
            &[("max_file_mb", "1")],
        ),
        // Making a round's results public: the office runs it, not the bureau's other
        // offices, the towns, another district.
        (
            &town,
            format!("/supervision/rounds/{round}/public"),
            &[("working_days", "5"), ("confirm", "yes")],
        ),
        (
            &unit,
            format!("/supervision/rounds/{round}/public"),
            &[("working_days", "5"), ("confirm", "yes")],
        ),
        (
            &yanshi,
            format!("/supervision/rounds/{round}/public"),
            &[("working_days", "5"), ("confirm", "yes")],
        ),
        (
            &town,
            format!("/supervision/rounds/{town_round}/public"),
            &[("working_days", "5"), ("confirm", "yes")],
        ),
        (
            &point,
            format!("/activities/{a_cg}/public"),
            &[("public", "1")],
        ),
        (
            &town,
            format!("/activities/{a_wf}/public"),
            &[("public", "1")],
        ),
        (
            &yanshi,
            format!("/activities/{a_cg01}/public"),
            &[("public", "1")],
        ),
        (
            &bureau,
            "/platform/calendar".to_string(),
            &[("year", "2027"), ("days", "2027-01-01 holiday")],
        ),
    ];
    for (client, path, fields) in attempts {
        let page = client.post(&path, fields).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {path}");
    }
    let changed: i64 = sqlx::query_scalar("select count(*) from audit_log")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(changed, 0, "no change was recorded");
    let names: Vec<String> = sqlx::query_scalar("select name from org_unit where name = '被改名'")
        .fetch_all(&app.db.sys)
        .await
        .unwrap();
    assert!(names.is_empty());
}

/// What a list, page or export holds for a user: every text of `has`, none of `lacks`.
struct Holds<'a> {
    user: &'a str,
    path: String,
    has: Vec<String>,
    lacks: Vec<String>,
}

fn holds<'a>(user: &'a str, path: String, has: &[&str], lacks: &[&str]) -> Holds<'a> {
    Holds {
        user,
        path,
        has: has.iter().map(|s| s.to_string()).collect(),
        lacks: lacks.iter().map(|s| s.to_string()).collect(),
    }
}

#[tokio::test]
async fn each_list_and_export_holds_only_what_the_users_scope_sees() {
    let app = TestApp::spawn().await;
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let cg = app.unit_id("MJ-CG").await;
    let hm = app.unit_id("MJ-HM").await;
    let (round, ru_cg) = crate::supervision::round_unit(&app, "MJ-CG").await;
    let (_, ru_hm) = crate::supervision::round_unit(&app, "MJ-HM").await;
    let supervisor = app.login("mengjin-supervisor").await;
    for (ru, problem) in [(ru_cg, "城关镇的整改问题"), (ru_hm, "会盟镇的整改问题")]
    {
        let created = supervisor
            .post(
                &format!("/supervision/rounds/{round}/units/{ru}/rectifications"),
                &[("problem", problem), ("due_on", "2027-06-30")],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
    }
    let sheet_cg = format!("href=\"/supervision/rounds/{round}/units/{ru_cg}\"");
    let sheet_hm = format!("href=\"/supervision/rounds/{round}/units/{ru_hm}\"");
    let (town_round, ru_cg01) = crate::town_supervision::town_round(&app, "MJ-CG-01").await;
    let (_, ru_cg02) = crate::town_supervision::town_round(&app, "MJ-CG-02").await;
    let town_round_link = format!("href=\"/supervision/rounds/{town_round}\"");
    let sheet_cg01 = format!("href=\"/supervision/rounds/{town_round}/units/{ru_cg01}\"");
    let sheet_cg02 = format!("href=\"/supervision/rounds/{town_round}/units/{ru_cg02}\"");

    // Exports: the codes in the first column, each user's own and no other.
    let exports: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "mengjin-town",
            "/units/export.xlsx".into(),
            vec!["MJ-CG", "MJ-CG-01", "MJ-CG-02", "MJ-CG-03"],
        ),
        (
            "mengjin-town",
            format!("/units/export.xlsx?town={hm}"),
            vec![],
        ),
        (
            "mengjin-town",
            format!("/units/export.xlsx?town={cg}&kind=teaching_point"),
            vec!["MJ-CG-01", "MJ-CG-02", "MJ-CG-03"],
        ),
        (
            "mengjin-huimeng",
            format!("/units/export.xlsx?town={cg}"),
            vec![],
        ),
        (
            "mengjin-huimeng",
            "/units/export.xlsx".into(),
            vec!["MJ-HM", "MJ-HM-01", "MJ-HM-02"],
        ),
        (
            "mengjin-point",
            "/units/export.xlsx".into(),
            vec!["MJ-CG-01"],
        ),
        (
            "yanshi-bureau",
            "/units/export.xlsx?kind=town_school".into(),
            vec!["YS-FD", "YS-GS", "YS-SYS"],
        ),
    ];
    let mut failures = Vec::new();
    for (user, path, want) in &exports {
        let rows = app.login(user).await.sheet(path).await;
        let mut codes: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
        codes.sort();
        if codes != *want {
            failures.push(format!("{user} {path}: holds {codes:?}, expected {want:?}"));
        }
    }

    // Pages: what each shows, and nothing of anyone else's.
    let pages = vec![
        holds(
            "mengjin-town",
            "/library".into(),
            &[crate::library::AUDIO],
            &["太极拳基础八式", crate::library::AWAITING],
        ),
        holds(
            "mengjin-unit",
            "/library".into(),
            &[crate::library::AWAITING],
            &[crate::library::AUDIO, "太极拳基础八式"],
        ),
        holds(
            "mengjin-town",
            "/units".into(),
            &["城关镇东关社区教学点", "城关镇新庄村教学点"],
            &["会盟镇", "偃师"],
        ),
        holds(
            "mengjin-town",
            format!("/units?town={hm}"),
            &["id=\"unit-count\">0<"],
            &["会盟镇扣马村教学点"],
        ),
        holds(
            "mengjin-town",
            format!("/units/print?town={hm}"),
            &[],
            &["会盟镇扣马村教学点"],
        ),
        holds(
            "mengjin-point",
            "/units".into(),
            &["城关镇东关社区教学点", "id=\"unit-count\">1<"],
            &["城关镇西关村教学点", "会盟镇"],
        ),
        holds(
            "mengjin-huimeng",
            "/units".into(),
            &["会盟镇扣马村教学点"],
            &["城关镇"],
        ),
        holds(
            "yanshi-bureau",
            "/units".into(),
            &["府店村教学点"],
            &["孟津", "城关镇"],
        ),
        holds(
            "mengjin-point",
            "/inbox".into(),
            &["城关镇东关社区教学点"],
            &["城关镇西关村教学点", "城关镇社区教育学校"],
        ),
        holds(
            "mengjin-town",
            "/inbox".into(),
            &["城关镇社区教育学校"],
            &["会盟镇"],
        ),
        holds(
            "mengjin-huimeng",
            "/inbox".into(),
            &["会盟镇社区教育学校"],
            &["城关镇"],
        ),
        holds(
            "mengjin-unit",
            "/inbox".into(),
            &["区妇联"],
            &["城关镇", "区财政局"],
        ),
        holds(
            "mengjin-town",
            "/supervision".into(),
            &[&sheet_cg],
            &[&sheet_hm],
        ),
        holds(
            "mengjin-huimeng",
            "/supervision".into(),
            &[&sheet_hm],
            &[&sheet_cg],
        ),
        holds(
            "mengjin-evaluator",
            "/supervision".into(),
            &[&sheet_cg],
            &[&sheet_hm, &town_round_link],
        ),
        holds(
            "mengjin-town",
            "/supervision".into(),
            &[&town_round_link],
            &[],
        ),
        holds(
            "mengjin-huimeng",
            "/supervision".into(),
            &[],
            &[&town_round_link, &sheet_cg01],
        ),
        holds(
            "mengjin-point",
            "/supervision".into(),
            &[&sheet_cg01],
            &[&sheet_cg02, &town_round_link, &sheet_cg],
        ),
        holds(
            "mengjin-office",
            "/supervision".into(),
            &[&town_round_link],
            &[&sheet_cg01],
        ),
        holds(
            "mengjin-town",
            "/rectifications".into(),
            &["城关镇的整改问题"],
            &["会盟镇的整改问题"],
        ),
        holds(
            "mengjin-huimeng",
            "/rectifications".into(),
            &["会盟镇的整改问题"],
            &["城关镇的整改问题"],
        ),
        holds(
            "mengjin-supervisor",
            "/rectifications".into(),
            &["城关镇的整改问题", "会盟镇的整改问题"],
            &[],
        ),
        holds(
            "mengjin-bureau",
            "/accounts".into(),
            &[">mengjin-town</a>"],
            &[">yanshi-bureau</a>", ">platform</a>"],
        ),
        holds(
            "yanshi-bureau",
            "/accounts".into(),
            &[">yanshi-bureau</a>"],
            &[">mengjin-bureau</a>", ">mengjin-town</a>"],
        ),
        holds(
            "mengjin-bureau",
            "/audit".into(),
            &["<td>mengjin-supervisor</td>"],
            &[],
        ),
        holds(
            "yanshi-bureau",
            "/audit".into(),
            &[],
            &["mengjin-supervisor"],
        ),
    ];
    for check in &pages {
        let page = app.login(check.user).await.get(&check.path).await;
        let (user, path) = (check.user, &check.path);
        if page.status != StatusCode::OK {
            failures.push(format!("{user} {path}: status {}", page.status));
            continue;
        }
        for text in &check.has {
            if !page.body.contains(text.as_str()) {
                failures.push(format!("{user} {path}: lacks {text:?}"));
            }
        }
        for text in &check.lacks {
            if page.body.contains(text.as_str()) {
                failures.push(format!("{user} {path}: holds {text:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "lists holding the wrong things:\n{}",
        failures.join("\n")
    );
}
