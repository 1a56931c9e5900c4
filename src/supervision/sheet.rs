//! A unit's score sheet in a round: every indicator with its computed value, the self score,
//! each reviewer's score and the final; totals, grade and rank.

use super::model::{self, Indicator};
use super::repo::{Computed, Round, RoundUnit, Score};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Row {
    pub ind: Indicator,
    pub leaf: bool,
    pub computed: Option<Computed>,
    /// The score the computed value gives (max × %), used by every scorer.
    pub computed_score: Option<f64>,
    pub self_score: Option<f64>,
    pub self_note: String,
    /// Each supervisor's and evaluator's (name, score, note).
    pub reviews: Vec<(String, String, f64, String)>,
    pub supervisor: Option<f64>,
    pub evaluator: Option<f64>,
}

impl Row {
    pub fn indent(&self) -> usize {
        self.ind.level() - 1
    }

    pub fn fmt(v: &Option<f64>) -> String {
        v.map(|v| format!("{}", model::round2(v)))
            .unwrap_or_default()
    }

    pub fn self_text(&self) -> String {
        Self::fmt(&self.self_score)
    }

    pub fn supervisor_text(&self) -> String {
        Self::fmt(&self.supervisor)
    }

    pub fn evaluator_text(&self) -> String {
        Self::fmt(&self.evaluator)
    }

