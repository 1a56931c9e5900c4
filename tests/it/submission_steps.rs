//! The submission state machine over HTTP: every step from every status it may not start from,
//! taken by the rightful filer or reviewer with a fresh version, is refused with the page's
//! message and leaves the row, its history and the audit log as they were.

use crate::cycle::{add_plan, add_resource, submission_of, version};
use crate::stale::CONFLICT;
use crate::support::{Client, TestApp};
use chrono::NaiveDate;
use reqwest::StatusCode;

const NOT_NOW: &str = "当前状态下不能执行此操作。";

/// What a step could change: the row, its history, its audit rows.
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Snapshot {
    status: String,
    version: i32,
    submitted_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    return_reason: String,
    events: i64,
    audited: i64,
}

async fn snapshot(app: &TestApp, s: i64) -> Snapshot {
    sqlx::query_as(
        "select status, version, submitted_on, decided_on, return_reason,
                (select count(*) from submission_event where submission_id = s.id) as events,
                (select count(*) from audit_log where entity = 'submission' and entity_id = s.id) as audited
           from submission s where id = $1",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

/// Takes `step` as a browser would with the page just loaded: the current version (and a
/// reason to return it).
async fn take(app: &TestApp, client: &Client, s: i64, step: &str) -> crate::support::Page {
    let v = version(app, s).await;
    let mut fields = vec![("version", v.as_str())];
    if step == "return" {
        fields.push(("reason", "请补充开放时间"));
    }
    if step == "accept" {
        // Ticked on the confirmation page an accept asks first.
        fields.push(("confirm", "yes"));
    }
    client
        .post(&format!("/submissions/{s}/{step}"), &fields)
        .await
}

async fn moves(app: &TestApp, client: &Client, s: i64, step: &str, to: &str) {
    let page = take(app, client, s, step).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{step}: {}", page.body);
    assert_eq!(snapshot(app, s).await.status, to, "{step}");
}

/// Each step is refused from the submission's current status, and changes nothing.
async fn refused(app: &TestApp, client: &Client, s: i64, steps: &[&str]) {
    for step in steps {
        let before = snapshot(app, s).await;
        let page = take(app, client, s, step).await;
        let what = format!("{step} from {}", before.status);
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{what}: {}", page.body);
        assert_eq!(page.location(), format!("/submissions/{s}"), "{what}");
        assert_eq!(
            snapshot(app, s).await,
            before,
            "{what} changed the submission"
        );
        client.get(page.location()).await.assert_contains(NOT_NOW);
    }
}

/// From draft through returned to accepted, every wrong step at each status, by the filer
/// (submit) or the reviewer (accept, return).
async fn every_wrong_step_along_the_way(app: &TestApp, filer: &Client, reviewer: &Client, s: i64) {
    refused(app, reviewer, s, &["accept", "return"]).await;
    add_resource(filer, s, "社区书屋").await;
    add_plan(filer, s, "读书会").await;
    moves(app, filer, s, "submit", "submitted").await;
    refused(app, filer, s, &["submit"]).await;
    moves(app, reviewer, s, "return", "returned").await;
    refused(app, reviewer, s, &["accept", "return"]).await;
    moves(app, filer, s, "submit", "submitted").await;
    moves(app, reviewer, s, "accept", "accepted").await;
    refused(app, filer, s, &["submit"]).await;
    refused(app, reviewer, s, &["accept", "return"]).await;
}

#[tokio::test]
async fn every_wrong_step_on_a_member_units_lists_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    let bureau = app.login("mengjin-bureau").await;
    every_wrong_step_along_the_way(&app, &unit, &bureau, s).await;
}

#[tokio::test]
async fn every_wrong_step_on_a_points_lists_is_refused_by_its_town_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MJ-CG-01").await;
    let point = app.login("mengjin-point").await;
    let town = app.login("mengjin-town").await;
    every_wrong_step_along_the_way(&app, &point, &town, s).await;
}

#[tokio::test]
async fn no_step_is_taken_while_the_cycle_is_closed() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    let office = app.login("mengjin-office").await;
    add_resource(&unit, s, "巾帼课堂").await;
    add_plan(&unit, s, "家风讲座").await;
    sqlx::query("update reporting_cycle set status = 'closed' where year = 2026 and tenant_id = 1")
        .execute(&app.db.sys)
        .await
        .unwrap();
    refused(&app, &unit, s, &["submit"]).await;
    sqlx::query("update submission set status = 'submitted' where id = $1")
        .bind(s)
        .execute(&app.db.sys)
        .await
        .unwrap();
    refused(&app, &office, s, &["accept", "return"]).await;
}

/// Waits until a request of the app's is blocked on a lock.
async fn someone_waits_for_a_lock(app: &TestApp) {
    for _ in 0..100 {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no request waited for the lock");
}

#[tokio::test]
async fn a_step_racing_another_decision_is_stopped_by_the_guarded_update() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let unit = app.login("mengjin-unit").await;
    add_resource(&unit, s, "巾帼课堂").await;
    add_plan(&unit, s, "家风讲座").await;
    moves(&app, &unit, s, "submit", "submitted").await;
    let bureau = app.login("mengjin-bureau").await;
    let v = version(&app, s).await;
    // Another decision has returned the list, not yet committed, when the bureau accepts it:
    // the accept reads it still submitted, and only the UPDATE's own status guard can refuse.
    // (The version is left as it was, so that the version check cannot be what refuses.)
    let mut other = app.db.sys.begin().await.unwrap();
    sqlx::query("update submission set status = 'returned', return_reason = '另一位审核人退回' where id = $1")
        .bind(s)
        .execute(&mut *other)
        .await
        .unwrap();
    let accept = tokio::spawn(async move {
        let page = bureau
            .post(
                &format!("/submissions/{s}/accept"),
                &[("version", &v), ("confirm", "yes")],
            )
            .await;
        (page.status, bureau.get(page.location()).await)
    });
    someone_waits_for_a_lock(&app).await;
    other.commit().await.unwrap();
    let (status, page) = accept.await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = snapshot(&app, s).await;
    assert_eq!(
        (after.status.as_str(), after.return_reason.as_str()),
        ("returned", "另一位审核人退回")
    );
    let accepted: i64 = sqlx::query_scalar(
        "select count(*) from submission_event where submission_id = $1 and action = 'accept'",
    )
    .bind(s)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(accepted, 0);
    page.assert_contains(CONFLICT);
}
