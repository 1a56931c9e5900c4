//! What the residents' portal computes apart from storage: QR codes as SVG, confirmation
//! codes, phone numbers, months of the calendar.

use chrono::{Datelike, Days, NaiveDate};
use qrcode::{Color, EcLevel, QrCode};

/// `text` as a QR code in SVG: its dark modules in one path (the quiet zone four modules wide),
/// `size` pixels across; the encoding is the `qrcode` crate's, with error correction M.
pub fn qr_svg(text: &str, size: u32) -> String {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let width = code.width();
    let total = width + 8;
    // Each row's runs of dark modules as one rectangle each, in one path: a rect per module
    // made a check-in link 23.5 KB of markup, the runs 4.1.
    let colors = code.to_colors();
    let mut runs = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let n = x - start;
            runs.push_str(&format!("M{} {}h{n}v1h-{n}z", start + 4, y + 4));
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="qr" width="{size}" height="{size}" viewBox="0 0 {total} {total}" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="{total}" height="{total}" fill="#fff"/><path fill="#000" d="{runs}"/></svg>"##
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
        // A check-in link's code is a few KB of markup (a rect per module made it 23).
        let checkin = qr_svg(
            "https://cedu.example.org/d/mengjin/checkin/0123456789abcdef0123",
            140,
        );
        println!("check-in code: {} bytes", checkin.len());
        assert!(checkin.len() < 8_000, "{}", checkin.len());
    }
}
