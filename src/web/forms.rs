//! Form helpers: errors kept per field, shown beside it, as catalogue keys.

use std::collections::BTreeMap;

/// What is wrong with a submitted form, field by field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<&'static str, &'static str>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.entry(field).or_insert(key);
    }

    /// The catalogue key of the error beside `field`, if any.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.get(field).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trimmed text; an error under `field` when it is required and empty or longer than `max` characters.
pub fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.trim().to_string();
    if required && value.is_empty() {
        errors.add(field, "form.required");
    } else if value.chars().count() > max {
        errors.add(field, "form.too_long");
    }
    value
}
