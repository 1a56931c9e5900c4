//! Audited actions on the network, accounts and districts.

use super::{done, has, id_of};
use crate::support::trail::{Doc, Row, Trail};
use crate::support::{TestApp, with};
use serde_json::json;

pub async fn units(app: &TestApp, trail: &mut Trail<'_>) {
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    let point = app.unit_id("MJ-CG-01").await;
    let form = town.get(&format!("/units/{point}/edit")).await;
    let fields = with(
        form.form_fields(&format!("/units/{point}")),
        &[
            ("address", "东关社区文化中心三楼"),
            ("effective_on", "2026-11-30"),
        ],
    );
    done(
        &town.submit(&format!("/units/{point}"), &fields).await,
        "unit edit",
    );
    trail
        .expect(
            "unit edit",
            vec![
                Row::new("org_unit.update", "org_unit", Some(point), "mengjin-town")
                    .after(has(json!({ "address": "东关社区文化中心三楼" }))),
            ],
        )
        .await;

    let school = app.unit_id("MJ-CG").await;
    let created = town
        .post(
            &format!("/units/{school}/children"),
            &[
                ("name", "城关镇北街社区教学点"),
                ("code", "MJ-CG-04"),
                ("effective_on", "2026-11-30"),
            ],
        )
        .await;
    done(&created, "new point");
    let new_point = app.unit_id("MJ-CG-04").await;
    trail
        .expect(
            "new point",
            vec![
                Row::new(
                    "org_unit.create",
                    "org_unit",
                    Some(new_point),
                    "mengjin-town",
                )
                .before(Doc::Null)
                .after(has(json!({ "code": "MJ-CG-04", "parent_id": school }))),
            ],
        )
        .await;

    let hm01 = app.unit_id("MJ-HM-01").await;
    let suspended = bureau
        .post(
            &format!("/units/{hm01}/status"),
            &[("status", "suspended"), ("status_on", "2026-12-01")],
        )
        .await;
    done(&suspended, "unit status");
    trail
        .expect(
            "unit status",
            vec![
                Row::new("org_unit.status", "org_unit", Some(hm01), "mengjin-bureau")
                    .before(has(json!({ "status": "active" })))
                    .after(has(json!({ "status": "suspended", "since": "2026-12-01" }))),
            ],
        )
        .await;

    let sz01 = app.unit_id("MJ-SZ-01").await;
    let designated = bureau
        .post(
            &format!("/units/{sz01}/designations"),
            &[
                ("level", "city"),
                ("year", "2026"),
                ("candidate_on", "2026-03-01"),
            ],
        )
        .await;
    done(&designated, "designation");
    let designation = id_of(
        app,
        &format!("select id from demonstration where unit_id = {sz01}"),
    )
    .await;
    trail
        .expect(
            "designation",
            vec![
                Row::new(
                    "demonstration.create",
                    "org_unit",
                    Some(sz01),
                    "mengjin-bureau",
                )
                .before(Doc::Null)
                .after(has(
                    json!({ "designation": designation, "level": "city", "status": "candidate" }),
                )),
            ],
        )
        .await;
    let declared = bureau
        .post(
            &format!("/units/{sz01}/designations/{designation}"),
            &[("to", "declared"), ("on", "2026-04-01"), ("version", "1")],
        )
        .await;
    done(&declared, "designation step");
    trail
        .expect(
            "designation step",
            vec![
                Row::new(
                    "demonstration.advance",
                    "org_unit",
                    Some(sz01),
                    "mengjin-bureau",
                )
                .before(has(json!({ "status": "candidate" })))
                .after(has(json!({ "status": "declared", "on": "2026-04-01" }))),
            ],
        )
        .await;

    let cg02 = app.unit_id("MJ-CG-02").await;
    let cg02_name: String = sqlx::query_scalar("select name from org_unit where id = $1")
        .bind(cg02)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let file = crate::import::workbook(
        &crate::import::HEADERS,
        &[
            &[
                "MJ-CG-05",
                "城关镇南街社区教学点",
                "teaching_point",
                "MJ-CG",
                "城关镇",
                "南街社区",
                "2",
                "",
            ],
            &[
                "MJ-CG-02",
                &cg02_name,
                "teaching_point",
                "MJ-CG",
                "城关镇",
                "西关村",
                "9",
                "",
            ],
        ],
    );
    let uploaded = crate::import::upload(&bureau, file).await;
    done(&uploaded, "unit import upload");
    trail.expect("unit import dry run", vec![]).await;
    done(&bureau.post(uploaded.location(), &[]).await, "unit import");
    let cg05 = app.unit_id("MJ-CG-05").await;
    trail
        .expect(
            "unit import",
            vec![
                Row::new(
                    "org_unit.import_create",
                    "org_unit",
                    Some(cg05),
                    "mengjin-bureau",
                )
                .before(Doc::Null)
                .after(has(json!({ "code": "MJ-CG-05" }))),
                Row::new(
                    "org_unit.import_update",
                    "org_unit",
                    Some(cg02),
                    "mengjin-bureau",
                )
                .after(has(json!({ "parttime_teachers": 9 }))),
            ],
        )
        .await;
}

