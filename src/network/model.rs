//! The network's domain: unit status and its transitions, shared venues, designation steps,
//! the columns of its spreadsheets, and a unit's and a designation's checked input.

use chrono::NaiveDate;
use serde::Serialize;

/// Where a unit stands; each change is dated and closing never deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    Active,
    Suspended,
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Planned,
        Status::Active,
        Status::Suspended,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The allowed moves: planned opens or is dropped; active pauses or closes; a closed unit may reopen.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Planned, Active)
                | (Planned, Closed)
                | (Active, Suspended)
                | (Active, Closed)
                | (Suspended, Active)
                | (Suspended, Closed)
                | (Closed, Active)
        )
    }

    pub fn next(self) -> Vec<Status> {
        Self::ALL
            .into_iter()
            .filter(|to| self.can_become(*to))
            .collect()
    }
}

/// The shared venues of 四(二) a unit may use; stored by key, shown through the catalogue.
pub const VENUES: [&str; 9] = [
    "vocational_centre",
    "open_university",
    "elderly_university",
    "adult_culture_school",
    "youth_centre",
    "library",
    "bookstore",
    "cultural_centre",
    "sports_venue",
];

pub const LEVELS: [&str; 3] = ["district", "city", "provincial"];

/// Catalogue keys of the levels among `levels` (a unit's approved designations), highest first.
pub fn level_labels(levels: &[String]) -> Vec<String> {
    LEVELS
        .iter()
        .rev()
        .filter(|l| levels.iter().any(|d| d == *l))
        .map(|l| format!("level.{l}"))
        .collect()
}

/// A designation's steps: candidate → declared → approved or not approved.
pub fn designation_can_become(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("candidate", "declared") | ("declared", "approved") | ("declared", "not_approved")
    )
}

/// The columns of the export and the import template, in order, as catalogue keys.
pub const COLUMNS: [&str; 22] = [
    "field.code",
    "field.name",
    "field.kind",
    "field.parent_code",
    "field.area",
    "field.village",
    "field.address",
    "field.status",
    "field.founded_on",
    "field.fulltime_managers",
    "field.parttime_managers",
    "field.fulltime_teachers",
    "field.parttime_teachers",
    "field.floor_area",
    "field.classrooms",
    "field.opening_hours",
    "field.villages_total",
    "field.shared_venues",
    "field.predecessor",
    "field.transformed_on",
    "field.contact_name",
    "field.contact_phone",
];

/// A unit's form, checked: values ready to save.
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub area: String,
    pub village: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub founded_on: Option<NaiveDate>,
    pub fulltime_managers: i32,
    pub parttime_managers: i32,
    pub fulltime_teachers: i32,
    pub parttime_teachers: i32,
    pub floor_area: Option<i32>,
    pub classrooms: Option<i32>,
    pub opening_hours: String,
    pub villages_total: Option<i32>,
    pub shared_venues: Vec<String>,
    pub predecessor: String,
    pub transformed_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
}

/// A new designation, checked: a level of [`LEVELS`], a year and the day it became a candidate.
#[derive(Debug, Clone)]
pub struct DesignationInput {
    pub level: String,
    pub year: i32,
    pub candidate_on: NaiveDate,
    pub note: String,
}

/// A designation's next step, checked against where it stands: the step, its day and a note.
#[derive(Debug, Clone)]
pub struct StepInput {
    pub to: String,
    pub on: NaiveDate,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_opens_pauses_closes_and_may_reopen() {
        assert!(Status::Planned.can_become(Status::Active));
        assert!(Status::Active.can_become(Status::Suspended));
        assert!(Status::Suspended.can_become(Status::Active));
        assert!(Status::Active.can_become(Status::Closed));
        assert!(Status::Closed.can_become(Status::Active));
        assert!(!Status::Closed.can_become(Status::Suspended));
        assert!(!Status::Active.can_become(Status::Planned));
        assert!(!Status::Active.can_become(Status::Active));
        assert_eq!(Status::Planned.next(), [Status::Active, Status::Closed]);
    }

    #[test]
    fn every_code_shown_through_a_label_has_one_in_both_languages() {
        use crate::web::i18n::has_key;
        let mut keys: Vec<String> = Status::ALL
            .iter()
            .map(|s| format!("status.{}", s.as_str()))
            .collect();
        keys.extend(VENUES.iter().map(|v| format!("venue.{v}")));
        keys.extend(LEVELS.iter().map(|l| format!("level.{l}")));
        keys.extend(
            ["candidate", "declared", "approved", "not_approved"]
                .iter()
                .map(|s| format!("designation.{s}")),
        );
        keys.extend(
            ["college", "town_school", "teaching_point"]
                .iter()
                .map(|k| format!("kind.{k}")),
        );
        keys.extend(
            ["created", "updated", "status", "designation", "imported"]
                .iter()
                .map(|k| format!("event.{k}")),
        );
        keys.extend(
            crate::reports::model::METRICS
                .iter()
                .map(|m| format!("target.{m}")),
        );
        keys.extend(
            ["met", "met_late", "in_progress", "late"]
                .iter()
                .map(|p| format!("progress.{p}")),
        );
        keys.extend(COLUMNS.iter().map(|c| c.to_string()));
        // Every field a unit's history can name.
        keys.extend(
            [
                "code",
                "name",
                "area",
                "village",
                "address",
                "contact_name",
                "contact_phone",
                "status",
                "founded_on",
                "fulltime_managers",
                "parttime_managers",
                "fulltime_teachers",
                "parttime_teachers",
                "floor_area",
                "classrooms",
                "opening_hours",
                "villages_total",
                "shared_venues",
                "predecessor",
                "transformed_on",
                "designation",
            ]
            .iter()
            .map(|f| format!("field.{f}")),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !has_key(k)).collect();
        assert!(missing.is_empty(), "no label for {missing:?}");
    }

    #[test]
    fn a_designation_is_declared_before_it_is_decided() {
        assert!(designation_can_become("candidate", "declared"));
        assert!(designation_can_become("declared", "approved"));
        assert!(designation_can_become("declared", "not_approved"));
        assert!(!designation_can_become("candidate", "approved"));
        assert!(!designation_can_become("approved", "declared"));
        assert!(!designation_can_become("not_approved", "approved"));
    }
}
