//! Row-level security, the audit log's immutability, headers, error pages and languages.

use crate::support::{Client, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn every_tenant_table_has_row_level_security_enabled_and_forced() {
    let app = TestApp::spawn().await;
    let tables: Vec<(String, bool, bool, String)> = sqlx::query_as(
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                coalesce(p.qual, '-') || ' / ' || coalesce(p.with_check, '-')
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           left join pg_policies p on p.schemaname = n.nspname and p.tablename = c.relname and p.policyname = 'tenant_isolation'
          where n.nspname = 'public' and c.relkind = 'r'
            and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(tables.len() >= 4, "tenant tables found: {tables:?}");
    // The setting itself, without a subquery (Citus refuses one in a policy): migration 0020.
    let rule =
        "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::bigint)";
    for (table, enabled, forced, policy) in tables {
        assert!(
            enabled && forced,
            "{table}: row-level security enabled={enabled} forced={forced}"
        );
        assert_eq!(
            policy,
            format!("{rule} / {rule}"),
            "{table}: the tenant_isolation policy (using / with check)"
        );
    }
}

#[tokio::test]
async fn the_request_role_owns_nothing_and_cannot_bypass_row_level_security() {
    let app = TestApp::spawn().await;
    let (role, superuser, bypass): (String, bool, bool) =
        sqlx::query_as("select current_user::text, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user")
            .fetch_one(&app.db.app)
            .await
            .unwrap();
    assert_eq!(role, "cedu_app");
    assert!(!superuser && !bypass);
    let owned: i64 = sqlx::query_scalar("select count(*) from pg_class where relowner = (select oid from pg_roles where rolname = 'cedu_app')")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(owned, 0);
}

#[tokio::test]
async fn with_no_tenant_set_tenant_tables_return_no_rows() {
    let app = TestApp::spawn().await;
    for table in ["tenant", "org_unit", "member_unit", "account", "audit_log"] {
        let mut tx = app.db.app.begin().await.unwrap();
        let rows: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(rows, 0, "{table} leaks rows with no tenant set");
    }
    let everything: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert!(everything > 20, "the rows are there, just not visible");
}

#[tokio::test]
async fn a_query_that_forgets_its_filter_still_sees_only_its_own_district() {
    let app = TestApp::spawn().await;
    let yanshi: i64 = sqlx::query_scalar("select id from tenant where code = 'yanshi'")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let mengjin_unit = app.unit_id("MJ-CG").await;
    let mut tx = app.db.begin_for(yanshi).await.unwrap();
    let seen: Option<String> = sqlx::query_scalar("select name from org_unit where id = $1")
        .bind(mengjin_unit)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, None);
    let changed = sqlx::query("update org_unit set name = 'x' where id = $1")
        .bind(mengjin_unit)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 0);
    let smuggled = sqlx::query("insert into org_unit (tenant_id, kind, parent_id, path, code, name) values (1, 'town_school', $1, '', 'X', 'x')")
        .bind(app.unit_id_in("mengjin", "MJ").await)
        .execute(&mut *tx)
        .await;
    assert!(smuggled.is_err(), "cannot write into another district");
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed_or_deleted() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let point = app.unit_id("MJ-CG-01").await;
    bureau
        .post(
            &format!("/units/{point}/status"),
            &[("status", "suspended"), ("status_on", "2026-12-01")],
        )
        .await;
    let mut tx = app.db.begin_for(1).await.unwrap();
    assert!(
        sqlx::query("update audit_log set actor_name = 'x'")
            .execute(&mut *tx)
            .await
            .is_err()
    );
    let mut tx = app.db.begin_for(1).await.unwrap();
    assert!(
        sqlx::query("delete from audit_log")
            .execute(&mut *tx)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("delete from audit_log")
            .execute(&app.db.sys)
            .await
            .is_err(),
        "not even the owner"
    );
}

#[tokio::test]
async fn responses_carry_security_headers_and_health_answers() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/login").await;
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(page.headers.contains_key(header), "missing {header}");
    }
    assert_eq!(page.headers["cache-control"], "no-store");
    let health = app.client().get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
}

#[tokio::test]
async fn error_pages_are_friendly_in_the_chosen_language() {
    let app = TestApp::spawn().await;
    let client = app.login("mengjin-town").await;
    let missing = client.get("/units/not-a-number").await;
    assert!(missing.status.is_client_error());
    let zh = client.get("/nowhere").await;
    assert_eq!(zh.status, StatusCode::NOT_FOUND);
    zh.assert_contains("页面不存在");
    zh.assert_contains("lang=\"zh-CN\"");
    let switch = client.get("/lang/en?next=/nowhere").await;
    assert_eq!(switch.location(), "/nowhere");
    let en = client.get("/nowhere").await;
    en.assert_contains("Page not found");
    en.assert_contains("lang=\"en\"");
    client.get("/home").await.assert_contains("Welcome");
    client.get("/lang/zh?next=/").await;
    client.get("/home").await.assert_contains("您好");
}

#[tokio::test]
async fn a_first_visit_takes_the_browsers_language_and_the_switch_still_wins() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let visit = |path: &str, accept: &'static str| {
        let request = client
            .http
            .get(format!("{}{path}", client.base))
            .header("accept-language", accept);
        async move { Client::page(request.send().await.unwrap()).await }
    };
    let en = visit("/login", "en-GB,en;q=0.9,zh-CN;q=0.5").await;
    en.assert_contains("lang=\"en\"");
    en.assert_contains("Sign in");
    visit("/nowhere", "en-US")
        .await
        .assert_contains("Page not found");
    let zh = visit("/login", "zh-CN,zh;q=0.9,en;q=0.8").await;
    zh.assert_contains("lang=\"zh-CN\"");
    visit("/login", "fr-FR,de;q=0.7")
        .await
        .assert_contains("lang=\"zh-CN\"");
    client.get("/lang/zh?next=/login").await;
    let chosen = visit("/login", "en-US,en;q=0.9").await;
    chosen.assert_contains("lang=\"zh-CN\"");
    chosen.assert_contains("登录");
}
