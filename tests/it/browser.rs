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
