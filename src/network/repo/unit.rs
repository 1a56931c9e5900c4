//! A unit of the network as its rows read, and how its values show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A unit of the network. Lists (the network list, a unit's children, scope pickers) read only
/// a few columns and the rest keep their defaults (`#[sqlx(default)]`); the export and the print
/// view read every column of the unit; a unit shown or edited on its own also reads its active
/// children and approved designations.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Unit {
    pub id: i64,
    pub kind: String,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub path: String,
    pub code: String,
    pub name: String,
    pub area: String,
    pub village: String,
    #[sqlx(default)]
    pub address: String,
    #[sqlx(default)]
    pub contact_name: String,
    #[sqlx(default)]
    pub contact_phone: String,
    pub status: String,
    #[sqlx(default)]
    pub status_since: NaiveDate,
    pub founded_on: Option<NaiveDate>,
    pub fulltime_managers: i32,
    pub parttime_managers: i32,
    pub fulltime_teachers: i32,
    pub parttime_teachers: i32,
    #[sqlx(default)]
    pub floor_area: Option<i32>,
    #[sqlx(default)]
    pub classrooms: Option<i32>,
    #[sqlx(default)]
    pub opening_hours: String,
    #[sqlx(default)]
    pub villages_total: Option<i32>,
    #[sqlx(default)]
    pub shared_venues: Vec<String>,
    #[sqlx(default)]
    pub predecessor: String,
    pub transformed_on: Option<NaiveDate>,
    #[serde(skip)]
    pub is_demo: bool,
    #[sqlx(default)]
    pub version: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    #[sqlx(default)]
    pub parent_name: Option<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub active_children: i64,
    #[serde(skip)]
    #[sqlx(default)]
    pub parent_code: Option<String>,
    /// Levels of the unit's approved demonstration designations.
    #[serde(skip)]
    #[sqlx(default)]
    pub demo_levels: Vec<String>,
    #[serde(skip)]
    #[sqlx(default)]
    pub total: i64,
}

impl Unit {
    /// How deep in the tree: 0 college, 1 town school, 2 teaching point.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }

    pub fn kind_label(&self) -> String {
        format!("kind.{}", self.kind)
    }

    pub fn status_label(&self) -> String {
        format!("status.{}", self.status)
    }

    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The kind a child of this unit has, if it can have children.
    pub fn child_kind(&self) -> Option<&'static str> {
        match self.kind.as_str() {
            "college" => Some("town_school"),
            "town_school" => Some("teaching_point"),
            _ => None,
        }
    }

    pub fn child_kind_label(&self) -> Option<String> {
        self.child_kind().map(|k| format!("kind.{k}"))
    }

    pub fn staff_total(&self) -> i32 {
        self.fulltime_managers
            + self.parttime_managers
            + self.fulltime_teachers
            + self.parttime_teachers
    }

    pub fn is_transformed(&self) -> bool {
        self.transformed_on.is_some()
    }

    pub fn date_text(d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    pub fn founded_text(&self) -> String {
        Self::date_text(&self.founded_on)
    }

    pub fn transformed_text(&self) -> String {
        Self::date_text(&self.transformed_on)
    }

    pub fn number_text(n: &Option<i32>) -> String {
        n.map(|n| n.to_string()).unwrap_or_default()
    }

    pub fn floor_area_text(&self) -> String {
        Self::number_text(&self.floor_area)
    }

    pub fn classrooms_text(&self) -> String {
        Self::number_text(&self.classrooms)
    }

    pub fn villages_total_text(&self) -> String {
        Self::number_text(&self.villages_total)
    }

    /// Catalogue keys of the approved designation levels, highest first.
    pub fn demo_level_labels(&self) -> Vec<String> {
        crate::network::model::level_labels(&self.demo_levels)
    }
}
