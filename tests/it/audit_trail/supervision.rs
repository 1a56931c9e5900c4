//! Audited actions of supervision: rounds, scores, evidence, findings, rectification,
//! frameworks and the survey.

use super::{done, has, id_of};
use crate::supervision::{indicator, round_unit, round_version, score_all};
use crate::support::trail::{Doc, Row, Trail};
use crate::support::{Client, TestApp};
use serde_json::json;

pub async fn rounds(app: &TestApp, trail: &mut Trail<'_>) {
    let town = app.login("mengjin-town").await;
    let supervisor = app.login("mengjin-supervisor").await;
    let (round, cg) = round_unit(app, "MJ-CG").await;
    let (_, hm) = round_unit(app, "MJ-HM").await;
    let on_round =
        |action, actor| Row::new(action, "evaluation_round", Some(round), actor).before(Doc::Null);

    done(&score_all(app, &town, round, cg, 0.9).await, "self scores");
    trail
        .expect(
            "self scores",
            vec![on_round("round.score", "mengjin-town").after(has(json!({ "kind": "self" })))],
        )
        .await;
    let leaf = indicator(app, round, "1.1").await;
    let evidence = crate::supervision::upload(
        &town,
        round,
        cg,
        leaf,
        "会议纪要.pdf",
        b"%PDF-1.4 audit".to_vec(),
    )
    .await;
    done(&evidence, "evidence");
    trail
        .expect(
            "evidence",
            vec![
                on_round("round.evidence", "mengjin-town")
                    .after(has(json!({ "name": "会议纪要.pdf" }))),
            ],
        )
        .await;
    done(
        &town
            .post(&format!("/supervision/rounds/{round}/units/{cg}/self"), &[])
            .await,
        "hand in",
    );
    trail
        .expect(
            "hand in",
            vec![on_round("round.self_submit", "mengjin-town")],
        )
        .await;
    let advanced = supervisor
        .post(
            &format!("/supervision/rounds/{round}/advance"),
            &[
                ("version", &round_version(app, round).await),
                ("confirm", "yes"),
            ],
        )
        .await;
    done(&advanced, "advance");
    trail
        .expect(
            "advance",
            vec![
                on_round("round.advance", "mengjin-supervisor")
                    .before(has(json!({ "status": "self_assessment" })))
                    .after(has(json!({ "status": "review" }))),
            ],
        )
        .await;
    let evaluator = app.account_id("mengjin-evaluator").await;
    let assigned = supervisor
        .post(
            &format!("/supervision/rounds/{round}/evaluators"),
            &[
                ("account", &evaluator.to_string()),
                ("unit", &hm.to_string()),
            ],
        )
        .await;
    done(&assigned, "assign");
    trail
        .expect(
            "assign",
            vec![
                on_round("round.assign", "mengjin-supervisor")
                    .after(has(json!({ "account": evaluator, "round_unit": hm }))),
            ],
        )
        .await;
    let findings = supervisor
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/findings"),
            &[("strengths", "领导重视"), ("problems", "覆盖率偏低")],
        )
        .await;
    done(&findings, "findings");
    trail
        .expect(
            "findings",
            vec![
                on_round("round.findings", "mengjin-supervisor")
                    .before(Doc::Any)
                    .after(has(
                        json!({ "strengths": "领导重视", "problems": "覆盖率偏低" }),
                    )),
            ],
        )
        .await;
    let rect = supervisor
        .post(
            &format!("/supervision/rounds/{round}/units/{cg}/rectifications"),
            &[("problem", "教学点覆盖率偏低"), ("due_on", "2027-06-30")],
        )
        .await;
    done(&rect, "rectification");
    let item = id_of(
        app,
        &format!("select id from rectification where round_unit_id = {cg}"),
    )
    .await;
    trail
        .expect(
            "rectification",
            vec![
                Row::new(
                    "rectification.create",
                    "rectification",
                    Some(item),
                    "mengjin-supervisor",
                )
                .before(Doc::Null)
                .after(has(
                    json!({ "problem": "教学点覆盖率偏低", "due_on": "2027-06-30" }),
                )),
            ],
        )
        .await;
    done(
        &town
            .post(
                &format!("/rectifications/{item}/report"),
                &[("report", "新增3个教学点")],
            )
            .await,
        "rectification report",
    );
    trail
        .expect(
            "rectification report",
            vec![
                Row::new(
                    "rectification.update",
                    "rectification",
                    Some(item),
                    "mengjin-town",
                )
                .before(has(json!({ "status": "open" })))
                .after(has(
                    json!({ "status": "reported", "report": "新增3个教学点" }),
                )),
            ],
        )
        .await;

    frameworks(app, trail, &supervisor).await;

    let framework = id_of(
        app,
        &format!("select framework_id from evaluation_round where id = {round}"),
    )
    .await;
    let opened = supervisor
        .post(
            "/supervision/rounds",
            &[
                ("name", "专项督导"),
                ("year", "2027"),
                ("framework", &framework.to_string()),
                ("self_due", "2027-03-01"),
                ("review_due", "2027-04-01"),
                ("evaluator_weight", "0"),
            ],
        )
        .await;
    done(&opened, "new round");
    let new_round: i64 = opened
        .location()
        .trim_start_matches("/supervision/rounds/")
        .parse()
        .unwrap();
    trail
        .expect(
            "new round",
            vec![
                Row::new(
                    "round.open",
                    "evaluation_round",
                    Some(new_round),
                    "mengjin-supervisor",
                )
                .before(Doc::Null)
                .after(has(
                    json!({ "name": "专项督导", "year": 2027, "framework": framework }),
                )),
            ],
        )
        .await;
    let survey = supervisor
        .post(
            "/supervision/survey",
            &[
                ("title", "居民满意度调查"),
                ("questions", "课程是否满意\n场地是否方便"),
            ],
        )
        .await;
    done(&survey, "survey");
    trail
        .expect(
            "survey",
            vec![
                Row::new("survey.save", "survey", None, "mengjin-supervisor")
                    .before(Doc::Null)
                    .after(has(json!({ "title": "居民满意度调查", "questions": ["课程是否满意", "场地是否方便"] }))),
            ],
        )
        .await;
}

