//! The December cycle's rules: the two state machines (a cycle's and a submission's), who
//! files and who reviews, what a filer may edit and, when not, why. The checked input of the
//! forms is in `model/input.rs`, the fixed lists they choose from in `model/choices.rs`.

mod choices;
mod input;

pub use choices::*;
pub use input::*;

use crate::access::Role;
use crate::auth::session::CurrentUser;
use chrono::NaiveDate;

/// A step a submission can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Accept,
    Return,
}

impl Step {
    /// The step a URL names (`/submissions/{id}/{submit|accept|return}`).
    pub fn parse(step: &str) -> Option<Self> {
        match step {
            "submit" => Some(Self::Submit),
            "accept" => Some(Self::Accept),
            "return" => Some(Self::Return),
            _ => None,
        }
    }

    /// The status a step starts from, and the one it leads to.
    pub fn from_to(self) -> (&'static [&'static str], &'static str) {
        match self {
            Step::Submit => (&["draft", "returned"], "submitted"),
            Step::Accept => (&["submitted"], "accepted"),
            Step::Return => (&["submitted"], "returned"),
        }
    }

    pub fn allowed_from(self, status: &str) -> bool {
        self.from_to().0.contains(&status)
    }

    /// The step in the submission's history.
    pub fn action(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::Return => "return",
        }
    }

    /// The step in the audit log.
    pub fn audited_as(self) -> &'static str {
        match self {
            Step::Submit => "submission.submit",
            Step::Accept => "submission.accept",
            Step::Return => "submission.return",
        }
    }

    /// What the next page says.
    pub fn done(self) -> &'static str {
        match self {
            Step::Submit => "step.submitted",
            Step::Accept => "step.accepted",
            Step::Return => "step.returned",
        }
    }
}

/// A step of a year's cycle: open ⇄ closed, and from either to published (final).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleStep {
    Close,
    Reopen,
    Publish,
}

impl CycleStep {
    /// The step a URL names (`/cycles/{id}/{close|reopen|publish}`).
    pub fn parse(action: &str) -> Option<Self> {
        match action {
            "close" => Some(Self::Close),
            "reopen" => Some(Self::Reopen),
            "publish" => Some(Self::Publish),
            _ => None,
        }
    }

    pub fn from_to(self) -> (&'static [&'static str], &'static str) {
        match self {
            Self::Close => (&["open"], "closed"),
            Self::Reopen => (&["closed"], "open"),
            Self::Publish => (&["open", "closed"], "published"),
        }
    }

    pub fn audited_as(self) -> &'static str {
        match self {
            Self::Close => "cycle.close",
            Self::Reopen => "cycle.reopen",
            Self::Publish => "cycle.publish",
        }
    }

    pub fn done(self) -> &'static str {
        match self {
            Self::Publish => "cycle.published",
            Self::Close | Self::Reopen => "cycle.status_saved",
        }
    }
}

/// Who a submission belongs to, as far as rights go.
#[derive(Debug, Clone)]
pub struct Filer {
    pub member_unit_id: Option<i64>,
    pub org_unit_id: Option<i64>,
    /// college, town_school, teaching_point, or member_unit.
    pub kind: String,
    /// For a teaching point: its town school, which reviews it.
    pub parent_id: Option<i64>,
}

impl Filer {
    pub fn files(&self, user: &CurrentUser) -> bool {
        match self.kind.as_str() {
            "member_unit" => {
                user.role == Role::UnitOfficer && user.member_unit_id == self.member_unit_id
            }
            "college" => user.role == Role::DistrictAdmin,
            "town_school" => user.role == Role::TownAdmin && user.unit_id == self.org_unit_id,
            "teaching_point" => {
                user.role == Role::PointCoordinator && user.unit_id == self.org_unit_id
            }
            _ => false,
        }
    }

    /// Points are reviewed by their town school; everyone else by the bureau or its committee office.
    pub fn reviewed_by(&self, user: &CurrentUser) -> bool {
        match self.kind.as_str() {
            "teaching_point" => user.role == Role::TownAdmin && user.unit_id == self.parent_id,
            _ => matches!(user.role, Role::DistrictAdmin | Role::CommitteeOffice),
        }
    }

    pub fn visible_to(&self, user: &CurrentUser) -> bool {
        user.role.is_district_wide() || self.files(user) || self.reviewed_by(user)
    }
}

