//! Town-level supervision (五(四) 镇（街道）督导评估制度): a town school's own rounds over its
//! teaching points, from framework to notice and rectification; another town never sees them
//! (404 on every page and action); the district reads them and changes nothing; a point sees
//! only its own sheet; the district's indicator of the town's own supervision on known data.

use crate::supervision::{advance, indicator, round_unit, row, score_all};
use crate::support::{Client, TestApp};
use reqwest::StatusCode;

/// The demo's round of 城关镇 over its points, and a point's sheet in it.
pub async fn town_round(app: &TestApp, point: &str) -> (i64, i64) {
    sqlx::query_as(
        "select r.round_id, r.id from round_unit r join org_unit u on u.id = r.org_unit_id
           join evaluation_round e on e.id = r.round_id
          where u.code = $1 and e.owner_unit_id is not null order by r.id desc limit 1",
    )
    .bind(point)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

pub async fn framework_of(app: &TestApp, round: i64) -> i64 {
    sqlx::query_scalar("select framework_id from evaluation_round where id = $1")
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location.trim_start_matches(prefix).parse().unwrap()
}

#[tokio::test]
async fn a_town_runs_its_own_round_over_its_points_from_framework_to_notice_and_rectification() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let point = app.login("mengjin-point").await;
    let cg = app.unit_id("MJ-CG").await;

    // Its own framework from the platform template, and one copied from the district's: each
    // the town's, with only the computed indicators a teaching point can have.
    let adopted = town
        .post("/supervision/frameworks", &[("year", "2027")])
        .await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER);
    let own = id_after(adopted.location(), "/supervision/frameworks/");
    let (district_round, _) = round_unit(&app, "MJ-CG").await;
    let district_framework = framework_of(&app, district_round).await;
    let copied = town
        .post(
            &format!("/supervision/frameworks/{district_framework}/copy"),
            &[("year", "2027")],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER);
    let copy = id_after(copied.location(), "/supervision/frameworks/");
    for f in [own, copy] {
        let (owner, metrics): (Option<i64>, Vec<String>) = sqlx::query_as(
            "select f.owner_unit_id, array(select distinct metric from indicator i where i.framework_id = f.id and metric is not null order by 1)
               from framework f where f.id = $1",
        )
        .bind(f)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
        assert_eq!(owner, Some(cg));
        assert_eq!(
            metrics,
            [
                "demonstration",
                "educators_registered",
                "elderly_youth",
                "funding_channels",
                "learning_week",
                "lists_on_time",
                "plan_delivery",
                "rural_left_behind"
            ],
            "no village coverage, transformation, survey or town supervision for a point"
        );
    }
    let page = town.get(&format!("/supervision/frameworks/{own}")).await;
    page.assert_contains("id=\"weights-ok\"");
    page.assert_lacks("value=\"village_coverage\"");
    let refused = town
        .post(
            &format!("/supervision/frameworks/{own}"),
            &[
                ("code", "9.2"),
                ("name", "x"),
                ("max_score", "1"),
                ("metric", "village_coverage"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The district's framework is not the town's to run a round with.
    let round_form = |framework: i64| {
        vec![
            ("name", "2027年度教学点督导评估".to_string()),
            ("year", "2027".into()),
            ("framework", framework.to_string()),
            ("self_due", "2027-05-01".into()),
            ("review_due", "2027-06-01".into()),
        ]
    };
    let borrow = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let post_round = |framework: i64| {
        let fields = borrow(&round_form(framework));
        let town = &town;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            town.post("/supervision/rounds", &refs).await
        }
    };
    let wrong = post_round(district_framework).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("id=\"e-framework\"");
    let opened = post_round(own).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let round = id_after(opened.location(), "/supervision/rounds/");
    let units: Vec<String> = sqlx::query_scalar(
        "select u.code from round_unit r join org_unit u on u.id = r.org_unit_id where r.round_id = $1 order by 1",
    )
    .bind(round)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(units, ["MJ-CG-01", "MJ-CG-02", "MJ-CG-03"]);
    let (owner, weight): (Option<i64>, i32) = sqlx::query_as(
        "select owner_unit_id, evaluator_weight from evaluation_round where id = $1",
    )
    .bind(round)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!((owner, weight), (Some(cg), 0));
    let ru: i64 = sqlx::query_scalar(
        "select r.id from round_unit r join org_unit u on u.id = r.org_unit_id where r.round_id = $1 and u.code = 'MJ-CG-01'",
    )
    .bind(round)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let sheet = format!("/supervision/rounds/{round}/units/{ru}");

    // The point assesses itself and hands in; the town cannot score before the review.
    let overview = point.get("/supervision").await;
    overview.assert_contains(&format!("href=\"{sheet}\""));
    assert_eq!(
        score_all(&app, &point, round, ru, 0.9).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        score_all(&app, &town, round, ru, 0.5).await.status,
        StatusCode::NOT_FOUND,
        "the town scores in the review"
    );
    assert_eq!(
        point.post(&format!("{sheet}/self"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    point
        .get(&sheet)
        .await
        .assert_contains(&format!("{} {}", "自评提交", crate::support::today()));

    // The town reviews, scores, records a problem, publishes.
    advance(&app, &town, round).await;
    assert_eq!(
        score_all(&app, &point, round, ru, 1.0).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        score_all(&app, &town, round, ru, 0.8).await.status,
        StatusCode::SEE_OTHER
    );
    let item = town
        .post(
            &format!("{sheet}/rectifications"),
            &[("problem", "活动签到记录不全"), ("due_on", "2027-09-30")],
        )
        .await;
    assert_eq!(item.status, StatusCode::SEE_OTHER);
    let results = town.get(&format!("/supervision/rounds/{round}")).await;
    results.assert_contains("镇（街道）评分");
    results.assert_lacks("第三方评分");
    results.assert_lacks("/evaluators");
    advance(&app, &town, round).await;

    // The point reads the town's notice and its final score, and reports on the problem,
    // which the town closes.
    let notice = point
        .get(&format!("/supervision/rounds/{round}/notice"))
        .await;
    assert_eq!(notice.status, StatusCode::OK);
    notice.assert_contains("城关镇社区教育学校教学点督导评估结果通报");
    notice.assert_contains("城关镇东关社区教学点");
    point
        .get(&sheet)
        .await
        .assert_contains("id=\"final-total\"");
    let item: i64 = sqlx::query_scalar("select id from rectification where round_unit_id = $1")
        .bind(ru)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    point
        .get("/rectifications")
        .await
        .assert_contains("活动签到记录不全");
    assert_eq!(
        point
            .post(&format!("/rectifications/{item}/close"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the town closes, not the point"
    );
    assert_eq!(
        town.post(
            &format!("/rectifications/{item}/report"),
            &[("report", "x")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "the point reports, not the town"
    );
    assert_eq!(
        point
            .post(
                &format!("/rectifications/{item}/report"),
                &[("report", "已补齐签到表")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let supervisor = app.login("mengjin-supervisor").await;
    assert_eq!(
        supervisor
            .post(&format!("/rectifications/{item}/close"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the town's item is the town's to close"
    );
    let list = town.get("/rectifications").await;
    list.assert_contains(&format!("action=\"/rectifications/{item}/close\""));
    assert_eq!(
        town.post(&format!("/rectifications/{item}/close"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let status: String = sqlx::query_scalar("select status from rectification where id = $1")
        .bind(item)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "closed");
    let actions = app.audit_actions("evaluation_round", round).await;
    for action in [
        "round.open",
        "round.score",
        "round.self_submit",
        "round.advance",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

/// Every page of the demo's town round and its framework, and every action on them, with
/// the fields each takes.
async fn every_page_and_action(
    app: &TestApp,
) -> (Vec<String>, Vec<(String, Vec<(String, String)>)>) {
    let (round, ru) = town_round(app, "MJ-CG-01").await;
    let framework = framework_of(app, round).await;
    let leaf = indicator(app, round, "1.1").await;
    let file: i64 = sqlx::query_scalar(
        "insert into evidence (tenant_id, round_unit_id, indicator_id, file_name, content_type, size, sha256, content, uploaded_by)
         values (1, $1, $2, '签到表.pdf', 'application/pdf', 8, '', '%PDF-1.4', 'mengjin-point') returning id",
    )
    .bind(ru)
    .bind(leaf)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let item: i64 = sqlx::query_scalar(
        "insert into rectification (tenant_id, round_unit_id, problem, due_on, status, report)
         values (1, $1, '场所开放时间未公示', '2027-06-30', 'reported', '已公示') returning id",
    )
    .bind(ru)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let r = format!("/supervision/rounds/{round}");
    let s = format!("{r}/units/{ru}");
    let f = format!("/supervision/frameworks/{framework}");
    let pages = vec![
        r.clone(),
        format!("{r}/results.xlsx"),
        format!("{r}/notice"),
        s.clone(),
        format!("{s}/sheet.xlsx"),
        format!("{s}/evidence/{file}"),
        f.clone(),
    ];
    let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let score = format!("score_{leaf}");
    let actions = vec![
        (
            format!("{r}/advance"),
            fields(&[("confirm", "yes"), ("version", "1")]),
        ),
        (
            format!("{r}/evaluators"),
            fields(&[("unit", &ru.to_string())]),
        ),
        (format!("{s}/scores"), fields(&[(&score, "5")])),
        (format!("{s}/self"), fields(&[])),
        (
            format!("{s}/findings"),
            fields(&[("strengths", "x"), ("problems", "y")]),
        ),
        (
            format!("{s}/rectifications"),
            fields(&[("problem", "x"), ("due_on", "2027-06-30")]),
        ),
        (format!("/rectifications/{item}/close"), fields(&[])),
        (format!("/rectifications/{item}/reopen"), fields(&[])),
        (
            f.clone(),
            fields(&[("code", "4"), ("name", "x"), ("max_score", "1")]),
        ),
        (
            format!("{f}/indicators/{leaf}/delete"),
            fields(&[("confirm", "yes")]),
        ),
        (format!("{f}/copy"), fields(&[("year", "2030")])),
    ];
    (pages, actions)
}

async fn post_all(client: &Client, actions: &[(String, Vec<(String, String)>)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (path, fields) in actions {
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let got = client.post(path, &borrowed).await.status;
        if got != StatusCode::NOT_FOUND {
            wrong.push(format!("POST {path}: {got}"));
        }
    }
    wrong
}

async fn unchanged(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "select (select count(*) from audit_log) + (select count(*) from framework) + (select count(*) from rectification)
                + (select count(*) from score) + (select sum(version) from evaluation_round)",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

#[tokio::test]
async fn another_town_gets_404_on_every_page_and_action_of_a_towns_round() {
    let app = TestApp::spawn().await;
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    app.add_account(
        "huimeng-point",
        "mengjin",
        "point_coordinator",
        Some("MJ-HM-01"),
    )
    .await;
    let (pages, actions) = every_page_and_action(&app).await;
    let (round, _) = town_round(&app, "MJ-CG-01").await;
    let before = unchanged(&app).await;
    let mut wrong = Vec::new();
    for user in [
        "mengjin-huimeng",
        "huimeng-point",
        "mengjin-evaluator",
        "mengjin-unit",
        "yanshi-bureau",
    ] {
        let client = app.login(user).await;
        for path in &pages {
            let got = client.get(path).await.status;
            if got != StatusCode::NOT_FOUND {
                wrong.push(format!("{user} GET {path}: {got}"));
            }
        }
        for w in post_all(&client, &actions).await {
            wrong.push(format!("{user} {w}"));
        }
        let overview = client.get("/supervision").await;
        let links = [
            format!("/supervision/rounds/{round}/"),
            format!("/supervision/rounds/{round}\""),
        ];
        if links.iter().any(|l| overview.body.contains(l.as_str())) {
            wrong.push(format!("{user} /supervision links to the town's round"));
        }
        let list = client.get("/rectifications").await;
        if list.body.contains("场所开放时间未公示") {
            wrong.push(format!("{user} /rectifications lists the town's item"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(unchanged(&app).await, before, "nothing changed");
    // Published, the notice is still the town's and its points' only.
    let town = app.login("mengjin-town").await;
    advance(&app, &town, round).await;
    let other = app.login("mengjin-huimeng").await;
    for client in [&other, &app.login("huimeng-point").await] {
        assert_eq!(
            client
                .get(&format!("/supervision/rounds/{round}/notice"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_district_reads_a_towns_round_and_every_post_on_it_is_refused() {
    let app = TestApp::spawn().await;
    let (pages, actions) = every_page_and_action(&app).await;
    let (round, ru) = town_round(&app, "MJ-CG-01").await;
    let before = unchanged(&app).await;
    let mut wrong = Vec::new();
    for user in ["mengjin-bureau", "mengjin-supervisor", "mengjin-office"] {
        let client = app.login(user).await;
        for path in &pages {
            let got = client.get(path).await.status;
            if got != StatusCode::OK {
                wrong.push(format!("{user} GET {path}: {got}"));
            }
        }
        for w in post_all(&client, &actions).await {
            wrong.push(format!("{user} {w}"));
        }
        let page = client.get(&format!("/supervision/rounds/{round}")).await;
        for lacks in ["id=\"advance\"", "/evaluators\""] {
            if page.body.contains(lacks) {
                wrong.push(format!("{user}: the round page holds {lacks}"));
            }
        }
        if !page.body.contains("id=\"read-only\"") {
            wrong.push(format!(
                "{user}: the round page does not say it is read-only"
            ));
        }
        let sheet = client
            .get(&format!("/supervision/rounds/{round}/units/{ru}"))
            .await;
        for lacks in [
            "id=\"save-scores\"",
            "id=\"rectification-form\"",
            "/findings\"",
        ] {
            if sheet.body.contains(lacks) {
                wrong.push(format!("{user}: the sheet holds {lacks}"));
            }
        }
        // The town's scores are there to read: 东关 scored 8 of 10 on 1.1.
        if !sheet
            .body
            .contains("镇（街道） mengjin-town：<strong>8</strong>")
        {
            wrong.push(format!("{user}: the sheet lacks the town's score"));
        }
        let overview = client.get("/supervision").await;
        if !overview.body.contains("id=\"town-round-list\"")
            || !overview
                .body
                .contains(&format!("href=\"/supervision/rounds/{round}\""))
        {
            wrong.push(format!(
                "{user}: /supervision does not list the town's round"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(unchanged(&app).await, before, "nothing changed");
    // The list filters by town and year.
    let supervisor = app.login("mengjin-supervisor").await;
    let hm = app.unit_id("MJ-HM").await;
    let cg = app.unit_id("MJ-CG").await;
    let round_link = format!("href=\"/supervision/rounds/{round}\"");
    supervisor
        .get(&format!("/supervision?town={hm}"))
        .await
        .assert_lacks(&round_link);
    supervisor
        .get(&format!("/supervision?town={cg}&year=2019"))
        .await
        .assert_lacks(&round_link);
    supervisor
        .get(&format!("/supervision?town={cg}"))
        .await
        .assert_contains(&round_link);
}

#[tokio::test]
async fn a_point_sees_only_its_own_sheet_in_its_towns_round() {
    let app = TestApp::spawn().await;
    let (round, own) = town_round(&app, "MJ-CG-01").await;
    let (_, other) = town_round(&app, "MJ-CG-02").await;
    let framework = framework_of(&app, round).await;
    let point = app.login("mengjin-point").await;
    let overview = point.get("/supervision").await;
    overview.assert_contains(&format!("href=\"/supervision/rounds/{round}/units/{own}\""));
    overview.assert_lacks(&format!("/units/{other}\""));
    overview.assert_lacks("id=\"town-round-list\"");
    for path in [
        format!("/supervision/rounds/{round}"),
        format!("/supervision/rounds/{round}/results.xlsx"),
        format!("/supervision/rounds/{round}/notice"),
        format!("/supervision/rounds/{round}/units/{other}"),
        format!("/supervision/rounds/{round}/units/{other}/sheet.xlsx"),
        format!("/supervision/frameworks/{framework}"),
    ] {
        assert_eq!(
            point.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Its own sheet: its self-assessment, not the town's scores before publication.
    let sheet = point
        .get(&format!("/supervision/rounds/{round}/units/{own}"))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    sheet.assert_contains("id=\"self-total\"");
    sheet.assert_lacks("id=\"final-total\"");
    sheet.assert_lacks("mengjin-town：");
    // And no district round: its sheets there are the town's.
    let (district, ru_cg) = round_unit(&app, "MJ-CG").await;
    assert_eq!(
        point
            .get(&format!("/supervision/rounds/{district}/units/{ru_cg}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_districts_indicator_counts_the_points_a_town_scored_in_its_own_round_of_the_year() {
    let app = TestApp::spawn().await;
    let supervisor = app.login("mengjin-supervisor").await;
    let (district, ru_cg) = round_unit(&app, "MJ-CG").await;
    let (_, ru_hm) = round_unit(&app, "MJ-HM").await;
    let ind = indicator(&app, district, "1.2").await;
    let sheet = |ru: i64| format!("/supervision/rounds/{district}/units/{ru}");
    // 城关镇 scored 2 of its 3 active points in its one round of the year: 5 × 2/3.
    let cg = supervisor.get(&sheet(ru_cg)).await;
    let cg_row = row(&cg, ind);
    assert!(cg_row.contains("67% → 3.33（1 · 2 / 3）"), "{cg_row}");
    assert!(
        cg_row.contains("#town-rounds"),
        "links to the town's rounds"
    );
    // 会盟镇 ran none.
    let hm = supervisor.get(&sheet(ru_hm)).await;
    assert!(
        row(&hm, ind).contains("0% → 0（0 · 0 / 2）"),
        "{}",
        row(&hm, ind)
    );
    // The town scores its third point: 5 of 5. A round of another year changes nothing.
    let town = app.login("mengjin-town").await;
    let (round, ru_03) = town_round(&app, "MJ-CG-03").await;
    assert_eq!(
        score_all(&app, &town, round, ru_03, 0.5).await.status,
        StatusCode::SEE_OTHER
    );
    sqlx::query("update evaluation_round set year = year - 1 where id = $1")
        .bind(round)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let last_year = supervisor.get(&sheet(ru_cg)).await;
    assert!(row(&last_year, ind).contains("0% → 0（0 · 0 / 3）"));
    sqlx::query("update evaluation_round set year = year + 1 where id = $1")
        .bind(round)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let all = supervisor.get(&sheet(ru_cg)).await;
    assert!(
        row(&all, ind).contains("100% → 5（1 · 3 / 3）"),
        "{}",
        row(&all, ind)
    );
    // The town sees the same on its own sheet of the district's round.
    let own = town.get(&sheet(ru_cg)).await;
    assert!(row(&own, ind).contains("100% → 5（1 · 3 / 3）"));
}
