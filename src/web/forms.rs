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

/// Trimmed one-line text; an error under `field` when it is required and empty, longer than
/// `max` characters, or holds a control character (PostgreSQL refuses NUL outright).
pub fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    checked_text(errors, field, value.trim(), required, max, false)
}

/// Like [`text`] for a multi-line field (a textarea): tabs and line breaks are kept, the
/// browser's CRLF read as LF.
pub fn text_block(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    checked_text(
        errors,
        field,
        &value.trim().replace("\r\n", "\n"),
        required,
        max,
        true,
    )
}

fn checked_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
    multiline: bool,
) -> String {
    if has_control(value, multiline) {
        errors.add(field, "form.control_chars");
    } else if required && value.is_empty() {
        errors.add(field, "form.required");
    } else if value.chars().count() > max {
        errors.add(field, "form.too_long");
    }
    value.to_string()
}

/// Whether `value` holds NUL or another C0 control character, or DEL; a multi-line field may
/// hold tabs and line breaks.
pub fn has_control(value: &str, multiline: bool) -> bool {
    value.chars().any(|c| {
        (c.is_ascii_control() || c == '\u{7f}') && !(multiline && matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Whether a percent-encoded URI part (a path or a query string) decodes to a control
/// character: such a request is refused with a 400 page before any handler reads it.
pub fn uri_has_control(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c.is_ascii_control()
            || (c == b'%'
                && b.get(i + 1..i + 3).is_some_and(|hex| {
                    std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .is_some_and(|v| v < 0x20 || v == 0x7f)
                }))
    })
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

/// A whole number within `range` (a year, a percentage), or the error `key` beside `field`;
/// empty is an error too.
pub fn whole(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<i32>,
    key: &'static str,
) -> Option<i32> {
    let n = value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| range.contains(n));
    if n.is_none() {
        errors.add(field, key);
    }
    n
}

/// A year from 2000 to 2100 (a reporting year, a designation's, a round's); an error under
/// `field` otherwise. (Its message, `designation.year_format`, was the first form's and every
/// year field shares it.)
pub fn year(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<i32> {
    whole(errors, field, value, 2000..=2100, "designation.year_format")
}

/// Yuan as typed (12, 12.5, 1,200.00) into fen; an error beside `field` otherwise. Money is kept
/// in fen everywhere.
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

/// Fen as yuan, with two decimals only when needed.
pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}", fen / 100)
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
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
    /// A form filled in from the code (a saved record to edit, a test's post).
    pub fn of(fields: &[(&str, &str)]) -> Self {
        Self(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

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
        assert_eq!(year(&mut errors, "g", " 2026 "), Some(2026));
        assert_eq!(year(&mut errors, "h", "1999"), None);
        assert_eq!(errors.get("h"), Some("designation.year_format"));
        assert_eq!(
            whole(&mut errors, "g", " 2026 ", 2000..=2100, "k"),
            Some(2026)
        );
        assert_eq!(whole(&mut errors, "i", "101", 0..=100, "bad_share"), None);
        assert_eq!(errors.get("i"), Some("bad_share"));
    }

    #[test]
    fn control_characters_are_a_field_error_except_line_breaks_in_a_block() {
        let mut errors = FieldErrors::default();
        assert_eq!(text(&mut errors, "a", "a\0b", true, 10), "a\0b");
        text(&mut errors, "b", "a\nb", true, 10);
        assert_eq!(
            text_block(&mut errors, "c", "a\r\nb\tc", true, 10),
            "a\nb\tc"
        );
        text_block(&mut errors, "d", "a\u{7f}", true, 10);
        assert_eq!(errors.get("a"), Some("form.control_chars"));
        assert_eq!(errors.get("b"), Some("form.control_chars"));
        assert_eq!(errors.get("c"), None);
        assert_eq!(errors.get("d"), Some("form.control_chars"));
    }

    #[test]
    fn encoded_control_characters_in_a_uri_are_found() {
        assert!(uri_has_control("q=a%00b"));
        assert!(uri_has_control("/public/a%0Ab/2025"));
        assert!(uri_has_control("next=/%7f"));
        assert!(!uri_has_control("q=%E5%9F%8E%20a&x=%25"));
        assert!(!uri_has_control("q=%"));
    }

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
}
