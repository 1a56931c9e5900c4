//! The item forms of a December submission: what was typed, and its validation.

use super::model::{PERIODS, PLAN_CATEGORIES, POPULATIONS, RESOURCE_CATEGORIES, SHARING};
use super::repo::{PlanItem, ResourceItem, yuan};
use crate::web::forms::{FieldErrors, Pairs, count, text};

#[derive(Debug, Clone, Default)]
pub struct ResourceForm {
    pub category: String,
    pub name: String,
    pub description: String,
    pub location_unit_id: String,
    pub address: String,
    pub capacity: String,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
    pub version: i32,
}

#[derive(Debug, Clone)]
pub struct ResourceInput {
    pub category: String,
    pub name: String,
    pub description: String,
    pub location_unit_id: Option<i64>,
    pub address: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
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

impl ResourceForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            category: p.get("category"),
            name: p.get("name"),
            description: p.get("description"),
            location_unit_id: p.get("location_unit_id"),
            address: p.get("address"),
            capacity: p.get("capacity"),
            opening_times: p.get("opening_times"),
            populations: p.all("populations"),
            sharing: p.get("sharing"),
            contact: p.get("contact"),
            version: p.get("version").parse().unwrap_or(0),
        }
    }

    pub fn from_item(r: &ResourceItem) -> Self {
        Self {
            category: r.category.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            location_unit_id: r
                .location_unit_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            address: r.address.clone(),
            capacity: r.capacity_text(),
            opening_times: r.opening_times.clone(),
            populations: r.populations.clone(),
            sharing: r.sharing.clone(),
            contact: r.contact.clone(),
            version: r.version,
        }
    }

    pub fn has(&self, population: &str) -> bool {
        self.populations.iter().any(|p| p == population)
    }

    /// Checks the item; `units` are the network units it may name as its location.
    pub fn parse(&self, units: &[(i64, String)]) -> Result<ResourceInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let location_unit_id = match self.location_unit_id.trim() {
            "" => None,
            v => match v
                .parse::<i64>()
                .ok()
                .filter(|id| units.iter().any(|(u, _)| u == id))
            {
                Some(id) => Some(id),
                None => {
                    e.add("location_unit_id", "form.choose");
                    None
                }
            },
        };
        let address = text(&mut e, "address", &self.address, false, 200);
        if location_unit_id.is_none() && address.is_empty() {
            e.add("address", "item.place_needed");
        }
        let contact = text(&mut e, "contact", &self.contact, true, 100);
        let input = ResourceInput {
            category: one_of(&mut e, "category", &self.category, &RESOURCE_CATEGORIES),
            name: text(&mut e, "name", &self.name, true, 100),
            description: text(&mut e, "description", &self.description, false, 1000),
            location_unit_id,
            address,
            capacity: count(&mut e, "capacity", &self.capacity),
            opening_times: text(&mut e, "opening_times", &self.opening_times, false, 100),
            populations: populations(&mut e, &self.populations),
            sharing: one_of(&mut e, "sharing", &self.sharing, &SHARING),
            contact,
        };
        e.into_result(input)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanForm {
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: String,
    pub budget_government: String,
    pub budget_donation: String,
    pub budget_learners: String,
    pub budget_other: String,
    pub responsible: String,
    pub version: i32,
}

#[derive(Debug, Clone)]
pub struct PlanInput {
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget: [i64; 4],
    pub responsible: String,
}

/// Yuan as typed (12, 12.5, 1,200.00) into fen.
pub fn fen(e: &mut FieldErrors, field: &'static str, value: &str) -> i64 {
    let value: String = value
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if value.is_empty() {
        return 0;
    }
    let (whole, frac) = value.split_once('.').unwrap_or((&value, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 12
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 2
        && frac.chars().all(|c| c.is_ascii_digit());
    if !ok {
        e.add(field, "item.money_format");
        return 0;
    }
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    whole.parse::<i64>().unwrap_or(0) * 100 + frac
}

impl PlanForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            title: p.get("title"),
            category: p.get("category"),
            populations: p.all("populations"),
            period: p.get("period"),
            place: p.get("place"),
            participants: p.get("participants"),
            budget_government: p.get("budget_government"),
            budget_donation: p.get("budget_donation"),
            budget_learners: p.get("budget_learners"),
            budget_other: p.get("budget_other"),
            responsible: p.get("responsible"),
            version: p.get("version").parse().unwrap_or(0),
        }
    }

    pub fn from_item(p: &PlanItem) -> Self {
        Self {
            title: p.title.clone(),
            category: p.category.clone(),
            populations: p.populations.clone(),
            period: p.period.clone(),
            place: p.place.clone(),
            participants: p.participants_text(),
            budget_government: yuan(p.budget_government),
            budget_donation: yuan(p.budget_donation),
            budget_learners: yuan(p.budget_learners),
            budget_other: yuan(p.budget_other),
            responsible: p.responsible.clone(),
            version: p.version,
        }
    }

    pub fn has(&self, population: &str) -> bool {
        self.populations.iter().any(|p| p == population)
    }

    pub fn parse(&self) -> Result<PlanInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let input = PlanInput {
            title: text(&mut e, "title", &self.title, true, 100),
            category: one_of(&mut e, "category", &self.category, &PLAN_CATEGORIES),
            populations: populations(&mut e, &self.populations),
            period: one_of(&mut e, "period", &self.period, &PERIODS),
            place: text(&mut e, "place", &self.place, false, 100),
            participants: count(&mut e, "participants", &self.participants),
            budget: [
                fen(&mut e, "budget_government", &self.budget_government),
                fen(&mut e, "budget_donation", &self.budget_donation),
                fen(&mut e, "budget_learners", &self.budget_learners),
                fen(&mut e, "budget_other", &self.budget_other),
            ],
            responsible: text(&mut e, "responsible", &self.responsible, true, 50),
        };
        e.into_result(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_are_read_into_fen_and_written_back() {
        let mut e = FieldErrors::default();
        assert_eq!(fen(&mut e, "a", "12"), 1200);
        assert_eq!(fen(&mut e, "a", "1,200.5"), 120050);
        assert_eq!(fen(&mut e, "a", " "), 0);
        assert!(e.is_empty());
        assert_eq!(fen(&mut e, "b", "12.345"), 0);
        assert_eq!(fen(&mut e, "c", "-3"), 0);
        assert_eq!(e.get("b"), Some("item.money_format"));
        assert_eq!(e.get("c"), Some("item.money_format"));
        assert_eq!(yuan(120050), "1200.50");
        assert_eq!(yuan(1200), "12");
    }

    #[test]
    fn a_resource_needs_a_place_a_contact_and_known_choices() {
        let form = ResourceForm {
            category: "casino".into(),
            name: "".into(),
            sharing: "free".into(),
            populations: vec!["martians".into()],
            ..Default::default()
        };
        let e = form.parse(&[]).unwrap_err();
        assert_eq!(e.get("category"), Some("form.choose"));
        assert_eq!(e.get("name"), Some("form.required"));
        assert_eq!(e.get("address"), Some("item.place_needed"));
        assert_eq!(e.get("contact"), Some("form.required"));
        assert_eq!(e.get("populations"), Some("form.choose"));
        let ok = ResourceForm {
            category: "venue".into(),
            name: "城关镇老年活动室".into(),
            location_unit_id: "7".into(),
            sharing: "booking".into(),
            contact: "张老师 0379-1234567".into(),
            populations: vec!["elderly".into()],
            ..Default::default()
        };
        assert_eq!(
            ok.parse(&[(7, "城关镇".into())]).unwrap().location_unit_id,
            Some(7)
        );
    }
}
