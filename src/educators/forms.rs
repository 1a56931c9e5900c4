//! The registry's forms as typed, checked into a person or an entry of hours, with what is
//! wrong beside each field. Personal data is checked for form here and sealed by the handler.

use super::model::{self, AVAILABILITY, EducatorInput, GENDERS, HoursInput, KINDS};
use super::repo::{Choice, Educator, UnitChoice};
use crate::crypto;
use crate::web::forms::{FieldErrors, Pairs, date, text};
use crate::web::save::Compared;

/// What a person's form may choose from, read for the user who fills it.
pub struct Choices {
    pub specialties: Vec<Choice>,
    /// Where they may serve: the town schools and points in the user's scope.
    pub units: Vec<UnitChoice>,
    /// Who may register or review them: the user's own town school, or any (the bureau).
    pub homes: Vec<UnitChoice>,
    pub member_units: Vec<Choice>,
}

/// A person's form, as typed.
#[derive(Debug, Clone, Default)]
pub struct EducatorForm {
    pub name: String,
    pub gender: String,
    pub birth_year: String,
    pub phone: String,
    pub id_number: String,
    pub work_unit: String,
    pub member_unit_id: String,
    pub position: String,
    pub specialties: Vec<String>,
    pub specialty_other: String,
    pub kind: String,
    pub availability: Vec<String>,
    pub home_unit_id: String,
    pub serves: Vec<String>,
    pub version: String,
}

