//! The network list: filters, sort, pages, the .xlsx export of exactly what is filtered, print.

use crate::support::TestApp;
use calamine::{Data, Reader};
use reqwest::StatusCode;

/// The rows of the first sheet of a workbook, as text.
pub fn read_sheet(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .expect("a readable workbook");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn filters_combine_and_the_count_says_how_many() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let cg = app.unit_id("MJ-CG").await;
    let page = bureau.get(&format!("/units?town={cg}")).await;
    page.assert_contains("id=\"unit-count\">4<");
    let points = bureau
        .get(&format!("/units?town={cg}&kind=teaching_point"))
        .await;
    points.assert_contains("id=\"unit-count\">3<");
    let provincial = bureau.get("/units?demo=provincial").await;
    provincial.assert_contains("id=\"unit-count\">1<");
    provincial.assert_contains("城关镇社区教育学校");
    let any_demo = bureau.get("/units?demo=any").await;
    any_demo.assert_contains("id=\"unit-count\">4<");
    let untransformed = bureau.get("/units?kind=town_school&transformed=no").await;
    untransformed.assert_contains("id=\"unit-count\">2<");
    untransformed.assert_contains("小浪底镇社区教育学校");
    let search = bureau.get("/units?q=%E6%89%A3%E9%A9%AC").await;
    search.assert_contains("id=\"unit-count\">1<");
    // Nonsense in the query string is ignored, never an error.
    assert_eq!(
        bureau
            .get("/units?kind=zzz&status=x&sort=drop&town=abc&page=-3")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sorting_and_pages_follow_the_query_string() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let by_staff = bureau
        .get("/units?kind=town_school&sort=staff&dir=desc")
        .await;
    let table = &by_staff.body[by_staff.body.find("<tbody>").unwrap()..];
    let staff: Vec<i64> = table
        .split("<td class=\"n\">")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(staff.len(), 14);
    assert!(
        staff.windows(2).all(|w| w[0] >= w[1]),
        "descending: {staff:?}"
    );
    // 44 units in Mengjin: the first page has 50 at most, so one page; make more to see two.
    let college = app.unit_id_in("mengjin", "MJ").await;
    let mut tx = app.db.begin_for(1).await.unwrap();
    for i in 0..10 {
        sqlx::query("insert into org_unit (tenant_id, kind, parent_id, path, code, name) values (1, 'town_school', $1, '', $2, $3)")
            .bind(college)
            .bind(format!("ZZ-{i:02}"))
            .bind(format!("测试学校{i:02}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let first = bureau.get("/units?sort=code").await;
    first.assert_contains("1 / 2");
    let second = bureau.get("/units?sort=code&page=2").await;
    second.assert_contains("测试学校09");
    assert!(!second.body.contains("孟津区社区教育学院</a>"));
}

#[tokio::test]
async fn the_export_holds_exactly_the_filtered_units_and_reads_back() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let cg = app.unit_id("MJ-CG").await;
    let list = bureau
        .get(&format!("/units?town={cg}&kind=teaching_point"))
        .await;
    let href = format!("/units/export.xlsx?kind=teaching_point&town={cg}");
    list.assert_contains(&href.replace('&', "&#38;"));
    let res = bureau.response(&href).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let rows = read_sheet(res.bytes().await.unwrap().to_vec());
    assert!(rows[0][0].contains("孟津区"), "a title row: {:?}", rows[0]);
    assert_eq!(rows[1][..4], ["编码", "名称", "层级", "上级编码"]);
    let codes: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(codes, ["MJ-CG-01", "MJ-CG-02", "MJ-CG-03"]);
    assert_eq!(rows[2][3], "MJ-CG");
    assert_eq!(rows[2][2], "村（社区）社区教育教学点");
    // A town administrator's export never holds another town.
    let town = app.login("mengjin-town").await;
    let rows = town.sheet("/units/export.xlsx").await;
    assert_eq!(rows.len() - 2, 4);
    assert!(rows[2..].iter().all(|r| r[0].starts_with("MJ-CG")));
}

#[tokio::test]
async fn the_print_view_is_a_roster_of_the_filtered_units() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let page = bureau.get("/units/print?kind=town_school").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("孟津区社区教育三级办学网络名册");
    page.assert_contains("共计 14");
    assert!(!page.body.contains("教学点</td>"));
    assert!(
        !page.body.contains("<nav class=\"main\""),
        "no navigation on paper"
    );
}

#[tokio::test]
async fn a_page_far_past_the_last_is_an_empty_page_not_an_error() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    for page in ["999999999999999999", "9223372036854775807"] {
        let far = bureau.get(&format!("/units?page={page}")).await;
        assert_eq!(far.status, StatusCode::OK, "page {page}");
        far.assert_contains("没有符合条件的记录");
    }
}
