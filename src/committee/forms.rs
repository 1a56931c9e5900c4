//! The member and member unit forms: the fields as typed, checked into input with an error
//! beside each field; the saved record as a form to edit; and what was typed beside what is
//! saved, for a stale save's conflict page.

use super::model::{MemberInput, ROLES, UnitInput};
use super::repo::{Member, MemberUnit};
use crate::web::forms::{FieldErrors, Pairs, date, text, text_block};
use crate::web::save::Compared;
use chrono::NaiveDate;

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A member's form: `units` are the member units a member may belong to.
pub fn parse_member(p: &Pairs, units: &[(i64, String)]) -> Result<MemberInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let role = p.get("committee_role");
    if !ROLES.contains(&role.as_str()) {
        e.add("committee_role", "form.choose");
    }
    let start = date(&mut e, "term_start", &p.get("term_start"), false);
    let end = date(&mut e, "term_end", &p.get("term_end"), false);
    if let (Some(s), Some(t)) = (start, end)
        && t < s
    {
        e.add("term_end", "committee.term_order");
    }
    let unit = match p.get("member_unit_id").trim() {
        "" => None,
        typed => {
            let id = typed.parse::<i64>().ok();
            if !units.iter().any(|(u, _)| Some(*u) == id) {
                e.add("member_unit_id", "form.choose");
            }
            id
        }
    };
    let input = MemberInput {
        name: text(&mut e, "name", &p.get("name"), true, 50),
        role,
        position: text(&mut e, "position", &p.get("position"), false, 100),
        unit,
        start,
        end,
    };
    e.into_result(input)
}

/// A saved member as its form.
pub fn member_pairs(m: &Member) -> Pairs {
    let unit = m.member_unit_id.map(|i| i.to_string()).unwrap_or_default();
    Pairs::of(&[
        ("name", &m.name),
        ("committee_role", &m.committee_role),
        ("position", &m.position),
        ("member_unit_id", &unit),
        ("term_start", &day(m.term_start)),
        ("term_end", &day(m.term_end)),
        ("version", &m.version.to_string()),
    ])
}

/// What was typed beside what is saved; `label` reads a catalogue key.
pub fn compare_member(
    p: &Pairs,
    saved: &Member,
    units: &[(i64, String)],
    label: impl Fn(&str) -> String,
) -> Vec<Compared> {
    let typed_unit = p.get("member_unit_id");
    let unit_name = units
        .iter()
        .find(|(id, _)| id.to_string() == typed_unit)
        .map_or(String::new(), |(_, name)| name.clone());
    vec![
        Compared::new("committee.name", p.get("name"), &saved.name),
        Compared::new(
            "committee.role",
            label(&format!("committee.{}", p.get("committee_role"))),
            label(&saved.role_label()),
        ),
        Compared::new("committee.position", p.get("position"), &saved.position),
        Compared::new(
            "committee.unit",
            unit_name,
            saved.unit_name.clone().unwrap_or_default(),
        ),
        Compared::new(
            "committee.term_start",
            p.get("term_start"),
            day(saved.term_start),
        ),
        Compared::new("committee.term_end", p.get("term_end"), day(saved.term_end)),
    ]
}

pub fn parse_unit(p: &Pairs) -> Result<UnitInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let code = text(&mut e, "code", &p.get("code"), true, 32);
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        e.add("code", "unit.code_format");
    }
    let input = UnitInput {
        code,
        name: text(&mut e, "name", &p.get("name"), true, 100),
        duties: text_block(&mut e, "duties", &p.get("duties"), false, 2000),
        contact_name: text(&mut e, "contact_name", &p.get("contact_name"), false, 50),
        contact_phone: text(&mut e, "contact_phone", &p.get("contact_phone"), false, 30),
        active: p.get("active") != "0",
    };
    e.into_result(input)
}

/// A saved member unit as its form.
pub fn unit_pairs(u: &MemberUnit) -> Pairs {
    Pairs::of(&[
        ("code", &u.code),
        ("name", &u.name),
        ("duties", &u.duties),
        ("contact_name", &u.contact_name),
        ("contact_phone", &u.contact_phone),
        ("active", if u.active { "1" } else { "0" }),
        ("version", &u.version.to_string()),
    ])
}

/// What was typed beside what is saved; `label` reads a catalogue key.
pub fn compare_unit(
    p: &Pairs,
    saved: &MemberUnit,
    label: impl Fn(&str) -> String,
) -> Vec<Compared> {
    let state = |active: bool| {
        label(if active {
            "unit.active"
        } else {
            "unit.inactive"
        })
    };
    vec![
        Compared::new("committee.unit", p.get("name"), &saved.name),
        Compared::new("unit.code", p.get("code"), &saved.code),
        Compared::new("committee.duties", p.get("duties"), &saved.duties),
        Compared::new(
            "unit.contact_name",
            p.get("contact_name"),
            &saved.contact_name,
        ),
        Compared::new(
            "unit.contact_phone",
            p.get("contact_phone"),
            &saved.contact_phone,
        ),
        Compared::new(
            "unit.status",
            state(p.get("active") != "0"),
            state(saved.active),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Pairs {
        Pairs::of(fields)
    }

    #[test]
    fn a_member_needs_a_role_a_name_a_term_in_order_and_a_known_unit() {
        let units = [(7, "区妇联".to_string())];
        let errors = parse_member(
            &pairs(&[
                ("committee_role", "king"),
                ("term_start", "2026-01-01"),
                ("term_end", "2025-01-01"),
                ("member_unit_id", "8"),
            ]),
            &units,
        )
        .err()
        .unwrap();
        assert_eq!(errors.get("committee_role"), Some("form.choose"));
        assert_eq!(errors.get("name"), Some("form.required"));
        assert_eq!(errors.get("term_end"), Some("committee.term_order"));
        assert_eq!(errors.get("member_unit_id"), Some("form.choose"));
        let ok = parse_member(
            &pairs(&[
                ("name", " 赵委员 "),
                ("committee_role", "member"),
                ("member_unit_id", "7"),
            ]),
            &units,
        )
        .ok()
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.unit), ("赵委员", Some(7)));
    }

    #[test]
    fn a_member_units_code_is_letters_digits_and_dashes() {
        let bad = parse_unit(&pairs(&[("code", "区 1"), ("name", "x")]))
            .err()
            .unwrap();
        assert_eq!(bad.get("code"), Some("unit.code_format"));
        let ok = parse_unit(&pairs(&[
            ("code", "MU-KX"),
            ("name", "区科协"),
            ("active", "0"),
        ]))
        .ok()
        .unwrap();
        assert!(!ok.active);
    }
}