impl EducatorForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            name: p.get("name"),
            gender: p.get("gender"),
            birth_year: p.get("birth_year"),
            phone: p.get("phone"),
            id_number: p.get("id_number"),
            work_unit: p.get("work_unit"),
            member_unit_id: p.get("member_unit_id"),
            position: p.get("position"),
            specialties: p.all("specialties"),
            specialty_other: p.get("specialty_other"),
            kind: p.get("kind"),
            availability: p.all("availability"),
            home_unit_id: p.get("home_unit_id"),
            serves: p.all("serves"),
            version: p.get("version"),
        }
    }

    /// The form of a stored person; the ID number is never put back in a form.
    pub fn from_educator(e: &Educator) -> Self {
        Self {
            name: e.name.clone(),
            gender: e.gender.clone(),
            birth_year: e.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            phone: e.phone.clone(),
            id_number: String::new(),
            work_unit: e.work_unit.clone(),
            member_unit_id: e
                .member_unit_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            position: e.position.clone(),
            specialties: e.specialties.iter().map(i64::to_string).collect(),
            specialty_other: e.specialty_other.clone(),
            kind: e.kind.clone(),
            availability: e.availability.clone(),
            home_unit_id: e.home_unit_id.to_string(),
            serves: e.serves.iter().map(i64::to_string).collect(),
            version: e.version.to_string(),
        }
    }

    pub fn has(&self, list: &str, value: &str) -> bool {
        let values = match list {
            "specialties" => &self.specialties,
            "availability" => &self.availability,
            _ => &self.serves,
        };
        values.iter().any(|v| v == value)
    }

    /// Checks every field; `phone_required` is false only for an import row that has none.
    pub fn parse(&self, c: &Choices) -> Result<EducatorInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(&mut e, "name", &self.name, true, 50);
        let gender = self.gender.trim().to_string();
        if !gender.is_empty() && !GENDERS.contains(&gender.as_str()) {
            e.add("gender", "form.choose");
        }
        let birth_year = match self.birth_year.trim() {
            "" => None,
            y => match y.parse::<i32>() {
                Ok(y) if (1920..=2015).contains(&y) => Some(y),
                _ => {
                    e.add("birth_year", "educator.birth_year_format");
                    None
                }
            },
        };
        let phone = match crypto::parse_phone(&self.phone) {
            Some(p) => p,
            None => {
                let typed = text(&mut e, "phone", &self.phone, true, 20);
                if !typed.is_empty() {
                    e.add("phone", "educator.phone_format");
                }
                String::new()
            }
        };
        let id_number = match self.id_number.trim() {
            "" => None,
            typed => match crypto::parse_id_number(typed) {
                Some(id) => Some(id),
                None => {
                    e.add("id_number", "educator.id_format");
                    None
                }
            },
        };
        let member_unit_id = match self.member_unit_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if c.member_units.iter().any(|m| m.id == id) => Some(id),
                _ => {
                    e.add("member_unit_id", "form.choose");
                    None
                }
            },
        };
        let specialties: Vec<i64> = self
            .specialties
            .iter()
            .filter_map(|s| s.parse().ok())
            .filter(|id| c.specialties.iter().any(|s| s.id == *id))
            .collect();
        if specialties.len() != self.specialties.len() {
            e.add("specialties", "form.choose");
        }
        let specialty_other = text(&mut e, "specialty_other", &self.specialty_other, false, 50);
        if specialties.is_empty() && specialty_other.is_empty() {
            e.add("specialties", "educator.specialty_required");
        }
        let kind = self.kind.trim().to_string();
        if !KINDS.contains(&kind.as_str()) {
            e.add("kind", "form.choose");
        }
        let availability: Vec<String> = AVAILABILITY
            .iter()
            .filter(|a| self.availability.iter().any(|x| x == *a))
            .map(|a| a.to_string())
            .collect();
        if availability.len() != self.availability.len() {
            e.add("availability", "form.choose");
        }
        let home_unit_id = self
            .home_unit_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| c.homes.iter().any(|h| h.id == *id));
        if home_unit_id.is_none() {
            e.add("home_unit_id", "educator.home_required");
        }
        let serves: Vec<i64> = self
            .serves
            .iter()
            .filter_map(|s| s.parse().ok())
            .filter(|id| c.units.iter().any(|u| u.id == *id))
            .collect();
        if serves.len() != self.serves.len() {
            e.add("serves", "form.choose");
        } else if serves.is_empty() {
            e.add("serves", "educator.serves_required");
        }
        let input = EducatorInput {
            name,
            gender,
            birth_year,
            phone,
            id_number,
            work_unit: text(&mut e, "work_unit", &self.work_unit, false, 100),
            member_unit_id,
            position: text(&mut e, "position", &self.position, false, 50),
            specialties,
            specialty_other,
            kind,
            availability,
            home_unit_id: home_unit_id.unwrap_or_default(),
            serves,
        };
        e.into_result(input)
    }

    /// What was typed beside what is saved, for a stale save's conflict page.
    pub fn compare(&self, saved: &Educator) -> Vec<Compared> {
        vec![
            Compared::new("educator.name", &self.name, &saved.name),
            Compared::new(
                "educator.phone",
                crypto::mask_phone(&self.phone),
                saved.phone_masked(),
            ),
            Compared::new("educator.work_unit", &self.work_unit, &saved.work_unit),
            Compared::new("educator.position", &self.position, &saved.position),
            Compared::new(
                "educator.specialty_other",
                &self.specialty_other,
                &saved.specialty_other,
            ),
            Compared::new("educator.kind", &self.kind, &saved.kind),
        ]
    }
}

/// An entry of hours, as typed: a date, and either start and end or a duration.
#[derive(Debug, Clone, Default)]
pub struct HoursForm {
    pub unit_id: String,
    pub served_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub hours: String,
    pub content: String,
}