pub async fn accounts(app: &TestApp, trail: &mut Trail<'_>) {
    let bureau = app.login("mengjin-bureau").await;
    let created = bureau
        .post(
            "/accounts",
            &[
                ("username", "audit-clerk"),
                ("display_name", "档案员"),
                ("role", "viewer"),
                ("password", "档案员的第一个密码"),
            ],
        )
        .await;
    done(&created, "new account");
    let clerk = app.account_id("audit-clerk").await;
    trail
        .expect(
            "new account",
            vec![
                Row::new("account.create", "account", Some(clerk), "mengjin-bureau")
                    .before(Doc::Null)
                    .after(has(json!({ "username": "audit-clerk", "role": "viewer" }))),
            ],
        )
        .await;
    let edited = bureau
        .post(
            &format!("/accounts/{clerk}"),
            &[
                ("display_name", "档案管理员"),
                ("role", "viewer"),
                ("version", "1"),
            ],
        )
        .await;
    done(&edited, "account edit");
    trail
        .expect(
            "account edit",
            vec![
                Row::new("account.update", "account", Some(clerk), "mengjin-bureau")
                    .before(has(json!({ "display_name": "档案员" })))
                    .after(has(json!({ "display_name": "档案管理员" }))),
            ],
        )
        .await;
    for (path, action, was, now) in [
        ("disable", "account.disable", false, true),
        ("enable", "account.enable", true, false),
    ] {
        done(
            &bureau
                .post(&format!("/accounts/{clerk}/{path}"), &[("confirm", "yes")])
                .await,
            action,
        );
        trail
            .expect(
                action,
                vec![
                    Row::new(action, "account", Some(clerk), "mengjin-bureau")
                        .before(has(json!({ "disabled": was })))
                        .after(has(json!({ "disabled": now }))),
                ],
            )
            .await;
    }
    let reset = bureau
        .post(
            &format!("/accounts/{clerk}/password"),
            &[("password", "档案员的第二个密码")],
        )
        .await;
    done(&reset, "password reset");
    // A password is never written to the log, not even hashed.
    trail
        .expect(
            "password reset",
            vec![
                Row::new(
                    "account.password_reset",
                    "account",
                    Some(clerk),
                    "mengjin-bureau",
                )
                .before(Doc::Null)
                .after(Doc::Null),
            ],
        )
        .await;
    let own = app.login_with("audit-clerk", "档案员的第二个密码").await;
    let changed = own
        .post(
            "/account/password",
            &[
                ("current", "档案员的第二个密码"),
                ("new", "档案员自己选的密码"),
                ("confirm", "档案员自己选的密码"),
            ],
        )
        .await;
    done(&changed, "own password");
    trail
        .expect(
            "own password",
            vec![
                Row::new(
                    "account.password_change",
                    "account",
                    Some(clerk),
                    "audit-clerk",
                )
                .before(Doc::Null)
                .after(Doc::Null),
            ],
        )
        .await;
}

/// Districts: by the platform administrator over HTTP, and on the command line.
pub async fn districts(app: &TestApp, trail: &mut Trail<'_>) {
    let platform = app.login("platform").await;
    let created = platform
        .post(
            "/platform/districts",
            &[
                ("code", "luoning"),
                ("name", "洛宁县"),
                ("division_code", "410328"),
                ("college_code", "LN"),
                ("college_name", "洛宁县社区教育学院"),
                ("admin_username", "luoning-bureau"),
                ("admin_display_name", "洛宁县教体局"),
                ("admin_password", "洛宁县的第一个密码"),
            ],
        )
        .await;
    done(&created, "district");
    let tenant = id_of(app, "select id from tenant where code = 'luoning'").await;
    let college = app.unit_id_in("luoning", "LN").await;
    let admin = app.account_id("luoning-bureau").await;
    let by_platform = |action, entity, id| {
        Row::new(action, entity, Some(id), "platform")
            .in_tenant("luoning")
            .before(Doc::Null)
            .after(has(json!({ "code": "luoning", "name": "洛宁县" })))
    };
    trail
        .expect(
            "district",
            vec![
                by_platform("tenant.create", "tenant", tenant),
                by_platform("org_unit.create", "org_unit", college),
                by_platform("account.create", "account", admin),
            ],
        )
        .await;

    // The command line writes the same actions, as `cli:...` with no account.
    cedu::admin::create_district(
        &app.db,
        cedu::platform::DistrictForm {
            code: "xinan".into(),
            name: "新安县".into(),
            division_code: "410323".into(),
            college_code: "XA".into(),
            college_name: "新安县社区教育学院".into(),
            admin_username: String::new(),
            admin_display_name: String::new(),
            admin_password: String::new(),
        },
    )
    .await
    .unwrap();
    let tenant = id_of(app, "select id from tenant where code = 'xinan'").await;
    let college = app.unit_id_in("xinan", "XA").await;
    trail
        .expect(
            "cli district",
            vec![
                Row::new(
                    "tenant.create",
                    "tenant",
                    Some(tenant),
                    "cli:district create",
                )
                .in_tenant("xinan")
                .before(Doc::Null)
                .after(has(json!({ "code": "xinan", "college": college }))),
            ],
        )
        .await;
    cedu::admin::create_admin(
        &app.db,
        cedu::admin::AdminRequest {
            district: Some("xinan".into()),
            username: "xinan-bureau".into(),
            display_name: "新安县教体局".into(),
            password: Some("新安县的第一个密码".into()),
        },
    )
    .await
    .unwrap();
    let admin = app.account_id("xinan-bureau").await;
    trail
        .expect(
            "cli admin",
            vec![
                Row::new("account.create", "account", Some(admin), "cli:admin create")
                    .in_tenant("xinan")
                    .before(Doc::Null)
                    .after(has(
                        json!({ "username": "xinan-bureau", "role": "district_admin" }),
                    )),
            ],
        )
        .await;
}
