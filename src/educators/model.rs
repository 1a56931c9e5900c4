//! Teachers and volunteers as the policy counts them (五(三)): who they are, what they teach,
//! where and when they serve, the steps of their registration, and the rules their service
//! hours keep.

use chrono::NaiveDate;

/// What a person is to the network.
pub const KINDS: [&str; 4] = ["manager", "teacher", "volunteer", "teacher_volunteer"];

/// When a person can serve.
pub const AVAILABILITY: [&str; 4] = [
    "weekday_day",
    "weekday_evening",
    "weekend_day",
    "weekend_evening",
];

pub const GENDERS: [&str; 2] = ["female", "male"];

/// A person's standing. Applications (from the public form) start `applied`; the town school
/// asks for more (`more_info`), accepts (`active`) or declines them; registered people may be
/// paused and leave. Nothing is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Applied,
    MoreInfo,
    Active,
    Paused,
    Left,
    Declined,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Applied,
        Status::MoreInfo,
        Status::Active,
        Status::Paused,
        Status::Left,
        Status::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::MoreInfo => "more_info",
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Left => "left",
            Status::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The statuses a step may start from, for the guarded update.
    pub fn may_become(to: Status) -> &'static [&'static str] {
        match to {
            // Accepting an application, or taking a paused person back.
            Status::Active => &["applied", "more_info", "paused"],
            Status::MoreInfo => &["applied"],
            Status::Declined => &["applied", "more_info"],
            Status::Paused => &["active"],
            Status::Left => &["active", "paused"],
            Status::Applied => &[],
        }
    }

    pub fn can_become(self, to: Status) -> bool {
        Self::may_become(to).contains(&self.as_str())
    }

    /// Whether the person is still an application under review.
    pub fn is_application(self) -> bool {
        matches!(self, Status::Applied | Status::MoreInfo)
    }
}

/// A person as a checked form gives them.
#[derive(Debug, Clone, Default)]
pub struct EducatorInput {
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    pub phone: String,
    /// The ID number in full, when typed (it is stored only encrypted).
    pub id_number: Option<String>,
    pub work_unit: String,
    pub member_unit_id: Option<i64>,
    pub position: String,
    pub specialties: Vec<i64>,
    pub specialty_other: String,
    pub kind: String,
    pub availability: Vec<String>,
    pub home_unit_id: i64,
    pub serves: Vec<i64>,
}

/// Service hours as a checked form gives them.
#[derive(Debug, Clone)]
pub struct HoursInput {
    pub unit_id: i64,
    pub served_on: NaiveDate,
    pub starts_at: Option<chrono::NaiveTime>,
    pub ends_at: Option<chrono::NaiveTime>,
    pub minutes: i32,
    pub content: String,
}

/// A day's service of one person may not pass this: actual service, without travel.
pub const MAX_MINUTES_A_DAY: i32 = 12 * 60;

/// Minutes from a duration typed in hours ("2.5", "2,5", "2小时"): quarter hours only.
pub fn minutes_of_hours(typed: &str) -> Option<i32> {
    let cleaned: String = typed
        .trim()
        .trim_end_matches("小时")
        .trim_end_matches('h')
        .replace(',', ".");
    let hours: f64 = cleaned.trim().parse().ok()?;
    let minutes = hours * 60.0;
    let whole = minutes.round();
    ((minutes - whole).abs() < 1e-6 && whole > 0.0 && whole <= f64::from(MAX_MINUTES_A_DAY))
        .then_some(whole as i32)
        .filter(|m| m % 15 == 0)
}

/// The minutes between two times on one day, when they make whole quarter hours.
pub fn minutes_between(starts: chrono::NaiveTime, ends: chrono::NaiveTime) -> Option<i32> {
    let minutes = (ends - starts).num_minutes();
    (minutes > 0 && minutes % 15 == 0 && minutes <= i64::from(MAX_MINUTES_A_DAY))
        .then_some(minutes as i32)
}

/// Hours as the national volunteer system and the record of service write them: "2.5".
pub fn hours_text(minutes: i64) -> String {
    let hours = minutes as f64 / 60.0;
    let text = format!("{hours:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A volunteer number: the district's division code (or its code) and a sequence.
pub fn volunteer_no(district: &str, sequence: i64) -> String {
    format!("{district}-{sequence:06}")
}

/// Days left until `until`, when it is within `window` days from `today` (or past).
pub fn expires_within(until: Option<NaiveDate>, today: NaiveDate, window: i64) -> Option<i64> {
    let days = (until? - today).num_days();
    (days <= window).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_steps_go_only_where_they_may() {
        assert!(Status::Applied.can_become(Status::Active));
        assert!(Status::Applied.can_become(Status::MoreInfo));
        assert!(Status::MoreInfo.can_become(Status::Declined));
        assert!(Status::Active.can_become(Status::Paused));
        assert!(Status::Paused.can_become(Status::Active));
        assert!(!Status::Declined.can_become(Status::Active));
        assert!(!Status::Left.can_become(Status::Active));
        assert!(!Status::Active.can_become(Status::Declined));
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn hours_come_in_quarters_and_never_past_a_day() {
        assert_eq!(minutes_of_hours("2.5"), Some(150));
        assert_eq!(minutes_of_hours("2,25"), Some(135));
        assert_eq!(minutes_of_hours("3小时"), Some(180));
        assert_eq!(minutes_of_hours("1.1"), None);
        assert_eq!(minutes_of_hours("0"), None);
        assert_eq!(minutes_of_hours("13"), None);
        assert_eq!(minutes_of_hours("-1"), None);
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(minutes_between(t(14, 0), t(17, 30)), Some(210));
        assert_eq!(minutes_between(t(14, 0), t(14, 10)), None);
        assert_eq!(minutes_between(t(17, 0), t(14, 0)), None);
        assert_eq!(hours_text(150), "2.5");
        assert_eq!(hours_text(180), "3");
        assert_eq!(hours_text(135), "2.25");
    }

    #[test]
    fn a_qualification_is_marked_in_its_last_month() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
        assert_eq!(expires_within(d(12, 11), today, 30), Some(10));
        assert_eq!(expires_within(d(11, 30), today, 30), Some(-1));
        assert_eq!(expires_within(d(12, 31), today, 29), None);
        assert_eq!(expires_within(None, today, 30), None);
        assert_eq!(volunteer_no("410308", 7), "410308-000007");
    }
}
