//! A resource of the inventory as typed, in its form or in a row of the lists' workbook, and
//! its checks.

use super::{labels, one_of, populations};
use crate::cycle::model::{POPULATIONS, RESOURCE_CATEGORIES, ResourceInput, SHARING};
use crate::cycle::repo::resources::ResourceItem;
use crate::reports::xlsx_in::{RawRow, by_label, list_by_label};
use crate::web::forms::{FieldErrors, Pairs, count, text};
use crate::web::save::Compared;

/// The workbook's resource sheet: each form field and the column (a catalogue key) it is in.
pub const RESOURCE_SHEET: [(&str, &str); 10] = [
    ("category", "item.category"),
    ("name", "item.name"),
    ("description", "item.description"),
    ("location_unit_id", "item.location"),
    ("address", "item.address"),
    ("capacity", "item.capacity"),
    ("opening_times", "item.opening_times"),
    ("populations", "item.populations"),
    ("sharing", "item.sharing"),
    ("contact", "item.contact"),
];

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

impl ResourceForm {
    /// A new resource's form: free to use unless said otherwise.
    pub fn blank() -> Self {
        Self {
            sharing: "free".into(),
            ..Default::default()
        }
    }

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

    /// A row of the workbook, its choices written as labels and its place as a unit's name
    /// (one of `units`, else an unknown place).
    pub fn from_sheet(r: &RawRow, units: &[(i64, String)]) -> Self {
        let location_unit_id = match r.get("item.location").trim() {
            "" => String::new(),
            name => units
                .iter()
                .find(|(_, n)| n == name)
                .map_or_else(|| "?".into(), |(id, _)| id.to_string()),
        };
        Self {
            category: by_label(&r.get("item.category"), "resource", &RESOURCE_CATEGORIES)
                .map_or_else(|| r.get("item.category"), str::to_string),
            name: r.get("item.name"),
            description: r.get("item.description"),
            location_unit_id,
            address: r.get("item.address"),
            capacity: r.get("item.capacity"),
            opening_times: r.get("item.opening_times"),
            populations: list_by_label(&r.get("item.populations"), "population", &POPULATIONS),
            sharing: by_label(&r.get("item.sharing"), "sharing", &SHARING)
                .map_or_else(|| r.get("item.sharing"), str::to_string),
            contact: r.get("item.contact"),
            version: 0,
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

    /// What was typed beside what is saved, for a stale save's conflict page; choices by their
    /// labels (`tr`), the place by its unit's name among `units`.
    pub fn compare(
        &self,
        saved: &ResourceItem,
        units: &[(i64, String)],
        tr: impl Fn(&str) -> String,
    ) -> Vec<Compared> {
        let unit = |id: &str| {
            units
                .iter()
                .find(|(u, _)| u.to_string() == id.trim())
                .map(|(_, name)| name.clone())
                .unwrap_or_default()
        };
        let saved_unit = saved
            .location_unit_id
            .map(|id| unit(&id.to_string()))
            .unwrap_or_default();
        vec![
            Compared::new(
                "item.category",
                tr(&format!("resource.{}", self.category)),
                tr(&saved.category_label()),
            ),
            Compared::new("item.name", &self.name, &saved.name),
            Compared::new("item.description", &self.description, &saved.description),
            Compared::new("item.location", unit(&self.location_unit_id), saved_unit),
            Compared::new("item.address", &self.address, &saved.address),
            Compared::new("item.capacity", &self.capacity, saved.capacity_text()),
            Compared::new(
                "item.opening_times",
                &self.opening_times,
                &saved.opening_times,
            ),
            Compared::new(
                "item.populations",
                labels(&tr, "population", &self.populations),
                labels(&tr, "population", &saved.populations),
            ),
            Compared::new(
                "item.sharing",
                tr(&format!("sharing.{}", self.sharing)),
                tr(&saved.sharing_label()),
            ),
            Compared::new("item.contact", &self.contact, &saved.contact),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
