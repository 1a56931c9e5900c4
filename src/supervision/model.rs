//! Supervision's domain in one place: indicator trees and their weights, combining the
//! reviewers' scores, grade bands and ranking; the round's and the rectification item's steps;
//! and each form's input once it is checked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Indicator {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub max_score: f64,
    pub guidance: String,
    pub evidence: String,
    pub metric: Option<String>,
}

impl Indicator {
    /// 1 for 一级指标, 2 for 二级, 3 for 三级: the parts of its code.
    pub fn level(&self) -> usize {
        self.code.split('.').count()
    }

    pub fn metric_label(&self) -> String {
        format!("metric.{}", self.metric.as_deref().unwrap_or("none"))
    }
}

pub const METRICS: [&str; 12] = [
    "lists_on_time",
    "village_coverage",
    "transformed",
    "demonstration",
    "satisfaction",
    "plan_delivery",
    "learning_week",
    "elderly_youth",
    "rural_left_behind",
    "funding_channels",
    "educators_registered",
    "town_supervision",
];

/// The metrics that mean something for a teaching point, which a town's rounds evaluate: a
/// point has no villages of its own, no old school to transform, no survey and no points to
/// supervise. A town's framework keeps only these; the others become typed indicators.
pub const POINT_METRICS: [&str; 8] = [
    "lists_on_time",
    "demonstration",
    "plan_delivery",
    "learning_week",
    "elderly_youth",
    "rural_left_behind",
    "funding_channels",
    "educators_registered",
];

/// Indicators as a town's framework holds them: a metric a point cannot have becomes typed.
pub fn for_points(indicators: &[Indicator]) -> Vec<Indicator> {
    indicators
        .iter()
        .map(|i| Indicator {
            metric: i
                .metric
                .clone()
                .filter(|m| POINT_METRICS.contains(&m.as_str())),
            ..i.clone()
        })
        .collect()
}

/// Indicators with no children: the ones that are scored.
pub fn leaves(all: &[Indicator]) -> Vec<&Indicator> {
    all.iter()
        .filter(|i| !all.iter().any(|c| c.parent_id == Some(i.id)))
        .collect()
}

/// What is wrong with a framework's weights: top level adds to 100, children to their parent.
pub fn weight_problems(all: &[Indicator]) -> Vec<String> {
    let mut problems = Vec::new();
    let top: f64 = all
        .iter()
        .filter(|i| i.parent_id.is_none())
        .map(|i| i.max_score)
        .sum();
    if (top - 100.0).abs() > 0.001 {
        problems.push(format!("{top}"));
    }
    for parent in all {
        let children: Vec<&Indicator> = all
            .iter()
            .filter(|c| c.parent_id == Some(parent.id))
            .collect();
        let sum: f64 = children.iter().map(|c| c.max_score).sum();
        if !children.is_empty() && (sum - parent.max_score).abs() > 0.001 {
            problems.push(format!(
                "{} {}: {sum} ≠ {}",
                parent.code, parent.name, parent.max_score
            ));
        }
    }
    problems
}

/// The final score: supervisors' and evaluators' totals weighted by the round's rule; with no
/// evaluator scores the supervisors' total stands alone.
pub fn combine(
    supervisor: Option<f64>,
    evaluator: Option<f64>,
    evaluator_weight: i32,
) -> Option<f64> {
    let w = f64::from(evaluator_weight.clamp(0, 100)) / 100.0;
    match (supervisor, evaluator) {
        (Some(s), Some(e)) => Some(round2(s * (1.0 - w) + e * w)),
        (Some(s), None) => Some(s),
        (None, Some(e)) => Some(e),
        (None, None) => None,
    }
}

/// Two decimals, and never a negative zero: an empty sum of f64 is -0.0, which prints "-0".
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// 优秀 / 良好 / 合格 / 不合格 by the round's thresholds.
pub fn grade(total: f64, excellent: f64, good: f64, pass: f64) -> &'static str {
    if total >= excellent {
        "excellent"
    } else if total >= good {
        "good"
    } else if total >= pass {
        "pass"
    } else {
        "fail"
    }
}

/// Competition ranking (1, 2, 2, 4) of totals, highest first; units without a total are unranked.
pub fn ranks(totals: &[Option<f64>]) -> Vec<Option<usize>> {
    totals
        .iter()
        .map(|t| t.map(|t| 1 + totals.iter().flatten().filter(|o| **o > t).count()))
        .collect()
}

/// The round's step from `status`: self-assessment → review → published, and no further.
pub fn next_round_status(status: &str) -> Option<&'static str> {
    match status {
        "self_assessment" => Some("review"),
        "review" => Some("published"),
        _ => None,
    }
}

/// A rectification item's steps: the unit reports what it did; the office closes the item or
/// sends it back to be worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectStep {
    Report,
    Close,
    Reopen,
}

impl RectStep {
    /// The step a URL names (`/rectifications/{id}/{report|close|reopen}`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "report" => Some(Self::Report),
            "close" => Some(Self::Close),
            "reopen" => Some(Self::Reopen),
            _ => None,
        }
    }

    pub fn from(self) -> &'static [&'static str] {
        match self {
            Self::Report => &["open"],
            Self::Close | Self::Reopen => &["reported"],
        }
    }

    pub fn to(self) -> &'static str {
        match self {
            Self::Report => "reported",
            Self::Close => "closed",
            Self::Reopen => "open",
        }
    }

    /// Whether the unit itself takes the step (else the supervision office).
    pub fn by_unit(self) -> bool {
        self == Self::Report
    }
}

