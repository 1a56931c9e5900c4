//! The dry run's check of an import: every row against the district as it is now and against
//! the rows above it, each error with its row and column, and what a clean row will do.

use crate::network::forms::UnitForm;
use crate::network::model::{Status, UnitInput, VENUES};
use crate::network::repo;
use crate::reports::xlsx_in::{RawRow, by_label, list_by_label};
use crate::web::today;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// A row after checking: what it will do, or what is wrong with it.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub code: String,
    pub name: String,
    /// "create" or "update".
    pub action: &'static str,
    /// (column key, catalogue key of the error)
    pub errors: Vec<(String, &'static str)>,
}

/// Checks every row against the district as it is now, and against the rows above it.
pub async fn check(
    conn: &mut PgConnection,
    rows: &[RawRow],
) -> sqlx::Result<Vec<(CheckedRow, Option<Planned>)>> {
    let existing = repo::import::units_by_code(conn).await?;
    let mut in_file: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut out = Vec::new();
    for raw in rows {
        let get = |k: &str| raw.cells.get(k).cloned().unwrap_or_default();
        let mut errors: Vec<(String, &'static str)> = Vec::new();
        let code = get("field.code").trim().to_string();
        let kind = by_label(
            &get("field.kind"),
            "kind",
            &["town_school", "teaching_point"],
        );
        if kind.is_none() {
            errors.push(("field.kind".into(), "import.kind_unknown"));
        }
        let status = match get("field.status").trim() {
            "" => Some(Status::Active),
            s => by_label(s, "status", &["planned", "active", "suspended", "closed"])
                .and_then(Status::parse),
        };
        if status.is_none() {
            errors.push(("field.status".into(), "import.status_unknown"));
        }
        let venues = list_by_label(&get("field.shared_venues"), "venue", &VENUES);
        if in_file
            .insert(code.clone(), (raw.row, kind.unwrap_or("").to_string()))
            .is_some()
        {
            errors.push(("field.code".into(), "import.code_twice"));
        }
        // The parent: a town school for a point, the college for a school; in the district or above in the file.
        let parent_code = get("field.parent_code").trim().to_string();
        let want_parent = match kind {
            Some("teaching_point") => "town_school",
            _ => "college",
        };
        let parent = existing
            .get(&parent_code)
            .map(|u| (Some(u.id), u.kind.clone()));
        let parent = parent.or_else(|| {
            in_file
                .get(&parent_code)
                .filter(|(row, _)| *row < raw.row)
                .map(|(_, k)| (None, k.clone()))
        });
        match &parent {
            Some((_, k)) if k == want_parent => {}
            Some(_) => errors.push(("field.parent_code".into(), "import.parent_wrong_tier")),
            None => errors.push(("field.parent_code".into(), "import.parent_unknown")),
        }
        let current = existing.get(&code);
        if let (Some(u), Some(kind)) = (current, kind)
            && u.kind != kind
        {
            errors.push(("field.kind".into(), "import.kind_changes"));
        }
        let form = UnitForm {
            code: code.clone(),
            name: get("field.name"),
            area: get("field.area"),
            village: get("field.village"),
            address: get("field.address"),
            contact_name: get("field.contact_name"),
            contact_phone: get("field.contact_phone"),
            founded_on: get("field.founded_on"),
            fulltime_managers: get("field.fulltime_managers"),
            parttime_managers: get("field.parttime_managers"),
            fulltime_teachers: get("field.fulltime_teachers"),
            parttime_teachers: get("field.parttime_teachers"),
            floor_area: get("field.floor_area"),
            classrooms: get("field.classrooms"),
            opening_hours: get("field.opening_hours"),
            villages_total: get("field.villages_total"),
            shared_venues: venues,
            predecessor: get("field.predecessor"),
            transformed_on: get("field.transformed_on"),
            effective_on: today().to_string(),
            version: 0,
        };
        let input = match form.parse(kind.unwrap_or("teaching_point")) {
            Ok(input) => Some(input),
            Err(field_errors) => {
                for (field, key) in field_errors.iter() {
                    errors.push((format!("field.{field}"), key));
                }
                None
            }
        };
        if let (Some(u), Some(to)) = (current, status) {
            let from = Status::parse(&u.status).unwrap_or(Status::Active);
            if from != to && !from.can_become(to) {
                errors.push(("field.status".into(), "unit.status_not_allowed"));
            }
        }
        let checked = CheckedRow {
            row: raw.row,
            code: code.clone(),
            name: form.name.clone(),
            action: if current.is_some() {
                "update"
            } else {
                "create"
            },
            errors,
        };
        let planned = match (input, kind, status, checked.errors.is_empty()) {
            (Some(input), Some(kind), Some(status), true) => Some(Planned {
                existing: current.map(|u| u.id),
                kind,
                parent_code,
                status,
                input,
            }),
            _ => None,
        };
        out.push((checked, planned));
    }
    Ok(out)
}

/// A row ready to write.
pub struct Planned {
    pub existing: Option<i64>,
    pub kind: &'static str,
    pub parent_code: String,
    pub status: Status,
    pub input: UnitInput,
}
