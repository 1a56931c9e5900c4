//! The network tree: browsing, creating, editing, deactivating; tier rules, validation,
//! concurrent edits and the audit trail.

use crate::support::{Page, TestApp, with};
use reqwest::StatusCode;

fn version(page: &Page) -> String {
    let at = page
        .body
        .find("name=\"version\" value=\"")
        .expect("a version field")
        + "name=\"version\" value=\"".len();
    page.body[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_district_tree_lists_every_tier_in_order_and_a_town_sees_only_its_own() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await.get("/units").await;
    bureau.assert_contains("孟津区社区教育学院");
    bureau.assert_contains("河阳街道社区教育学校");
    let table = &bureau.body[bureau.body.find("<tbody>").unwrap()..];
    let school = table.find("城关镇社区教育学校").unwrap();
    let its_point = table.find("城关镇东关社区教学点").unwrap();
    let next_school = table.find("会盟镇社区教育学校").unwrap();
    assert!(
        school < its_point && its_point < next_school,
        "each school is followed by its own points"
    );
    bureau.assert_lacks("偃师");

    let town = app.login("mengjin-town").await.get("/units").await;
    town.assert_contains("城关镇新庄村教学点");
    town.assert_lacks("会盟镇");
    town.assert_contains("id=\"unit-count\">4<");

    let filtered = app
        .login("mengjin-bureau")
        .await
        .get("/units?q=%E4%BC%9A%E7%9B%9F&kind=teaching_point")
        .await;
    filtered.assert_contains("会盟镇扣马村教学点");
    filtered.assert_lacks("会盟镇社区教育学校</a>");
}

#[tokio::test]
async fn a_town_admin_edits_its_point_and_the_change_is_audited() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await;
    let town = app.login("mengjin-town").await;
    let form = town.get(&format!("/units/{point}/edit")).await;
    form.assert_contains("城关镇东关社区教学点");
    let fields = with(
        form.form_fields(&format!("/units/{point}")),
        &[
            ("address", "东关社区文化中心二楼"),
            ("contact_name", "王老师"),
            ("contact_phone", "0379-67912345"),
            ("effective_on", "2026-11-01"),
        ],
    );
    let saved = town.submit(&format!("/units/{point}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), format!("/units/{point}"));
    let page = town.get(&format!("/units/{point}")).await;
    page.assert_contains("东关社区文化中心二楼");
    page.assert_contains("已保存");
    assert_eq!(
        app.audit_actions("org_unit", point).await,
        ["org_unit.update"]
    );
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where entity_id = $1")
            .bind(point)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(after["address"], "东关社区文化中心二楼");
    assert_ne!(before["address"], after["address"]);
    let actor: String = sqlx::query_scalar("select actor_name from audit_log where entity_id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(actor, "mengjin-town");
    // The unit's own history shows the change, dated when it took effect.
    let timeline = &page.body[page.body.find("id=\"timeline\"").unwrap()..];
    timeline.find("2026-11-01").expect("the effective date");
    assert!(timeline.contains("东关社区文化中心二楼") && timeline.contains("王老师"));
}

#[tokio::test]
async fn bad_input_is_shown_beside_each_field_with_what_was_typed_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-01").await;
    let town = app.login("mengjin-town").await;
    let form = town.get(&format!("/units/{point}/edit")).await;
    let fields = with(
        form.form_fields(&format!("/units/{point}")),
        &[
            ("name", "  "),
            ("code", "东关"),
            ("address", "我填写的地址"),
            ("contact_phone", "call me"),
            ("parttime_teachers", "三"),
            ("founded_on", "2022/3/1"),
        ],
    );
    let page = town.submit(&format!("/units/{point}"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"e-name\">此项必填");
    page.assert_contains("id=\"e-code\">编码只能包含字母");
    page.assert_contains("id=\"e-contact_phone\">请输入有效的电话号码");
    page.assert_contains("id=\"e-parttime_teachers\">请输入0或正整数");
    page.assert_contains("id=\"e-founded_on\">请按 YYYY-MM-DD 填写日期");
    page.assert_contains("value=\"2022/3/1\"");
    page.assert_contains("id=\"e-parttime_teachers\">请输入0或正整数");
    page.assert_contains("id=\"e-founded_on\">请按 YYYY-MM-DD 填写日期");
    page.assert_contains("value=\"2022/3/1\"");
    page.assert_contains("value=\"我填写的地址\"");
    page.assert_contains("value=\"东关\"");
    let address: String = sqlx::query_scalar("select address from org_unit where id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_ne!(address, "我填写的地址");
    assert!(app.audit_actions("org_unit", point).await.is_empty());
}

#[tokio::test]
async fn a_code_already_used_in_the_district_is_refused_beside_the_field() {
    let app = TestApp::spawn().await;
    let school = app.unit_id("MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let page = town
        .post(
            &format!("/units/{school}/children"),
            &[
                ("name", "新建教学点"),
                ("code", "MJ-HM-01"),
                ("effective_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("本区已有单位使用此编码");
    page.assert_contains("value=\"新建教学点\"");
    // The same code in another district is fine: codes are unique within a district.
    let yanshi = app.login("yanshi-bureau").await;
    let ys_school = app.unit_id("YS-FD").await;
    let created = yanshi
        .post(
            &format!("/units/{ys_school}/children"),
            &[
                ("name", "府店镇新点"),
                ("code", "MJ-HM-01"),
                ("effective_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_stale_save_gets_the_conflict_page_instead_of_overwriting() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-02").await;
    let bureau = app.login("mengjin-bureau").await;
    let town = app.login("mengjin-town").await;
    let v_bureau = version(&bureau.get(&format!("/units/{point}/edit")).await);
    let v_town = version(&town.get(&format!("/units/{point}/edit")).await);
    let first = bureau
        .post(
            &format!("/units/{point}"),
            &[
                ("name", "西关村教学点（区局改）"),
                ("code", "MJ-CG-02"),
                ("effective_on", "2026-11-30"),
                ("version", &v_bureau),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = town
        .post(
            &format!("/units/{point}"),
            &[
                ("name", "西关村教学点（镇里改）"),
                ("code", "MJ-CG-02"),
                ("effective_on", "2026-11-30"),
                ("version", &v_town),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    second.assert_contains("保存冲突");
    second.assert_contains("西关村教学点（镇里改）");
    second.assert_contains("西关村教学点（区局改）");
    let name: String = sqlx::query_scalar("select name from org_unit where id = $1")
        .bind(point)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(name, "西关村教学点（区局改）");
}

#[tokio::test]
async fn a_town_admin_adds_a_point_to_its_school_and_it_joins_the_tree() {
    let app = TestApp::spawn().await;
    let school = app.unit_id("MJ-CG").await;
    let town = app.login("mengjin-town").await;
    town.get(&format!("/units/{school}/children/new"))
        .await
        .assert_contains("村（社区）社区教育教学点");
    let created = town
        .post(
            &format!("/units/{school}/children"),
            &[
                ("name", "城关镇北街社区教学点"),
                ("code", "MJ-CG-04"),
                ("area", "城关镇"),
                ("village", "北街社区"),
                ("effective_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let id: i64 = created
        .location()
        .trim_start_matches("/units/")
        .parse()
        .unwrap();
    let (kind, parent, path): (String, i64, String) =
        sqlx::query_as("select kind, parent_id, path from org_unit where id = $1")
            .bind(id)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), parent), ("teaching_point", school));
    assert!(path.ends_with(&format!("/{school}/{id}/")));
    assert_eq!(app.audit_actions("org_unit", id).await, ["org_unit.create"]);
    town.get("/units")
        .await
        .assert_contains("城关镇北街社区教学点");
}

#[tokio::test]
async fn closing_keeps_the_unit_and_its_history_and_a_school_with_active_points_stays_open() {
    let app = TestApp::spawn().await;
    let school = app.unit_id("MJ-HM").await;
    let point = app.unit_id("MJ-HM-01").await;
    let bureau = app.login("mengjin-bureau").await;
    let refused = bureau
        .post(
            &format!("/units/{school}/status"),
            &[
                ("confirm", "yes"),
                ("status", "closed"),
                ("status_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("请先停用其下属的在用教学点");

    let bad_date = bureau
        .post(
            &format!("/units/{point}/status"),
            &[("status", "suspended"), ("status_on", "明天")],
        )
        .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad_date.assert_contains("请按 YYYY-MM-DD 填写日期");
    let not_allowed = bureau
        .post(
            &format!("/units/{point}/status"),
            &[("status", "planned"), ("status_on", "2026-12-01")],
        )
        .await;
    not_allowed.assert_contains("不能从当前状态变更为该状态");

    let closed = bureau
        .post(
            &format!("/units/{point}/status"),
            &[
                ("confirm", "yes"),
                ("status", "closed"),
                ("status_on", "2026-12-01"),
                ("status_note", "并入扣马社区"),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = bureau.get(&format!("/units/{point}")).await;
    page.assert_contains("已撤销");
    page.assert_contains("并入扣马社区");
    assert!(
        !bureau
            .get("/units")
            .await
            .body
            .contains("会盟镇扣马村教学点"),
        "closed units leave the default list"
    );
    bureau
        .get("/units?status=all")
        .await
        .assert_contains("会盟镇扣马村教学点");
    let reopened = bureau
        .post(
            &format!("/units/{point}/status"),
            &[("status", "active"), ("status_on", "2027-01-01")],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.audit_actions("org_unit", point).await,
        ["org_unit.status", "org_unit.status"]
    );
    let (status, since): (String, chrono::NaiveDate) =
        sqlx::query_as("select status, status_since from org_unit where id = $1")
            .bind(point)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), since.to_string().as_str()),
        ("active", "2027-01-01")
    );
    let events: Vec<String> =
        sqlx::query_scalar("select kind from unit_event where unit_id = $1 order by id")
            .bind(point)
            .fetch_all(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(events, ["created", "status", "status"]);
}

#[tokio::test]
async fn the_timeline_after_several_edits_runs_newest_first_by_effective_date() {
    let app = TestApp::spawn().await;
    let point = app.unit_id("MJ-CG-02").await;
    let town = app.login("mengjin-town").await;
    for (teachers, on) in [
        ("5", "2026-03-01"),
        ("7", "2026-09-01"),
        ("6", "2026-06-01"),
    ] {
        let form = town.get(&format!("/units/{point}/edit")).await;
        let fields = with(
            form.form_fields(&format!("/units/{point}")),
            &[("parttime_teachers", teachers), ("effective_on", on)],
        );
        assert_eq!(
            town.submit(&format!("/units/{point}"), &fields)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
    let page = town.get(&format!("/units/{point}")).await;
    let timeline = &page.body[page.body.find("id=\"timeline\"").unwrap()..];
    let (sep, jun, mar) = (
        timeline.find("2026-09-01").unwrap(),
        timeline.find("2026-06-01").unwrap(),
        timeline.find("2026-03-01").unwrap(),
    );
    assert!(sep < jun && jun < mar, "newest effective date first");
    assert!(
        timeline.contains("兼职教师：7 → 6"),
        "each entry says what changed"
    );
    let created = timeline.find("设立").unwrap();
    assert!(mar < created, "the unit's founding comes last");
}

#[tokio::test]
async fn staffing_venues_and_transformation_are_kept_and_checked() {
    let app = TestApp::spawn().await;
    let school = app.unit_id("MJ-XLD").await;
    let town = app.login("mengjin-bureau").await;
    let form = town.get(&format!("/units/{school}/edit")).await;
    let mut fields = with(
        form.form_fields(&format!("/units/{school}")),
        &[
            ("fulltime_teachers", "4"),
            ("villages_total", "21"),
            ("transformed_on", "2026-10-08"),
            ("predecessor", ""),
        ],
    );
    let missing = town.submit(&format!("/units/{school}"), &fields).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("id=\"e-predecessor\">请填写转型前的成人文化学校名称");
    fields = with(fields, &[("predecessor", "小浪底镇成人文化技术学校")]);
    fields.retain(|(k, _)| k != "shared_venues");
    fields.push(("shared_venues".into(), "youth_centre".into()));
    fields.push(("shared_venues".into(), "sports_venue".into()));
    assert_eq!(
        town.submit(&format!("/units/{school}"), &fields)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = town.get(&format!("/units/{school}")).await;
    page.assert_contains("2026-10-08 · 原成人文化学校：小浪底镇成人文化技术学校");
    page.assert_contains("青少年活动中心、体育场馆");
    let (teachers, venues): (i32, Vec<String>) =
        sqlx::query_as("select fulltime_teachers, shared_venues from org_unit where id = $1")
            .bind(school)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        (teachers, venues),
        (
            4,
            vec!["youth_centre".to_string(), "sports_venue".to_string()]
        )
    );
}

#[tokio::test]
async fn the_database_itself_holds_the_tier_rules() {
    let app = TestApp::spawn().await;
    let mut tx = app.db.begin_for(1).await.unwrap();
    let college = app.unit_id_in("mengjin", "MJ").await;
    let point = app.unit_id("MJ-CG-01").await;
    let insert = |kind: &'static str, parent: Option<i64>, code: &'static str| {
        sqlx::query("insert into org_unit (tenant_id, kind, parent_id, path, code, name) values (1, $1, $2, '', $3, '测试')")
            .bind(kind)
            .bind(parent)
            .bind(code)
    };
    let err = insert("teaching_point", Some(college), "T-1")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(
        cedu::db::violates(&err, "org_unit_parent_tier"),
        "a point under the college: {err}"
    );
    tx.rollback().await.unwrap();
    let mut tx = app.db.begin_for(1).await.unwrap();
    let err = insert("teaching_point", Some(point), "T-2")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(
        cedu::db::violates(&err, "org_unit_parent_tier"),
        "a point under a point: {err}"
    );
    tx.rollback().await.unwrap();
    let mut tx = app.db.begin_for(1).await.unwrap();
    let err = insert("college", None, "T-3")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(
        cedu::db::violates(&err, "org_unit_one_college"),
        "a second college: {err}"
    );
}
