//! The targets dashboard: policy targets as data, measured from the network's own data.

use crate::support::TestApp;
use reqwest::StatusCode;

fn row<'a>(page: &'a crate::support::Page, metric: &str) -> &'a str {
    let at = page
        .body
        .find(&format!("id=\"target-{metric}\""))
        .unwrap_or_else(|| panic!("no row for {metric}"));
    &page.body[at..at + page.body[at..].find("</tr>").unwrap()]
}

#[tokio::test]
async fn the_district_home_measures_each_target_from_the_data() {
    let app = TestApp::spawn().await;
    let home = app
        .login("mengjin-bureau")
        .await
        .get("/home?year=2022")
        .await;
    // 12 of 14 town schools transformed: 85%, and the 2022 deadline has passed.
    let share = row(&home, "transformed_share");
    assert!(
        share.contains(">85%<") && share.contains("已逾期"),
        "{share}"
    );
    // One provincial school, approved 2022-11-20: met on time.
    let provincial = row(&home, "provincial_demo_schools");
    assert!(
        provincial.contains("2022-11-20") && provincial.contains("按期完成"),
        "{provincial}"
    );
    // Two demonstration schools, the second approved 2022-08-15 after the June deadline: met late.
    let schools = row(&home, "demo_town_schools");
    assert!(
        schools.contains("2022-08-15") && schools.contains("逾期完成"),
        "{schools}"
    );
    // Two of four demonstration points: late.
    let points = row(&home, "demo_points");
    assert!(
        points.contains(">2<") && points.contains("已逾期"),
        "{points}"
    );
    home.assert_contains("id=\"coverage\">12%<");
    home.assert_contains("id=\"count-towns\">14<");
    home.assert_contains("<svg class=\"chart\"");
}

#[tokio::test]
async fn a_new_approval_moves_the_target_and_an_edited_target_moves_the_verdict() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    for code in ["MJ-SZ-01", "MJ-BH-01"] {
        let point = app.unit_id(code).await;
        bureau
            .post(
                &format!("/units/{point}/designations"),
                &[
                    ("level", "district"),
                    ("year", "2022"),
                    ("candidate_on", "2022-01-05"),
                ],
            )
            .await;
        let id: i64 = sqlx::query_scalar("select id from demonstration where unit_id = $1")
            .bind(point)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
        let path = format!("/units/{point}/designations/{id}");
        bureau
            .post(
                &path,
                &[("to", "declared"), ("on", "2022-02-01"), ("version", "1")],
            )
            .await;
        assert_eq!(
            bureau
                .post(
                    &path,
                    &[
                        ("confirm", "yes"),
                        ("to", "approved"),
                        ("on", "2022-05-01"),
                        ("version", "2")
                    ]
                )
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
    let home = bureau.get("/home?year=2022").await;
    let points = row(&home, "demo_points");
    assert!(
        points.contains(">4<") && points.contains("按期完成") && points.contains("2022-06-20"),
        "{points}"
    );

    let targets = bureau.get("/targets?year=2022").await;
    let id: i64 = sqlx::query_scalar(
        "select id from policy_target where metric = 'demo_points' and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let bad = bureau
        .post(
            &format!("/targets/{id}"),
            &[
                ("target", "-1"),
                ("deadline", "2022-13-01"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("请输入0或正整数");
    assert!(targets.body.contains("/targets/"));
    assert_eq!(
        bureau
            .post(
                &format!("/targets/{id}"),
                &[
                    ("target", "6"),
                    ("deadline", "2022-06-30"),
                    ("version", "1")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let home = bureau.get("/home?year=2022").await;
    assert!(row(&home, "demo_points").contains("已逾期"));
    assert_eq!(
        app.audit_actions("policy_target", id).await,
        ["policy_target.update"]
    );
}

#[tokio::test]
async fn a_year_of_targets_is_added_with_the_policy_defaults() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    assert_eq!(
        bureau.post("/targets", &[("year", "2027")]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = bureau.get("/targets?year=2027").await;
    page.assert_contains("2027-06-30");
    page.assert_contains("推进中");
    assert_eq!(
        bureau.post("/targets", &[("year", "next")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Supervisors read the targets; only the bureau edits them.
    let supervisor = app.login("mengjin-supervisor").await;
    let read = supervisor.get("/targets?year=2027").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("action=\"/targets/"));
    assert_eq!(
        supervisor
            .post("/targets", &[("year", "2028")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_town_home_shows_the_same_for_its_own_town() {
    let app = TestApp::spawn().await;
    let home = app.login("mengjin-town").await.get("/home").await;
    home.assert_contains("id=\"per-town\"");
    home.assert_contains("城关镇社区教育学校");
    assert!(!home.body.contains("会盟镇社区教育学校"));
    // Chengguan: 3 points of 24 villages.
    home.assert_contains("（3/24）");
    assert!(
        !home.body.contains("id=\"target-"),
        "district targets are the bureau's"
    );
}
