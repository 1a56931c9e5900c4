//! Policy targets measured against the network's own data: target vs actual, deadline, and
//! whether it was met in time, is still open, or is late; and a target's checked input.

use chrono::NaiveDate;

pub const METRICS: [&str; 4] = [
    "transformed_share",
    "provincial_demo_schools",
    "demo_town_schools",
    "demo_points",
];

/// A target's new value and deadline, checked.
#[derive(Debug, Clone, Copy)]
pub struct TargetInput {
    pub target: i32,
    pub deadline: NaiveDate,
}

/// What the data says, for measuring targets.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// For each town school still open: when it was transformed from an adult-culture school.
    pub schools_transformed_on: Vec<Option<NaiveDate>>,
    /// Approved designations: (unit id, unit kind, level, decided on).
    pub approvals: Vec<(i64, String, String, NaiveDate)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Met,
    MetLate,
    InProgress,
    Late,
}

impl Progress {
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Met => "met",
            Progress::MetLate => "met_late",
            Progress::InProgress => "in_progress",
            Progress::Late => "late",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub actual: i64,
    /// When the target was first reached, if it was.
    pub achieved_on: Option<NaiveDate>,
    pub progress: Progress,
}

/// The `k`-th earliest date (1-based), if there are that many.
fn kth(mut dates: Vec<NaiveDate>, k: i64) -> Option<NaiveDate> {
    dates.sort();
    if k <= 0 {
        None
    } else {
        dates.get(k as usize - 1).copied()
    }
}

/// Earliest approval per unit among those that match.
fn first_approvals(facts: &Facts, matches: impl Fn(&str, &str) -> bool) -> Vec<NaiveDate> {
    let mut first: std::collections::BTreeMap<i64, NaiveDate> = std::collections::BTreeMap::new();
    for (unit, kind, level, on) in &facts.approvals {
        if matches(kind, level) {
            first
                .entry(*unit)
                .and_modify(|d| *d = (*d).min(*on))
                .or_insert(*on);
        }
    }
    first.into_values().collect()
}

pub fn measure(
    metric: &str,
    target: i64,
    deadline: NaiveDate,
    facts: &Facts,
    today: NaiveDate,
) -> Measure {
    let (actual, achieved_on) = match metric {
        "transformed_share" => {
            let n = facts.schools_transformed_on.len() as i64;
            let dates: Vec<NaiveDate> = facts
                .schools_transformed_on
                .iter()
                .flatten()
                .copied()
                .collect();
            let share = if n == 0 {
                0
            } else {
                dates.len() as i64 * 100 / n
            };
            // The share reached the target when this many schools had been transformed.
            let needed = (target * n + 99) / 100;
            (
                share,
                if share >= target {
                    kth(dates, needed)
                } else {
                    None
                },
            )
        }
        other => {
            let dates = first_approvals(facts, |kind, level| match other {
                "provincial_demo_schools" => kind == "town_school" && level == "provincial",
                "demo_town_schools" => kind == "town_school",
                _ => kind == "teaching_point",
            });
            let count = dates.len() as i64;
            (
                count,
                if count >= target {
                    kth(dates, target)
                } else {
                    None
                },
            )
        }
    };
    let progress = if actual >= target {
        match achieved_on {
            Some(on) if on > deadline => Progress::MetLate,
            _ => Progress::Met,
        }
    } else if today > deadline {
        Progress::Late
    } else {
        Progress::InProgress
    };
    Measure {
        actual,
        achieved_on,
        progress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_share_is_met_on_the_day_the_last_needed_school_transformed() {
        let facts = Facts {
            schools_transformed_on: vec![Some(d("2022-03-01")), Some(d("2022-09-01"))],
            approvals: vec![],
        };
        let m = measure(
            "transformed_share",
            100,
            d("2022-12-31"),
            &facts,
            d("2026-11-30"),
        );
        assert_eq!(
            m,
            Measure {
                actual: 100,
                achieved_on: Some(d("2022-09-01")),
                progress: Progress::Met
            }
        );
        let half = Facts {
            schools_transformed_on: vec![Some(d("2022-03-01")), None],
            approvals: vec![],
        };
        assert_eq!(
            measure(
                "transformed_share",
                100,
                d("2022-12-31"),
                &half,
                d("2026-11-30")
            )
            .progress,
            Progress::Late
        );
        assert_eq!(
            measure(
                "transformed_share",
                100,
                d("2027-12-31"),
                &half,
                d("2026-11-30")
            )
            .progress,
            Progress::InProgress
        );
    }

    #[test]
    fn designations_count_once_per_unit_and_can_be_met_late() {
        let facts = Facts {
            schools_transformed_on: vec![],
            approvals: vec![
                (1, "town_school".into(), "city".into(), d("2022-05-01")),
                (
                    1,
                    "town_school".into(),
                    "provincial".into(),
                    d("2022-11-01"),
                ),
                (2, "town_school".into(), "city".into(), d("2022-08-01")),
                (
                    3,
                    "teaching_point".into(),
                    "district".into(),
                    d("2022-04-01"),
                ),
            ],
        };
        let schools = measure(
            "demo_town_schools",
            2,
            d("2022-06-30"),
            &facts,
            d("2026-11-30"),
        );
        assert_eq!(
            schools,
            Measure {
                actual: 2,
                achieved_on: Some(d("2022-08-01")),
                progress: Progress::MetLate
            }
        );
        let provincial = measure(
            "provincial_demo_schools",
            1,
            d("2022-12-31"),
            &facts,
            d("2026-11-30"),
        );
        assert_eq!(provincial.progress, Progress::Met);
        let points = measure("demo_points", 4, d("2022-06-30"), &facts, d("2026-11-30"));
        assert_eq!((points.actual, points.progress), (1, Progress::Late));
    }
}