    pub fn computed_text(&self) -> String {
        match (&self.computed, self.computed_score) {
            (Some(c), Some(s)) => format!("{:.0}% → {}（{}）", c.pct, model::round2(s), c.detail),
            _ => String::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub self_total: Option<f64>,
    pub supervisor: Option<f64>,
    pub evaluator: Option<f64>,
    pub final_score: Option<f64>,
    pub grade: Option<&'static str>,
}

impl Totals {
    pub fn text(v: &Option<f64>) -> String {
        Row::fmt(v)
    }

    /// A total by name, as text, for templates.
    pub fn text_of(&self, which: &str) -> String {
        Self::text(match which {
            "self_total" => &self.self_total,
            "supervisor" => &self.supervisor,
            "evaluator" => &self.evaluator,
            _ => &self.final_score,
        })
    }

    pub fn grade_label(&self) -> String {
        format!("grade.{}", self.grade.unwrap_or("none"))
    }
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// One indicator's scores for one unit: a computed value (from the network's data) stands for
/// every scorer; otherwise the typed self score and the mean of each kind of reviewer's.
struct Scored<'a> {
    computed: Option<Computed>,
    computed_score: Option<f64>,
    own: Option<&'a Score>,
    self_score: Option<f64>,
    supervisor: Option<f64>,
    evaluator: Option<f64>,
}

fn scored<'a>(
    ind: &Indicator,
    mine: &[&'a Score],
    computed: &HashMap<&'static str, Computed>,
) -> Scored<'a> {
    let computed = ind.metric.as_deref().and_then(|m| computed.get(m)).cloned();
    let computed_score = computed.as_ref().map(|c| ind.max_score * c.pct / 100.0);
    let of = |kind: &str| -> Vec<f64> {
        mine.iter()
            .filter(|s| s.indicator_id == ind.id && s.scorer_kind == kind)
            .map(|s| s.value)
            .collect()
    };
    let own = mine
        .iter()
        .find(|s| s.indicator_id == ind.id && s.scorer_kind == "self")
        .copied();
    Scored {
        computed,
        computed_score,
        own,
        self_score: computed_score.or(own.map(|s| s.value)),
        supervisor: computed_score.or(average(&of("supervisor"))),
        evaluator: computed_score.or(average(&of("evaluator"))),
    }
}

/// Builds the sheet's rows for one unit and its totals.
pub fn build(
    indicators: &[Indicator],
    scores: &[Score],
    computed: &HashMap<&'static str, Computed>,
    round: &Round,
) -> (Vec<Row>, Totals) {
    let leaves: Vec<i64> = model::leaves(indicators).iter().map(|i| i.id).collect();
    let mine: Vec<&Score> = scores.iter().collect();
    let rows: Vec<Row> = indicators
        .iter()
        .map(|ind| {
            let s = scored(ind, &mine, computed);
            Row {
                leaf: leaves.contains(&ind.id),
                computed_score: s.computed_score,
                self_score: s.self_score,
                self_note: s.own.map(|o| o.note.clone()).unwrap_or_default(),
                reviews: mine
                    .iter()
                    .filter(|r| r.indicator_id == ind.id && r.scorer_kind != "self")
                    .map(|r| {
                        (
                            r.scorer_kind.clone(),
                            r.scorer_name.clone(),
                            r.value,
                            r.note.clone(),
                        )
                    })
                    .collect(),
                supervisor: s.supervisor,
                evaluator: s.evaluator,
                computed: s.computed,
                ind: ind.clone(),
            }
        })
        .collect();
    let leaf_values = rows
        .iter()
        .filter(|r| r.leaf)
        .map(|r| [r.self_score, r.supervisor, r.evaluator]);
    let totals = totals(leaf_values, &mine, round);
    (rows, totals)
}

/// A unit's totals alone, for the round's results: no rows built, nothing copied.
pub fn totals_of(
    leaves: &[&Indicator],
    mine: &[&Score],
    computed: &HashMap<&'static str, Computed>,
    round: &Round,
) -> Totals {
    let leaf_values = leaves.iter().map(|ind| {
        let s = scored(ind, mine, computed);
        [s.self_score, s.supervisor, s.evaluator]
    });
    totals(leaf_values, mine, round)
}

/// Totals of the leaf indicators' [self, supervisor, evaluator] scores, the final and its grade.
fn totals(
    leaf_values: impl Iterator<Item = [Option<f64>; 3]>,
    mine: &[&Score],
    round: &Round,
) -> Totals {
    let mut sums = [0.0; 3];
    for values in leaf_values {
        for (sum, v) in sums.iter_mut().zip(values) {
            *sum += v.unwrap_or(0.0);
        }
    }
    // A total exists once that kind of scorer has scored anything typed.
    let total = |i: usize, kind: &str| {
        mine.iter()
            .any(|s| s.scorer_kind == kind)
            .then(|| model::round2(sums[i]))
    };
    let self_total = total(0, "self");
    let supervisor = total(1, "supervisor");
    let evaluator = total(2, "evaluator");
    let final_score = model::combine(supervisor, evaluator, round.evaluator_weight);
    let grade = final_score.map(|f| model::grade(f, round.excellent, round.good, round.pass));
    Totals {
        self_total,
        supervisor,
        evaluator,
        final_score,
        grade,
    }
}

/// A unit's line in the round's results.
#[derive(Debug, Clone)]
pub struct Result {
    pub unit: RoundUnit,
    pub totals: Totals,
    pub rank: Option<usize>,
}

impl Result {
    pub fn rank_text(&self) -> String {
        self.rank.map(|r| r.to_string()).unwrap_or_default()
    }
}

/// A bar per first-level indicator: the share of its points reached, by the reviewers when
/// their scores may be shown, else by the self-assessment.
pub fn by_part(rows: &[Row], reviewed: bool, title: &str) -> String {
    let bars: Vec<(String, f64, String)> = rows
        .iter()
        .filter(|r| r.ind.parent_id.is_none())
        .map(|top| {
            let prefix = format!("{}.", top.ind.code);
            let leaves = rows
                .iter()
                .filter(|r| r.leaf && (r.ind.id == top.ind.id || r.ind.code.starts_with(&prefix)));
            let got: f64 = leaves
                .filter_map(|r| {
                    if reviewed {
                        r.supervisor.or(r.evaluator)
                    } else {
                        r.self_score
                    }
                })
                .sum();
            let share = if top.ind.max_score > 0.0 {
                got * 100.0 / top.ind.max_score
            } else {
                0.0
            };
            (
                format!("{} {}", top.ind.code, top.ind.name),
                share,
                format!("{} / {}", model::round2(got), top.ind.max_score),
            )
        })
        .collect();
    crate::reports::svg::bars(title, &bars, 100.0)
}
