//! District accounts: creation with a scope, validation, disabling, password resets.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn a_district_admin_creates_a_town_admin_who_sees_only_that_town() {
    let app = TestApp::spawn().await;
    let school = app.unit_id("MJ-HM").await.to_string();
    let bureau = app.login("mengjin-bureau").await;
    let created = bureau
        .post(
            "/accounts",
            &[
                ("username", "huimeng-li"),
                ("display_name", "李老师"),
                ("role", "town_admin"),
                ("unit_id", &school),
                ("password", "会盟镇学校的密码"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = app.account_id("huimeng-li").await;
    assert_eq!(app.audit_actions("account", id).await, ["account.create"]);
    let li = app.login_with("huimeng-li", "会盟镇学校的密码").await;
    let home = li.get("/home").await;
    home.assert_contains("会盟镇社区教育学校");
    li.get("/units").await.assert_lacks("城关镇");
}

#[tokio::test]
async fn a_scope_of_the_wrong_tier_or_another_district_is_refused_beside_the_field() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await.to_string();
    let yanshi_school = app.unit_id("YS-FD").await.to_string();
    let bureau = app.login("mengjin-bureau").await;
    let wrong_tier = bureau
        .post(
            "/accounts",
            &[
                ("username", "new-one"),
                ("display_name", "张三"),
                ("role", "town_admin"),
                ("unit_id", &point),
                ("password", "a long new password"),
            ],
        )
        .await;
    assert_eq!(wrong_tier.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong_tier.assert_contains("id=\"e-unit_id\">请选择本区一所在用的镇（街道）社区教育学校");
    wrong_tier.assert_contains("value=\"张三\"");
    let elsewhere = bureau
        .post(
            "/accounts",
            &[
                ("username", "new-one"),
                ("display_name", "张三"),
                ("role", "town_admin"),
                ("unit_id", &yanshi_school),
                ("password", "a long new password"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    elsewhere.assert_contains("id=\"e-unit_id\"");
    let taken = bureau
        .post(
            "/accounts",
            &[
                ("username", "yanshi-bureau"),
                ("display_name", "张三"),
                ("role", "viewer"),
                ("password", "a long new password"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("该用户名已被使用");
    let weak = bureau
        .post(
            "/accounts",
            &[
                ("username", "new-two"),
                ("display_name", "张三"),
                ("role", "viewer"),
                ("password", "12345678"),
            ],
        )
        .await;
    weak.assert_contains("id=\"e-password\">这个密码太常见");
    let count: i64 = sqlx::query_scalar("select count(*) from account where username like 'new-%'")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_stops_its_logins() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let id = app.account_id("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    assert_eq!(
        bureau
            .post(&format!("/accounts/{id}/disable"), &[("confirm", "yes"),])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(town.get("/home").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.client()
            .try_login("mengjin-town", crate::support::DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        bureau
            .post(&format!("/accounts/{id}/enable"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    app.login("mengjin-town").await;
    assert_eq!(
        app.audit_actions("account", id).await,
        ["account.disable", "account.enable"]
    );
    let me = app.account_id("mengjin-bureau").await;
    bureau
        .post(&format!("/accounts/{me}/disable"), &[("confirm", "yes")])
        .await;
    bureau.get("/home").await.assert_contains("您好");
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_the_new_password_works() {
    let app = TestApp::spawn().await;
    let point = app.login("mengjin-point").await;
    let id = app.account_id("mengjin-point").await;
    let bureau = app.login("mengjin-bureau").await;
    let weak = bureau
        .post(
            &format!("/accounts/{id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_contains("至少需要8个字符");
    assert_eq!(
        bureau
            .post(
                &format!("/accounts/{id}/password"),
                &[("password", "东关社区教学点新密码")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(point.get("/home").await.status, StatusCode::SEE_OTHER);
    app.login_with("mengjin-point", "东关社区教学点新密码")
        .await;
}

#[tokio::test]
async fn granting_a_new_role_takes_effect_at_once_and_stale_edits_are_refused() {
    let app = TestApp::spawn().await;
    let id = app.account_id("mengjin-office").await;
    let office = app.login("mengjin-office").await;
    let bureau = app.login("mengjin-bureau").await;
    let saved = bureau
        .post(
            &format!("/accounts/{id}"),
            &[
                ("display_name", "督导办"),
                ("role", "supervisor"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        office.get("/audit").await.status,
        StatusCode::OK,
        "now a supervisor"
    );
    let stale = bureau
        .post(
            &format!("/accounts/{id}"),
            &[
                ("display_name", "旧页面"),
                ("role", "viewer"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("已被他人修改");
    let role: String = sqlx::query_scalar("select role from account where id = $1")
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(role, "supervisor");
}
