//! Several instances on one PostgreSQL: two `cedu serve` processes, started together on an
//! empty database (so both migrate at once), serve one user interchangeably. Sessions, CSRF
//! tokens, form tokens and login throttling live in the database; flashes in the browser's
//! cookie; so either instance can take any request, and a revocation on one is seen by both.

use crate::support::process::{Served, run};
use crate::support::{Client, DEMO_PASSWORD, empty_database};
use reqwest::StatusCode;
use sqlx::Connection;
use std::sync::Arc;

async fn account_id(url: &str, username: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("select id from platform_user where username = $1")
        .bind(username)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// Both servers' clients for one browser: the same cookies whichever answers.
fn browser(a: &Served, b: &Served) -> (Client, Client) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    (a.client_with(jar.clone()), b.client_with(jar))
}

fn gone_to_login(page: &crate::support::Page) -> bool {
    page.status == StatusCode::SEE_OTHER && page.location().starts_with("/login")
}

#[tokio::test]
async fn two_instances_share_sessions_tokens_throttling_and_every_revocation() {
    let url = empty_database().await;
    let key = cedu::crypto::DataKey::generate_hex();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("CEDU_DATA_KEY", key.as_str()),
    ];
    let args = ["--backup-interval", "off"];
    let a = Served::spawn(&args, &env);
    let b = Served::spawn(&args, &env);
    a.wait_listening();
    b.wait_listening();
    let (ok, printed) = run(&["demo"], &env);
    assert!(ok, "{printed}");

    // Signed in on one, the other knows the session; a token from one's page passes the other.
    let (on_a, on_b) = browser(&a, &b);
    assert_eq!(
        on_a.try_login("mengjin-bureau", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    on_b.get("/home")
        .await
        .assert_contains("孟津区教体局（演示）");
    let form = on_a.get("/accounts/new").await;
    let fields = crate::support::with(
        form.form_fields("/accounts"),
        &[
            ("username", "two-instances"),
            ("display_name", "两台服务器"),
            ("role", "viewer"),
            ("password", "两台服务器共用一个数据库"),
        ],
    );
    let created = on_b.submit("/accounts", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    // The flash set by B's answer shows on A's page; the same form posted again to A (a
    // double click across instances) lands on the same account.
    on_a.get(created.location())
        .await
        .assert_contains("账号已创建");
    let again = on_a.submit("/accounts", &fields).await;
    assert_eq!(again.location(), created.location());
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let made: i64 =
        sqlx::query_scalar("select count(*) from platform_user where username = 'two-instances'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(made, 1);

    // A logout on one ends the session on both.
    let logout = on_b.post("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(gone_to_login(&on_a.get("/home").await));

    // A disabled account's session on A ends when B disables it.
    let (town_a, _) = browser(&a, &b);
    town_a.try_login("mengjin-town", DEMO_PASSWORD).await;
    assert_eq!(town_a.get("/inbox").await.status, StatusCode::OK);
    let (_, bureau_b) = browser(&a, &b);
    bureau_b.try_login("mengjin-bureau", DEMO_PASSWORD).await;
    let town = account_id(&url, "mengjin-town").await;
    let disabled = bureau_b
        .post(&format!("/accounts/{town}/disable"), &[("confirm", "yes")])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert!(gone_to_login(&town_a.get("/inbox").await));

    // A password changed on A ends the person's other session, held on B.
    let (point_a, _) = browser(&a, &b);
    let (_, point_b) = browser(&a, &b);
    point_a.try_login("mengjin-point", DEMO_PASSWORD).await;
    point_b.try_login("mengjin-point", DEMO_PASSWORD).await;
    assert_eq!(point_b.get("/home").await.status, StatusCode::OK);
    let changed = point_a
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "黄河岸边的学习点"),
                ("confirm", "黄河岸边的学习点"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(gone_to_login(&point_b.get("/home").await));
    assert_eq!(point_a.get("/home").await.status, StatusCode::OK);

    // Failed logins count on both: five spread over the two lock the account on either.
    for n in 0..5 {
        let server = if n % 2 == 0 { &a } else { &b };
        let guess = server.client().try_login("mengjin-office", "not it").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED);
    }
    let locked = a.client().try_login("mengjin-office", DEMO_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    drop(a.stop());
    drop(b.stop());
}
