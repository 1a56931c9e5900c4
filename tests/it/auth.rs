//! Signing in and out, throttling, CSRF, cookies and passwords.

use crate::support::{DEMO_PASSWORD, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn each_role_lands_on_its_own_home_page_with_its_own_navigation() {
    let app = TestApp::spawn().await;
    let cases = [
        ("mengjin-bureau", "/home", "id=\"count-schools\"", true),
        ("mengjin-supervisor", "/home", "id=\"count-schools\"", false),
        ("mengjin-office", "/home", "id=\"count-schools\"", false),
        ("mengjin-town", "/home", "城关镇社区教育学校", false),
        ("mengjin-point", "/home", "城关镇东关社区教学点", false),
        ("mengjin-unit", "/home", "区妇联", false),
        ("yanshi-bureau", "/home", "偃师区", true),
        ("platform", "/platform/districts", "孟津区", false),
    ];
    for (username, home, marker, manages_accounts) in cases {
        let client = app.login(username).await;
        let root = client.get("/").await;
        assert_eq!(root.status, StatusCode::SEE_OTHER, "{username}");
        assert_eq!(root.location(), home, "{username}");
        let page = client.get(home).await;
        assert_eq!(page.status, StatusCode::OK, "{username}");
        page.assert_contains(marker);
        assert_eq!(
            page.body.contains("href=\"/accounts\""),
            manages_accounts,
            "{username} accounts nav"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message_and_no_session() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let page = client.try_login("mengjin-town", "not the password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.assert_contains("用户名或密码不正确");
    page.assert_contains("value=\"mengjin-town\"");
    assert!(
        page.headers
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("cedu_session="))
    );
    assert_eq!(client.get("/home").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for _ in 0..5 {
        assert_eq!(
            client
                .try_login("mengjin-point", "wrong guess")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = client.try_login("mengjin-point", DEMO_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_contains("15分钟");
    // Another account from the same address is not locked by these five.
    assert_eq!(
        client.try_login("mengjin-town", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for i in 0..20 {
        client
            .try_login(&format!("nobody-{i}"), "wrong guess")
            .await;
    }
    assert_eq!(
        client.try_login("mengjin-town", DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn session_cookie(page: &crate::support::Page) -> String {
    page.headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cedu_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_and_new_at_each_login() {
    let app = TestApp::spawn().await;
    let first = session_cookie(&app.client().try_login("mengjin-town", DEMO_PASSWORD).await);
    let second = session_cookie(&app.client().try_login("mengjin-town", DEMO_PASSWORD).await);
    assert!(
        first.contains("HttpOnly") && first.contains("SameSite=Lax"),
        "{first}"
    );
    assert!(
        !first.contains("Secure"),
        "plain-HTTP default has no Secure flag"
    );
    assert_ne!(first.split(';').next(), second.split(';').next());
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let cookie = session_cookie(&client.try_login("mengjin-bureau", DEMO_PASSWORD).await);
    let token = cookie.split(';').next().unwrap().to_string();
    let out = client.post("/logout", &[]).await;
    assert_eq!(out.location(), "/login");
    // The old cookie, replayed by someone who kept it, no longer opens anything.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .get(format!("{}/home", app.base()))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let sessions: i64 = sqlx::query_scalar("select count(*) from session")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    anonymous.get("/login").await;
    let login = anonymous
        .post_raw(
            "/login",
            &[("username", "mengjin-town"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);

    let client = app.login("mengjin-bureau").await;
    let point = app.unit_id("MJ-CG-01").await;
    let forged = client
        .post_raw(
            &format!("/units/{point}/status"),
            &[
                ("csrf", "0".repeat(64).as_str()),
                ("status", "closed"),
                ("status_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged.assert_contains("请求已被拒绝");
    let missing = client
        .post_raw(
            &format!("/units/{point}/status"),
            &[("status", "closed"), ("status_on", "2026-12-01")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let status: String = sqlx::query_scalar("select status from org_unit where id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "active", "nothing changed");
}

#[tokio::test]
async fn a_password_change_checks_the_rules_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let client = app.login("mengjin-office").await;
    let other = app.login("mengjin-office").await;

    let short = client
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("至少需要8个字符");
    let common = client
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    common.assert_contains("太常见");
    let wrong = client
        .post(
            "/account/password",
            &[
                ("current", "nope nope"),
                ("new", "黄河岸边的学习点"),
                ("confirm", "黄河岸边的学习点"),
            ],
        )
        .await;
    wrong.assert_contains("当前密码不正确");
    let mismatch = client
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "黄河岸边的学习点"),
                ("confirm", "黄河岸边"),
            ],
        )
        .await;
    mismatch.assert_contains("两次输入的新密码不一致");

    let done = client
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "黄河岸边的学习点"),
                ("confirm", "黄河岸边的学习点"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        client.get("/home").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other.get("/home").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(
        app.client()
            .try_login("mengjin-office", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.login_with("mengjin-office", "黄河岸边的学习点").await;
    let id = app.account_id("mengjin-office").await;
    assert_eq!(
        app.audit_actions("account", id).await,
        ["account.password_change"]
    );
}

#[tokio::test]
async fn after_login_the_user_returns_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let asked = client.get("/units").await;
    assert_eq!(asked.location(), "/login?next=%2Funits");
    let token = client.get("/login?next=%2Funits").await.csrf().unwrap();
    let res = client
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", "mengjin-bureau"),
                ("password", DEMO_PASSWORD),
                ("next", "/units"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/units");
    let client = app.client();
    let token = client.get("/login").await.csrf().unwrap();
    let res = client
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", "mengjin-bureau"),
                ("password", DEMO_PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/");
}
