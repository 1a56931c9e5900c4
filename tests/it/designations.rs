//! Demonstration designations: candidate → declared → approved or not, only by the bureau.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn the_bureau_takes_a_point_from_candidate_to_approved_and_the_list_knows() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-SZ-01").await;
    let bureau = app.login("mengjin-bureau").await;
    let created = bureau
        .post(
            &format!("/units/{point}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let id: i64 = sqlx::query_scalar("select id from demonstration where unit_id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let path = format!("/units/{point}/designations/{id}");
    let skip = bureau
        .post(
            &path,
            &[
                ("confirm", "yes"),
                ("to", "approved"),
                ("on", "2026-04-01"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    skip.assert_contains("当前进展不能直接进入这一步");
    let early = bureau
        .post(
            &path,
            &[("to", "declared"), ("on", "2026-02-01"), ("version", "1")],
        )
        .await;
    early.assert_contains("日期不能早于上一步");
    assert_eq!(
        bureau
            .post(
                &path,
                &[("to", "declared"), ("on", "2026-04-01"), ("version", "1")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let stale = bureau
        .post(
            &path,
            &[
                ("confirm", "yes"),
                ("to", "approved"),
                ("on", "2026-06-01"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
    assert_eq!(bureau.get(stale.location()).await.status, StatusCode::OK);
    let status: String = sqlx::query_scalar("select status from demonstration where id = $1")
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "declared", "a stale step changes nothing");
    assert_eq!(
        bureau
            .post(
                &path,
                &[
                    ("confirm", "yes"),
                    ("to", "approved"),
                    ("on", "2026-06-01"),
                    ("note", "市教育局文件"),
                    ("version", "2")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = bureau.get(&format!("/units/{point}")).await;
    page.assert_contains("已认定");
    page.assert_contains("市教育局文件");
    bureau
        .get("/units?demo=city")
        .await
        .assert_contains("送庄镇送庄村教学点");
    let events: i64 = sqlx::query_scalar(
        "select count(*) from unit_event where unit_id = $1 and kind = 'designation'",
    )
    .bind(point)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(events, 3);
    let dup = bureau
        .post(
            &format!("/units/{point}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    dup.assert_contains("该单位当年已有同级别的示范创建");
}

#[tokio::test]
async fn a_designation_form_with_errors_keeps_the_input() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-SZ-01").await;
    let bureau = app.login("mengjin-bureau").await;
    let page = bureau
        .post(
            &format!("/units/{point}/designations"),
            &[
                ("level", "national"),
                ("year", "二〇二六"),
                ("candidate_on", "soon"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"e-year\">请输入四位年份");
    page.assert_contains("id=\"e-candidate_on\">请按 YYYY-MM-DD");
    page.assert_contains("value=\"二〇二六\"");
    page.assert_contains("请选择级别");
}

#[tokio::test]
async fn only_the_bureau_grants_designations() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await;
    let town = app.login("mengjin-town").await;
    assert_eq!(
        town.get(&format!("/units/{point}/designations/new"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let tried = town
        .post(
            &format!("/units/{point}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    let yanshi = app.login("yanshi-bureau").await;
    assert_eq!(
        yanshi
            .get(&format!("/units/{point}/designations/new"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let count: i64 = sqlx::query_scalar("select count(*) from demonstration where unit_id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(count, 1, "only the demo designation");
}
