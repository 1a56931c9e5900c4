//! Users' journeys in a real headless Chromium.

use crate::support::browser::Browser;
use crate::support::{DEMO_PASSWORD, TestApp};
use fantoccini::Locator;

#[tokio::test]
async fn a_town_admin_opens_a_teaching_point_edits_it_and_sees_the_change() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let result = async {
        c.goto(&format!("{}/", app.base())).await?;
        c.find(Locator::Css("#username"))
            .await?
            .send_keys("mengjin-town")
            .await?;
        c.find(Locator::Css("#password"))
            .await?
            .send_keys(DEMO_PASSWORD)
            .await?;
        c.find(Locator::Css("button[type=submit].primary"))
            .await?
            .click()
            .await?;
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
