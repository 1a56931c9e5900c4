//! Form helpers: errors kept per field, shown beside it, as catalogue keys; and parsers that
//! take what was typed (always kept as text) into typed values.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use chrono::NaiveDate;
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

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
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

/// A whole number from 0 to 1,000,000; empty is `None`.
pub fn count(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<i32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.add(field, "form.count");
            None
        }
    }
}

/// A date written YYYY-MM-DD; empty is `None` (or an error when required).
pub fn date(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        if required {
            errors.add(field, "form.required");
        }
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) if (1949..=2100).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            errors.add(field, "form.date");
            None
        }
    }
}

/// A form body as name–value pairs, repeated names (checkboxes) included.
#[derive(Debug, Default, Clone)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Pairs {
    type Rejection = axum::http::StatusCode;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| axum::http::StatusCode::BAD_REQUEST)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Pairs)
            .map_err(|_| axum::http::StatusCode::BAD_REQUEST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_dates_parse_or_say_why_not() {
        let mut errors = FieldErrors::default();
        assert_eq!(count(&mut errors, "a", " 12 "), Some(12));
        assert_eq!(count(&mut errors, "b", ""), None);
        assert_eq!(count(&mut errors, "c", "-3"), None);
        assert_eq!(
            date(&mut errors, "d", "2022-06-30", true),
            NaiveDate::from_ymd_opt(2022, 6, 30)
        );
        assert_eq!(date(&mut errors, "e", "2022/6/30", false), None);
        assert_eq!(date(&mut errors, "f", "", true), None);
        assert_eq!(errors.get("c"), Some("form.count"));
        assert_eq!(errors.get("e"), Some("form.date"));
        assert_eq!(errors.get("f"), Some("form.required"));
        assert_eq!(errors.get("b"), None);
    }
}
