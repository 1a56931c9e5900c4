//! Every audited action, done over HTTP by the role that may do it (or on the command line), and
//! its audit row read back: action, record, who, district, and what it holds before and after.

mod cycle;
mod network;
mod supervision;

use crate::support::trail::{Doc, Trail};
use crate::support::{Page, TestApp};
use reqwest::StatusCode;

/// Every action the application writes to the audit log (grep `action:` in src/).
const AUDITED: [&str; 52] = [
    "account.create",
    "account.update",
    "account.disable",
    "account.enable",
    "account.password_reset",
    "account.password_change",
    "tenant.create",
    "org_unit.create",
    "org_unit.update",
    "org_unit.status",
    "org_unit.import_create",
    "org_unit.import_update",
    "demonstration.create",
    "demonstration.advance",
    "policy_target.update",
    "policy_target.add_year",
    "committee_member.create",
    "committee_member.update",
    "committee_member.delete",
    "member_unit.create",
    "member_unit.update",
    "cycle.open",
    "cycle.window",
    "cycle.remind",
    "cycle.close",
    "cycle.reopen",
    "cycle.publish",
    "submission.carry_forward",
    "submission.import",
    "submission.submit",
    "submission.return",
    "submission.accept",
    "resource.create",
    "resource.update",
    "resource.delete",
    "plan.create",
    "plan.update",
    "plan.delete",
    "round.open",
    "round.advance",
    "round.assign",
    "round.score",
    "round.self_submit",
    "round.findings",
    "round.evidence",
    "framework.adopt",
    "framework.copy",
    "framework.indicator_add",
    "framework.indicator_delete",
    "rectification.create",
    "rectification.update",
    "survey.save",
];

pub fn has(v: serde_json::Value) -> Doc {
    Doc::Has(v)
}

/// The answer to a change: sent on with 303, or the body says why not.
pub fn done(page: &Page, what: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{what}: {}", page.body);
}

pub async fn id_of(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_audited_action_writes_its_row_with_who_what_and_before_and_after() {
    let app = TestApp::spawn().await;
    let mut trail = Trail::start(&app).await;
    network::units(&app, &mut trail).await;
    network::accounts(&app, &mut trail).await;
    cycle::targets_and_committee(&app, &mut trail).await;
    cycle::filing(&app, &mut trail).await;
    supervision::rounds(&app, &mut trail).await;
    network::districts(&app, &mut trail).await;
    let missing: Vec<&&str> = AUDITED
        .iter()
        .filter(|a| !trail.covered.contains(a))
        .collect();
    assert!(missing.is_empty(), "actions not exercised: {missing:?}");
    assert!(
        trail.failures.is_empty(),
        "audit rows missing or wrong:\n{}",
        trail.failures.join("\n")
    );
}