impl HoursForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            unit_id: p.get("unit_id"),
            served_on: p.get("served_on"),
            starts_at: p.get("starts_at"),
            ends_at: p.get("ends_at"),
            hours: p.get("hours"),
            content: p.get("content"),
        }
    }

    /// Checks the entry: a unit among `units`, a date not in the future, whole quarter hours.
    pub fn parse(
        &self,
        units: &[UnitChoice],
        today: chrono::NaiveDate,
    ) -> Result<HoursInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let unit_id = self
            .unit_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| units.iter().any(|u| u.id == *id));
        if unit_id.is_none() {
            e.add("unit_id", "hours.unit_required");
        }
        let served_on = date(&mut e, "served_on", &self.served_on, true);
        if served_on.is_some_and(|d| d > today) {
            e.add("served_on", "hours.future");
        }
        let time = |e: &mut FieldErrors, field: &'static str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            let parsed = chrono::NaiveTime::parse_from_str(value, "%H:%M").ok();
            if parsed.is_none() {
                e.add(field, "hours.time_format");
            }
            parsed
        };
        let starts_at = time(&mut e, "starts_at", &self.starts_at);
        let ends_at = time(&mut e, "ends_at", &self.ends_at);
        let minutes = match (starts_at, ends_at, self.hours.trim()) {
            (Some(s), Some(t), _) => {
                let m = model::minutes_between(s, t);
                if m.is_none() {
                    e.add("ends_at", "hours.quarters");
                }
                m
            }
            (None, None, "")
                if self.starts_at.trim().is_empty() && self.ends_at.trim().is_empty() =>
            {
                e.add("hours", "hours.duration_required");
                None
            }
            (None, None, typed) if !typed.is_empty() => {
                let m = model::minutes_of_hours(typed);
                if m.is_none() {
                    e.add("hours", "hours.quarters");
                }
                m
            }
            _ => {
                if e.get("starts_at").is_none() && e.get("ends_at").is_none() {
                    e.add("ends_at", "hours.both_times");
                }
                None
            }
        };
        let content = text(&mut e, "content", &self.content, true, 200);
        match (unit_id, served_on, minutes, e.is_empty()) {
            (Some(unit_id), Some(served_on), Some(minutes), true) => Ok(HoursInput {
                unit_id,
                served_on,
                starts_at,
                ends_at,
                minutes,
                content,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Choices {
        Choices {
            specialties: vec![Choice {
                id: 1,
                name: "书法".into(),
            }],
            units: vec![UnitChoice {
                id: 10,
                name: "城关镇".into(),
                kind: "town_school".into(),
            }],
            homes: vec![UnitChoice {
                id: 10,
                name: "城关镇".into(),
                kind: "town_school".into(),
            }],
            member_units: vec![],
        }
    }

    #[test]
    fn a_person_needs_a_name_a_phone_a_specialty_and_where_they_serve() {
        let form = EducatorForm {
            name: "李华".into(),
            phone: "138 1234 5678".into(),
            id_number: "11010519491231002x".into(),
            specialties: vec!["1".into()],
            kind: "volunteer".into(),
            availability: vec!["weekend_day".into()],
            home_unit_id: "10".into(),
            serves: vec!["10".into()],
            ..Default::default()
        };
        let input = form.parse(&choices()).unwrap();
        assert_eq!(input.phone, "13812345678");
        assert_eq!(input.id_number.as_deref(), Some("11010519491231002X"));
        let bad = EducatorForm {
            phone: "12".into(),
            id_number: "110105194912310021".into(),
            serves: vec!["99".into()],
            ..Default::default()
        };
        let errors = bad.parse(&choices()).unwrap_err();
        for field in [
            "name",
            "phone",
            "id_number",
            "specialties",
            "kind",
            "home_unit_id",
            "serves",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn an_entry_takes_times_or_a_duration_in_quarter_hours_never_the_future() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let units = choices().units;
        let form = |starts: &str, ends: &str, hours: &str, on: &str| HoursForm {
            unit_id: "10".into(),
            served_on: on.into(),
            starts_at: starts.into(),
            ends_at: ends.into(),
            hours: hours.into(),
            content: "书法课".into(),
        };
        assert_eq!(
            form("14:00", "17:30", "", "2026-11-28")
                .parse(&units, today)
                .unwrap()
                .minutes,
            210
        );
        assert_eq!(
            form("", "", "2.5", "2026-11-28")
                .parse(&units, today)
                .unwrap()
                .minutes,
            150
        );
        let e = form("14:00", "14:10", "", "2026-11-28")
            .parse(&units, today)
            .unwrap_err();
        assert_eq!(e.get("ends_at"), Some("hours.quarters"));
        let e = form("", "", "", "2026-12-02")
            .parse(&units, today)
            .unwrap_err();
        assert_eq!(e.get("served_on"), Some("hours.future"));
        assert_eq!(e.get("hours"), Some("hours.duration_required"));
        let e = form("14:00", "", "", "2026-11-28")
            .parse(&units, today)
            .unwrap_err();
        assert_eq!(e.get("ends_at"), Some("hours.both_times"));
    }
}
