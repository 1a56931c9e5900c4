//! The December cycle's rules: the submission state machine, who files and who reviews, what a
//! filer may edit and, when not, why; and the fixed lists items choose from.

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

    pub fn action(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::Return => "return",
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

pub const RESOURCE_CATEGORIES: [&str; 9] = [
    "venue",
    "facility",
    "course",
    "teacher_team",
    "volunteer_team",
    "digital",
    "funding",
    "brand",
    "other",
];
pub const PLAN_CATEGORIES: [&str; 10] = [
    "elderly",
    "youth",
    "rural_skills",
    "employment",
    "modern_life",
    "reading",
    "science",
    "health",
    "culture",
    "other",
];
/// Key populations of 四(六).
pub const POPULATIONS: [&str; 8] = [
    "elderly",
    "youth_after_school",
    "rural",
    "left_behind_women",
    "left_behind_children",
    "left_behind_elderly",
    "disabled",
    "all",
];
pub const SHARING: [&str; 3] = ["free", "booking", "fee"];
pub const PERIODS: [&str; 17] = [
    "Y", "Q1", "Q2", "Q3", "Q4", "M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09",
    "M10", "M11", "M12",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_submission_is_submitted_then_accepted_or_returned_and_resubmitted() {
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
        add(
            "filer",
            &[
                "all",
                "member_unit",
                "college",
                "town_school",
                "teaching_point",
            ],
        );
        add(
            "submission",
            &["draft", "submitted", "returned", "accepted"],
        );
        for s in ["open", "closed", "published"] {
            add("cycle", &[format!("status.{s}").as_str()]);
        }
        add("committee", &crate::committee::ROLES);
        add(
            "filing",
            &[
                "not_started",
                "draft",
                "submitted",
                "returned",
                "accepted",
                "overdue",
                "late",
            ],
        );
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
