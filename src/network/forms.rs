//! The network's forms as typed (kept as text, so a form with errors shows it again) and their
//! checks into the model's input: a unit, a new designation, a designation's next step.

use super::model::{
    DesignationInput, LEVELS, StepInput, UnitInput, VENUES, designation_can_become,
};
use super::repo::Unit;
use super::repo::designations::Designation;
use crate::web::forms::{FieldErrors, Pairs, count, date, text, year};
use crate::web::save::Compared;
use chrono::NaiveDate;

#[derive(Debug, Clone, Default)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    pub area: String,
    pub village: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub founded_on: String,
    pub fulltime_managers: String,
    pub parttime_managers: String,
    pub fulltime_teachers: String,
    pub parttime_teachers: String,
    pub floor_area: String,
    pub classrooms: String,
    pub opening_hours: String,
    pub villages_total: String,
    pub shared_venues: Vec<String>,
    pub predecessor: String,
    pub transformed_on: String,
    pub effective_on: String,
    pub version: i32,
}

fn opt_text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl UnitForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            code: p.get("code"),
            name: p.get("name"),
            area: p.get("area"),
            village: p.get("village"),
            address: p.get("address"),
            contact_name: p.get("contact_name"),
            contact_phone: p.get("contact_phone"),
            founded_on: p.get("founded_on"),
            fulltime_managers: p.get("fulltime_managers"),
            parttime_managers: p.get("parttime_managers"),
            fulltime_teachers: p.get("fulltime_teachers"),
            parttime_teachers: p.get("parttime_teachers"),
            floor_area: p.get("floor_area"),
            classrooms: p.get("classrooms"),
            opening_hours: p.get("opening_hours"),
            villages_total: p.get("villages_total"),
            shared_venues: p.all("shared_venues"),
            predecessor: p.get("predecessor"),
            transformed_on: p.get("transformed_on"),
            effective_on: p.get("effective_on"),
            version: p.get("version").parse().unwrap_or(0),
        }
    }

    /// The form for editing `unit`, effective today.
    pub fn from_unit(u: &Unit, today: NaiveDate) -> Self {
        Self {
            code: u.code.clone(),
            name: u.name.clone(),
            area: u.area.clone(),
            village: u.village.clone(),
            address: u.address.clone(),
            contact_name: u.contact_name.clone(),
            contact_phone: u.contact_phone.clone(),
            founded_on: opt_text(u.founded_on),
            fulltime_managers: u.fulltime_managers.to_string(),
            parttime_managers: u.parttime_managers.to_string(),
            fulltime_teachers: u.fulltime_teachers.to_string(),
            parttime_teachers: u.parttime_teachers.to_string(),
            floor_area: opt_text(u.floor_area),
            classrooms: opt_text(u.classrooms),
            opening_hours: u.opening_hours.clone(),
            villages_total: opt_text(u.villages_total),
            shared_venues: u.shared_venues.clone(),
            predecessor: u.predecessor.clone(),
            transformed_on: opt_text(u.transformed_on),
            effective_on: today.to_string(),
            version: u.version,
        }
    }

    /// A blank form for a new unit, effective today.
    pub fn blank(today: NaiveDate) -> Self {
        Self {
            effective_on: today.to_string(),
            ..Default::default()
        }
    }

    /// What was typed beside what is saved, for a stale save's conflict page.
    pub fn compare(&self, saved: &Unit) -> Vec<Compared> {
        let n = |v: i32| v.to_string();
        vec![
            Compared::new("unit.name", &self.name, &saved.name),
            Compared::new("unit.code", &self.code, &saved.code),
            Compared::new("field.area", &self.area, &saved.area),
            Compared::new("field.village", &self.village, &saved.village),
            Compared::new("unit.address", &self.address, &saved.address),
            Compared::new("unit.contact_name", &self.contact_name, &saved.contact_name),
            Compared::new(
                "unit.contact_phone",
                &self.contact_phone,
                &saved.contact_phone,
            ),
            Compared::new("field.founded_on", &self.founded_on, saved.founded_text()),
            Compared::new(
                "field.fulltime_managers",
                &self.fulltime_managers,
                n(saved.fulltime_managers),
            ),
            Compared::new(
                "field.parttime_managers",
                &self.parttime_managers,
                n(saved.parttime_managers),
            ),
            Compared::new(
                "field.fulltime_teachers",
                &self.fulltime_teachers,
                n(saved.fulltime_teachers),
            ),
            Compared::new(
                "field.parttime_teachers",
                &self.parttime_teachers,
                n(saved.parttime_teachers),
            ),
            Compared::new(
                "field.opening_hours",
                &self.opening_hours,
                &saved.opening_hours,
            ),
            Compared::new("field.predecessor", &self.predecessor, &saved.predecessor),
            Compared::new(
                "field.transformed_on",
                &self.transformed_on,
                saved.transformed_text(),
            ),
        ]
    }

    pub fn has_venue(&self, key: &str) -> bool {
        self.shared_venues.iter().any(|v| v == key)
    }

    /// Checks every field of a unit of `kind`; all errors at once, each beside its field.
    pub fn parse(&self, kind: &str) -> Result<UnitInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let code = text(&mut e, "code", &self.code, true, 32);
        if !code.is_empty()
            && !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            e.add("code", "unit.code_format");
        }
        let contact_phone = text(&mut e, "contact_phone", &self.contact_phone, false, 30);
        if !contact_phone.is_empty() && !is_phone(&contact_phone) {
            e.add("contact_phone", "unit.phone_format");
        }
        let shared_venues: Vec<String> = VENUES
            .iter()
            .filter(|v| self.has_venue(v))
            .map(|v| v.to_string())
            .collect();
        if shared_venues.len() != self.shared_venues.len() {
            e.add("shared_venues", "unit.venue_unknown");
        }
        let founded_on = date(&mut e, "founded_on", &self.founded_on, false);
        let transformed_on = date(&mut e, "transformed_on", &self.transformed_on, false);
        let predecessor = text(&mut e, "predecessor", &self.predecessor, false, 100);
        if kind == "college" && (transformed_on.is_some() || !predecessor.is_empty()) {
            e.add("transformed_on", "unit.college_not_transformed");
        } else if transformed_on.is_some() && predecessor.is_empty() {
            e.add("predecessor", "unit.predecessor_needed");
        }
        if let (Some(f), Some(t)) = (founded_on, transformed_on)
            && t < f
        {
            e.add("transformed_on", "unit.transformed_before_founded");
        }
        let input = UnitInput {
            code,
            name: text(&mut e, "name", &self.name, true, 100),
            area: text(&mut e, "area", &self.area, false, 100),
            village: text(&mut e, "village", &self.village, false, 100),
            address: text(&mut e, "address", &self.address, false, 200),
            contact_name: text(&mut e, "contact_name", &self.contact_name, false, 50),
            contact_phone,
            founded_on,
            fulltime_managers: count(&mut e, "fulltime_managers", &self.fulltime_managers)
                .unwrap_or(0),
            parttime_managers: count(&mut e, "parttime_managers", &self.parttime_managers)
                .unwrap_or(0),
            fulltime_teachers: count(&mut e, "fulltime_teachers", &self.fulltime_teachers)
                .unwrap_or(0),
            parttime_teachers: count(&mut e, "parttime_teachers", &self.parttime_teachers)
                .unwrap_or(0),
            floor_area: count(&mut e, "floor_area", &self.floor_area),
            classrooms: count(&mut e, "classrooms", &self.classrooms),
            opening_hours: text(&mut e, "opening_hours", &self.opening_hours, false, 100),
            villages_total: count(&mut e, "villages_total", &self.villages_total),
            shared_venues,
            predecessor,
            transformed_on,
            effective_on: date(&mut e, "effective_on", &self.effective_on, true)
                .unwrap_or_default(),
        };
        e.into_result(input)
    }
}

