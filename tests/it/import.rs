//! Importing units from .xlsx: the template, a dry run with row and column errors, confirm,
//! and a bad file that writes nothing.

use crate::support::{Client, Page, TestApp};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

/// A workbook whose first row is `headers`, then `rows`.
pub fn workbook(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Ok(n) = v.parse::<f64>() {
                ws.write_number(r as u32 + 1, c as u16, n).unwrap();
            } else {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

pub async fn upload(client: &Client, bytes: Vec<u8>) -> Page {
    let token = client.csrf_token().await;
    let form = reqwest::multipart::Form::new().text("csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("units.xlsx"),
    );
    let res = client
        .http
        .post(format!("{}/units/import", client.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Client::page(res).await
}

pub const HEADERS: [&str; 8] = [
    "编码",
    "名称",
    "层级",
    "上级编码",
    "服务镇（街道）",
    "服务村（社区）",
    "兼职教师",
    "共享场所",
];

#[tokio::test]
async fn the_template_downloads_with_every_column() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let rows = bureau.sheet("/units/import/template.xlsx").await;
    assert_eq!(rows[1].len(), 22);
    assert_eq!(rows[1][0], "编码");
    assert_eq!(rows[2][0], "MJ-XX-01");
}

#[tokio::test]
async fn a_dry_run_shows_what_will_happen_and_confirming_writes_it_all() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let file = workbook(
        &HEADERS,
        &[
            &[
                "MJ-CG-04",
                "城关镇北街社区教学点",
                "村（社区）社区教育教学点",
                "MJ-CG",
                "城关镇",
                "北街社区",
                "3",
                "图书馆、文化馆（站）",
            ],
            &[
                "MJ-NEW",
                "孟津区新设社区教育学校",
                "town_school",
                "MJ",
                "新区",
                "",
                "0",
                "",
            ],
            &[
                "MJ-NEW-01",
                "新设学校第一教学点",
                "teaching_point",
                "MJ-NEW",
                "新区",
                "一村",
                "2",
                "library",
            ],
            &[
                "MJ-CG-01",
                "城关镇东关社区教学点",
                "teaching_point",
                "MJ-CG",
                "城关镇",
                "东关社区",
                "9",
                "",
            ],
        ],
    );
    let uploaded = upload(&bureau, file).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let review = bureau.get(uploaded.location()).await;
    review.assert_contains("id=\"error-count\">0<");
    review.assert_contains("将新建 <strong>3</strong>");
    review.assert_contains("将更新 <strong>1</strong>");
    let before: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let confirmed = bureau.post(uploaded.location(), &[]).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let after: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(after - before, 3);
    let (kind, parent, venues): (String, String, Vec<String>) = sqlx::query_as(
        "select u.kind, p.code, u.shared_venues from org_unit u join org_unit p on p.id = u.parent_id where u.code = 'MJ-NEW-01'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), parent.as_str(), venues),
        ("teaching_point", "MJ-NEW", vec!["library".to_string()])
    );
    let teachers: i32 =
        sqlx::query_scalar("select parttime_teachers from org_unit where code = 'MJ-CG-01'")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(teachers, 9);
    let events: i64 = sqlx::query_scalar("select count(*) from unit_event where kind = 'imported'")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(events, 4);
    // The same batch cannot be applied twice.
    let again = bureau.post(uploaded.location(), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let count: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(count, after);
}

#[tokio::test]
async fn a_file_with_errors_names_row_and_column_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let file = workbook(
        &HEADERS,
        &[
            &[
                "MJ-CG-05",
                "好的一行",
                "teaching_point",
                "MJ-CG",
                "城关镇",
                "",
                "1",
                "",
            ],
            &[
                "MJ-CG-06",
                "",
                "teaching_point",
                "MJ-NOPE",
                "城关镇",
                "",
                "三",
                "",
            ],
            &[
                "MJ-CG-07",
                "层级不对",
                "teaching_point",
                "MJ",
                "城关镇",
                "",
                "",
                "赌场",
            ],
            &["MJ-CG-05", "重复编码", "教学站", "MJ-CG", "", "", "", ""],
        ],
    );
    let uploaded = upload(&bureau, file).await;
    let review = bureau.get(uploaded.location()).await;
    let table = &review.body[review.body.find("id=\"import-rows\"").unwrap()..];
    let row = |n: usize| {
        let at = table.find(&format!("<td class=\"n\">{n}</td>")).unwrap();
        &table[at..at + table[at..].find("</tr>").unwrap()]
    };
    assert!(
        !row(2).contains("class=\"error\""),
        "row 2 is fine: {}",
        row(2)
    );
    assert!(
        row(3).contains("名称：此项必填")
            && row(3).contains("上级编码：找不到该上级编码")
            && row(3).contains("兼职教师：请输入0或正整数"),
        "{}",
        row(3)
    );
    assert!(
        row(4).contains("上级编码：上级单位层级不对")
            && row(4).contains("共享场所：包含未知的共享场所"),
        "{}",
        row(4)
    );
    assert!(
        row(5).contains("编码：文件中该编码重复出现") && row(5).contains("层级："),
        "{}",
        row(5)
    );
    assert!(
        !review.body.contains("id=\"confirm-import\""),
        "no confirm while there are errors"
    );
    let before: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let forced = bureau.post(uploaded.location(), &[]).await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after: i64 = sqlx::query_scalar("select count(*) from org_unit")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(before, after, "nothing written, not even the good row");
}

#[tokio::test]
async fn files_that_are_not_spreadsheets_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let page = upload(&bureau, b"name,code\nx,y\n".to_vec()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("无法读取该文件");
    let no_header = upload(&bureau, workbook(&["甲", "乙"], &[&["1", "2"]])).await;
    no_header.assert_contains("未找到表头行");
    // Only the bureau imports; a town administrator gets 404.
    let town = app.login("mengjin-town").await;
    assert_eq!(
        upload(&town, workbook(&HEADERS, &[])).await.status,
        StatusCode::NOT_FOUND
    );
    // A multipart POST without the CSRF token is refused like any other.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(workbook(&HEADERS, &[])).file_name("x.xlsx"),
    );
    let res = bureau
        .http
        .post(format!("{}/units/import", bureau.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
