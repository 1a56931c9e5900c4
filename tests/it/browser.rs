//! Users' journeys in a real headless Chromium.

use crate::support::TestApp;
use crate::support::browser::Browser;
use fantoccini::Locator;

#[tokio::test]
async fn a_town_admin_opens_a_teaching_point_edits_it_and_sees_the_change() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let result = async {
        browser.login(&app.base(), "mengjin-town").await?;
        c.wait()
            .for_element(Locator::LinkText("城关镇新庄村教学点"))
            .await?
            .click()
            .await?;
        c.wait()
            .for_element(Locator::Id("edit-unit"))
            .await?
            .click()
            .await?;
        let address = c.wait().for_element(Locator::Css("#f-address")).await?;
        address.clear().await?;
        address.send_keys("新庄村党群服务中心").await?;
        c.find(Locator::Css("form.stack button.primary"))
            .await?
            .click()
            .await?;
        let shown = c
            .wait()
            .for_element(Locator::Id("unit-address"))
            .await?
            .text()
            .await?;
        let flash = c.find(Locator::Css(".flash")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>((shown, flash))
    }
    .await;
    browser.close().await;
    let (shown, flash) = result.expect("the journey runs");
    assert_eq!(shown, "新庄村党群服务中心");
    assert_eq!(flash, "已保存。");
    let id = app.unit_id("MJ-CG-03").await;
    assert_eq!(app.audit_actions("org_unit", id).await, ["org_unit.update"]);
}

