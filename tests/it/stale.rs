//! A stale save on every versioned form: two people load the same form, one saves, then the
//! other's save is refused with the conflict message, and the first save is what the database
//! keeps. (The unit edit, the account edit and a designation step are in their own files.)

use crate::cycle::{add_plan, add_resource, submission_of};
use crate::support::{Client, Page, TestApp, with};
use reqwest::StatusCode;

pub const CONFLICT: &str = "该记录在您编辑期间已被他人修改";

/// The form posting to `action` on the page at `path`, as `client` sees it now.
async fn form(client: &Client, path: &str, action: &str) -> Vec<(String, String)> {
    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    page.form_fields(action)
}

/// A conflict page: 409, the message, and what is saved now shown for the next try.
fn conflict_page(page: &Page, saved: &str) {
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    page.assert_contains(CONFLICT);
    page.assert_contains(saved);
}

/// The conflict page showing both versions: what is saved now and what was typed (not saved).
fn conflict_page_with_both(page: &Page, saved: &str, typed: &str) {
    conflict_page(page, saved);
    page.assert_contains(typed);
}

/// A refusal sent back to `client`'s list, which says why.
async fn conflict_flash(client: &Client, page: &Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let list = client.get(page.location()).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(CONFLICT);
}

async fn text(app: &TestApp, sql: &str, id: i64) -> String {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("select count(*) from audit_log where action = $1")
        .bind(action)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stale_resource_or_plan_save_gets_the_conflict_page_and_the_first_save_stays() {
    let app = TestApp::spawn().await;
    let s = submission_of(&app, 2026, "MU-WF").await;
    let first = app.login("mengjin-unit").await;
    let second = app.login("mengjin-unit").await;
    add_resource(&first, s, "巾帼课堂").await;
    add_plan(&first, s, "家风讲座").await;
    for (list, table, field) in [
        ("resources", "resource_item", "name"),
        ("plans", "plan_item", "title"),
    ] {
        let item: i64 =
            sqlx::query_scalar(&format!("select id from {table} where submission_id = $1"))
                .bind(s)
                .fetch_one(&app.db.sys)
                .await
                .unwrap();
        let path = format!("/submissions/{s}/{list}/{item}");
        let mine = form(&first, &path, &path).await;
        let theirs = form(&second, &path, &path).await;
        let saved = first
            .submit(&path, &with(mine, &[(field, "先保存的名称")]))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stale = second
            .submit(&path, &with(theirs, &[(field, "后保存的名称")]))
            .await;
        conflict_page_with_both(&stale, "先保存的名称", "后保存的名称");
        let sql = format!("select {field} from {table} where id = $1");
        assert_eq!(text(&app, &sql, item).await, "先保存的名称", "{list}");
    }
    assert_eq!(audited(&app, "resource.update").await, 1);
    assert_eq!(audited(&app, "plan.update").await, 1);
}

#[tokio::test]
async fn a_stale_committee_member_or_member_unit_save_gets_the_conflict_page() {
    let app = TestApp::spawn().await;
    let office = app.login("mengjin-office").await;
    let bureau = app.login("mengjin-bureau").await;
    let member: i64 = sqlx::query_scalar(
        "select id from committee_member where name = '鲁俊生' and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let unit: i64 =
        sqlx::query_scalar("select id from member_unit where code = 'MU-WF' and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    for (path, field, sql) in [
        (
            format!("/committee/members/{member}"),
            "position",
            "select position from committee_member where id = $1",
        ),
        (
            format!("/committee/units/{unit}"),
            "contact_name",
            "select contact_name from member_unit where id = $1",
        ),
    ] {
        let mine = form(&office, &path, &path).await;
        let theirs = form(&bureau, &path, &path).await;
        let saved = office
            .submit(&path, &with(mine, &[(field, "办公室改的")]))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stale = bureau
            .submit(&path, &with(theirs, &[(field, "区局改的")]))
            .await;
        conflict_page(&stale, "办公室改的");
        // Both versions: what is saved, and what was typed, kept to copy from.
        stale.assert_contains("区局改的");
        let id = if path.contains("members") {
            member
        } else {
            unit
        };
        assert_eq!(text(&app, sql, id).await, "办公室改的", "{path}");
    }
    assert_eq!(audited(&app, "committee_member.update").await, 1);
    assert_eq!(audited(&app, "member_unit.update").await, 1);
}

#[tokio::test]
async fn a_stale_target_save_is_refused_and_the_first_value_stays() {
    let app = TestApp::spawn().await;
    let first = app.login("mengjin-bureau").await;
    let second = app.login("mengjin-bureau").await;
    let id: i64 = sqlx::query_scalar(
        "select id from policy_target where metric = 'demo_points' and year = 2022 and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let action = format!("/targets/{id}");
    let mine = form(&first, "/targets?year=2022", &action).await;
    let theirs = form(&second, "/targets?year=2022", &action).await;
    let saved = first.submit(&action, &with(mine, &[("target", "6")])).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stale = second
        .submit(&action, &with(theirs, &[("target", "8")]))
        .await;
    // What was typed (8) beside what is saved (6).
    conflict_page(&stale, "<td>8</td><td>6</td>");
    let target: i32 = sqlx::query_scalar("select target from policy_target where id = $1")
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(target, 6);
    assert_eq!(audited(&app, "policy_target.update").await, 1);
}

#[tokio::test]
async fn a_stale_window_save_is_refused_and_the_first_window_stays() {
    let app = TestApp::spawn().await;
    let first = app.login("mengjin-bureau").await;
    let second = app.login("mengjin-bureau").await;
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let board = format!("/cycles/{cycle}");
    let action = format!("/cycles/{cycle}/window");
    let mine = form(&first, &board, &action).await;
    let theirs = form(&second, &board, &action).await;
    let saved = first
        .submit(&action, &with(mine, &[("due_on", "2026-12-20")]))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stale = second
        .submit(&action, &with(theirs, &[("due_on", "2026-12-25")]))
        .await;
    conflict_page_with_both(&stale, "2026-12-20", "2026-12-25");
    let due: chrono::NaiveDate =
        sqlx::query_scalar("select due_on from reporting_cycle where id = $1")
            .bind(cycle)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(due.to_string(), "2026-12-20");
    assert_eq!(audited(&app, "cycle.window").await, 1);
}

#[tokio::test]
async fn a_stale_click_on_the_rounds_advance_never_moves_it_twice() {
    let app = TestApp::spawn().await;
    let (round, _) = crate::supervision::round_unit(&app, "MJ-CG").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let bureau = app.login("mengjin-bureau").await;
    let page = format!("/supervision/rounds/{round}");
    let action = format!("/supervision/rounds/{round}/advance");
    // Both ticked on the confirmation page, so only the version can refuse the second.
    let tick = |f| crate::support::with(f, &[("confirm", "yes")]);
    let mine = tick(form(&supervisor, &page, &action).await);
    let theirs = tick(form(&bureau, &page, &action).await);
    let advanced = supervisor.submit(&action, &mine).await;
    assert_eq!(advanced.status, StatusCode::SEE_OTHER);
    // The bureau's page still offers "start the review": its click must not publish the round.
    let stale = bureau.submit(&action, &theirs).await;
    conflict_flash(&bureau, &stale).await;
    let status: String = sqlx::query_scalar("select status from evaluation_round where id = $1")
        .bind(round)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "review");
    assert_eq!(audited(&app, "round.advance").await, 1);
}

/// The README: "a stale save gets a conflict page showing both versions (409), never an
/// overwrite", as the unit edit's does. The forms above never overwrite, but answer otherwise.
#[tokio::test]
async fn every_stale_save_gets_a_409_page_showing_both_versions() {
    let app = TestApp::spawn().await;
    let first = app.login("mengjin-bureau").await;
    let second = app.login("mengjin-bureau").await;
    let mut failures = Vec::new();
    let target: i64 = sqlx::query_scalar(
        "select id from policy_target where metric = 'demo_points' and year = 2022 and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let cycle: i64 =
        sqlx::query_scalar("select id from reporting_cycle where year = 2026 and tenant_id = 1")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let member: i64 = sqlx::query_scalar(
        "select id from committee_member where name = '鲁俊生' and tenant_id = 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let forms = [
        (
            "/targets?year=2022".to_string(),
            format!("/targets/{target}"),
            "deadline",
            "2022-07-01",
            "2022-08-01",
        ),
        (
            format!("/cycles/{cycle}"),
            format!("/cycles/{cycle}/window"),
            "due_on",
            "2026-12-20",
            "2026-12-25",
        ),
        (
            format!("/committee/members/{member}"),
            format!("/committee/members/{member}"),
            "position",
            "先保存的职务",
            "后保存的职务",
        ),
    ];
    for (page, action, field, saved, typed) in forms {
        let mine = form(&first, &page, &action).await;
        let theirs = form(&second, &page, &action).await;
        first.submit(&action, &with(mine, &[(field, saved)])).await;
        let stale = second
            .submit(&action, &with(theirs, &[(field, typed)]))
            .await;
        if stale.status != StatusCode::CONFLICT {
            failures.push(format!("{action}: {} instead of 409", stale.status));
        } else if !(stale.body.contains(saved) && stale.body.contains(typed)) {
            failures.push(format!("{action}: 409 without both {saved} and {typed}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
