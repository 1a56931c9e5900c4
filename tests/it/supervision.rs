//! Supervision and evaluation: frameworks, the round's state machine, computed indicators,
//! visibility before and after publication, evidence, grades and ranks, rectification, survey.

use crate::support::{Client, Page, TestApp};
use reqwest::StatusCode;

/// The demo round and a town's sheet in it.
pub async fn round_unit(app: &TestApp, town: &str) -> (i64, i64) {
    sqlx::query_as(
        "select r.round_id, r.id from round_unit r join org_unit u on u.id = r.org_unit_id join evaluation_round e on e.id = r.round_id
          where u.code = $1 and e.tenant_id = 1 order by r.id desc limit 1",
    )
    .bind(town)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

pub async fn indicator(app: &TestApp, round: i64, code: &str) -> i64 {
    sqlx::query_scalar("select i.id from indicator i join evaluation_round r on r.framework_id = i.framework_id where r.id = $1 and i.code = $2")
        .bind(round)
        .bind(code)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

pub async fn round_version(app: &TestApp, round: i64) -> String {
    let v: i32 = sqlx::query_scalar("select version from evaluation_round where id = $1")
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    v.to_string()
}

pub async fn advance(app: &TestApp, supervisor: &Client, round: i64) {
    let res = supervisor
        .post(
            &format!("/supervision/rounds/{round}/advance"),
            &[
                ("confirm", "yes"),
                ("version", &round_version(app, round).await),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

/// Scores every typed leaf indicator of a sheet with `fraction` of its maximum.
pub async fn score_all(app: &TestApp, client: &Client, round: i64, ru: i64, fraction: f64) -> Page {
    let leaves: Vec<(i64, f64)> = sqlx::query_as(
        "select i.id, i.max_score::float8 from indicator i join evaluation_round r on r.framework_id = i.framework_id
          where r.id = $1 and i.metric is null and not exists (select 1 from indicator c where c.parent_id = i.id)",
    )
    .bind(round)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    let fields: Vec<(String, String)> = leaves
        .iter()
        .map(|(id, max)| {
            (
                format!("score_{id}"),
                format!("{}", (max * fraction * 100.0).round() / 100.0),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client
        .post(
            &format!("/supervision/rounds/{round}/units/{ru}/scores"),
            &borrowed,
        )
        .await
}

/// An indicator's row of a score sheet.
pub fn row(page: &Page, indicator: i64) -> &str {
    let at = page.body.find(&format!("id=\"ind-{indicator}\"")).unwrap();
    &page.body[at..at + page.body[at..].find("</tr>").unwrap()]
}

#[tokio::test]
async fn computed_indicators_come_from_the_networks_own_records() {
    let app = TestApp::spawn().await;
    let (round, ru) = round_unit(&app, "MJ-CG").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let sheet = supervisor
        .get(&format!("/supervision/rounds/{round}/units/{ru}"))
        .await;
    // 城关镇: 3 active points of 24 villages → 12.5 % of 6 points.
    assert!(row(&sheet, indicator(&app, round, "4.2").await).contains("→ 0.75（3 / 24）"));
    assert!(row(&sheet, indicator(&app, round, "4.3").await).contains("100% → 4（2022-03-01）"));
    assert!(row(&sheet, indicator(&app, round, "4.4").await).contains("100% → 4"));
    // This year's December lists are not filed yet.
    assert!(row(&sheet, indicator(&app, round, "5.1").await).contains("0% → 0"));
    let (_, xld) = round_unit(&app, "MJ-XLD").await;
    let other = supervisor
        .get(&format!("/supervision/rounds/{round}/units/{xld}"))
        .await;
    assert!(
        row(&other, indicator(&app, round, "4.3").await).contains("0% → 0"),
        "小浪底镇 has not transformed"
    );
}

#[tokio::test]
async fn a_round_runs_from_self_assessment_through_review_to_published_results() {
    let app = TestApp::spawn().await;
    let (round, cg) = round_unit(&app, "MJ-CG").await;
    let (_, hm) = round_unit(&app, "MJ-HM").await;
    let town = app.login("mengjin-town").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let evaluator = app.login("mengjin-evaluator").await;

    // Self-assessment: scores within range only, then handed in and frozen.
    let leaf = indicator(&app, round, "1.1").await;
    let bad = town
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/scores"),
            &[(&format!("score_{leaf}"), "7")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains(&format!(
        "id=\"e-score_{leaf}\">请输入0到该指标分值之间的分数"
    ));
    bad.assert_contains("value=\"7\"");
    assert_eq!(
        score_all(&app, &town, round, cg, 0.9).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        supervisor
            .post(
                &format!("/supervision/rounds/{round}/units/{cg}/scores"),
                &[(&format!("score_{leaf}"), "4")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no supervisor scores before review"
    );
    assert_eq!(
        town.post(&format!("/supervision/rounds/{round}/units/{cg}/self"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let frozen = town
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/scores"),
            &[(&format!("score_{leaf}"), "1")],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER);
    let kept: f64 = sqlx::query_scalar(
        "select value::float8 from score where round_unit_id = $1 and indicator_id = $2",
    )
    .bind(cg)
    .bind(leaf)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(kept, 4.5);

    // Review: the town can no longer score; supervisors and the assigned evaluator can.
    advance(&app, &supervisor, round).await;
    assert_eq!(
        town.post(
            &format!("/supervision/rounds/{round}/units/{cg}/scores"),
            &[(&format!("score_{leaf}"), "1")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        score_all(&app, &supervisor, round, cg, 0.8).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        score_all(&app, &supervisor, round, hm, 0.5).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        score_all(&app, &evaluator, round, cg, 1.0).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        evaluator
            .get(&format!("/supervision/rounds/{round}/units/{hm}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not assigned"
    );
    assert_eq!(
        score_all(&app, &evaluator, round, hm, 1.0).await.status,
        StatusCode::NOT_FOUND
    );

    // Before publication the town sees its own self-assessment only.
    let own = town
        .get(&format!("/supervision/rounds/{round}/units/{cg}"))
        .await;
    own.assert_contains("id=\"self-total\"");
    own.assert_lacks("id=\"final-total\"");
    assert_eq!(
        town.get(&format!("/supervision/rounds/{round}/units/{hm}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        town.get(&format!("/supervision/rounds/{round}/notice"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Typed points are 33 of 100; computed for 城关镇 from the network, the registry, the
    // demo's activities and its own round: 1.2 5 × 2/3 (it scored 2 of its 3 points) + 2.2 4 +
    // 3.2 4 × 2/3 + 4.2 0.75 + 4.3 4 + 4.4 4 + 5.1 0 + 6.1 8 + 6.2 0 + 7.1 5 + 7.2 5 × 1/3 +
    // 9.1 0 = 33.417. Supervisor 0.8 × 33 + 33.417 = 59.817; evaluator 33 + 33.417 = 66.417;
    // final 59.817 × 0.7 + 66.417 × 0.3 = 61.80. (Before 1.2 was computed, migration 0028, it
    // was typed: 38 typed points and 62.76.)
    let results = supervisor
        .get(&format!("/supervision/rounds/{round}"))
        .await;
    results.assert_contains("<strong>61.8</strong>");
    advance(&app, &supervisor, round).await;
    let notice = town
        .get(&format!("/supervision/rounds/{round}/notice"))
        .await;
    assert_eq!(notice.status, StatusCode::OK);
    let cg_row = &notice.body[notice.body.find("城关镇社区教育学校").unwrap() - 40..];
    assert!(
        cg_row.contains("<td class=\"n\">1</td>")
            && cg_row.contains("61.8")
            && cg_row.contains("合格"),
        "{}",
        &cg_row[..300]
    );
    town.get(&format!("/supervision/rounds/{round}/units/{cg}"))
        .await
        .assert_contains("id=\"final-total\">61.8<");
    let rows = supervisor
        .sheet(&format!("/supervision/rounds/{round}/results.xlsx"))
        .await;
    let cg_line = rows.iter().find(|r| r[0] == "城关镇社区教育学校").unwrap();
    assert_eq!(
        (
            cg_line[4].as_str(),
            cg_line[5].as_str(),
            cg_line[6].as_str()
        ),
        ("61.8", "合格", "1")
    );
}

#[tokio::test]
async fn framework_weights_are_checked_and_a_framework_in_use_is_frozen() {
    let app = TestApp::spawn().await;
    let supervisor = app.login("mengjin-supervisor").await;
    assert_eq!(
        supervisor
            .post("/supervision/frameworks", &[("year", "2030")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let framework: i64 = sqlx::query_scalar("select id from framework where year = 2030")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    supervisor
        .get(&format!("/supervision/frameworks/{framework}"))
        .await
        .assert_contains("id=\"weights-ok\"");
    let bad = supervisor
        .post(
            &format!("/supervision/frameworks/{framework}"),
            &[("code", "1.x"), ("name", ""), ("max_score", "0")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-code\">编号由1至3段数字组成");
    bad.assert_contains("id=\"e-max_score\">分值须大于0");
    let orphan = supervisor
        .post(
            &format!("/supervision/frameworks/{framework}"),
            &[("code", "12.1"), ("name", "孤儿指标"), ("max_score", "2")],
        )
        .await;
    orphan.assert_contains("上级指标不存在");
    let extra = supervisor
        .post(
            &format!("/supervision/frameworks/{framework}"),
            &[
                ("code", "1.3"),
                ("name", "新增二级指标"),
                ("max_score", "2"),
            ],
        )
        .await;
    assert_eq!(extra.status, StatusCode::SEE_OTHER);
    supervisor
        .get(&format!("/supervision/frameworks/{framework}"))
        .await
        .assert_contains("id=\"weight-problems\"");
    let refused = supervisor
        .post(
            "/supervision/rounds",
            &[
                ("name", "失衡的评估"),
                ("year", "2030"),
                ("framework", &framework.to_string()),
                ("self_due", "2030-11-01"),
                ("review_due", "2030-12-01"),
                ("evaluator_weight", "0"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("分值不平衡");
    // The demo framework is in use by the demo round: no more changes.
    let (round, _) = round_unit(&app, "MJ-CG").await;
    let used: i64 = sqlx::query_scalar("select framework_id from evaluation_round where id = $1")
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let frozen = supervisor
        .post(
            &format!("/supervision/frameworks/{used}"),
            &[("code", "9.2"), ("name", "x"), ("max_score", "1")],
        )
        .await;
    frozen.assert_contains("该指标体系已用于评估轮次");
    // Towns do not manage frameworks.
    let town = app.login("mengjin-town").await;
    assert_eq!(
        town.get(&format!("/supervision/frameworks/{used}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

pub async fn upload(
    client: &Client,
    round: i64,
    ru: i64,
    indicator: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Page {
    let token = client.csrf_token().await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .text("indicator", indicator.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let res = client
        .http
        .post(format!(
            "{}/supervision/rounds/{round}/units/{ru}/evidence",
            client.base
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Client::page(res).await
}

#[tokio::test]
async fn evidence_is_checked_by_content_and_kept_in_scope() {
    let app = TestApp::spawn().await;
    let (round, cg) = round_unit(&app, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let leaf = indicator(&app, round, "1.1").await;
    let ok = upload(
        &town,
        round,
        cg,
        leaf,
        "领导小组文件.pdf",
        b"%PDF-1.4 demo".to_vec(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    town.get(ok.location()).await.assert_contains("材料已上传");
    let exe = upload(
        &town,
        round,
        cg,
        leaf,
        "报告.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00 renamed program".to_vec(),
    )
    .await;
    town.get(exe.location())
        .await
        .assert_contains("文件类型不被接受");
    let count: i64 = sqlx::query_scalar("select count(*) from evidence where round_unit_id = $1")
        .bind(cg)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let file: i64 = sqlx::query_scalar("select id from evidence where round_unit_id = $1")
        .bind(cg)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let path = format!("/supervision/rounds/{round}/units/{cg}/evidence/{file}");
    let res = town
        .http
        .get(format!("{}{path}", town.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 demo");
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.login("yanshi-bureau").await.get(&path).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn rectification_items_are_reported_closed_or_reopened_and_overdue_ones_stand_out() {
    let app = TestApp::spawn().await;
    let (round, cg) = round_unit(&app, "MJ-CG").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let town = app.login("mengjin-town").await;
    supervisor
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/rectifications"),
            &[("problem", "教学点覆盖率偏低"), ("due_on", "2020-06-30")],
        )
        .await;
    let item: i64 = sqlx::query_scalar("select id from rectification where round_unit_id = $1")
        .bind(cg)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let list = town.get("/rectifications").await;
    list.assert_contains("教学点覆盖率偏低");
    list.assert_contains("class=\"overdue\"");
    assert_eq!(
        town.post(&format!("/rectifications/{item}/close"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND,
        "only the office closes"
    );
    town.post(
        &format!("/rectifications/{item}/report"),
        &[("report", "新增3个村级教学点")],
    )
    .await;
    supervisor
        .post(&format!("/rectifications/{item}/reopen"), &[])
        .await;
    town.post(
        &format!("/rectifications/{item}/report"),
        &[("report", "新增5个村级教学点，已挂牌")],
    )
    .await;
    assert_eq!(
        supervisor
            .post(&format!("/rectifications/{item}/close"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let (status, report): (String, String) =
        sqlx::query_as("select status, report from rectification where id = $1")
            .bind(item)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), report.as_str()),
        ("closed", "新增5个村级教学点，已挂牌")
    );
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    other
        .get("/rectifications")
        .await
        .assert_lacks("教学点覆盖率偏低");
    assert_eq!(app.audit_actions("rectification", item).await.len(), 5);
}

#[tokio::test]
async fn the_public_survey_is_anonymous_limited_and_feeds_satisfaction() {
    let app = TestApp::spawn().await;
    let cg = app.unit_id("MJ-CG").await;
    let resident = app.client();
    let path = format!("/survey/mengjin/{cg}");
    let form = resident.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("社区教育居民满意度调查");
    let token = form.csrf().unwrap();
    let answers = |a: &str| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> =
            (0..5).map(|i| (format!("q{i}"), a.to_string())).collect();
        f.push(("csrf".into(), token.clone()));
        f
    };
    let missing = resident.submit(&path, &answers("5")[1..]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("请回答每一个问题");
    let mut bot = answers("5");
    bot.push(("website".into(), "http://spam.example".into()));
    resident
        .submit(&path, &bot)
        .await
        .assert_contains("感谢您的参与");
    assert_eq!(
        resident.submit(&path, &answers("5")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        resident.submit(&path, &answers("2")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        resident.submit(&path, &answers("4")).await.status,
        StatusCode::OK
    );
    let limited = resident.submit(&path, &answers("5")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let stored: i64 = sqlx::query_scalar("select count(*) from survey_response")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(stored, 3, "the bot's answer and the fourth are not kept");
    let supervisor = app.login("mengjin-supervisor").await;
    let results = supervisor.get("/supervision/survey").await;
    results.assert_contains("66.7%");
    // 10 of 15 answers at 4 or 5: 66.7 % of the 10-point satisfaction indicator.
    let (round, ru) = round_unit(&app, "MJ-CG").await;
    let sheet = supervisor
        .get(&format!("/supervision/rounds/{round}/units/{ru}"))
        .await;
    assert!(row(&sheet, indicator(&app, round, "9.1").await).contains("67% → 6.67（10 / 15）"));
    assert_eq!(
        resident.get(&format!("/survey/yanshi/{cg}")).await.status,
        StatusCode::NOT_FOUND,
        "not Yanshi's town"
    );
}

#[tokio::test]
async fn a_round_chooses_its_units_and_grade_bands_and_the_sheet_exports() {
    let app = TestApp::spawn().await;
    let supervisor = app.login("mengjin-supervisor").await;
    let framework: i64 =
        sqlx::query_scalar("select framework_id from evaluation_round where tenant_id = 1 and owner_unit_id is null limit 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let cg = app.unit_id("MJ-CG").await.to_string();
    let hm = app.unit_id("MJ-HM").await.to_string();
    let framework = framework.to_string();
    let base = [
        ("name", "专项督导"),
        ("year", "2027"),
        ("framework", framework.as_str()),
        ("self_due", "2027-03-01"),
        ("review_due", "2027-04-01"),
        ("evaluator_weight", "0"),
    ];
    let mut bad: Vec<(&str, &str)> = base.to_vec();
    bad.extend([("excellent", "70"), ("good", "80"), ("pass", "60")]);
    let refused = supervisor.post("/supervision/rounds", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("分数线应为 优秀 ≥ 良好 ≥ 合格");
    let mut good: Vec<(&str, &str)> = base.to_vec();
    good.extend([
        ("excellent", "85"),
        ("good", "75"),
        ("pass", "50"),
        ("units", cg.as_str()),
        ("units", hm.as_str()),
    ]);
    let opened = supervisor.post("/supervision/rounds", &good).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let round: i64 = opened
        .location()
        .trim_start_matches("/supervision/rounds/")
        .parse()
        .unwrap();
    let units: i64 = sqlx::query_scalar("select count(*) from round_unit where round_id = $1")
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(units, 2);
    let (excellent, pass): (f64, f64) = sqlx::query_as(
        "select excellent::float8, pass::float8 from evaluation_round where id = $1",
    )
    .bind(round)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!((excellent, pass), (85.0, 50.0));
    let ru: i64 =
        sqlx::query_scalar("select id from round_unit where round_id = $1 order by id limit 1")
            .bind(round)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let rows = supervisor
        .sheet(&format!(
            "/supervision/rounds/{round}/units/{ru}/sheet.xlsx"
        ))
        .await;
    assert_eq!(rows[1][..3], ["编号", "指标", "分值"]);
    assert!(rows.iter().any(|r| r[0] == "9.1" && r[2] == "10"));
}

#[tokio::test]
async fn an_unscored_sheet_reads_zero_never_minus_zero() {
    let app = TestApp::spawn().await;
    let (round, ru) = round_unit(&app, "MJ-HM").await;
    let town = app.login("mengjin-bureau").await;
    let sheet = town
        .get(&format!("/supervision/rounds/{round}/units/{ru}"))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    sheet.assert_contains("0 / ");
    assert!(
        !sheet.body.contains(">-0") && !sheet.body.contains("-0 /"),
        "a negative zero"
    );
}

#[tokio::test]
async fn the_survey_questions_form_keeps_what_was_typed_and_says_what_is_wrong_beside_it() {
    let app = TestApp::spawn().await;
    let supervisor = app.login("mengjin-supervisor").await;
    let many: String = (1..=21).map(|i| format!("第{i}题\n")).collect();
    let bad = supervisor
        .post(
            "/supervision/survey",
            &[("title", ""), ("questions", &many)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-title\">此项必填");
    bad.assert_contains("id=\"e-questions\">请填写1至20个问题");
    bad.assert_contains("第21题");
    let long = "很长的问题".repeat(41);
    let too_long = supervisor
        .post(
            "/supervision/survey",
            &[("title", "新问卷"), ("questions", &long)],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_long.assert_contains("id=\"e-questions\">每个问题不超过200字");
    too_long.assert_contains("value=\"新问卷\"");
    let saved = supervisor
        .post(
            "/supervision/survey",
            &[("title", "新问卷"), ("questions", "课程\n场地")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    // Once residents answer, the questions are fixed: said beside them, the typing kept.
    let cg = app.unit_id("MJ-CG").await;
    let resident = app.client();
    let path = format!("/survey/mengjin/{cg}");
    let token = resident.get(&path).await.csrf().unwrap();
    let answered = resident
        .submit(
            &path,
            &[
                ("q0".into(), "5".into()),
                ("q1".into(), "4".into()),
                ("csrf".into(), token),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK);
    let locked = supervisor
        .post(
            "/supervision/survey",
            &[("title", "改过的问卷"), ("questions", "另一个问题")],
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    locked.assert_contains("id=\"e-questions\">已有居民作答");
    locked.assert_contains("另一个问题");
    let title: String = sqlx::query_scalar("select title from survey where tenant_id = 1 and year = extract(year from now() + interval '8 hours')::int")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(title, "新问卷");
}

#[tokio::test]
async fn the_survey_results_sort_export_and_print_per_town() {
    let app = TestApp::spawn().await;
    let cg = app.unit_id("MJ-CG").await;
    let resident = app.client();
    let path = format!("/survey/mengjin/{cg}");
    let token = resident.get(&path).await.csrf().unwrap();
    let mut answers: Vec<(String, String)> =
        (0..5).map(|i| (format!("q{i}"), "5".into())).collect();
    answers.push(("csrf".into(), token));
    assert_eq!(
        resident.submit(&path, &answers).await.status,
        StatusCode::OK
    );
    let supervisor = app.login("mengjin-supervisor").await;
    let by_rate = supervisor
        .get("/supervision/survey?sort=rate&dir=desc")
        .await;
    let table = &by_rate.body[by_rate.body.find("id=\"survey-towns\"").unwrap()..];
    let first = &table[table.find("<tbody>").unwrap()..];
    assert!(
        first[..first.find("</tr>").unwrap()].contains("城关镇社区教育学校"),
        "the only town with answers first"
    );
    by_rate.assert_contains("100.0%");
    supervisor
        .get("/supervision/survey?q=%E5%9F%8E%E5%85%B3") // 城关
        .await
        .assert_contains("id=\"town-count\">1<");
    let rows = supervisor.sheet("/supervision/survey/export.xlsx").await;
    let cg_row = rows.iter().find(|r| r[0] == "城关镇社区教育学校").unwrap();
    assert_eq!(cg_row[1..], ["1", "5", "100.0%"]);
    assert_eq!(rows.len() - 2, 14, "every active town school");
    let print = supervisor.get("/supervision/survey/print").await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains("100.0%");
    print.assert_contains("社区教育居民满意度调查");
}

#[tokio::test]
async fn a_rectification_item_with_a_problem_or_day_missing_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (round, cg) = round_unit(&app, "MJ-CG").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let path = format!("/supervision/rounds/{round}/units/{cg}/rectifications");
    let bad = supervisor
        .post(
            &path,
            &[("problem", "教学点覆盖率偏低"), ("due_on", "明年六月")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-due_on\">");
    bad.assert_contains("value=\"教学点覆盖率偏低\"");
    bad.assert_contains("value=\"明年六月\"");
    let empty = supervisor
        .post(&path, &[("problem", " "), ("due_on", "2027-06-30")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("id=\"e-problem\">此项必填");
    let findings = supervisor
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/findings"),
            &[
                ("strengths", &"很好".repeat(1001)),
                ("problems", "覆盖率偏低"),
            ],
        )
        .await;
    assert_eq!(findings.status, StatusCode::UNPROCESSABLE_ENTITY);
    findings.assert_contains("id=\"e-strengths\">内容过长");
    findings.assert_contains(">覆盖率偏低</textarea>");
    let items: i64 = sqlx::query_scalar("select count(*) from rectification")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(items, 0);
}

#[tokio::test]
async fn the_rectification_list_filters_sorts_and_exports_only_what_the_user_may_see() {
    let app = TestApp::spawn().await;
    let (round, cg) = round_unit(&app, "MJ-CG").await;
    let (_, hm) = round_unit(&app, "MJ-HM").await;
    let supervisor = app.login("mengjin-supervisor").await;
    for (ru, problem, due) in [
        (cg, "城关镇逾期的问题", "2020-06-30"),
        (cg, "城关镇未到期的问题", "2099-06-30"),
        (hm, "会盟镇的问题", "2099-01-31"),
    ] {
        let created = supervisor
            .post(
                &format!("/supervision/rounds/{round}/units/{ru}/rectifications"),
                &[("problem", problem), ("due_on", due)],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
    }
    let all = supervisor.get("/rectifications").await;
    all.assert_contains("id=\"rect-count\">3<");
    supervisor
        .get("/rectifications?overdue=1")
        .await
        .assert_contains("id=\"rect-count\">1<");
    let hm_unit = app.unit_id("MJ-HM").await;
    let hm_only = supervisor
        .get(&format!("/rectifications?town={hm_unit}"))
        .await;
    hm_only.assert_contains("id=\"rect-count\">1<");
    hm_only.assert_contains("会盟镇的问题");
    supervisor
        .get("/rectifications?status=closed")
        .await
        .assert_contains("id=\"rect-count\">0<");
    let by_due = supervisor.get("/rectifications?sort=due&dir=desc").await;
    let body = &by_due.body;
    assert!(
        body.find("城关镇未到期的问题").unwrap() < body.find("会盟镇的问题").unwrap()
            && body.find("会盟镇的问题").unwrap() < body.find("城关镇逾期的问题").unwrap(),
        "latest due first"
    );
    // A town sees, exports and prints its own items only, whatever it asks for.
    let town = app.login("mengjin-town").await;
    let rows = town
        .sheet(&format!("/rectifications/export.xlsx?town={hm_unit}"))
        .await;
    assert_eq!(rows.len() - 2, 0, "{rows:?}");
    let rows = town.sheet("/rectifications/export.xlsx").await;
    let mut problems: Vec<&str> = rows[2..].iter().map(|r| r[2].as_str()).collect();
    problems.sort();
    assert_eq!(problems, ["城关镇未到期的问题", "城关镇逾期的问题"]);
    let print = town.get("/rectifications/print").await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains("城关镇逾期的问题");
    print.assert_lacks("会盟镇的问题");
}

#[tokio::test]
async fn the_office_makes_a_published_rounds_results_public_once_and_answers_the_comments() {
    let app = TestApp::spawn().await;
    let (round, _) = round_unit(&app, "MJ-CG").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let office = app.login("mengjin-office").await;
    let path = format!("/supervision/rounds/{round}/public");
    let notices = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from public_notice where subject_kind = 'evaluation_round' and subject_id = $1",
        )
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
    };
    let make_public = [
        ("working_days", "7"),
        ("contact", "区教育督导室 0379-67912345"),
    ];

    // Not while the round is still being scored.
    let early = supervisor.post(&path, &make_public).await;
    assert_eq!(early.status, StatusCode::SEE_OTHER);
    supervisor
        .get(&format!("/supervision/rounds/{round}"))
        .await
        .assert_lacks("id=\"make-public\"");
    advance(&app, &supervisor, round).await;
    let (_, cg) = round_unit(&app, "MJ-CG").await;
    score_all(&app, &supervisor, round, cg, 0.8).await;
    score_all(&app, &app.login("mengjin-evaluator").await, round, cg, 1.0).await;
    advance(&app, &supervisor, round).await;
    assert_eq!(notices().await, 0);

    // A period under five working days is refused beside its field, the input kept.
    let page = supervisor
        .get(&format!("/supervision/rounds/{round}"))
        .await;
    page.assert_contains("id=\"make-public\"");
    let short = supervisor
        .post(&path, &[("working_days", "3"), ("contact", "督导室")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("id=\"e-working_days\">公示期至少5个工作日");
    short.assert_contains("value=\"3\"");
    short.assert_contains("value=\"督导室\"");
    // Then a confirmation, and only with it the notice.
    let asked = supervisor.post(&path, &make_public).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains("发布后不能撤回");
    assert_eq!(notices().await, 0);
    let mut confirmed = make_public.to_vec();
    confirmed.push(("confirm", "yes"));
    assert_eq!(
        supervisor.post(&path, &confirmed).await.status,
        StatusCode::SEE_OTHER
    );
    // A second click, or a second officer, makes no second notice.
    assert_eq!(
        supervisor.post(&path, &confirmed).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(notices().await, 1);
    let (notice, days): (i64, i32) = sqlx::query_as(
        "select id, working_days from public_notice where subject_kind = 'evaluation_round' and subject_id = $1",
    )
    .bind(round)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(days, 7);
    assert_eq!(
        app.audit_actions("evaluation_round", round)
            .await
            .iter()
            .filter(|a| *a == "round.make_public")
            .count(),
        1
    );
    let after = supervisor
        .get(&format!("/supervision/rounds/{round}"))
        .await;
    after.assert_contains(&format!("href=\"/notices/{notice}\" id=\"public-notice\""));
    after.assert_lacks("id=\"make-public\"");

    // Residents read it from the portal: each town's rank, score and grade, no findings.
    let resident = app.client();
    let home = resident.get("/d/mengjin").await;
    home.assert_contains("id=\"latest-notices\"");
    home.assert_contains(&format!("/public/mengjin/notices/{notice}\""));
    let public = format!("/public/mengjin/notices/{notice}");
    let read = resident.get(&public).await;
    read.assert_contains("结果的公示");
    read.assert_contains("城关镇社区教育学校");
    read.assert_contains(
        "<h2>城关镇社区教育学校</h2><p class=\"muted\">合格</p><p>第 1 名 · 综合得分 61.8</p>",
    );
    read.assert_contains("<h2>会盟镇社区教育学校</h2><p class=\"muted\">—</p><p>未评分</p>");
    read.assert_contains("区教育督导室 0379-67912345");
    assert_eq!(
        app.client()
            .get(&format!("/public/yanshi/notices/{notice}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A comment goes to the supervision office, not to the awards' officers.
    let mut fields = read.form_fields(&public);
    fields.retain(|(k, _)| k != "text");
    fields.push(("text".into(), "会盟镇的得分与实际不符。".into()));
    let lodged = resident.submit(&public, &fields).await;
    assert_eq!(lodged.status, StatusCode::OK, "{}", lodged.body);
    let (objection, version): (i64, i32) =
        sqlx::query_as("select id, version from notice_objection where notice_id = $1")
            .bind(notice)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let handling = [
        ("outcome", "dismissed"),
        ("handling", "经复核，会盟镇各项得分有据可查。"),
        ("version", &version.to_string()),
    ];
    let answer = format!("/notices/{notice}/objections/{objection}");
    assert_eq!(
        office.post(&answer, &handling).await.status,
        StatusCode::NOT_FOUND
    );
    office
        .get(&format!("/notices/{notice}"))
        .await
        .assert_lacks(&format!("action=\"{answer}\""));
    supervisor
        .get(&format!("/notices/{notice}"))
        .await
        .assert_contains(&format!("action=\"{answer}\""));
    assert_eq!(
        supervisor.post(&answer, &handling).await.status,
        StatusCode::SEE_OTHER
    );
}
