//! One trip to learn who is asking: a request's own transaction checks its session and sets its
//! district (`app_session`, migration 0013), in one pool checkout, and revocation is immediate.

use crate::support::{TestApp, with};
use reqwest::StatusCode;
use std::time::Duration;

/// The pools' checkout count once it has settled (connections return after the response).
async fn settled_checkouts(app: &TestApp) -> u64 {
    let mut last = app.db.checkouts();
    loop {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let now = app.db.checkouts();
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test]
async fn every_page_takes_one_pool_checkout_signed_in_public_or_platform() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await;
    let s = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    let platform = app.login("platform").await;
    let anonymous = app.client();
    let pages = [
        (&town, format!("/units/{point}")),
        (&town, "/inbox".to_string()),
        (&town, format!("/submissions/{s}/resources/new")),
        (&bureau, "/units?kind=teaching_point".to_string()),
        (&bureau, "/home".to_string()),
        (&bureau, "/cycles/2".to_string()),
        (&bureau, "/public/mengjin/2025?q=%E5%9F%8E".to_string()),
        (&platform, "/platform/districts".to_string()),
        (&anonymous, "/public/mengjin/2025?q=%E5%9F%8E".to_string()),
        (&anonymous, "/public".to_string()),
    ];
    for (client, path) in pages {
        let before = settled_checkouts(&app).await;
        let page = client.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(settled_checkouts(&app).await - before, 1, "{path}");
    }
    // A form post, with its CSRF check, its write and its audit row: one too.
    let form = town.get(&format!("/units/{point}/edit")).await;
    let fields = with(
        form.form_fields(&format!("/units/{point}")),
        &[("address", "东关社区文化中心三楼")],
    );
    let before = settled_checkouts(&app).await;
    let saved = town.submit(&format!("/units/{point}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(settled_checkouts(&app).await - before, 1);
}

/// Calls `app_session` as the request role and reports what it gives: the user's name, if
/// any, and the district the transaction is then bound to.
async fn as_request(app: &TestApp, hash: &[u8]) -> (Option<String>, String) {
    let mut tx = app.db.app.begin().await.unwrap();
    let user: Option<String> = sqlx::query_scalar("select username from app_session($1)")
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    let tenant: String =
        sqlx::query_scalar("select coalesce(current_setting('app.tenant_id', true), '')")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    tx.rollback().await.unwrap();
    (user, tenant)
}

/// The session hash of a fresh login as `username`.
async fn session_of(app: &TestApp, username: &str) -> Vec<u8> {
    app.login(username).await;
    sqlx::query_scalar(
        "select s.id_hash from session s join account a on a.id = s.account_id
          where a.username = $1 order by s.created_at desc limit 1",
    )
    .bind(username)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_forged_expired_idle_revoked_or_disabled_session_gets_no_user_and_no_district() {
    let app = TestApp::spawn().await;
    let live = session_of(&app, "mengjin-town").await;
    let (user, tenant) = as_request(&app, &live).await;
    assert_eq!(
        (user.as_deref(), tenant.as_str()),
        (Some("mengjin-town"), "1")
    );

    let forged = [7u8; 32];
    assert_eq!(as_request(&app, &forged).await, (None, String::new()));

    for (what, change) in [
        (
            "idle",
            "update session set last_seen_at = now() - interval '31 minutes' where id_hash = $1",
        ),
        (
            "expired",
            "update session set created_at = now() - interval '13 hours' where id_hash = $1",
        ),
    ] {
        let hash = session_of(&app, "mengjin-point").await;
        sqlx::query(change)
            .bind(&hash)
            .execute(&app.db.sys)
            .await
            .unwrap();
        assert_eq!(
            as_request(&app, &hash).await,
            (None, String::new()),
            "{what}"
        );
    }
    let revoked = session_of(&app, "mengjin-unit").await;
    sqlx::query("delete from session where id_hash = $1")
        .bind(&revoked)
        .execute(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(as_request(&app, &revoked).await, (None, String::new()));
    let disabled = session_of(&app, "mengjin-office").await;
    sqlx::query("update account set disabled = true where username = 'mengjin-office'")
        .execute(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(as_request(&app, &disabled).await, (None, String::new()));

    // Another district's session binds its own district, never this one.
    let yanshi = session_of(&app, "yanshi-bureau").await;
    let (user, tenant) = as_request(&app, &yanshi).await;
    assert_eq!(user.as_deref(), Some("yanshi-bureau"));
    assert_ne!(tenant, "1");
    let point = app.unit_id_in("mengjin", "MJ-CG-01").await;
    let client = app.login("yanshi-bureau").await;
    assert_eq!(
        client.get(&format!("/units/{point}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_disabled_accounts_open_session_stops_at_its_next_request() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    assert_eq!(town.get("/inbox").await.status, StatusCode::OK);
    let bureau = app.login("mengjin-bureau").await;
    let id = app.account_id("mengjin-town").await;
    let done = bureau
        .post(&format!("/accounts/{id}/disable"), &[("confirm", "yes")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let next = town.get("/inbox").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert!(next.location().starts_with("/login"), "{}", next.location());
}

#[tokio::test]
async fn the_session_functions_run_as_their_owner_with_a_pinned_path_and_only_for_the_request_role()
{
    let app = TestApp::spawn().await;
    let functions: Vec<(String, bool, Vec<String>, bool, bool)> = sqlx::query_as(
        "select p.oid::regprocedure::text, p.prosecdef, coalesce(p.proconfig, '{}'),
                has_function_privilege('cedu_app', p.oid, 'execute'),
                exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         where a.grantee = 0 and a.privilege_type = 'EXECUTE')
           from pg_proc p
          where p.proname in ('app_session', 'touch_session', 'enter_district', 'public_districts', 'end_session', 'end_account_sessions')",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(functions.len(), 6, "{functions:?}");
    for (name, definer, config, request_role, public) in functions {
        assert!(definer, "{name} is SECURITY DEFINER");
        assert_eq!(config, ["search_path=pg_catalog, pg_temp"], "{name}");
        assert!(request_role, "{name}: the request role may call it");
        assert!(!public, "{name}: PUBLIC may not");
    }
    // A role with no grant of its own cannot call it.
    sqlx::query("create role cedu_it_nobody nologin")
        .execute(&app.db.sys)
        .await
        .unwrap();
    let may: bool = sqlx::query_scalar(
        "select has_function_privilege('cedu_it_nobody', 'app_session(bytea)', 'execute')",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    sqlx::query("drop role cedu_it_nobody")
        .execute(&app.db.sys)
        .await
        .unwrap();
    assert!(!may);
}

#[tokio::test]
async fn the_idle_clock_is_written_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let last_seen = || async {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "select s.last_seen_at from session s join account a on a.id = s.account_id
              where a.username = 'mengjin-town'",
        )
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
    };
    let first = last_seen().await;
    for _ in 0..3 {
        assert_eq!(town.get("/inbox").await.status, StatusCode::OK);
    }
    assert_eq!(last_seen().await, first, "three page views wrote nothing");
    sqlx::query("update session set last_seen_at = now() - interval '2 minutes'")
        .execute(&app.db.sys)
        .await
        .unwrap();
    let stale = last_seen().await;
    assert_eq!(town.get("/inbox").await.status, StatusCode::OK);
    assert!(
        last_seen().await > stale,
        "a minute on, the next view moves it"
    );
}

#[tokio::test]
async fn a_slow_request_does_not_hold_up_the_same_sessions_other_requests() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let hash: Vec<u8> = sqlx::query_scalar(
        "select s.id_hash from session s join account a on a.id = s.account_id
          where a.username = 'mengjin-town'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let last_seen = || async {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "select last_seen_at from session where id_hash = $1",
        )
        .bind(&hash)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
    };
    sqlx::query(
        "update session set last_seen_at = now() - interval '2 minutes' where id_hash = $1",
    )
    .bind(&hash)
    .execute(&app.db.sys)
    .await
    .unwrap();
    let stale = last_seen().await;
    // A request of this session whose clock is due, still running (a large export, say).
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let (slow, user) = cedu::db::Tx::open(
        &app.db.app,
        &format!("select * from app_session('\\x{hex}'::bytea)"),
    )
    .await
    .unwrap();
    assert!(user.is_some());
    // Another tab's page answers meanwhile and moves the clock: no request's transaction
    // holds the session's row.
    let page = tokio::time::timeout(Duration::from_secs(5), town.get("/inbox"))
        .await
        .expect("the other tab's page waited for the slow request");
    assert_eq!(page.status, StatusCode::OK);
    assert!(last_seen().await > stale);
    slow.commit().await.unwrap();
}

#[tokio::test]
async fn a_request_cancelled_mid_transaction_leaves_no_transaction_open_behind_it() {
    let app = TestApp::spawn().await;
    // The client goes away while BEGIN and the first statement are on the wire (oha does this
    // to its requests in flight when a run ends).
    let cancelled = tokio::time::timeout(
        Duration::from_millis(100),
        cedu::db::Tx::open(&app.db.app, "select pg_sleep(0.5)"),
    )
    .await;
    assert!(cancelled.is_err(), "the statement outlasts the timeout");
    // Once the statement has finished, nothing of the request's may stay open: a connection
    // idle in its transaction holds its locks (the session row's) and every later request
    // of that session waits on them.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let open: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity
          where datname = current_database() and application_name = 'cedu' and state like 'idle in transaction%'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(open, 0);
    // And the pool still serves.
    let page = app.login("mengjin-town").await.get("/inbox").await;
    assert_eq!(page.status, StatusCode::OK);
}