pub async fn frameworks(app: &TestApp, trail: &mut Trail<'_>, supervisor: &Client) {
    let adopted = supervisor
        .post("/supervision/frameworks", &[("year", "2031")])
        .await;
    done(&adopted, "adopt");
    let f: i64 = adopted
        .location()
        .trim_start_matches("/supervision/frameworks/")
        .parse()
        .unwrap();
    let on = |action, id| Row::new(action, "framework", Some(id), "mengjin-supervisor");
    trail
        .expect(
            "adopt",
            vec![
                on("framework.adopt", f)
                    .before(Doc::Null)
                    .after(has(json!({ "year": 2031 }))),
            ],
        )
        .await;
    let added = supervisor
        .post(
            &format!("/supervision/frameworks/{f}"),
            &[
                ("code", "1.9"),
                ("name", "新增二级指标"),
                ("max_score", "2"),
            ],
        )
        .await;
    done(&added, "indicator");
    trail
        .expect(
            "indicator",
            vec![
                on("framework.indicator_add", f)
                    .before(Doc::Null)
                    .after(has(json!({ "code": "1.9", "name": "新增二级指标" }))),
            ],
        )
        .await;
    let ind = id_of(
        app,
        &format!("select id from indicator where framework_id = {f} and code = '1.9'"),
    )
    .await;
    done(
        &supervisor
            .post(
                &format!("/supervision/frameworks/{f}/indicators/{ind}/delete"),
                &[("confirm", "yes")],
            )
            .await,
        "indicator removal",
    );
    trail
        .expect(
            "indicator removal",
            vec![
                on("framework.indicator_delete", f)
                    .before(has(json!({ "code": "1.9" })))
                    .after(Doc::Null),
            ],
        )
        .await;
    let copied = supervisor
        .post(
            &format!("/supervision/frameworks/{f}/copy"),
            &[("year", "2032")],
        )
        .await;
    done(&copied, "copy");
    let copy: i64 = copied
        .location()
        .trim_start_matches("/supervision/frameworks/")
        .parse()
        .unwrap();
    trail
        .expect(
            "copy",
            vec![
                on("framework.copy", copy)
                    .before(Doc::Null)
                    .after(has(json!({ "from": f, "year": 2032 }))),
            ],
        )
        .await;
}
