//! Awards and public notices: a programme's rules (a commendation needs its approval number),
//! nominations prefilled from the registry, the quota and the missing items, a past winner
//! refused, panel scores hidden until one's own is in, the notice's working days over the
//! platform's calendar, objections on the public page with their limits and handling, the
//! awards confirmed only after the notice, the certificate and the commendation list.

use crate::support::{Client, TestApp, with};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use reqwest::StatusCode;

pub async fn programme_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("select id from award_programme where name = $1")
        .bind(name)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

pub const STAR: &str = "2026年度孟津区“百姓学习之星”评选";
pub const VOLUNTEERS: &str = "2026年度孟津区优秀社区教育志愿者评选";
pub const PAST: &str = "2025年度孟津区“百姓学习之星”评选";

/// An active person at home in `town` (or its points), the `n`th by id.
async fn person(app: &TestApp, town: &str, n: i64) -> (i64, String) {
    sqlx::query_as(
        "select e.id, e.name from educator e join org_unit u on u.id = e.home_unit_id
           join org_unit t on u.path like t.path || '%' and t.code = $1
          where e.status = 'active' and e.tenant_id = 1 order by e.id offset $2 limit 1",
    )
    .bind(town)
    .bind(n)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

const STORY: &str = "长期在社区教学点义务服务，组织老年人智能手机培训二十余场，帮助三百多位老人学会视频通话和网上缴费，深受居民好评，带动了一批年轻志愿者加入。";

/// Nominates the person through the form as `client`, complete, and returns its page's path.
async fn nominate(client: &Client, programme: i64, educator: i64) -> String {
    let form = client
        .get(&format!("/awards/{programme}/nominate?educator={educator}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut fields = form.form_fields(&format!("/awards/{programme}/nominations"));
    fields.push(("story".into(), STORY.into()));
    fields.push((
        "summary".into(),
        "组织老年人智能手机培训，帮助三百多位老人跨越数字鸿沟。".into(),
    ));
    let saved = client
        .submit(&format!("/awards/{programme}/nominations"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    saved.location().to_string()
}

async fn step(client: &Client, path: &str, action: &str, reason: &str) -> crate::support::Page {
    let page = client.get(path).await;
    let version = page
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .map(|v| v.split('"').next().unwrap().to_string())
        .unwrap_or_default();
    client
        .post(
            &format!("{path}/step"),
            &[
                ("action", action),
                ("reason", reason),
                ("version", &version),
                ("confirm", "yes"),
            ],
        )
        .await
}

async fn advance(client: &Client, programme: i64, to: &str) -> crate::support::Page {
    client
        .post(
            &format!("/awards/{programme}/stage"),
            &[("to", to), ("confirm", "yes")],
        )
        .await
}

async fn status(app: &TestApp, table: &str, id: i64) -> String {
    sqlx::query_scalar(&format!("select status from {table} where id = $1"))
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

fn programme_fields(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let base = vec![
        ("year".to_string(), "2027".to_string()),
        ("kind".into(), "advanced_individual".into()),
        ("name".into(), "2027年度社区教育先进个人表彰".into()),
        ("nominee_kind".into(), "person".into()),
        ("nominators".into(), "town_school".into()),
        ("quota".into(), "1".into()),
        ("criteria".into(), "事迹突出 50\n群众认可 50".into()),
        ("nominations_close".into(), "2027-10-31".into()),
        ("review_close".into(), "2027-11-20".into()),
        ("notice_days".into(), "5".into()),
        ("issuing_body".into(), "孟津区人民政府".into()),
    ];
    with(base, changes)
}

#[tokio::test]
async fn a_commendation_cannot_open_without_its_approval_number_and_bad_rules_are_refused_beside_their_fields()
 {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let token = bureau.csrf_token().await;
    let mut fields = programme_fields(&[
        ("criteria", "事迹突出 50\n群众认可 40"),
        ("notice_days", "3"),
        ("name", "保留的名称"),
    ]);
    fields.push(("csrf".into(), token.clone()));
    let bad = bureau.submit("/awards", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("各项权重合计须为100");
    bad.assert_contains("公示期至少5个工作日");
    bad.assert_contains("保留的名称");
    let mut fields = programme_fields(&[]);
    fields.push(("csrf".into(), token));
    let made = bureau.submit("/awards", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = programme_id(&app, "2027年度社区教育先进个人表彰").await;
    let refused = advance(&bureau, id, "nominating").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, "award_programme", id).await, "draft");
    let page = bureau.get(&format!("/awards/{id}")).await;
    page.assert_contains("须先经批准立项");
    // With the approval number the programme opens; the database holds the rule too.
    let edit = bureau.get(&format!("/awards/{id}/edit")).await;
    let mut fields = with(
        edit.form_fields(&format!("/awards/{id}")),
        &[("approval_no", "洛评表〔2027〕3号")],
    );
    fields.push(("criteria".into(), "事迹突出 50\n群众认可 50".into()));
    let saved = bureau.submit(&format!("/awards/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    advance(&bureau, id, "nominating").await;
    assert_eq!(status(&app, "award_programme", id).await, "nominating");
    let cleared = sqlx::query("update award_programme set approval_no = '' where id = $1")
        .bind(id)
        .execute(&app.db.sys)
        .await;
    assert!(
        cleared.is_err(),
        "an open commendation keeps its approval number"
    );
    assert_eq!(
        app.audit_actions("award_programme", id).await,
        [
            "award.programme_create",
            "award.programme_update",
            "award.programme_step"
        ]
    );
}

#[tokio::test]
async fn a_nomination_is_prefilled_from_the_registry_checked_against_quota_and_rules_and_a_past_winner_is_refused()
 {
    let app = TestApp::spawn().await;
    let volunteers = programme_id(&app, VOLUNTEERS).await;
    let town = app.login("mengjin-town").await;
    let (e, name) = person(&app, "MJ-CG", 0).await;
    let hours: f64 = sqlx::query_scalar(
        "select coalesce(sum(minutes), 0)::float8 / 60 from service_hours where educator_id = $1 and status = 'approved'",
    )
    .bind(e)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let form = town
        .get(&format!("/awards/{volunteers}/nominate?educator={e}"))
        .await;
    form.assert_contains(&format!("value=\"{name}\""));
    form.assert_contains(&format!("{}", (hours * 10.0).round() / 10.0));
    // A draft without its story cannot be submitted: the page says what is missing.
    let mut fields = form.form_fields(&format!("/awards/{volunteers}/nominations"));
    fields.push(("story".into(), "太短".into()));
    let draft = town
        .submit(&format!("/awards/{volunteers}/nominations"), &fields)
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    let path = draft.location().to_string();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let record: serde_json::Value =
        sqlx::query_scalar("select record from nomination where id = $1")
            .bind(id)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        record["hours"].as_f64().unwrap(),
        (hours * 10.0).round() / 10.0
    );
    let refused = step(&town, &path, "submit", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("主要事迹（至少50字）");
    assert_eq!(status(&app, "nomination", id).await, "draft");
    // The same person twice in one programme is refused.
    let twice = town
        .submit(&format!("/awards/{volunteers}/nominations"), &fields)
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("已在本次评选中被推荐");
    // The quota of 2 is counted at submission: a third submitted nomination is refused.
    sqlx::query("update award_programme set quota = 1 where id = $1")
        .bind(volunteers)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let (e2, _) = person(&app, "MJ-CG", 1).await;
    let first = nominate(&town, volunteers, e2).await;
    let submitted = step(&town, &first, "submit", "").await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let edit = town.get(&format!("{path}/edit")).await;
    let mut fields = edit.form_fields(&path);
    fields.push(("story".into(), STORY.into()));
    fields.push(("summary".into(), "摘要".into()));
    town.submit(&path, &fields).await;
    let over = step(&town, &path, "submit", "").await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    over.assert_contains("推荐名额已用完");
    // Another town cannot nominate from 城关镇's people, nor see its nomination.
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let huimeng = app.login("mengjin-huimeng").await;
    assert_eq!(huimeng.get(&path).await.status, StatusCode::NOT_FOUND);
    let other = huimeng
        .get(&format!("/awards/{volunteers}/nominate?educator={e}"))
        .await;
    other.assert_lacks(&format!("value=\"{name}\""));
    // 2025's learning star, awarded, is refused by 2027's learning stars.
    let bureau = app.login("mengjin-bureau").await;
    let mut fields =
        programme_fields(&[("kind", "learning_star"), ("name", "2027年度百姓学习之星")]);
    fields.push(("csrf".into(), bureau.csrf_token().await));
    bureau.submit("/awards", &fields).await;
    let stars27 = programme_id(&app, "2027年度百姓学习之星").await;
    advance(&bureau, stars27, "nominating").await;
    let (winner, winner_name): (i64, String) = sqlx::query_as(
        "select n.educator_id, n.nominee_name from nomination n join award_programme p on p.id = n.programme_id
          where p.name = $1 and n.status = 'awarded'",
    )
    .bind(PAST)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let form = huimeng
        .get(&format!("/awards/{stars27}/nominate?educator={winner}"))
        .await;
    form.assert_contains(&format!("value=\"{winner_name}\""));
    let fields = form.form_fields(&format!("/awards/{stars27}/nominations"));
    let past = huimeng
        .submit(&format!("/awards/{stars27}/nominations"), &fields)
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    past.assert_contains("已获得过同类称号");
    // The winner's registry page shows the award.
    bureau
        .get(&format!("/educators/{winner}"))
        .await
        .assert_contains(PAST);
}

/// The weekday after `day` that is not a weekend day.
fn next_weekday(day: NaiveDate) -> NaiveDate {
    let mut d = day + Days::new(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d + Days::new(1);
    }
    d
}

#[tokio::test]
async fn panel_scores_stay_hidden_until_ones_own_is_in_and_the_notice_counts_working_days_past_a_holiday()
 {
    let app = TestApp::spawn().await;
    let volunteers = programme_id(&app, VOLUNTEERS).await;
    let town = app.login("mengjin-town").await;
    let (e, name) = person(&app, "MJ-CG", 0).await;
    let path = nominate(&town, volunteers, e).await;
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        step(&town, &path, "submit", "").await.status,
        StatusCode::SEE_OTHER
    );
    let bureau = app.login("mengjin-bureau").await;
    // The office returns it with a reason; the town resubmits.
    let no_reason = step(&bureau, &path, "return", "").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("请写明理由");
    step(&bureau, &path, "return", "请补充照片").await;
    town.get(&path).await.assert_contains("请补充照片");
    step(&town, &path, "submit", "").await;
    assert_eq!(status(&app, "nomination", id).await, "submitted");
    assert_eq!(
        advance(&bureau, volunteers, "review").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(&app, "award_programme", volunteers).await, "review");

    let supervisor = app.login("mengjin-supervisor").await;
    let evaluator = app.login("mengjin-evaluator").await;
    let out_of_range = supervisor
        .post(
            &format!("{path}/score"),
            &[("score_0", "101"), ("score_1", "80"), ("score_2", "80")],
        )
        .await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    out_of_range.assert_contains("0到100之间");
    let scored = supervisor
        .post(
            &format!("{path}/score"),
            &[
                ("score_0", "91.5"),
                ("score_1", "80"),
                ("score_2", "70"),
                ("note", "秘密评语"),
            ],
        )
        .await;
    assert_eq!(scored.status, StatusCode::SEE_OTHER, "{}", scored.body);
    // 91.5×0.4 + 80×0.3 + 70×0.3 = 81.60
    let before = evaluator.get(&path).await;
    before.assert_contains("scores-hidden");
    before.assert_lacks("81.60");
    before.assert_lacks("秘密评语");
    evaluator
        .get(&format!("/awards/{volunteers}"))
        .await
        .assert_lacks("81.60");
    // Nor does the nominating unit see the panel's figures.
    town.get(&path).await.assert_lacks("81.60");
    evaluator
        .post(
            &format!("{path}/score"),
            &[("score_0", "70"), ("score_1", "70"), ("score_2", "70")],
        )
        .await;
    let after = evaluator.get(&path).await;
    after.assert_contains("81.60");
    after.assert_contains("秘密评语");
    after.assert_contains("75.80"); // the mean of 81.60 and 70.00
    let again = evaluator
        .post(
            &format!("{path}/score"),
            &[("score_0", "100"), ("score_1", "100"), ("score_2", "100")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a score is given once");
    bureau
        .get(&format!("/awards/{volunteers}"))
        .await
        .assert_contains("75.80");

    // The notice cannot go out before a decision on every submission.
    advance(&bureau, volunteers, "notice").await;
    assert_eq!(status(&app, "award_programme", volunteers).await, "review");
    step(&bureau, &path, "recommend", "事迹突出").await;
    assert_eq!(status(&app, "nomination", id).await, "recommended");
    // The platform administrator makes the next weekday a holiday.
    let today: NaiveDate = crate::support::today().parse().unwrap();
    let holiday = next_weekday(today);
    let platform = app.login("platform").await;
    let bad = platform
        .post(
            "/platform/calendar",
            &[
                ("year", &holiday.year().to_string()),
                ("days", "2026-13-01 休"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("第 1 行");
    let line = format!("{holiday} 休 测试假日");
    let set = platform
        .post(
            "/platform/calendar",
            &[("year", &holiday.year().to_string()), ("days", &line)],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    // Every district's notices count by it, so every district's log shows the change.
    let logged: Vec<(i64, serde_json::Value)> = sqlx::query_as(
        "select tenant_id, after from audit_log where action = 'calendar.set' and actor_name = 'platform' order by tenant_id",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    let districts: i64 = sqlx::query_scalar("select count(*) from tenant")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(logged.len() as i64, districts, "one row a district");
    assert!(
        logged[0].1.to_string().contains("测试假日"),
        "{:?}",
        logged[0].1
    );
    advance(&bureau, volunteers, "notice").await;
    assert_eq!(status(&app, "award_programme", volunteers).await, "notice");
    let (starts, ends, days): (NaiveDate, NaiveDate, i32) = sqlx::query_as(
        "select starts_on, ends_on, working_days from public_notice where subject_id = $1 and subject_kind = 'award_programme'",
    )
    .bind(volunteers)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!((starts, days), (today, 5));
    // Five working days from today, the holiday and weekends not counted (the demo's 2026
    // calendar holds nothing in December).
    let mut expected = today;
    let mut counted = 0;
    loop {
        let weekend = matches!(expected.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && expected != holiday {
            counted += 1;
            if counted == 5 {
                break;
            }
        }
        expected = expected + Days::new(1);
    }
    assert_eq!(ends, expected);
    assert!(
        (ends - starts).num_days() >= 7,
        "a weekend and a holiday lie in between"
    );
    let public = app
        .client()
        .get(&format!("/public/mengjin/notices/{}", {
            let n: i64 = sqlx::query_scalar("select notice_id from award_programme where id = $1")
                .bind(volunteers)
                .fetch_one(&app.db.sys)
                .await
                .unwrap();
            n
        }))
        .await;
    public.assert_contains(&name);
    public.assert_lacks("秘密评语");
    let phone: String = sqlx::query_scalar("select phone from educator where id = $1")
        .bind(e)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert!(!phone.is_empty());
    public.assert_lacks(&phone);
}

#[tokio::test]
async fn residents_object_on_the_public_page_within_limits_the_office_handles_each_and_only_then_confirms_the_awards()
 {
    let app = TestApp::spawn().await;
    let star = programme_id(&app, STAR).await;
    let notice: i64 = sqlx::query_scalar("select notice_id from award_programme where id = $1")
        .bind(star)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let public = format!("/public/mengjin/notices/{notice}");
    let resident = app.client();
    let page = resident.get(&public).await;
    page.assert_contains("提出异议");
    let opened = page.form_fields(&public);
    let lodge = |fields: Vec<(&'static str, String)>| {
        let resident = &resident;
        let public = public.clone();
        async move {
            let form = resident.get(&public).await;
            let mut all = form.form_fields(&public);
            for (k, v) in fields {
                all.retain(|(n, _)| n != k);
                all.push((k.to_string(), v));
            }
            resident.submit(&public, &all).await
        }
    };
    let empty = lodge(vec![("text", "   ".into()), ("name", "王女士".into())]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("此项必填");
    empty.assert_contains("王女士");
    let bot = lodge(vec![
        ("text", "广告".into()),
        ("website", "http://spam".into()),
    ])
    .await;
    assert_eq!(bot.status, StatusCode::OK);
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from notice_objection where notice_id = $1")
            .bind(notice)
            .fetch_one(&app.db.sys)
            .await
            .unwrap()
    };
    assert_eq!(
        count().await,
        1,
        "the demo's objection only; the bot's is not kept"
    );
    for i in 0..3 {
        let ok = lodge(vec![("text", format!("第{i}条异议"))]).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        ok.assert_contains("您的异议已收到");
    }
    let fourth = lodge(vec![("text", "第四条".into())]).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    fourth.assert_contains("已达上限");
    assert_eq!(count().await, 4);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'notice.objection_lodge' and actor_name = 'public'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(audited, 3);

    // The awards wait for the notice to end and every objection to be handled.
    let office = app.login("mengjin-office").await;
    advance(&office, star, "awarded").await;
    assert_eq!(status(&app, "award_programme", star).await, "notice");
    let staff = office.get(&format!("/notices/{notice}")).await;
    staff.assert_contains("第0条异议");
    let objections: Vec<(i64, i32)> =
        sqlx::query_as("select id, version from notice_objection where notice_id = $1 order by id")
            .bind(notice)
            .fetch_all(&app.db.sys)
            .await
            .unwrap();
    let (first, version) = objections[0];
    let missing = office
        .post(
            &format!("/notices/{notice}/objections/{first}"),
            &[
                ("outcome", "dismissed"),
                ("handling", ""),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (o, v) in &objections {
        let done = office
            .post(
                &format!("/notices/{notice}/objections/{o}"),
                &[
                    ("outcome", "dismissed"),
                    ("handling", "经核查，书法班为义务教学，异议不成立。"),
                    ("version", &v.to_string()),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    // A second officer working from the page they opened before meets a conflict.
    let stale = office
        .post(
            &format!("/notices/{notice}/objections/{first}"),
            &[
                ("outcome", "upheld"),
                ("handling", "另一种结论"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        app.audit_actions("notice_objection", first).await,
        ["notice.objection_handle"]
    );
    advance(&office, star, "awarded").await;
    assert_eq!(
        status(&app, "award_programme", star).await,
        "notice",
        "the notice still runs"
    );
    // Time passes: the notice ended yesterday.
    sqlx::query("update public_notice set starts_on = starts_on - 30, ends_on = current_date - 1 where id = $1")
        .bind(notice)
        .execute(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(resident.get(&public).await.status, StatusCode::OK);
    resident.get(&public).await.assert_contains("公示期已结束");
    let closed = resident
        .submit(&public, &with(opened, &[("text", "晚到的异议")]))
        .await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    advance(&office, star, "awarded").await;
    assert_eq!(status(&app, "award_programme", star).await, "awarded");
    let winners: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select id, nominee_name, certificate_no from nomination where programme_id = $1 and status = 'awarded' order by certificate_no",
    )
    .bind(star)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(winners.len(), 2);
    let prefix = cedu::awards::model::certificate_prefix("mengjin", 2026, star);
    assert_eq!(
        winners[0].2.as_deref(),
        Some(format!("{prefix}001").as_str())
    );
    assert_eq!(
        winners[1].2.as_deref(),
        Some(format!("{prefix}002").as_str())
    );
    let certificate = office
        .get(&format!("/nominations/{}/certificate/print", winners[0].0))
        .await;
    certificate.assert_contains(&winners[0].1);
    certificate.assert_contains(STAR);
    certificate.assert_contains("孟津区社区教育工作指导委员会");
    certificate.assert_contains(&format!("{prefix}001"));
    let list = resident
        .get(&format!("/public/mengjin/awards/{star}"))
        .await;
    list.assert_contains(&winners[0].1);
    list.assert_contains(&winners[1].1);
    list.assert_lacks("周春燕"); // not recommended
    office
        .get(&format!("/awards/{star}/commendation/print"))
        .await
        .assert_contains(&format!("{prefix}002"));
    // Another district sees none of it.
    let yanshi = app.login("yanshi-bureau").await;
    assert_eq!(
        yanshi.get(&format!("/awards/{star}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        yanshi.get(&format!("/notices/{notice}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .get(&format!("/public/yanshi/notices/{notice}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn posts_from_outside_a_programmes_scope_answer_404_and_change_nothing() {
    let app = TestApp::spawn().await;
    let star = programme_id(&app, STAR).await;
    let volunteers = programme_id(&app, VOLUNTEERS).await;
    let n_cg = sqlx::query_scalar::<_, i64>(
        "select n.id from nomination n join org_unit u on u.id = n.org_unit_id
          where n.programme_id = $1 and u.code = 'MJ-CG' and n.status = 'recommended'",
    )
    .bind(star)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let yanshi = app.login("yanshi-bureau").await;
    let point = app.login("mengjin-point").await;
    let huimeng = app.login("mengjin-huimeng").await;
    let unit = app.login("mengjin-unit").await;
    let supervisor = app.login("mengjin-supervisor").await;
    type Case<'a> = (&'a Client, String, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            &yanshi,
            format!("/awards/{star}/stage"),
            vec![("to", "awarded"), ("confirm", "yes")],
        ),
        (
            &supervisor,
            format!("/awards/{star}/stage"),
            vec![("to", "awarded"), ("confirm", "yes")],
        ),
        (&point, "/awards".into(), vec![("name", "x")]),
        (
            &huimeng,
            format!("/nominations/{n_cg}/step"),
            vec![("action", "withdraw"), ("confirm", "yes")],
        ),
        (
            &huimeng,
            format!("/nominations/{n_cg}/score"),
            vec![("score_0", "90")],
        ),
        (
            &unit,
            format!("/awards/{volunteers}/nominations"),
            vec![("nominee_name", "某人")],
        ),
        (
            &yanshi,
            format!("/awards/{volunteers}/panel"),
            vec![("member", "1")],
        ),
        (
            &point,
            "/notices/1/objections/1".to_string(),
            vec![("outcome", "upheld"), ("handling", "x")],
        ),
    ];
    for (client, path, fields) in cases {
        let page = client.post(&path, &fields).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(status(&app, "award_programme", star).await, "notice");
    assert_eq!(status(&app, "nomination", n_cg).await, "recommended");
    let nominations: i64 =
        sqlx::query_scalar("select count(*) from nomination where programme_id = $1")
            .bind(volunteers)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(nominations, 0);
}
