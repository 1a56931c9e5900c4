//! The policy targets' forms: a target's value and deadline, and a new year.

use super::model::TargetInput;
use crate::web::forms::{FieldErrors, Pairs, date, year};
use crate::web::save::Compared;

/// A target's value (0 to 100,000) and deadline as typed, checked.
pub fn parse_target(p: &Pairs) -> Result<TargetInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let target = p
        .get("target")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|t| (0..=100_000).contains(t));
    if target.is_none() {
        errors.add("target", "form.count");
    }
    let deadline = date(&mut errors, "deadline", &p.get("deadline"), true);
    match (target, deadline, errors.is_empty()) {
        (Some(target), Some(deadline), true) => Ok(TargetInput { target, deadline }),
        _ => Err(errors),
    }
}

/// What was typed beside what is saved, for a stale save's conflict page.
pub fn compare_target(p: &Pairs, saved: &super::repo::Target) -> Vec<Compared> {
    vec![
        Compared::new("target.target", p.get("target"), saved.target),
        Compared::new("target.deadline", p.get("deadline"), saved.deadline),
    ]
}

/// A new year of targets.
pub fn parse_year(p: &Pairs) -> Result<i32, FieldErrors> {
    let mut errors = FieldErrors::default();
    year(&mut errors, "year", &p.get("year")).ok_or(errors)
}
