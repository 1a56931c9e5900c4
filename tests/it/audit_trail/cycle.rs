//! Audited actions on the policy targets, the committee and the December cycle.

use super::{done, has, id_of};
use crate::cycle::{add_plan, add_resource, submission_of, version};
use crate::support::trail::{Doc, Row, Trail};
use crate::support::{Client, TestApp, with};
use serde_json::json;

pub async fn targets_and_committee(app: &TestApp, trail: &mut Trail<'_>) {
    let bureau = app.login("mengjin-bureau").await;
    let target = id_of(
        app,
        "select id from policy_target where metric = 'demo_points' and year = 2022 and tenant_id = 1",
    )
    .await;
    let saved = bureau
        .post(
            &format!("/targets/{target}"),
            &[
                ("target", "6"),
                ("deadline", "2022-09-30"),
                ("version", "1"),
            ],
        )
        .await;
    done(&saved, "target");
    trail
        .expect(
            "target",
            vec![
                Row::new(
                    "policy_target.update",
                    "policy_target",
                    Some(target),
                    "mengjin-bureau",
                )
                .before(has(json!({ "target": 4, "deadline": "2022-06-30" })))
                .after(has(json!({ "target": 6, "deadline": "2022-09-30" }))),
            ],
        )
        .await;
    done(
        &bureau.post("/targets", &[("year", "2031")]).await,
        "target year",
    );
    trail
        .expect(
            "target year",
            vec![
                Row::new(
                    "policy_target.add_year",
                    "policy_target",
                    None,
                    "mengjin-bureau",
                )
                .before(Doc::Null)
                .after(has(json!({ "year": 2031 }))),
            ],
        )
        .await;

    let office = app.login("mengjin-office").await;
    let member = [
        ("name", "赵委员"),
        ("committee_role", "member"),
        ("position", "区科协副主席"),
    ];
    done(&office.post("/committee/members", &member).await, "member");
    let m = id_of(app, "select id from committee_member where name = '赵委员'").await;
    trail
        .expect(
            "member",
            vec![
                Row::new(
                    "committee_member.create",
                    "committee_member",
                    Some(m),
                    "mengjin-office",
                )
                .before(Doc::Null)
                .after(has(json!({ "name": "赵委员", "committee_role": "member" }))),
            ],
        )
        .await;
    let edited = office
        .post(
            &format!("/committee/members/{m}"),
            &[
                ("name", "赵委员"),
                ("committee_role", "vice_chair"),
                ("version", "1"),
            ],
        )
        .await;
    done(&edited, "member edit");
    trail
        .expect(
            "member edit",
            vec![
                Row::new(
                    "committee_member.update",
                    "committee_member",
                    Some(m),
                    "mengjin-office",
                )
                .before(has(json!({ "committee_role": "member" })))
                .after(has(json!({ "committee_role": "vice_chair" }))),
            ],
        )
        .await;
    done(
        &office
            .post(
                &format!("/committee/members/{m}/delete"),
                &[("confirm", "yes")],
            )
            .await,
        "member removal",
    );
    trail
        .expect(
            "member removal",
            vec![
                Row::new(
                    "committee_member.delete",
                    "committee_member",
                    Some(m),
                    "mengjin-office",
                )
                .before(has(json!({ "name": "赵委员" })))
                .after(Doc::Null),
            ],
        )
        .await;
    let unit = [("code", "MU-KX"), ("name", "区科协"), ("duties", "科普")];
    done(&office.post("/committee/units", &unit).await, "member unit");
    let u = id_of(app, "select id from member_unit where code = 'MU-KX'").await;
    trail
        .expect(
            "member unit",
            vec![
                Row::new(
                    "member_unit.create",
                    "member_unit",
                    Some(u),
                    "mengjin-office",
                )
                .before(Doc::Null)
                .after(has(json!({ "code": "MU-KX", "name": "区科协" }))),
            ],
        )
        .await;
    let edited = office
        .post(
            &format!("/committee/units/{u}"),
            &[
                ("code", "MU-KX"),
                ("name", "区科学技术协会"),
                ("version", "1"),
            ],
        )
        .await;
    done(&edited, "member unit edit");
    trail
        .expect(
            "member unit edit",
            vec![
                Row::new(
                    "member_unit.update",
                    "member_unit",
                    Some(u),
                    "mengjin-office",
                )
                .before(has(json!({ "name": "区科协" })))
                .after(has(json!({ "name": "区科学技术协会" }))),
            ],
        )
        .await;
}