/// Why a filer cannot edit now (a catalogue key), or `None` when it can.
pub fn edit_blocked(
    status: &str,
    cycle_status: &str,
    opens_on: NaiveDate,
    today: NaiveDate,
) -> Option<&'static str> {
    if cycle_status != "open" {
        Some("why.cycle_closed")
    } else if today < opens_on {
        Some("why.not_open_yet")
    } else {
        match status {
            "submitted" => Some("why.waiting_review"),
            "accepted" => Some("why.accepted"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_submission_is_submitted_then_accepted_or_returned_and_resubmitted() {
        assert_eq!(Step::parse("return"), Some(Step::Return));
        assert_eq!(Step::parse("carry-forward"), None);
        assert!(Step::Submit.allowed_from("draft"));
        assert!(Step::Submit.allowed_from("returned"));
        assert!(!Step::Submit.allowed_from("submitted"));
        assert!(!Step::Submit.allowed_from("accepted"));
        assert!(Step::Accept.allowed_from("submitted"));
        assert!(!Step::Accept.allowed_from("draft"));
        assert!(!Step::Accept.allowed_from("returned"));
        assert!(Step::Return.allowed_from("submitted"));
        assert!(!Step::Return.allowed_from("accepted"));
    }

    #[test]
    fn a_cycle_closes_reopens_and_is_published_once() {
        assert_eq!(CycleStep::parse("close"), Some(CycleStep::Close));
        assert_eq!(CycleStep::parse("delete"), None);
        assert_eq!(CycleStep::Close.from_to(), (&["open"][..], "closed"));
        assert_eq!(CycleStep::Reopen.from_to(), (&["closed"][..], "open"));
        let (from, to) = CycleStep::Publish.from_to();
        assert!(from.contains(&"open") && from.contains(&"closed") && !from.contains(&to));
    }

    #[test]
    fn every_choice_and_step_has_a_label_in_both_languages() {
        use crate::web::i18n::has_key;
        let mut keys: Vec<String> = Vec::new();
        let mut add =
            |area: &str, codes: &[&str]| keys.extend(codes.iter().map(|c| format!("{area}.{c}")));
        add("resource", &RESOURCE_CATEGORIES);
        add("plan", &PLAN_CATEGORIES);
        add("population", &POPULATIONS);
        add("sharing", &SHARING);
        add("period", &PERIODS);
        add("filer", &["all"]);
        add(
            "submission",
            &["draft", "submitted", "returned", "accepted"],
        );
        for s in ["open", "closed", "published"] {
            add("cycle", &[format!("status.{s}").as_str()]);
        }
        add("committee", &crate::committee::ROLES);
        add("filing", &FILINGS);
        add("filer", &FILER_KINDS);
        add(
            "step",
            &[
                "submit",
                "accept",
                "return",
                "carry_forward",
                "resource.create",
                "resource.update",
                "resource.delete",
                "plan.create",
                "plan.update",
                "plan.delete",
            ],
        );
        for step in [Step::Submit, Step::Accept, Step::Return] {
            keys.extend([
                step.done().to_string(),
                format!("audit.{}", step.audited_as()),
            ]);
        }
        for step in [CycleStep::Close, CycleStep::Reopen, CycleStep::Publish] {
            keys.extend([
                step.done().to_string(),
                format!("audit.{}", step.audited_as()),
            ]);
        }
        let missing: Vec<&String> = keys.iter().filter(|k| !has_key(k)).collect();
        assert!(missing.is_empty(), "no label for {missing:?}");
    }

    #[test]
    fn editing_is_blocked_with_a_reason() {
        let open = d("2026-12-01");
        assert_eq!(edit_blocked("draft", "open", open, d("2026-12-05")), None);
        assert_eq!(
            edit_blocked("returned", "open", open, d("2027-01-10")),
            None,
            "late is allowed"
        );
        assert_eq!(
            edit_blocked("draft", "open", open, d("2026-11-20")),
            Some("why.not_open_yet")
        );
        assert_eq!(
            edit_blocked("submitted", "open", open, d("2026-12-05")),
            Some("why.waiting_review")
        );
        assert_eq!(
            edit_blocked("accepted", "open", open, d("2026-12-05")),
            Some("why.accepted")
        );
        assert_eq!(
            edit_blocked("draft", "closed", open, d("2026-12-05")),
            Some("why.cycle_closed")
        );
    }
}
