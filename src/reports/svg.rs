//! Charts as SVG drawn on the server: readable without JavaScript, printable, accessible.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar per row: (label, value, text shown after the bar), scaled to `max`.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64) -> String {
    const ROW: usize = 26;
    const LABEL: f64 = 190.0;
    const WIDTH: f64 = 360.0;
    let height = rows.len() * ROW + 8;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 640 {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title)
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = i * ROW + 4;
        let w = if max > 0.0 {
            (value / max).clamp(0.0, 1.0) * WIDTH
        } else {
            0.0
        };
        svg.push_str(&format!(
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="label">{label}</text><rect x="{bx}" y="{y}" width="{w:.1}" height="18" rx="3" class="bar"/><text x="{vx:.1}" y="{ty}" class="value">{text}</text>"#,
            lx = LABEL - 8.0,
            ty = y + 14,
            label = escape(label),
            bx = LABEL,
            vx = LABEL + w + 6.0,
            text = escape(text),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A progress bar toward a target; `share` is 0..=1, `state` a CSS class (met, late, ...).
pub fn progress(label: &str, share: f64, state: &str) -> String {
    let w = share.clamp(0.0, 1.0) * 200.0;
    format!(
        r#"<svg class="progress {state}" role="img" aria-label="{l}" viewBox="0 0 200 12" width="200" height="12" xmlns="http://www.w3.org/2000/svg"><rect width="200" height="12" rx="6" class="track"/><rect width="{w:.1}" height="12" rx="6" class="fill"/></svg>"#,
        l = escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "覆盖率",
            &[
                ("A<B".into(), 50.0, "50%".into()),
                ("C".into(), 100.0, "100%".into()),
            ],
            100.0,
        );
        assert!(svg.contains("A&lt;B"));
        assert!(svg.contains(r#"width="180.0""#) && svg.contains(r#"width="360.0""#));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn progress_never_overflows() {
        assert!(progress("x", 1.7, "met").contains(r#"width="200.0""#));
        assert!(progress("x", -1.0, "late").contains(r#"width="0.0""#));
    }
}