/// A checked round: a balanced framework, dates in order, bands highest first.
pub struct RoundInput {
    pub name: String,
    pub year: i32,
    pub framework: i64,
    pub self_due: NaiveDate,
    pub review_due: NaiveDate,
    pub evaluator_weight: i32,
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
    /// The town schools chosen; none chosen means all of them.
    pub units: Vec<i64>,
}

/// A checked indicator: a code of one to three numbers under an existing parent.
pub struct IndicatorInput {
    pub code: String,
    pub parent: Option<i64>,
    pub name: String,
    pub max_score: f64,
    pub guidance: String,
    pub evidence: String,
    pub metric: Option<String>,
}

/// One typed score of a sheet: within 0 and the indicator's maximum, two decimals at most.
pub struct ScoreInput {
    pub indicator: i64,
    pub value: f64,
    pub note: String,
}

/// The supervisor's findings on a unit, for the notice.
pub struct Findings {
    pub strengths: String,
    pub problems: String,
}

/// A problem to fix, with the day it is due.
pub struct RectificationInput {
    pub problem: String,
    pub due_on: NaiveDate,
}

/// The year's survey: a title and one to twenty questions.
pub struct SurveyInput {
    pub title: String,
    pub questions: Vec<String>,
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// An indicator scored by hand, for the tests of this file and of forms.rs.
    pub fn ind(id: i64, parent: Option<i64>, code: &str, max: f64) -> Indicator {
        Indicator {
            id,
            parent_id: parent,
            code: code.into(),
            name: code.into(),
            max_score: max,
            guidance: String::new(),
            evidence: String::new(),
            metric: None,
        }
    }

    #[test]
    fn weights_must_add_up_at_every_level() {
        let good = [
            ind(1, None, "1", 60.0),
            ind(2, None, "2", 40.0),
            ind(3, Some(1), "1.1", 35.0),
            ind(4, Some(1), "1.2", 25.0),
        ];
        assert!(weight_problems(&good).is_empty());
        assert_eq!(
            leaves(&good).iter().map(|i| i.id).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        let bad = [
            ind(1, None, "1", 60.0),
            ind(2, None, "2", 30.0),
            ind(3, Some(1), "1.1", 35.0),
            ind(4, Some(1), "1.2", 20.0),
        ];
        let problems = weight_problems(&bad);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(ind(5, Some(3), "1.1.2", 1.0).level(), 3);
    }

    #[test]
    fn scores_combine_grade_and_rank() {
        assert_eq!(combine(Some(80.0), Some(90.0), 30), Some(83.0));
        assert_eq!(combine(Some(80.0), None, 30), Some(80.0));
        assert_eq!(combine(None, None, 30), None);
        assert_eq!(grade(90.0, 90.0, 80.0, 60.0), "excellent");
        assert_eq!(grade(89.99, 90.0, 80.0, 60.0), "good");
        assert_eq!(grade(60.0, 90.0, 80.0, 60.0), "pass");
        assert_eq!(grade(59.5, 90.0, 80.0, 60.0), "fail");
        assert_eq!(
            ranks(&[Some(80.0), Some(95.0), Some(80.0), None, Some(70.0)]),
            [Some(2), Some(1), Some(2), None, Some(4)]
        );
    }

    #[test]
    fn a_round_steps_forward_once_and_rectification_steps_start_where_they_may() {
        assert_eq!(next_round_status("self_assessment"), Some("review"));
        assert_eq!(next_round_status("review"), Some("published"));
        assert_eq!(next_round_status("published"), None);
        assert_eq!(RectStep::parse("report"), Some(RectStep::Report));
        assert_eq!(RectStep::parse("delete"), None);
        assert_eq!(
            (RectStep::Report.from(), RectStep::Report.to()),
            (&["open"][..], "reported")
        );
        assert_eq!(RectStep::Close.from(), ["reported"]);
        assert_eq!(RectStep::Reopen.to(), "open");
        assert!(RectStep::Report.by_unit() && !RectStep::Close.by_unit());
    }

    #[test]
    fn a_towns_framework_keeps_only_the_metrics_a_point_can_have() {
        let mut coverage = ind(1, None, "1", 50.0);
        coverage.metric = Some("village_coverage".into());
        let mut delivery = ind(2, None, "2", 50.0);
        delivery.metric = Some("plan_delivery".into());
        let town = for_points(&[coverage, delivery]);
        assert_eq!(town[0].metric, None);
        assert_eq!(town[1].metric.as_deref(), Some("plan_delivery"));
        assert!(POINT_METRICS.iter().all(|m| METRICS.contains(m)));
    }

    #[test]
    fn an_unscored_part_reads_zero_not_minus_zero() {
        let nothing: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(format!("{}", round2(nothing)), "0");
        assert_eq!(format!("{}", round2(-0.004)), "0");
        assert_eq!(format!("{}", round2(2.345)), "2.35");
    }
}