/// A new designation as typed.
#[derive(Debug, Clone, Default)]
pub struct DesignationForm {
    pub level: String,
    pub year: String,
    pub candidate_on: String,
    pub note: String,
}

impl DesignationForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            level: p.get("level"),
            year: p.get("year"),
            candidate_on: p.get("candidate_on"),
            note: p.get("note"),
        }
    }

    pub fn parse(&self) -> Result<DesignationInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !LEVELS.contains(&self.level.as_str()) {
            errors.add("level", "designation.level_required");
        }
        let year = year(&mut errors, "year", &self.year);
        let candidate_on = date(&mut errors, "candidate_on", &self.candidate_on, true);
        let note = text(&mut errors, "note", &self.note, false, 500);
        match (year, candidate_on, errors.is_empty()) {
            (Some(year), Some(candidate_on), true) => Ok(DesignationInput {
                level: self.level.clone(),
                year,
                candidate_on,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// A designation's next step as typed: which step, on which day, with a note.
pub fn parse_step(p: &Pairs, d: &Designation) -> Result<StepInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let to = p.get("to");
    if !designation_can_become(&d.status, &to) {
        errors.add("to", "designation.step_not_allowed");
    }
    let on = date(&mut errors, "on", &p.get("on"), true);
    let note = text(&mut errors, "note", &p.get("note"), false, 500);
    let earliest = d.declared_on.unwrap_or(d.candidate_on);
    if on.is_some_and(|on| on < earliest) {
        errors.add("on", "designation.date_before_previous");
    }
    match (on, errors.is_empty()) {
        (Some(on), true) => Ok(StepInput { to, on, note }),
        _ => Err(errors),
    }
}

/// Digits with the separators people write: 0379-6791 2345, +86 138 0000 0000.
fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(code: &str, name: &str, phone: &str) -> UnitForm {
        UnitForm {
            code: code.into(),
            name: name.into(),
            contact_phone: phone.into(),
            effective_on: "2026-11-30".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_parses_trimmed() {
        let mut f = form(" HY-01 ", " 河阳街道社区教育学校 ", "0379-6791 2345");
        f.fulltime_teachers = "3".into();
        f.shared_venues = vec!["library".into()];
        let input = f.parse("town_school").unwrap();
        assert_eq!(input.code, "HY-01");
        assert_eq!(input.name, "河阳街道社区教育学校");
        assert_eq!(input.fulltime_teachers, 3);
        assert_eq!(input.shared_venues, ["library"]);
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let mut f = form("河阳", "", "call me");
        f.parttime_teachers = "three".into();
        f.transformed_on = "2022-03-01".into();
        f.shared_venues = vec!["casino".into()];
        f.effective_on = String::new();
        let errors = f.parse("town_school").unwrap_err();
        assert_eq!(errors.get("code"), Some("unit.code_format"));
        assert_eq!(errors.get("name"), Some("form.required"));
        assert_eq!(errors.get("contact_phone"), Some("unit.phone_format"));
        assert_eq!(errors.get("parttime_teachers"), Some("form.count"));
        assert_eq!(errors.get("predecessor"), Some("unit.predecessor_needed"));
        assert_eq!(errors.get("shared_venues"), Some("unit.venue_unknown"));
        assert_eq!(errors.get("effective_on"), Some("form.required"));
        assert_eq!(errors.get("address"), None);
    }

    #[test]
    fn the_college_is_never_a_transformed_school() {
        let mut f = form("MJ", "学院", "");
        f.predecessor = "某成人文化学校".into();
        f.transformed_on = "2022-03-01".into();
        assert_eq!(
            f.parse("college").unwrap_err().get("transformed_on"),
            Some("unit.college_not_transformed")
        );
    }
}
