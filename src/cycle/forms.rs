//! The cycle's forms as typed, and their checks into the model's input: a new cycle and its
//! window here; the item forms (which a spreadsheet's rows fill in too) and the uploaded
//! workbook in `forms/`.

mod plan;
mod resource;
pub mod sheet;

pub use plan::{PLAN_SHEET, PlanForm};
pub use resource::{RESOURCE_SHEET, ResourceForm};

use super::model::{CycleInput, FILER_KINDS, POPULATIONS, Window};
use super::repo::Cycle;
use crate::web::forms::{FieldErrors, Pairs, date, year};
use crate::web::save::Compared;

/// The form to open a year's cycle, as typed.
#[derive(Debug, Clone, Default)]
pub struct CycleForm {
    pub year: String,
    pub opens_on: String,
    pub due_on: String,
    /// The kinds of filer ticked (only known kinds are kept).
    pub filers: Vec<String>,
}

impl CycleForm {
    /// This December's cycle, every kind of filer asked.
    pub fn this_year(year: i32) -> Self {
        Self {
            year: year.to_string(),
            opens_on: format!("{year}-12-01"),
            due_on: format!("{year}-12-31"),
            filers: FILER_KINDS.iter().map(|k| k.to_string()).collect(),
        }
    }

    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            year: p.get("year"),
            opens_on: p.get("opens_on"),
            due_on: p.get("due_on"),
            filers: p
                .all("filers")
                .into_iter()
                .filter(|f| FILER_KINDS.contains(&f.as_str()))
                .collect(),
        }
    }

    pub fn chosen(&self, kind: &str) -> bool {
        self.filers.iter().any(|f| f == kind)
    }

    pub fn parse(&self) -> Result<CycleInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let year = year(&mut errors, "year", &self.year);
        let window = window(&mut errors, &self.opens_on, &self.due_on);
        if self.filers.is_empty() {
            errors.add("filers", "cycle.no_filers");
        }
        match (year, window, errors.is_empty()) {
            (Some(year), Some(window), true) => Ok(CycleInput {
                year,
                window,
                filers: self.filers.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// The form that moves a cycle's window, as typed, with the version the board showed.
#[derive(Debug, Clone, Default)]
pub struct WindowForm {
    pub opens_on: String,
    pub due_on: String,
    pub version: i32,
}

impl WindowForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            opens_on: p.get("opens_on"),
            due_on: p.get("due_on"),
            version: p.get("version").parse().unwrap_or(0),
        }
    }

    pub fn parse(&self) -> Result<Window, FieldErrors> {
        let mut errors = FieldErrors::default();
        let window = window(&mut errors, &self.opens_on, &self.due_on);
        match window {
            Some(w) if errors.is_empty() => Ok(w),
            _ => Err(errors),
        }
    }

    /// What was typed beside what is saved, for a stale save's conflict page.
    pub fn compare(&self, saved: &Cycle) -> Vec<Compared> {
        vec![
            Compared::new("cycle.opens_on", self.opens_on.trim(), saved.opens_on),
            Compared::new("cycle.due_on", self.due_on.trim(), saved.due_on),
        ]
    }
}

/// A window of two dates, due on or after it opens.
fn window(errors: &mut FieldErrors, opens_on: &str, due_on: &str) -> Option<Window> {
    let opens_on = date(errors, "opens_on", opens_on, true);
    let due_on = date(errors, "due_on", due_on, true);
    let (opens_on, due_on) = (opens_on?, due_on?);
    if due_on < opens_on {
        errors.add("due_on", "cycle.due_before_open");
        return None;
    }
    Some(Window { opens_on, due_on })
}

fn one_of(e: &mut FieldErrors, field: &'static str, value: &str, allowed: &[&str]) -> String {
    if !allowed.contains(&value) {
        e.add(field, "form.choose");
    }
    value.to_string()
}

fn populations(e: &mut FieldErrors, values: &[String]) -> Vec<String> {
    if values.iter().any(|v| !POPULATIONS.contains(&v.as_str())) {
        e.add("populations", "form.choose");
    }
    POPULATIONS
        .iter()
        .filter(|p| values.iter().any(|v| v == *p))
        .map(|p| p.to_string())
        .collect()
}

/// Codes of an area of the catalogue as their labels, in one line (`tr` gives a key's text).
pub fn labels(tr: impl Fn(&str) -> String, area: &str, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| tr(&format!("{area}.{c}")))
        .collect::<Vec<_>>()
        .join("、")
}

/// The column of a sheet (a catalogue key) that fills form field `field`.
pub fn column_of(sheet: &[(&str, &str)], field: &str) -> String {
    sheet
        .iter()
        .find(|(f, _)| *f == field)
        .map_or_else(|| field.to_string(), |(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_two_dates_due_on_or_after_it_opens() {
        let form = |o: &str, d: &str| WindowForm {
            opens_on: o.into(),
            due_on: d.into(),
            version: 1,
        };
        assert!(form("2026-12-01", "2026-12-01").parse().is_ok());
        let e = form("2026-12-31", "2026-12-01").parse().unwrap_err();
        assert_eq!(e.get("due_on"), Some("cycle.due_before_open"));
        let e = form("", "12/31").parse().unwrap_err();
        assert_eq!(e.get("opens_on"), Some("form.required"));
        assert_eq!(e.get("due_on"), Some("form.date"));
    }

    #[test]
    fn a_cycle_needs_a_year_and_a_kind_of_filer() {
        let mut form = CycleForm::this_year(2026);
        assert_eq!(form.parse().unwrap().filers.len(), 4);
        form.year = "26".into();
        form.filers.clear();
        let e = form.parse().unwrap_err();
        assert_eq!(e.get("year"), Some("designation.year_format"));
        assert_eq!(e.get("filers"), Some("cycle.no_filers"));
    }
}
