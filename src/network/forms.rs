//! The unit form: what was typed, and its validation into values to save.

use crate::web::forms::{FieldErrors, text};
use serde::Deserialize;

/// What the form posts; kept as typed so a form with errors shows it again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    pub area: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub version: i32,
}

/// Validated values, ready to save.
#[derive(Debug, Clone)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub area: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
}

impl UnitForm {
    pub fn parse(&self) -> Result<UnitInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = text(&mut errors, "code", &self.code, true, 32);
        if !code.is_empty()
            && !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.add("code", "unit.code_format");
        }
        let name = text(&mut errors, "name", &self.name, true, 100);
        let area = text(&mut errors, "area", &self.area, false, 100);
        let address = text(&mut errors, "address", &self.address, false, 200);
        let contact_name = text(&mut errors, "contact_name", &self.contact_name, false, 50);
        let contact_phone = text(&mut errors, "contact_phone", &self.contact_phone, false, 30);
        if !contact_phone.is_empty() && !is_phone(&contact_phone) {
            errors.add("contact_phone", "unit.phone_format");
        }
        errors.into_result(UnitInput {
            code,
            name,
            area,
            address,
            contact_name,
            contact_phone,
        })
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
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_parses_trimmed() {
        let input = form(" HY-01 ", " 河阳街道社区教育学校 ", "0379-6791 2345")
            .parse()
            .unwrap();
        assert_eq!(input.code, "HY-01");
        assert_eq!(input.name, "河阳街道社区教育学校");
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let errors = form("河阳", "", "call me").parse().unwrap_err();
        assert_eq!(errors.get("code"), Some("unit.code_format"));
        assert_eq!(errors.get("name"), Some("form.required"));
        assert_eq!(errors.get("contact_phone"), Some("unit.phone_format"));
        assert_eq!(errors.get("address"), None);
    }
}
