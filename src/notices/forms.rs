//! The forms of notices: an objection from the public, its handling, the platform's calendar.

use super::model::MIN_DAYS;
use crate::web::forms::{FieldErrors, Pairs, text, text_block};
use chrono::{Datelike, NaiveDate};

/// An objection as typed on the public page: who and how to reach them only if they wish.
#[derive(Debug, Default, Clone)]
pub struct ObjectionForm {
    pub entry: String,
    pub name: String,
    pub contact: String,
    pub text: String,
}

pub struct ObjectionInput {
    pub entry: String,
    pub name: String,
    pub contact: String,
    pub text: String,
}

impl ObjectionForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            entry: p.get("entry"),
            name: p.get("name"),
            contact: p.get("contact"),
            text: p.get("text"),
        }
    }

    /// `entries` are the names on the notice; an objection names one of them or none (the
    /// notice as a whole).
    pub fn parse(&self, entries: &[String]) -> Result<ObjectionInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let entry = self.entry.trim().to_string();
        if !entry.is_empty() && !entries.contains(&entry) {
            e.add("entry", "form.choose");
        }
        let name = text(&mut e, "name", &self.name, false, 50);
        let contact = text(&mut e, "contact", &self.contact, false, 100);
        let text = text_block(&mut e, "text", &self.text, true, 2000);
        e.into_result(ObjectionInput {
            entry,
            name,
            contact,
            text,
        })
    }
}

pub const OUTCOMES: [&str; 2] = ["upheld", "dismissed"];

/// How the office handled an objection.
pub struct HandlingInput {
    pub outcome: String,
    pub handling: String,
    pub version: i32,
}

pub fn parse_handling(p: &Pairs) -> Result<HandlingInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let outcome = p.get("outcome");
    if !OUTCOMES.contains(&outcome.as_str()) {
        e.add("outcome", "form.choose");
    }
    let handling = text_block(&mut e, "handling", &p.get("handling"), true, 2000);
    let version = p.get("version").parse().unwrap_or(0);
    e.into_result(HandlingInput {
        outcome,
        handling,
        version,
    })
}

/// A year of the calendar as the platform administrator types it, one day a line:
/// `2026-10-01 休 国庆节` (a holiday) or `2026-10-10 班 国庆节调休` (a weekend day worked).
pub fn parse_calendar(year: i32, lines: &str) -> Result<Vec<(NaiveDate, bool, String)>, usize> {
    let mut days: Vec<(NaiveDate, bool, String)> = Vec::new();
    for (n, line) in lines.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let day = words
            .next()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .filter(|d| d.year() == year)
            .ok_or(n + 1)?;
        let working = match words.next() {
            Some("休" | "holiday") => false,
            Some("班" | "workday") => true,
            _ => return Err(n + 1),
        };
        let name: String = words.collect::<Vec<_>>().join(" ");
        if name.chars().count() > 30
            || crate::web::forms::has_control(&name, false)
            || days.iter().any(|(d, _, _)| *d == day)
        {
            return Err(n + 1);
        }
        days.push((day, working, name));
    }
    days.sort_by_key(|d| d.0);
    Ok(days)
}

/// The days of a notice, as typed on a programme's form: at least [`MIN_DAYS`].
pub fn notice_days(e: &mut FieldErrors, field: &'static str, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if n >= MIN_DAYS as i32 && n <= 30 => n,
        _ => {
            e.add(field, "notice.days_min");
            MIN_DAYS as i32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_is_read_one_day_a_line_and_a_bad_line_is_named() {
        let days =
            parse_calendar(2026, "# 国庆\n2026-10-01 休 国庆节\n2026-10-10 班 调休\n").unwrap();
        assert_eq!(days.len(), 2);
        assert!(!days[0].1 && days[1].1);
        assert_eq!(days[0].2, "国庆节");
        assert_eq!(parse_calendar(2026, "2026-10-01 休\n2025-10-01 休"), Err(2));
        assert_eq!(parse_calendar(2026, "2026-10-01 放"), Err(1));
        assert_eq!(parse_calendar(2026, "2026-10-01 休\n2026-10-01 班"), Err(2));
    }
}
