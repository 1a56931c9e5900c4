//! The platform administrator creates districts; each new district is its own world.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn a_new_district_gets_its_college_and_an_administrator_who_sees_only_it() {
    let app = TestApp::spawn().await;
    let platform = app.login("platform").await;
    let fields = [
        ("code", "luoning"),
        ("name", "洛宁县"),
        ("division_code", "410328"),
        ("college_code", "LN"),
        ("college_name", "洛宁县社区教育学院"),
        ("admin_username", "luoning-bureau"),
        ("admin_display_name", "洛宁县教体局"),
        ("admin_password", "洛宁县的第一个密码"),
    ];
    let created = platform.post("/platform/districts", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    platform
        .get("/platform/districts")
        .await
        .assert_contains("洛宁县");

    let admin = app.login_with("luoning-bureau", "洛宁县的第一个密码").await;
    let units = admin.get("/units").await;
    units.assert_contains("洛宁县社区教育学院");
    units.assert_contains("id=\"unit-count\">1<");
    assert_eq!(
        admin
            .get(&format!("/units/{}", app.unit_id("MJ-CG").await))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    admin.get("/audit").await.assert_contains("luoning");
}

#[tokio::test]
async fn a_district_form_with_errors_keeps_the_input_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let platform = app.login("platform").await;
    let fields = [
        ("code", "mengjin"),
        ("name", "重复的孟津"),
        ("division_code", "41A"),
        ("college_code", "MJ2"),
        ("college_name", ""),
        ("admin_username", "x"),
        ("admin_display_name", "某人"),
        ("admin_password", "short"),
    ];
    let page = platform.post("/platform/districts", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"e-division_code\"");
    page.assert_contains("id=\"e-college_name\">此项必填");
    page.assert_contains("id=\"e-admin_username\"");
    page.assert_contains("id=\"e-admin_password\"");
    page.assert_contains("value=\"重复的孟津\"");
    let fixed = [
        ("division_code", "410399"),
        ("college_name", "学院"),
        ("admin_username", "mj2-admin"),
        ("admin_password", "a long new password"),
    ];
    let mut all: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| !fixed.iter().any(|(f, _)| f == k))
        .copied()
        .collect();
    all.extend(fixed);
    let dup = platform.post("/platform/districts", &all).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    dup.assert_contains("该区县代码已存在");
    let tenants: i64 = sqlx::query_scalar("select count(*) from tenant")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(tenants, 2);
}
