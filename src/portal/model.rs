//! What the residents' portal computes apart from storage: QR codes as SVG, confirmation
//! codes, phone numbers, months of the calendar.

use chrono::{Datelike, Days, NaiveDate};
use qrcode::{Color, EcLevel, QrCode};

/// `text` as a QR code in SVG: one square per dark module (the quiet zone four modules wide),
/// `size` pixels across; the encoding is the `qrcode` crate's, with error correction M.
pub fn qr_svg(text: &str, size: u32) -> String {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let width = code.width();
    let total = width + 8;
    let mut rects = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            rects.push_str(&format!(r#"<rect x="{x}" y="{y}" width="1" height="1"/>"#));
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="qr" width="{size}" height="{size}" viewBox="0 0 {total} {total}" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="{total}" height="{total}" fill="#fff"/><g fill="#000">{rects}</g></svg>"##
    )
}

/// A mainland mobile number as typed (spaces and dashes allowed): 11 digits from 1[3-9].
pub fn phone(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    ok.then_some(digits)
}

/// Six digits from a random token, for the resident to show or type at check-in.
pub fn code_of(token: &str) -> String {
    let n = u64::from_str_radix(&token[..12.min(token.len())], 16).unwrap_or(0);
    format!("{:06}", n % 1_000_000)
}

/// The first and last day of the month of `day`.
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (first, next.map(|n| n - Days::new(1)).unwrap_or(first))
}

/// A month written `2026-12`.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_codes_and_months() {
        assert_eq!(phone("138 0013-8000").as_deref(), Some("13800138000"));
        assert_eq!(phone("12800138000"), None);
        assert_eq!(phone("1380013800"), None);
        assert_eq!(code_of("00000000000f"), "000015");
        assert_eq!(code_of("ffffffffffff").len(), 6);
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            month_of(d).1,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(
            parse_month("2026-02").map(|m| month_of(m).1.day()),
            Some(28)
        );
        assert!(qr_svg("https://example.org/d/mengjin", 200).starts_with("<svg"));
    }
}
