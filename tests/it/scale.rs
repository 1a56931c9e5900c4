//! The province-scale generator: whole districts, deterministic for a seed, others untouched.

use crate::support::TestApp;
use reqwest::StatusCode;

/// A digest of everything a district holds that the generator writes, in a stable order.
async fn digest(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar(
        "select md5(string_agg(x, '|' order by x)) from (
             select 'u' || u.code || u.name || u.status || coalesce(u.transformed_on::text, '') as x
               from org_unit u join tenant t on t.id = u.tenant_id where t.code = $1
             union all
             select 'r' || c.year || i.name || i.category || i.capacity || i.sharing
               from resource_item i join submission s on s.id = i.submission_id
               join reporting_cycle c on c.id = s.cycle_id join tenant t on t.id = i.tenant_id
              where t.code = $1 and i.name not like '大清单%'
             union all
             select 'h' || e.volunteer_no || e.phone || x.served_on || x.minutes || x.status || u.code
               from service_hours x join educator e on e.id = x.educator_id join org_unit u on u.id = x.unit_id
               join tenant t on t.id = x.tenant_id
              where t.code = $1
             union all
             select 's' || r.year || u.code || sc.scorer_kind || sc.value
               from score sc join round_unit ru on ru.id = sc.round_unit_id join org_unit u on u.id = ru.org_unit_id
               join evaluation_round r on r.id = ru.round_id join tenant t on t.id = sc.tenant_id
              where t.code = $1) d",
    )
    .bind(code)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_generator_adds_whole_districts_deterministically_and_touches_no_other() {
    let app = TestApp::spawn().await;
    let mengjin = "select (select count(*) from org_unit where tenant_id = 1) + (select count(*) from resource_item where tenant_id = 1)
                        + (select count(*) from audit_log where tenant_id = 1) + (select count(*) from catalogue_resource where tenant_id = 1)";
    let before = count(&app, mengjin).await;
    assert_eq!(cedu::scale::generate(&app.db, 2, 9).await.unwrap(), 2);
    assert_eq!(
        cedu::scale::generate(&app.db, 2, 9).await.unwrap(),
        0,
        "districts already there are left alone"
    );
    assert_eq!(
        count(&app, mengjin).await,
        before,
        "the real district is untouched"
    );

    let units = count(&app, "select count(*) from org_unit u join tenant t on t.id = u.tenant_id where t.code = 'sim9-002'").await;
    assert_eq!(units, 1 + 14 + 14 * 20);
    let cycles = count(&app, "select count(*) from reporting_cycle c join tenant t on t.id = c.tenant_id where t.code = 'sim9-002' and c.status = 'published'").await;
    assert_eq!(cycles, 10);
    // Every published year's accepted lists are in the catalogue, and only they.
    let listed = count(
        &app,
        "select count(*) from resource_item i join submission s on s.id = i.submission_id
           join reporting_cycle c on c.id = s.cycle_id join tenant t on t.id = i.tenant_id
          where t.code = 'sim9-002' and c.status = 'published' and s.status = 'accepted'",
    )
    .await;
    let catalogued = count(&app, "select count(*) from catalogue_resource r join tenant t on t.id = r.tenant_id where t.code = 'sim9-002'").await;
    assert!(listed > 1000);
    assert_eq!(catalogued, listed);
    let big = count(&app, "select count(*) from catalogue_resource r join tenant t on t.id = r.tenant_id where t.code = 'sim9-001' and r.name like '大清单%'").await;
    assert_eq!(big, i64::from(cedu::scale::BIG_LIST));

    // Its accounts sign in and see their own district.
    let bureau = app.login("sim9-002-bureau").await;
    bureau.get("/home").await.assert_contains("模拟区002");
    let catalogue = app.client().get("/public/sim9-002/2025").await;
    assert_eq!(catalogue.status, StatusCode::OK);
    catalogue.assert_contains("id=\"resource-total\"");

    // The same seed on the same starting data gives the same districts in another database.
    let other = TestApp::spawn().await;
    assert_eq!(cedu::scale::generate(&other.db, 2, 9).await.unwrap(), 2);
    for code in ["sim9-001", "sim9-002"] {
        assert_eq!(
            digest(&app, code).await,
            digest(&other, code).await,
            "{code}"
        );
    }
    assert_ne!(
        digest(&app, "sim9-001").await,
        digest(&app, "sim9-002").await
    );
}
