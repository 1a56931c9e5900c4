//! What a security review and a fault test found (issue 11), each as the test that failed
//! before its fix: redirects off the site, control characters, racing the login lock, one
//! shared address locking everyone out.

use crate::support::{DEMO_PASSWORD, TestApp, with};
use reqwest::StatusCode;

#[tokio::test]
async fn open_redirect_the_language_switch_and_the_login_never_leave_the_site() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for next in [
        "/%5Cevil.example",
        "/%5C/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/%E3%80%80/evil.example",
    ] {
        let page = client.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location(), "/", "{next}");
    }
    let token = client.get("/login").await.csrf().unwrap();
    let login = client
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", "mengjin-town"),
                ("password", DEMO_PASSWORD),
                ("next", "/\t/evil.example/x"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location(), "/");
}

#[tokio::test]
async fn control_characters_in_next_are_a_400_or_go_home_never_a_500() {
    let app = TestApp::spawn().await;
    let client = app.client();
    // A tab too: browsers drop it, so `/%09/evil.example` would have gone to another site.
    for next in ["/%09/evil.example/x", "/%0a", "/%00", "/%0d", "/%7f"] {
        let page = client.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{next}");
        page.assert_contains("<html");
    }
    let token = client.get("/login").await.csrf().unwrap();
    let login = client
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", "mengjin-town"),
                ("password", DEMO_PASSWORD),
                ("next", "/\x7f"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location(), "/");
    assert_eq!(client.get("/home").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_nul_byte_in_a_field_is_an_error_beside_it_and_in_a_url_a_400() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await;
    let town = app.login("mengjin-town").await;
    let form = town.get(&format!("/units/{point}/edit")).await;
    let fields = with(
        form.form_fields(&format!("/units/{point}")),
        &[("name", "东关\0教学点"), ("address", "文化中心\u{1b}二楼")],
    );
    let page = town.submit(&format!("/units/{point}"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"e-name\"");
    page.assert_contains("id=\"e-address\"");
    page.assert_contains("控制字符");
    let name: String = sqlx::query_scalar("select name from org_unit where id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(name, "城关镇东关社区教学点", "nothing saved");

    let anonymous = app.client();
    for url in [
        "/public/mengjin/2025?q=a%00b",
        "/public/a%00b/2025",
        "/survey/mengjin/1?x=%01",
    ] {
        let page = anonymous.get(url).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{url}");
        page.assert_contains("<html");
    }
    assert_eq!(
        town.get("/units?q=%00").await.status,
        StatusCode::BAD_REQUEST
    );

    let token = anonymous.get("/login").await.csrf().unwrap();
    let login = anonymous
        .post_raw(
            "/login",
            &[("csrf", &token), ("username", "a\0b"), ("password", "x")],
        )
        .await;
    assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY);
    login.assert_contains("控制字符");
}

/// How many attempts for `username` had their password checked (settled as a failure).
async fn checked_failures(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from login_attempt where username = $1 and succeeded = false",
    )
    .bind(username)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_login_lock_cannot_be_raced_by_simultaneous_wrong_passwords() {
    let app = TestApp::spawn().await;
    let clients: Vec<_> = (0..12).map(|_| app.client()).collect();
    let mut tokens = Vec::new();
    for client in &clients {
        tokens.push(client.get("/login").await.csrf().unwrap());
    }
    let attempts = clients
        .iter()
        .zip(&tokens)
        .map(|(client, token)| async move {
            client
                .post_raw(
                    "/login",
                    &[
                        ("csrf", token.as_str()),
                        ("username", "mengjin-point"),
                        ("password", "wrong guess"),
                    ],
                )
                .await
        });
    let pages = futures_util::future::join_all(attempts).await;
    let refused = pages
        .iter()
        .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let failed = pages
        .iter()
        .filter(|p| p.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((failed, refused), (5, 7), "five checked, the rest refused");
    assert_eq!(checked_failures(&app, "mengjin-point").await, 5);
    assert_eq!(
        app.client()
            .try_login("mengjin-point", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn one_shared_address_slows_down_but_does_not_lock_out_its_other_users() {
    let app = TestApp::spawn().await;
    let office = app.client();
    // Three colleagues behind one address mistype three times each, one after the other.
    for user in ["mengjin-point", "mengjin-unit", "mengjin-evaluator"] {
        for _ in 0..3 {
            assert_eq!(
                office.try_login(user, "wrong guess").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
    }
    assert_eq!(
        office.try_login("mengjin-town", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "a fourth colleague still signs in"
    );
    // A busy morning: those, and twenty-five failures of five colleagues, a minute or more ago.
    sqlx::query("update login_attempt set at = at - interval '1 minute'")
        .execute(&app.db.sys)
        .await
        .unwrap();
    sqlx::query(
        "insert into login_attempt (username, address, succeeded, at)
         select 'colleague-' || (n % 5), '127.0.0.1', false, now() - make_interval(secs => 60 + n)
           from generate_series(1, 25) n",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        app.client()
            .try_login("mengjin-bureau", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "many failures of few accounts slow an address down, they do not lock it"
    );
    // Guessing across many accounts from it does lock it.
    sqlx::query(
        "insert into login_attempt (username, address, succeeded, at)
         select 'guess-' || n, '127.0.0.1', false, now() - make_interval(secs => 60) from generate_series(1, 10) n",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        app.client()
            .try_login("mengjin-office", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_double_click_makes_one_item_and_the_second_post_lands_on_it() {
    let app = TestApp::spawn().await;
    let s = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let form = town.get(&format!("/submissions/{s}/resources/new")).await;
    let fields = with(
        form.form_fields(&format!("/submissions/{s}/resources")),
        &[
            ("category", "venue"),
            ("name", "城关镇老年活动中心"),
            ("address", "城关镇人民路1号"),
            ("sharing", "free"),
            ("contact", "王老师"),
        ],
    );
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "form_token" && v.len() == 32)
    );
    let path = format!("/submissions/{s}/resources");
    let posts = (0..20).map(|_| town.submit(&path, &fields));
    let pages = futures_util::future::join_all(posts).await;
    for page in &pages {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), format!("/submissions/{s}#resources"));
    }
    let items: i64 = sqlx::query_scalar(
        "select count(*) from resource_item where submission_id = $1 and name = '城关镇老年活动中心'",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(items, 1, "twenty identical posts, one item");
    // A new form is a new token: the same item can be added again on purpose.
    let again = town.get(&format!("/submissions/{s}/resources/new")).await;
    let fields = with(
        again.form_fields(&path),
        &[
            ("category", "venue"),
            ("name", "城关镇老年活动中心"),
            ("address", "城关镇人民路1号"),
            ("sharing", "free"),
            ("contact", "王老师"),
        ],
    );
    assert_eq!(
        town.submit(&path, &fields).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_irreversible_step_asks_first_says_what_and_to_whom_and_acts_only_when_ticked() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let cycle_status = || async {
        sqlx::query_scalar::<_, String>("select status from reporting_cycle where id = $1")
            .bind(cycle)
            .fetch_one(&app.db.sys)
            .await
            .unwrap()
    };
    // A crawler following the board's publish button lands on a question, not a publication.
    let board = bureau.get(&format!("/cycles/{cycle}")).await;
    let path = format!("/cycles/{cycle}/publish");
    let asked = bureau.submit(&path, &board.form_fields(&path)).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains("孟津区 · 2026");
    asked.assert_contains("向所有居民公开");
    assert_eq!(cycle_status().await, "open");
    // Sent back without the tick: the question again, with the reason beside the box.
    let unticked = bureau.submit(&path, &asked.form_fields(&path)).await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    unticked.assert_contains("id=\"e-confirm\"");
    assert_eq!(cycle_status().await, "open");
    let ticked = with(asked.form_fields(&path), &[("confirm", "yes")]);
    let done = bureau.submit(&path, &ticked).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(cycle_status().await, "published");

    // Disabling an account: the page names the account; the original form's fields come along.
    let town = app.account_id("mengjin-town").await;
    let path = format!("/accounts/{town}/disable");
    let asked = bureau.post(&path, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains("mengjin-town");
    let disabled: bool = sqlx::query_scalar("select disabled from account where id = $1")
        .bind(town)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert!(!disabled);

    // Closing a unit carries the status form's date and note through the question.
    let point = app.unit_id("MJ-CG-02").await;
    let path = format!("/units/{point}/status");
    let asked = bureau
        .post(
            &path,
            &[
                ("status", "closed"),
                ("status_on", "2026-12-01"),
                ("status_note", "合并"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains("name=\"status_note\" value=\"合并\"");
    let ticked = with(asked.form_fields(&path), &[("confirm", "yes")]);
    assert_eq!(
        bureau.submit(&path, &ticked).await.status,
        StatusCode::SEE_OTHER
    );
    let status: String = sqlx::query_scalar("select status from org_unit where id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "closed");
}

#[tokio::test]
async fn headers_and_cookies_hold_and_nothing_with_personal_data_is_cached() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    let login = anonymous.get("/login").await;
    for (header, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        assert_eq!(login.headers[header], value, "{header}");
    }
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let csrf_cookie = login
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cedu_csrf="))
        .expect("a CSRF cookie before login");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));

    let bureau = app.login("mengjin-bureau").await;
    for path in [
        "/accounts",
        "/units",
        "/audit",
        "/units/export.xlsx",
        "/units/print",
    ] {
        let res = bureau.response(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let s = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let export = bureau
        .response(&format!("/submissions/{s}/lists.xlsx"))
        .await;
    assert_eq!(export.headers()["cache-control"], "no-store");
    // The stylesheet is the one thing a browser keeps.
    let css = anonymous.response("/static/cedu.css").await;
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}
