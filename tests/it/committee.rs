//! The committee's two lists, the roster (annex 1) and the member units with their duties
//! (annex 2): filters, sort, the count, the export of exactly what is filtered, print; and the
//! member form's checks beside its fields. (Adding members and stale saves: cycle.rs, stale.rs.)

use crate::support::TestApp;
use reqwest::StatusCode;

/// The names in the first column of a table's body, in order.
fn column(body: &str, table: &str, cell: usize) -> Vec<String> {
    let at = body.find(&format!("id=\"{table}\"")).unwrap();
    let tbody = &body[at..];
    let tbody = &tbody[tbody.find("<tbody>").unwrap()..tbody.find("</tbody>").unwrap()];
    tbody
        .split("<tr")
        .skip(1)
        .filter_map(|row| {
            let td = row.split("<td").nth(cell + 1)?;
            let text = &td[td.find('>')? + 1..];
            Some(text[..text.find('<')?].trim().to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_roster_filters_sorts_counts_exports_and_prints_what_it_shows() {
    let app = TestApp::spawn().await;
    let office = app.login("mengjin-office").await;
    let all = office.get("/committee/members").await;
    assert_eq!(all.status, StatusCode::OK);
    all.assert_contains("id=\"member-count\">16<");
    // The chair first, then the vice-chairs: the committee's own order.
    assert_eq!(column(&all.body, "members", 1)[..2], ["鲁俊生", "王国玉"]);
    let vice = office.get("/committee/members?role=vice_chair").await;
    vice.assert_contains("id=\"member-count\">3<");
    vice.assert_lacks("鲁俊生");
    let searched = office
        .get("/committee/members?q=%E5%A6%87%E8%81%94") // 妇联
        .await;
    searched.assert_contains("id=\"member-count\">1<");
    searched.assert_contains("马杏品");
    let up = column(
        &office.get("/committee/members?sort=name").await.body,
        "members",
        1,
    );
    let mut down = column(
        &office
            .get("/committee/members?sort=name&dir=desc")
            .await
            .body,
        "members",
        1,
    );
    assert_eq!(up.len(), 16);
    assert_ne!(up, column(&all.body, "members", 1), "sorted by name");
    down.reverse();
    assert_eq!(up, down, "the second click turns the order round");
    // The export holds exactly what the filters show, after a title and the headings.
    let rows = office
        .sheet("/committee/members/export.xlsx?role=vice_chair")
        .await;
    assert_eq!(rows[1][..2], ["委员会职务", "姓名"]);
    let mut exported: Vec<&str> = rows[2..].iter().map(|r| r[1].as_str()).collect();
    exported.sort();
    assert_eq!(exported, ["熊巍", "王国玉", "许学力"]);
    let print = office.get("/committee/members/print?role=chair").await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains("孟津区社区教育指导委员会组成人员");
    print.assert_contains("鲁俊生");
    print.assert_lacks("王国玉");
    // Nonsense in the query string is ignored, never an error.
    assert_eq!(
        office
            .get("/committee/members?role=king&unit=abc&sort=drop&page=-2")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_member_units_list_filters_exports_and_prints_their_duties() {
    let app = TestApp::spawn().await;
    let unit = app.login("mengjin-unit").await;
    let all = unit.get("/committee/units").await;
    assert_eq!(all.status, StatusCode::OK);
    all.assert_contains("id=\"unit-count\">14<");
    all.assert_lacks("/committee/units/new");
    let found = unit.get("/committee/units?q=%E5%A6%87%E8%81%94").await; // 妇联
    found.assert_contains("id=\"unit-count\">1<");
    unit.get("/committee/units?state=inactive")
        .await
        .assert_contains("id=\"unit-count\">0<");
    let rows = unit.sheet("/committee/units/export.xlsx").await;
    assert_eq!(rows.len() - 2, 14);
    let edu = rows.iter().find(|r| r[0] == "MU-EDU").unwrap();
    assert!(edu[2].starts_with("负责指导、督促、检查、协调全区社区教育工作"));
    let print = unit.get("/committee/units/print?q=MU-EDU").await;
    print.assert_contains("负责指导、督促、检查、协调全区社区教育工作");
    print.assert_lacks("区妇联");
    // A liaison's mobile number is whole for who runs the committee, masked for the other
    // readers: on the list, in the export, in print.
    sqlx::query("update member_unit set contact_name = '张联络', contact_phone = '13812345678' where code = 'MU-EDU'")
        .execute(&app.db.sys)
        .await
        .unwrap();
    let masked = "138****5678";
    unit.get("/committee/units?q=MU-EDU")
        .await
        .assert_contains(masked);
    let rows = unit.sheet("/committee/units/export.xlsx").await;
    let edu = rows.iter().find(|r| r[0] == "MU-EDU").unwrap();
    assert_eq!(edu[4], masked);
    let print = unit.get("/committee/units/print?q=MU-EDU").await;
    print.assert_contains(masked);
    print.assert_lacks("13812345678");
    let bureau = app.login("mengjin-bureau").await;
    bureau
        .get("/committee/units?q=MU-EDU")
        .await
        .assert_contains("13812345678");
    let rows = bureau.sheet("/committee/units/export.xlsx").await;
    assert!(
        rows.iter()
            .any(|r| r[0] == "MU-EDU" && r[4] == "13812345678")
    );
    // Another district's committee is not in Mengjin's lists, nor Mengjin's in theirs.
    let yanshi = app.login("yanshi-bureau").await;
    let theirs = yanshi.sheet("/committee/units/export.xlsx").await;
    assert!(theirs[2..].iter().all(|r| r[0] != "MU-EDU"), "{theirs:?}");
    yanshi
        .get("/committee/members")
        .await
        .assert_lacks("鲁俊生");
}

#[tokio::test]
async fn a_member_of_an_unknown_unit_is_refused_beside_the_field_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let office = app.login("mengjin-office").await;
    let bad = office
        .post(
            "/committee/members",
            &[
                ("name", "钱委员"),
                ("committee_role", "member"),
                ("member_unit_id", "999999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-member_unit_id\">请从列表中选择");
    bad.assert_contains("value=\"钱委员\"");
    let kept: i64 =
        sqlx::query_scalar("select count(*) from committee_member where name = '钱委员'")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(kept, 0);
}