pub async fn filing(app: &TestApp, trail: &mut Trail<'_>) {
    let bureau = app.login("mengjin-bureau").await;
    let unit = app.login("mengjin-unit").await;
    let opened = bureau
        .post(
            "/cycles",
            &[
                ("year", "2027"),
                ("opens_on", "2027-12-01"),
                ("due_on", "2027-12-31"),
                ("filers", "member_unit"),
            ],
        )
        .await;
    done(&opened, "new cycle");
    let c2027: i64 = opened
        .location()
        .trim_start_matches("/cycles/")
        .parse()
        .unwrap();
    trail
        .expect(
            "new cycle",
            vec![
                Row::new(
                    "cycle.open",
                    "reporting_cycle",
                    Some(c2027),
                    "mengjin-bureau",
                )
                .before(Doc::Null)
                .after(has(json!({ "year": 2027, "filers": ["member_unit"] }))),
            ],
        )
        .await;
    let c = id_of(
        app,
        "select id from reporting_cycle where year = 2026 and tenant_id = 1",
    )
    .await;
    let window = bureau
        .post(
            &format!("/cycles/{c}/window"),
            &[
                ("opens_on", "2026-11-01"),
                ("due_on", "2026-12-31"),
                ("version", "1"),
            ],
        )
        .await;
    done(&window, "window");
    trail
        .expect(
            "window",
            vec![
                Row::new("cycle.window", "reporting_cycle", Some(c), "mengjin-bureau")
                    .before(has(
                        json!({ "opens_on": "2026-11-16", "due_on": "2026-12-31" }),
                    ))
                    .after(has(
                        json!({ "opens_on": "2026-11-01", "due_on": "2026-12-31" }),
                    )),
            ],
        )
        .await;
    done(
        &bureau.post(&format!("/cycles/{c}/remind"), &[]).await,
        "reminders",
    );
    trail
        .expect(
            "reminders",
            vec![
                Row::new("cycle.remind", "reporting_cycle", Some(c), "mengjin-bureau")
                    .before(Doc::Null),
            ],
        )
        .await;

    let s = submission_of(app, 2026, "MU-WF").await;
    let on_s = |action, before, after| {
        Row::new(action, "submission", Some(s), "mengjin-unit")
            .before(before)
            .after(after)
    };
    done(
        &unit
            .post(&format!("/submissions/{s}/carry-forward"), &[])
            .await,
        "carry forward",
    );
    trail
        .expect(
            "carry forward",
            vec![on_s("submission.carry_forward", Doc::Null, Doc::Any)],
        )
        .await;
    items(app, trail, &unit, s).await;

    let file = crate::cycle::lists_workbook(
        &[&[
            "课程",
            "巾帼家长学校",
            "每月一期",
            "",
            "区妇联三楼",
            "60",
            "每月第一个周六",
            "留守妇女",
            "免费开放",
            "马老师 0379-67910002",
        ]],
        &[&[
            "留守儿童暑期托管",
            "青少年校外教育",
            "留守儿童",
            "7月",
            "各村教学点",
            "300",
            "20,000",
            "5000",
            "",
            "",
            "马老师",
        ]],
    );
    let uploaded = crate::cycle::upload_lists(&unit, s, file).await;
    done(&uploaded, "lists upload");
    trail.expect("lists dry run", vec![]).await;
    done(&unit.post(uploaded.location(), &[]).await, "lists import");
    trail
        .expect(
            "lists import",
            vec![on_s("submission.import", Doc::Null, Doc::Any)],
        )
        .await;

    let steps: [(&Client, &str, &str, &str, &'static str); 4] = [
        (&unit, "submit", "draft", "submitted", "mengjin-unit"),
        (&bureau, "return", "submitted", "returned", "mengjin-bureau"),
        (&unit, "submit", "returned", "submitted", "mengjin-unit"),
        (&bureau, "accept", "submitted", "accepted", "mengjin-bureau"),
    ];
    for (client, step, from, to, actor) in steps {
        let v = version(app, s).await;
        let mut fields = vec![("version", v.as_str())];
        if step == "return" {
            fields.push(("reason", "请补充开放时间"));
        }
        fields.push(("confirm", "yes"));
        let page = client
            .post(&format!("/submissions/{s}/{step}"), &fields)
            .await;
        done(&page, step);
        let action = match step {
            "submit" => "submission.submit",
            "return" => "submission.return",
            _ => "submission.accept",
        };
        let mut after = json!({ "status": to });
        if step == "return" {
            after["reason"] = json!("请补充开放时间");
        }
        trail
            .expect(
                &format!("{step} from {from}"),
                vec![
                    Row::new(action, "submission", Some(s), actor)
                        .before(has(json!({ "status": from })))
                        .after(has(after)),
                ],
            )
            .await;
    }

    for (step, action, from, to) in [
        ("close", "cycle.close", "open", "closed"),
        ("reopen", "cycle.reopen", "closed", "open"),
        ("publish", "cycle.publish", "open", "published"),
    ] {
        done(
            &bureau
                .post(&format!("/cycles/{c}/{step}"), &[("confirm", "yes")])
                .await,
            step,
        );
        trail
            .expect(
                step,
                vec![
                    Row::new(action, "reporting_cycle", Some(c), "mengjin-bureau")
                        .before(has(json!({ "status": from })))
                        .after(has(json!({ "status": to }))),
                ],
            )
            .await;
    }
}

/// A resource and an activity added, edited and removed: each a row on the submission.
pub async fn items(app: &TestApp, trail: &mut Trail<'_>, unit: &Client, s: i64) {
    for (list, add) in [("resources", "resource"), ("plans", "plan")] {
        let page = if add == "resource" {
            add_resource(unit, s, "审计用资源").await
        } else {
            add_plan(unit, s, "审计用活动").await
        };
        done(&page, add);
        let (name_field, table) = if add == "resource" {
            ("name", "resource_item")
        } else {
            ("title", "plan_item")
        };
        let item = id_of(
            app,
            &format!("select max(id) from {table} where submission_id = {s}"),
        )
        .await;
        let row = |action: &'static str, before, after| {
            Row::new(action, "submission", Some(s), "mengjin-unit")
                .before(before)
                .after(after)
        };
        let (create, update, delete) = if add == "resource" {
            ("resource.create", "resource.update", "resource.delete")
        } else {
            ("plan.create", "plan.update", "plan.delete")
        };
        let first = if add == "resource" {
            "审计用资源"
        } else {
            "审计用活动"
        };
        trail
            .expect(
                add,
                vec![row(create, Doc::Null, has(json!({ name_field: first })))],
            )
            .await;
        let path = format!("/submissions/{s}/{list}/{item}");
        let form = unit.get(&path).await;
        let fields = with(form.form_fields(&path), &[(name_field, "改过的名称")]);
        done(&unit.submit(&path, &fields).await, update);
        trail
            .expect(
                update,
                vec![row(
                    update,
                    has(json!({ name_field: first })),
                    has(json!({ name_field: "改过的名称" })),
                )],
            )
            .await;
        done(
            &unit
                .post(&format!("{path}/delete"), &[("confirm", "yes")])
                .await,
            delete,
        );
        trail
            .expect(
                delete,
                vec![row(
                    delete,
                    has(json!({ "id": item, name_field: "改过的名称" })),
                    Doc::Null,
                )],
            )
            .await;
    }
}
