//! What an award programme is, apart from how it is typed or stored: its kinds and steps, the
//! nominations' steps, the panel's arithmetic, certificate numbers.

pub const KINDS: [&str; 7] = [
    "learning_star",
    "brand_project",
    "reading_family",
    "volunteer",
    "advanced_collective",
    "advanced_individual",
    "other",
];

pub const NOMINEE_KINDS: [&str; 4] = ["person", "project", "family", "unit"];
pub const NOMINATORS: [&str; 3] = ["town_school", "college", "member_unit"];

/// Who a programme of `kind` names, unless the bureau says otherwise.
pub fn nominee_kind_of(kind: &str) -> &'static str {
    match kind {
        "brand_project" => "project",
        "reading_family" => "family",
        "advanced_collective" => "unit",
        _ => "person",
    }
}

/// A commendation of 先进集体 / 先进个人 needs an approved commendation project's number.
pub fn needs_approval(kind: &str) -> bool {
    matches!(kind, "advanced_collective" | "advanced_individual")
}

/// A programme's steps: draft → nominating → review → notice → awarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Nominating,
    Review,
    Notice,
    Awarded,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Draft,
        Stage::Nominating,
        Stage::Review,
        Stage::Notice,
        Stage::Awarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Nominating => "nominating",
            Stage::Review => "review",
            Stage::Notice => "notice",
            Stage::Awarded => "awarded",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Draft => Some(Stage::Nominating),
            Stage::Nominating => Some(Stage::Review),
            Stage::Review => Some(Stage::Notice),
            Stage::Notice => Some(Stage::Awarded),
            Stage::Awarded => None,
        }
    }
}

/// A nomination's statuses and which the nominator and the office move it between.
pub mod nomination {
    /// Submitted from a draft or after being returned.
    pub const SUBMIT_FROM: &[&str] = &["draft", "returned"];
    /// Returned, with a reason, while nominations are open or under review.
    pub const RETURN_FROM: &[&str] = &["submitted"];
    /// The office's decision after the panel's scores.
    pub const DECIDE_FROM: &[&str] = &["submitted", "recommended", "not_recommended"];
    /// What still counts against the nominator's quota.
    pub const COUNTED: &[&str] = &["submitted", "recommended", "not_recommended", "awarded"];
    /// What a panel sees.
    pub const BEFORE_PANEL: &[&str] = &["submitted", "recommended", "not_recommended", "awarded"];
    /// What the nominator may still edit.
    pub const EDITABLE: &[&str] = &["draft", "returned"];
}

/// A criterion of the panel's scoring.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    pub name: String,
    pub weight: i32,
}

/// A programme's criteria as typed, one a line: `事迹突出 40`. Weights add to 100.
pub fn parse_criteria(text: &str) -> Result<Vec<Criterion>, &'static str> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, weight) = line
            .rsplit_once(|c: char| c.is_whitespace() || c == '：' || c == ':')
            .ok_or("award.criteria_format")?;
        let weight: i32 = weight.trim().parse().map_err(|_| "award.criteria_format")?;
        let name = name.trim().trim_end_matches(['：', ':']).trim();
        if name.is_empty() || !(1..=100).contains(&weight) || name.chars().count() > 50 {
            return Err("award.criteria_format");
        }
        out.push(Criterion {
            name: name.to_string(),
            weight,
        });
    }
    if out.is_empty() || out.len() > 10 {
        return Err("award.criteria_format");
    }
    if out.iter().map(|c| c.weight).sum::<i32>() != 100 {
        return Err("award.criteria_weights");
    }
    Ok(out)
}

pub fn criteria_text(criteria: &[Criterion]) -> String {
    criteria
        .iter()
        .map(|c| format!("{} {}", c.name, c.weight))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A panel member's total: each criterion's 0–100 score by its weight.
pub fn weighted(criteria: &[Criterion], scores: &[f64]) -> f64 {
    let total: f64 = criteria
        .iter()
        .zip(scores)
        .map(|(c, s)| s * f64::from(c.weight) / 100.0)
        .sum();
    (total * 100.0).round() / 100.0
}

/// The mean of the totals given (none: no mean).
pub fn mean(totals: &[f64]) -> Option<f64> {
    (!totals.is_empty())
        .then(|| (totals.iter().sum::<f64>() / totals.len() as f64 * 100.0).round() / 100.0)
}

/// Competition ranks of `means` (highest first; equal means share a rank; none: unranked).
pub fn ranks(means: &[Option<f64>]) -> Vec<Option<usize>> {
    means
        .iter()
        .map(|m| m.map(|m| 1 + means.iter().flatten().filter(|o| **o > m).count()))
        .collect()
}

/// What a programme's certificate numbers begin with: the district's code, the year and the
/// programme; each winner's adds a sequence in the order of the panel's means.
pub fn certificate_prefix(district: &str, year: i32, programme: i64) -> String {
    format!("{}-{year}-{programme:02}-", district.to_uppercase())
}

pub fn certificate_no(district: &str, year: i32, programme: i64, n: usize) -> String {
    format!("{}{n:03}", certificate_prefix(district, year, programme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_are_read_one_a_line_and_their_weights_add_to_100() {
        let c = parse_criteria("事迹突出 40\n示范带动：30\n群众认可 30").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[1].name, "示范带动");
        assert_eq!(
            parse_criteria("事迹 50\n带动 40"),
            Err("award.criteria_weights")
        );
        assert_eq!(parse_criteria("事迹"), Err("award.criteria_format"));
        assert_eq!(weighted(&c, &[90.0, 80.0, 70.0]), 81.0);
        assert_eq!(criteria_text(&c), "事迹突出 40\n示范带动 30\n群众认可 30");
    }

    #[test]
    fn equal_means_share_a_rank_and_the_unscored_have_none() {
        assert_eq!(mean(&[80.0, 91.0]), Some(85.5));
        assert_eq!(mean(&[]), None);
        assert_eq!(
            ranks(&[Some(85.5), Some(90.0), Some(85.5), None]),
            vec![Some(2), Some(1), Some(2), None]
        );
        assert_eq!(certificate_no("mengjin", 2026, 3, 7), "MENGJIN-2026-03-007");
        assert!(needs_approval("advanced_individual") && !needs_approval("learning_star"));
        assert_eq!(Stage::Review.next(), Some(Stage::Notice));
    }
}