#[tokio::test]
async fn the_bureau_filters_the_network_list_and_exports_what_it_sees() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let result = async {
        browser.login(&app.base(), "mengjin-bureau").await?;
        c.wait().for_element(Locator::Id("count-schools")).await?;
        c.goto(&format!("{}/units", app.base())).await?;
        c.find(Locator::Css(
            "select[name=kind] option[value=teaching_point]",
        ))
        .await?
        .click()
        .await?;
        c.find(Locator::Css("select[name=demo] option[value=any]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("#filters button[type=submit]"))
            .await?
            .click()
            .await?;
        while !c.current_url().await?.as_str().contains("kind=") {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let count = c
            .wait()
            .for_element(Locator::Id("unit-count"))
            .await?
            .text()
            .await?;
        let export = c
            .find(Locator::Id("export-link"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        let cookie = c
            .get_named_cookie("cedu_session")
            .await?
            .value()
            .to_string();
        Ok::<_, fantoccini::error::CmdError>((count, export, cookie))
    }
    .await;
    browser.close().await;
    let (count, export, cookie) = result.expect("the journey runs");
    assert_eq!(count, "2", "two demonstration points");
    assert!(
        export.starts_with("/units/export.xlsx?")
            && export.contains("kind=teaching_point")
            && export.contains("demo=any"),
        "{export}"
    );
    // The file behind the link, fetched with the browser's own session, holds the same two points.
    let res = reqwest::Client::new()
        .get(format!("{}{export}", app.base()))
        .header("cookie", format!("cedu_session={cookie}"))
        .send()
        .await
        .unwrap();
    let rows = crate::lists::read_sheet(res.bytes().await.unwrap().to_vec());
    let codes: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(codes, ["MJ-CG-01", "MJ-HM-01"]);
}

/// Fills the named inputs of the form on the current page.
async fn fill(
    c: &fantoccini::Client,
    fields: &[(&str, &str)],
) -> Result<(), fantoccini::error::CmdError> {
    for (name, value) in fields {
        let input = c.find(Locator::Css(&format!("[name={name}]"))).await?;
        input.clear().await?;
        input.send_keys(value).await?;
    }
    Ok(())
}

/// Clicks a form's button and waits for the page it leads to. Waiting for a flash message alone
/// is not enough when the page already shows one from the step before: the wait would end at
/// once, and the next step could leave the page before the form was sent.
async fn submit(
    c: &fantoccini::Client,
    button: Locator<'_>,
) -> Result<(), fantoccini::error::CmdError> {
    let old = c.find(Locator::Css("html")).await?;
    c.find(button).await?.click().await?;
    let started = std::time::Instant::now();
    // The old page's root goes stale once the next page has replaced it.
    while old.tag_name().await.is_ok() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            return Err(fantoccini::error::CmdError::WaitTimeout);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    c.wait().for_element(Locator::Css(".flash")).await?;
    Ok(())
}

/// On a confirmation page: reads what it says will happen, ticks the box and goes ahead.
async fn confirm(c: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    let what = c
        .wait()
        .for_element(Locator::Id("confirm-what"))
        .await?
        .text()
        .await?;
    c.find(Locator::Id("f-confirm")).await?.click().await?;
    c.find(Locator::Css(".confirm button.danger"))
        .await?
        .click()
        .await?;
    Ok(what)
}

#[tokio::test]
async fn the_december_lists_go_up_come_back_go_up_again_and_reach_a_resident() {
    let app = TestApp::spawn().await;
    let s = crate::cycle::submission_of(&app, 2026, "MJ-CG").await;
    let town = Browser::start().await;
    let bureau = Browser::start().await;
    let resident = Browser::start().await;
    let base = app.base();
    let result = async {
        // The town school files a resource and an activity, and submits.
        town.login(&base, "mengjin-town").await?;
        let t = &town.client;
        t.goto(&format!("{base}/inbox")).await?;
        t.find(Locator::Css("#to-file a")).await?.click().await?;
        t.wait()
            .for_element(Locator::Id("add-resource"))
            .await?
            .click()
            .await?;
        t.find(Locator::Css("#f-category option[value=venue]"))
            .await?
            .click()
            .await?;
        fill(
            t,
            &[
                ("name", "城关镇百姓学习驿站"),
                ("address", "城关镇人民路18号"),
                ("contact", "王老师 0379-67910001"),
            ],
        )
        .await?;
        t.find(Locator::Css("input[name=populations][value=elderly]"))
            .await?
            .click()
            .await?;
        t.find(Locator::Css("form.stack button.primary"))
            .await?
            .click()
            .await?;
        t.wait()
            .for_element(Locator::Id("add-plan"))
            .await?
            .click()
            .await?;
        t.find(Locator::Css("#f-category option[value=reading]"))
            .await?
            .click()
            .await?;
        fill(
            t,
            &[
                ("title", "城关镇读书月"),
                ("responsible", "王老师"),
                ("budget_government", "2000"),
            ],
        )
        .await?;
        t.find(Locator::Css("form.stack button.primary"))
            .await?
            .click()
            .await?;
        t.wait()
            .for_element(Locator::Id("submit"))
            .await?
            .click()
            .await?;
        t.wait().for_element(Locator::Id("why-not")).await?;

        // The bureau returns it with a reason.
        bureau.login(&base, "mengjin-bureau").await?;
        let b = &bureau.client;
        b.goto(&format!("{base}/submissions/{s}")).await?;
        b.wait()
            .for_element(Locator::Id("f-reason"))
            .await?
            .send_keys("请写明开放时间")
            .await?;
        b.find(Locator::Id("return")).await?.click().await?;
        b.wait().for_element(Locator::Css(".flash")).await?;

        // The town sees why, fixes the resource and submits again.
        t.goto(&format!("{base}/submissions/{s}")).await?;
        let reason = t
            .wait()
            .for_element(Locator::Id("return-reason"))
            .await?
            .text()
            .await?;
        t.find(Locator::LinkText("编辑")).await?.click().await?;
        fill(t, &[("opening_times", "周一至周六 9:00-17:00")]).await?;
        t.find(Locator::Css("form.stack button.primary"))
            .await?
            .click()
            .await?;
        t.wait()
            .for_element(Locator::Id("submit"))
            .await?
            .click()
            .await?;
        t.wait().for_element(Locator::Id("why-not")).await?;

        // The bureau accepts and publishes the year.
        b.goto(&format!("{base}/submissions/{s}")).await?;
        b.wait()
            .for_element(Locator::Id("accept"))
            .await?
            .click()
            .await?;
        confirm(b).await?;
        b.wait().for_element(Locator::Css(".flash")).await?;
        b.find(Locator::LinkText("2026 填报进度"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Id("publish"))
            .await?
            .click()
            .await?;
        let what = confirm(b).await?;
        assert!(what.contains("公开"), "{what}");
        b.wait().for_element(Locator::Id("public-link")).await?;

        // A resident, not signed in, finds it in the public catalogue.
        let r = &resident.client;
        r.goto(&format!("{base}/public/mengjin")).await?;
        r.wait()
            .for_element(Locator::Id("q"))
            .await?
            .send_keys("学习驿站")
            .await?;
        r.find(Locator::Css("#catalogue-search button"))
            .await?
            .click()
            .await?;
        while !r.current_url().await?.as_str().contains("q=") {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let found = r
            .wait()
            .for_element(Locator::Css("#catalogue tbody"))
            .await?
            .text()
            .await?;
        Ok::<_, fantoccini::error::CmdError>((reason, found))
    }
    .await;
    town.close().await;
    bureau.close().await;
    resident.close().await;
    let (reason, found) = result.expect("the journey runs");
    assert!(reason.contains("请写明开放时间"), "{reason}");
    assert!(
        found.contains("城关镇百姓学习驿站")
            && found.contains("周一至周六 9:00-17:00")
            && found.contains("王老师 0379-67910001"),
        "{found}"
    );
    assert_eq!(crate::cycle::status(&app, s).await, "accepted");
}

#[tokio::test]
async fn a_town_assesses_itself_the_office_scores_and_publishes_and_the_town_answers_a_rectification()
 {
    let app = TestApp::spawn().await;
    let (round, ru) = crate::supervision::round_unit(&app, "MJ-CG").await;
    let leaf = crate::supervision::indicator(&app, round, "1.1").await;
    let evidence = std::env::temp_dir().join(format!("cedu-evidence-{}.pdf", std::process::id()));
    std::fs::write(&evidence, b"%PDF-1.4 self-assessment evidence").unwrap();
    let town = Browser::start().await;
    let office = Browser::start().await;
    let base = app.base();
    let sheet = format!("{base}/supervision/rounds/{round}/units/{ru}");
    let result = async {
        // The town scores itself, attaches evidence and hands it in.
        town.login(&base, "mengjin-town").await?;
        let t = &town.client;
        t.goto(&format!("{base}/supervision")).await?;
        t.find(Locator::Css("#my-sheets a")).await?.click().await?;
        let score = t
            .wait()
            .for_element(Locator::Css(&format!("input[name=score_{leaf}]")))
            .await?;
        score.send_keys("4.5").await?;
        t.find(Locator::Css(&format!("input[name=note_{leaf}]")))
            .await?
            .send_keys("已成立领导小组")
            .await?;
        t.find(Locator::Id("save-scores")).await?.click().await?;
        t.wait().for_element(Locator::Css(".flash")).await?;
        t.find(Locator::Css("#evidence-form input[type=file]"))
            .await?
            .send_keys(evidence.to_str().unwrap())
            .await?;
        submit(t, Locator::Css("#evidence-form button")).await?;
        submit(t, Locator::Id("submit-self")).await?;

        // The office starts the review, scores, records a problem to fix, and publishes.
        office.login(&base, "mengjin-supervisor").await?;
        let o = &office.client;
        o.goto(&format!("{base}/supervision/rounds/{round}"))
            .await?;
        o.wait()
            .for_element(Locator::Id("advance"))
            .await?
            .click()
            .await?;
        confirm(o).await?;
        o.wait().for_element(Locator::Css(".flash")).await?;
        o.goto(&sheet).await?;
        o.wait()
            .for_element(Locator::Css(&format!("input[name=score_{leaf}]")))
            .await?
            .send_keys("4")
            .await?;
        o.find(Locator::Id("save-scores")).await?.click().await?;
        o.wait().for_element(Locator::Css(".flash")).await?;
        o.find(Locator::Css("input[name=problem]"))
            .await?
            .send_keys("教学点覆盖率偏低")
            .await?;
        o.find(Locator::Css("input[name=due_on]"))
            .await?
            .send_keys("2027-06-30")
            .await?;
        submit(o, Locator::Css("form[action$=rectifications] button")).await?;
        o.goto(&format!("{base}/supervision/rounds/{round}"))
            .await?;
        o.wait()
            .for_element(Locator::Id("advance"))
            .await?
            .click()
            .await?;
        confirm(o).await?;
        o.wait().for_element(Locator::Css(".flash")).await?;

        // The town reads its notice and reports on the rectification item.
        t.goto(&format!("{base}/supervision/rounds/{round}/notice"))
            .await?;
        let notice = t
            .wait()
            .for_element(Locator::Id("notice"))
            .await?
            .text()
            .await?;
        t.goto(&format!("{base}/rectifications")).await?;
        t.wait()
            .for_element(Locator::Css("input[name=report]"))
            .await?
            .send_keys("新增3个村级教学点")
            .await?;
        t.find(Locator::Css("form[action$=report] button"))
            .await?
            .click()
            .await?;
        t.wait().for_element(Locator::Css(".flash")).await?;
        let list = t.find(Locator::Id("rectifications")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>((notice, list))
    }
    .await;
    town.close().await;
    office.close().await;
    let _ = std::fs::remove_file(&evidence);
    let (notice, list) = result.expect("the journey runs");
    assert!(notice.contains("城关镇社区教育学校"), "{notice}");
    assert!(
        list.contains("新增3个村级教学点") && list.contains("已报告待确认"),
        "{list}"
    );
    let files: i64 = sqlx::query_scalar("select count(*) from evidence where round_unit_id = $1")
        .bind(ru)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(files, 1);
}

#[tokio::test]
async fn a_volunteer_signs_up_the_town_accepts_logs_two_afternoons_the_point_approves_and_the_town_prints_the_record()
 {
    let app = TestApp::spawn().await;
    let town_school = app.unit_id("MJ-CG").await;
    let point = app.unit_id("MJ-CG-01").await;
    let resident = Browser::start().await;
    let town = Browser::start().await;
    let coordinator = Browser::start().await;
    let base = app.base();
    let result = async {
        // A resident signs up on the public form, with no account.
        let r = &resident.client;
        r.goto(&format!("{base}/join/mengjin")).await?;
        fill(r, &[("name", "赵志愿"), ("phone", "13577778888")]).await?;
        r.find(Locator::Css(&format!(
            "#f-home_unit_id option[value=\"{town_school}\"]"
        )))
        .await?
        .click()
        .await?;
        r.find(Locator::Css("input[name=specialties]"))
            .await?
            .click()
            .await?;
        r.find(Locator::Id("f-consent")).await?.click().await?;
        r.find(Locator::Id("apply-submit")).await?.click().await?;
        r.wait().for_element(Locator::Id("applied")).await?;
        resident.shot("join-done").await?;

        // The town finds the application, accepts it, and adds the point where she will serve.
        town.login(&base, "mengjin-town").await?;
        town.resize(1366, 900).await?;
        let t = &town.client;
        t.goto(&format!("{base}/educators")).await?;
        town.shot("educators-list").await?;
        t.goto(&format!("{base}/educators?status=applications"))
            .await?;
        t.find(Locator::LinkText("赵志愿")).await?.click().await?;
        t.wait().for_element(Locator::Id("take-step")).await?;
        town.shot("educator-application").await?;
        t.find(Locator::Css("#f-to option[value=active]"))
            .await?
            .click()
            .await?;
        submit(t, Locator::Id("take-step")).await?;
        t.find(Locator::Id("edit-educator")).await?.click().await?;
        t.wait()
            .for_element(Locator::Css(&format!(
                "input[name=serves][value=\"{point}\"]"
            )))
            .await?
            .click()
            .await?;
        submit(t, Locator::Css("form.stack button.primary")).await?;

        // Two afternoons at the point.
        for day in ["2026-11-14", "2026-11-21"] {
            t.find(Locator::Id("log-hours")).await?.click().await?;
            t.wait()
                .for_element(Locator::Css(&format!(
                    "#f-unit_id option[value=\"{point}\"]"
                )))
                .await?
                .click()
                .await?;
            fill(
                t,
                &[
                    ("served_on", day),
                    ("starts_at", "14:00"),
                    ("ends_at", "16:30"),
                    ("content", "4点半课堂辅导"),
                ],
            )
            .await?;
            submit(t, Locator::Css("form.stack button.primary")).await?;
        }

        // The point's coordinator countersigns both.
        coordinator.login(&base, "mengjin-point").await?;
        let p = &coordinator.client;
        p.goto(&format!(
            "{base}/hours?status=pending&q=%E8%B5%B5%E5%BF%97%E6%84%BF"
        ))
        .await?;
        for entry in p.find_all(Locator::Css("input[name=entry]")).await? {
            entry.click().await?;
        }
        coordinator.resize(1366, 900).await?;
        coordinator.shot("hours-queue").await?;
        submit(p, Locator::Id("decide-button")).await?;

        // The town prints the record of service the point's hours make.
        t.refresh().await?;
        t.wait()
            .for_element(Locator::Css(&format!(
                "#record-form option[value=\"{point}\"]"
            )))
            .await?
            .click()
            .await?;
        for (name, value) in [("from", "2026-11-01"), ("to", "2026-11-30")] {
            let input = t
                .find(Locator::Css(&format!("#record-form input[name={name}]")))
                .await?;
            input.clear().await?;
            input.send_keys(value).await?;
        }
        t.find(Locator::Id("issue-record")).await?.click().await?;
        let body = t
            .wait()
            .for_element(Locator::Id("record-body"))
            .await?
            .text()
            .await?;
        let number = t.find(Locator::Id("record-number")).await?.text().await?;
        town.shot("record-of-service").await?;
        t.back().await?;
        t.refresh().await?;
        town.shot("educator-page").await?;
        Ok::<_, fantoccini::error::CmdError>((body, number))
    }
    .await;
    resident.close().await;
    town.close().await;
    coordinator.close().await;
    let (body, number) = result.expect("the journey runs");
    assert!(
        body.contains("赵志愿") && body.contains("2 次") && body.contains("5 小时"),
        "{body}"
    );
    assert!(number.contains("MJ-CG-01-"), "{number}");
    let approved: i64 = sqlx::query_scalar(
        "select count(*) from service_hours x join educator e on e.id = x.educator_id
          where e.name = '赵志愿' and x.status = 'approved' and x.decided_by = 'mengjin-point'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(approved, 2);
}

#[tokio::test]
async fn public_pages_fit_a_phone_without_sideways_scrolling() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "insert into donation_disclosure (tenant_id, year, published_on, published_by) values (1, 2026, current_date, 'test')",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    let course = crate::library::resource_id(&app, "果树栽培实用技术（两课时）").await;
    let course = format!("/d/mengjin/library/{course}");
    // An evaluation's results made public, the widest notice: rank, score and grade a town.
    let evaluation: i64 = sqlx::query_scalar(
        "insert into public_notice (tenant_id, subject_kind, subject_id, title, body, entries, starts_on, working_days,
                                    ends_on, contact, published_by)
         select 1, 'evaluation_round', r.id, '关于2026年度社区教育督导评估结果的公示', '现将评估结果予以公示。',
                jsonb_agg(jsonb_build_object('name', u.name, 'unit', '良好', 'summary', '第 1 名 · 综合得分 88.5')),
                current_date, 5, current_date + 7, '孟津区人民政府教育督导室 0379-67912345', 'test'
           from evaluation_round r, org_unit u
          where r.tenant_id = 1 and r.owner_unit_id is null and u.tenant_id = 1 and u.kind = 'town_school'
          group by r.id limit 1 returning id",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let evaluation = format!("/public/mengjin/notices/{evaluation}");
    let phone = Browser::start().await;
    let base = app.base();
    let result = async {
        phone.resize(360, 740).await?;
        let mut wide = Vec::new();
        for (name, path) in [
            ("join", "/join/mengjin"),
            ("public-index", "/public"),
            ("catalogue", "/public/mengjin/2025"),
            ("donations", "/public/mengjin/donations/2026"),
            ("portal", "/d/mengjin"),
            ("calendar", "/d/mengjin/calendar"),
            ("town", "/d/mengjin/units/2"),
            ("activity", "/d/mengjin/activities/1"),
            ("notices", "/public/mengjin/notices"),
            ("notice", "/public/mengjin/notices/1"),
            ("evaluation-notice", evaluation.as_str()),
            ("commendation", "/public/mengjin/awards/1"),
            ("library", "/d/mengjin/library"),
            ("library-filtered", "/d/mengjin/library?subject=agriculture"),
            ("library-course", course.as_str()),
            ("login", "/login"),
        ] {
            phone.client.goto(&format!("{base}{path}")).await?;
            phone.client.wait().for_element(Locator::Css("h1")).await?;
            let over = phone.overflow().await?;
            if over > 0 {
                wide.push(format!("{path}: {over}px wider than the screen"));
            }
            phone.shot(&format!("phone-{name}")).await?;
        }
        Ok::<_, fantoccini::error::CmdError>(wide)
    }
    .await;
    phone.close().await;
    let wide = result.expect("the pages load");
    assert!(wide.is_empty(), "{}", wide.join("\n"));
}

#[tokio::test]
async fn a_point_records_a_four_thirty_session_the_town_sees_it_delivered_and_the_supervisor_sees_the_indicator()
 {
    let app = TestApp::spawn().await;
    let class = crate::activities::activity_id(&app, crate::activities::CLASS).await;
    // The class's latest session that has come: today's on a Wednesday.
    let (session, day): (i64, chrono::NaiveDate) = sqlx::query_as(
        "select id, held_on from activity_session where activity_id = $1 and held_on <= (now() at time zone 'Asia/Shanghai')::date
          order by held_on desc limit 1",
    )
    .bind(class)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let (round, ru) = crate::supervision::round_unit(&app, "MJ-CG").await;
    let plan_indicator = crate::supervision::indicator(&app, round, "6.1").await;
    let coordinator = Browser::start().await;
    let town = Browser::start().await;
    let supervisor = Browser::start().await;
    let base = app.base();
    let result = async {
        // The point's coordinator opens the class from the home page and records the session.
        coordinator.login(&base, "mengjin-point").await?;
        coordinator.resize(1366, 900).await?;
        let p = &coordinator.client;
        p.goto(&format!("{base}/home")).await?;
        p.find(Locator::LinkText(crate::activities::CLASS))
            .await?
            .click()
            .await?;
        p.wait()
            .for_element(Locator::Id(&format!("session-{session}")))
            .await?;
        p.find(Locator::Css(&format!(
            "#session-{session} select[name=status] option[value=held]"
        )))
        .await?
        .click()
        .await?;
        for (name, value) in [("attendance", "31"), ("walk_ins", "4")] {
            let input = p
                .find(Locator::Css(&format!(
                    "#session-{session} input[name={name}]"
                )))
                .await?;
            input.clear().await?;
            input.send_keys(value).await?;
        }
        submit(p, Locator::Css(&format!("#session-{session} button"))).await?;
        let figures = p.find(Locator::Id("figures")).await?.text().await?;
        coordinator.shot("activity-class").await?;

        // The town sees it on its delivery: its 4点半 item delivered by the point.
        town.login(&base, "mengjin-town").await?;
        town.resize(1366, 900).await?;
        let t = &town.client;
        t.goto(&format!("{base}/delivery")).await?;
        town.shot("delivery-town").await?;
        t.find(Locator::LinkText("城关镇社区教育学校"))
            .await?
            .click()
            .await?;
        let items = t
            .wait()
            .for_element(Locator::Id("items"))
            .await?
            .text()
            .await?;
        town.shot("delivery-town-school").await?;

        // The supervisor sees 6.1 computed on the town's sheet, with what it rests on.
        supervisor.login(&base, "mengjin-supervisor").await?;
        supervisor.resize(1366, 900).await?;
        let s = &supervisor.client;
        s.goto(&format!("{base}/supervision/rounds/{round}/units/{ru}"))
            .await?;
        let row = s
            .wait()
            .for_element(Locator::Id(&format!("ind-{plan_indicator}")))
            .await?
            .text()
            .await?;
        supervisor.shot("sheet-computed").await?;
        Ok::<_, fantoccini::error::CmdError>((figures, items, row))
    }
    .await;
    coordinator.close().await;
    town.close().await;
    supervisor.close().await;
    let (figures, items, row) = result.expect("the journey runs");
    let (status, attendance, walk_ins): (String, Option<i32>, i32) =
        sqlx::query_as("select status, attendance, walk_ins from activity_session where id = $1")
            .bind(session)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), attendance, walk_ins),
        ("held", Some(31), 4),
        "{day}"
    );
    let held: i64 = sqlx::query_scalar(
        "select count(*) from activity_session where activity_id = $1 and status = 'held'",
    )
    .bind(class)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(figures.contains(&format!("已开展 {held} /")), "{figures}");
    assert!(
        items.contains("“四点半课堂”课后服务") && items.contains(crate::activities::CLASS),
        "{items}"
    );
    assert!(row.contains("100% → 8（2 / 2）"), "{row}");
    assert!(row.contains("已落实的计划项目"), "{row}");
}

/// Signs `browser` out (its cookies gone) and in again as `user`.
async fn switch_to(
    browser: &Browser,
    base: &str,
    user: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser.client.delete_all_cookies().await?;
    browser.login(base, user).await
}

#[tokio::test]
async fn a_town_nominates_a_volunteer_the_panel_scores_a_resident_objects_and_the_office_confirms_the_award()
 {
    let app = TestApp::spawn().await;
    let programme = crate::awards::programme_id(&app, crate::awards::VOLUNTEERS).await;
    let (person, name): (i64, String) = sqlx::query_as(
        "select e.id, e.name from educator e join org_unit u on u.id = e.home_unit_id
          where u.code like 'MJ-CG%' and e.status = 'active' order by e.id limit 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let b = Browser::start().await;
    let base = app.base();
    let result = async {
        b.resize(1366, 900).await?;
        let c = &b.client;
        // The town school picks the person from the registry; the form comes prefilled.
        b.login(&base, "mengjin-town").await?;
        c.goto(&format!("{base}/awards")).await?;
        c.find(Locator::LinkText(crate::awards::VOLUNTEERS))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Id("nominate")).await?.click().await?;
        c.wait()
            .for_element(Locator::Css(&format!(
                "#prefill-form select[name=educator] option[value='{person}']"
            )))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("#prefill-form button")).await?.click().await?;
        c.wait().for_element(Locator::Id("record-hours")).await?;
        fill(
            c,
            &[
                ("story", "长期在东关社区教学点义务服务，组织老年人智能手机培训二十余场，帮助三百多位老人学会视频通话和网上缴费，带动一批年轻志愿者加入社区教育服务。"),
                ("summary", "组织老年人智能手机培训，帮助三百多位老人跨越数字鸿沟。"),
            ],
        )
        .await?;
        b.shot("award-nomination-form").await?;
        submit(c, Locator::Css("#nomination-form button.primary")).await?;
        submit(c, Locator::Css("#submit-form button")).await?;
        let nomination = c.current_url().await?.path().to_string();

        // The bureau closes the nominations; the panel scores, each on their own.
        switch_to(&b, &base, "mengjin-bureau").await?;
        c.goto(&format!("{base}/awards/{programme}")).await?;
        c.find(Locator::Css("#stage-form button")).await?.click().await?;
        confirm(c).await?;
        c.wait().for_element(Locator::Css(".flash")).await?;
        for (user, scores) in [
            ("mengjin-supervisor", ["92", "85", "88"]),
            ("mengjin-evaluator", ["88", "90", "86"]),
        ] {
            switch_to(&b, &base, user).await?;
            c.goto(&format!("{base}{nomination}")).await?;
            c.wait().for_element(Locator::Id("score-form")).await?;
            if user == "mengjin-evaluator" {
                b.shot("award-score-hidden").await?;
            }
            fill(
                c,
                &[("score_0", scores[0]), ("score_1", scores[1]), ("score_2", scores[2])],
            )
            .await?;
            submit(c, Locator::Css("#score-form button")).await?;
        }
        let mean = c.find(Locator::Id("mean")).await?.text().await?;
        b.shot("award-scores").await?;

        // The bureau recommends and publishes the notice.
        switch_to(&b, &base, "mengjin-bureau").await?;
        c.goto(&format!("{base}{nomination}")).await?;
        fill(c, &[("reason", "服务时长和群众评价突出")]).await?;
        submit(c, Locator::Id("recommend")).await?;
        c.goto(&format!("{base}/awards/{programme}")).await?;
        c.find(Locator::Css("#stage-form button")).await?.click().await?;
        confirm(c).await?;
        let notice_href = c
            .wait()
            .for_element(Locator::Id("notice-link"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();

        // A resident, on a phone and signed in nowhere, objects on the public page.
        b.client.delete_all_cookies().await?;
        b.resize(360, 740).await?;
        let public = notice_href.replace("/notices/", "/public/mengjin/notices/");
        c.goto(&format!("{base}{public}")).await?;
        c.wait().for_element(Locator::Id("objection-form")).await?;
        let over = b.overflow().await?;
        fill(c, &[("text", "这位志愿者的服务时长是否属实？请核实。")]).await?;
        b.shot("phone-notice").await?;
        c.find(Locator::Css("#objection-form button")).await?.click().await?;
        c.wait().for_element(Locator::Id("lodged")).await?;

        // The office handles it.
        b.resize(1366, 900).await?;
        switch_to(&b, &base, "mengjin-office").await?;
        c.goto(&format!("{base}{notice_href}")).await?;
        c.wait()
            .for_element(Locator::Css(".handle-form input[value=dismissed]"))
            .await?
            .click()
            .await?;
        fill(c, &[("handling", "经核查服务记录和签到表，时长属实，异议不成立。")]).await?;
        submit(c, Locator::Css(".handle-form button")).await?;
        b.shot("award-notice-staff").await?;
        Ok::<_, fantoccini::error::CmdError>((nomination, mean, over, public))
    }
    .await;
    let (nomination, mean, over, public) = match result {
        Ok(r) => r,
        Err(e) => {
            b.close().await;
            panic!("the journey runs: {e}");
        }
    };
    assert_eq!(mean.trim(), "88.35", "(88.70 + 88.00) / 2");
    assert!(
        over <= 0,
        "the public notice fits a phone: {over}px too wide"
    );
    // Five working days pass.
    sqlx::query(
        "update public_notice set starts_on = starts_on - 30, ends_on = current_date - 1
          where subject_kind = 'award_programme' and subject_id = $1",
    )
    .bind(programme)
    .execute(&app.db.sys)
    .await
    .unwrap();
    let result = async {
        let c = &b.client;
        c.goto(&format!("{base}/awards/{programme}")).await?;
        c.find(Locator::Css("#stage-form button"))
            .await?
            .click()
            .await?;
        confirm(c).await?;
        c.wait()
            .for_element(Locator::Id("commendation-link"))
            .await?;
        c.goto(&format!("{base}{nomination}")).await?;
        c.wait()
            .for_element(Locator::Id("certificate-link"))
            .await?
            .click()
            .await?;
        let certificate = c
            .wait()
            .for_element(Locator::Id("certificate"))
            .await?
            .text()
            .await?;
        b.shot("award-certificate").await?;
        c.goto(&format!("{base}{public}")).await?;
        let closed = c
            .wait()
            .for_element(Locator::Id("notice-closed"))
            .await?
            .text()
            .await?;
        Ok::<_, fantoccini::error::CmdError>((certificate, closed))
    }
    .await;
    b.close().await;
    let (certificate, closed) = result.expect("the award is confirmed");
    let (status, number): (String, Option<String>) = sqlx::query_as(
        "select status, certificate_no from nomination where educator_id = $1 and programme_id = $2",
    )
    .bind(person)
    .bind(programme)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(status, "awarded");
    let number = number.expect("a certificate number");
    assert!(certificate.contains(&name), "{certificate}");
    assert!(certificate.contains(&number), "{certificate}");
    assert!(
        certificate.contains(crate::awards::VOLUNTEERS),
        "{certificate}"
    );
    assert!(closed.contains("公示期已结束"), "{closed}");
    let handled: (String, String) = sqlx::query_as(
        "select o.outcome, o.handled_by from notice_objection o join public_notice n on n.id = o.notice_id
          where n.subject_id = $1 and n.subject_kind = 'award_programme'",
    )
    .bind(programme)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(handled.0, "dismissed");
}

#[tokio::test]
async fn a_town_opens_a_round_over_its_points_a_point_assesses_itself_the_town_scores_and_the_district_reads_it()
 {
    let app = TestApp::spawn().await;
    let base = app.base();
    let (demo_round, _) = crate::town_supervision::town_round(&app, "MJ-CG-01").await;
    let framework = crate::town_supervision::framework_of(&app, demo_round).await;
    let leaf: i64 =
        sqlx::query_scalar("select id from indicator where framework_id = $1 and code = '1.1'")
            .bind(framework)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let town = Browser::start().await;
    let point = Browser::start().await;
    let district = Browser::start().await;
    let result = async {
        for b in [&town, &point, &district] {
            b.resize(1366, 900).await?;
        }
        // The town opens a round over its points with its own framework.
        town.login(&base, "mengjin-town").await?;
        let t = &town.client;
        t.goto(&format!("{base}/supervision")).await?;
        town.shot("town-supervision").await?;
        t.find(Locator::Id("f-name"))
            .await?
            .send_keys("2027年度教学点督导评估")
            .await?;
        t.find(Locator::Id("f-year"))
            .await?
            .send_keys("2027")
            .await?;
        t.find(Locator::Id("f-framework"))
            .await?
            .select_by_value(&framework.to_string())
            .await?;
        t.find(Locator::Id("f-self_due"))
            .await?
            .send_keys("2027-05-01")
            .await?;
        t.find(Locator::Id("f-review_due"))
            .await?
            .send_keys("2027-06-01")
            .await?;
        submit(
            t,
            Locator::Css("form[action='/supervision/rounds'] button.primary"),
        )
        .await?;
        let round_url = t.current_url().await?.to_string();
        town.shot("town-round").await?;

        // 东关's coordinator finds the sheet, scores, hands in.
        point.login(&base, "mengjin-point").await?;
        let p = &point.client;
        p.goto(&format!("{base}/supervision")).await?;
        point.shot("point-supervision").await?;
        p.find(Locator::Css("#my-sheets a")).await?.click().await?;
        p.wait()
            .for_element(Locator::Css(&format!("input[name=score_{leaf}]")))
            .await?
            .send_keys("9")
            .await?;
        submit(p, Locator::Id("save-scores")).await?;
        point.shot("point-sheet").await?;
        let sheet_url = p.current_url().await?.to_string();
        submit(p, Locator::Id("submit-self")).await?;

        // The town starts the review and scores the point.
        t.goto(&round_url).await?;
        t.wait()
            .for_element(Locator::Id("advance"))
            .await?
            .click()
            .await?;
        confirm(t).await?;
        t.wait().for_element(Locator::Css(".flash")).await?;
        t.goto(&sheet_url).await?;
        t.wait()
            .for_element(Locator::Css(&format!("input[name=score_{leaf}]")))
            .await?
            .send_keys("8")
            .await?;
        submit(t, Locator::Id("save-scores")).await?;
        town.shot("town-sheet").await?;

        // The supervision office reads the towns' rounds, the round and the sheet.
        district.login(&base, "mengjin-supervisor").await?;
        let d = &district.client;
        d.goto(&format!("{base}/supervision#town-rounds")).await?;
        district.shot("district-town-rounds").await?;
        d.goto(&round_url).await?;
        d.wait().for_element(Locator::Id("read-only")).await?;
        district.shot("district-town-round").await?;
        let advance = d.find(Locator::Id("advance")).await.is_ok();
        d.goto(&sheet_url).await?;
        let reviews = d
            .wait()
            .for_element(Locator::Id("sheet"))
            .await?
            .text()
            .await?;
        district.shot("district-town-sheet").await?;
        let can_score = d.find(Locator::Id("save-scores")).await.is_ok();
        Ok::<_, fantoccini::error::CmdError>((advance, reviews, can_score))
    }
    .await;
    town.close().await;
    point.close().await;
    district.close().await;
    let (advance, reviews, can_score) = result.expect("the journey runs");
    assert!(!advance && !can_score, "the district only reads");
    assert!(reviews.contains("镇（街道） mengjin-town：8"), "{reviews}");
}

#[tokio::test]
async fn a_resident_scans_a_towns_poster_signs_up_for_a_class_checks_in_and_rates_the_town() {
    let app = TestApp::spawn().await;
    let class = crate::activities::activity_id(&app, crate::activities::CLASS).await;
    let session = crate::portal::session_today(&app, class).await;
    let cg = app.unit_id("MJ-CG").await;
    // The town prints its posters; the staff page gives today's session its check-in code.
    let town = app.login("mengjin-town").await;
    let posters = town.get(&format!("/units/{cg}/posters/print")).await;
    let scanned = crate::portal::decode_qr(&posters.body, &format!("id=\"poster-{cg}\""));
    let staff = town.get(&format!("/activities/{class}/signups")).await;
    let checkin = crate::portal::decode_qr(&staff.body, &format!("id=\"session-{session}\""));
    let phone = Browser::start().await;
    let result = async {
        phone.resize(360, 740).await?;
        let c = &phone.client;
        let mut wide = Vec::new();
        c.goto(&scanned).await?;
        c.wait().for_element(Locator::Css("h1")).await?;
        wide.push(("town", phone.overflow().await?));
        phone.shot("journey-town").await?;
        c.find(Locator::LinkText(crate::activities::CLASS))
            .await?
            .click()
            .await?;
        c.wait()
            .for_element(Locator::Css(&format!(
                "input[name=session][value='{session}']"
            )))
            .await?
            .click()
            .await?;
        fill(c, &[("name", "刘家长"), ("phone", "13912345678")]).await?;
        c.find(Locator::Css("input[name=consent]"))
            .await?
            .click()
            .await?;
        wide.push(("activity", phone.overflow().await?));
        c.find(Locator::Css("#signup-form button.primary"))
            .await?
            .click()
            .await?;
        let code = c
            .wait()
            .for_element(Locator::Id("signup-code"))
            .await?
            .text()
            .await?;
        wide.push(("confirmation", phone.overflow().await?));
        phone.shot("journey-confirmation").await?;
        // At the venue: the session's code on the wall, then the six digits.
        c.goto(&checkin).await?;
        fill(c, &[("code", &code)]).await?;
        wide.push(("checkin", phone.overflow().await?));
        c.find(Locator::Css("#checkin-form button"))
            .await?
            .click()
            .await?;
        let welcome = c
            .wait()
            .for_element(Locator::Id("checked-in"))
            .await?
            .text()
            .await?;
        phone.shot("journey-checked-in").await?;
        // Back on the town's page, the survey.
        c.goto(&scanned).await?;
        c.wait()
            .for_element(Locator::Id("survey-link"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("fieldset")).await?;
        let questions = c.find_all(Locator::Css("fieldset")).await?.len();
        for i in 0..questions {
            c.find(Locator::Css(&format!("input[name=q{i}][value='4']")))
                .await?
                .click()
                .await?;
        }
        wide.push(("survey", phone.overflow().await?));
        c.find(Locator::Css("form.stack button.primary"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Id("thanks")).await?;
        phone.shot("journey-survey").await?;
        Ok::<_, fantoccini::error::CmdError>((code, welcome, wide))
    }
    .await;
    phone.close().await;
    let (code, welcome, wide) = result.expect("the journey runs");
    assert_eq!(scanned, format!("{}/d/mengjin/units/{cg}", app.base()));
    assert_eq!(code.len(), 6);
    // The venue's page names the resident masked.
    assert!(welcome.contains("刘**，签到成功"), "{welcome}");
    assert!(!welcome.contains("刘家长"), "{welcome}");
    for (page, over) in wide {
        assert!(over <= 0, "{page} is {over}px wider than the phone");
    }
    let (status, present): (String, bool) = sqlx::query_as(
        "select status, checked_in_at is not null from signup where session_id = $1",
    )
    .bind(session)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!((status.as_str(), present), ("confirmed", true));
    let answered: i64 = sqlx::query_scalar(
        "select count(*) from survey_response where org_unit_id = $1 and at > now() - interval '1 hour'",
    )
    .bind(cg)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(answered, 1);
}
