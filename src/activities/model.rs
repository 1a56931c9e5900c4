//! What an activity is, apart from how it is typed or stored: its states and who may move
//! them, the shapes of its sessions, the checked input of its forms, and the figures of
//! delivery against the plan.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};

/// The categories of the action plan, which an activity shares with the plan item it delivers.
pub use crate::cycle::model::PLAN_CATEGORIES as CATEGORIES;
/// The key populations (四(六)) an activity serves and counts its participants by.
pub use crate::cycle::model::POPULATIONS;

/// Days after an activity's end within which its report is due.
pub const REPORT_DAYS: u64 = 14;
/// Sessions a repeating activity may be given at once.
pub const MAX_SESSIONS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Planned,
    Held,
    Reported,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Planned,
        Status::Held,
        Status::Reported,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Held => "held",
            Status::Reported => "reported",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The statuses a step to `self` may start from: held after planned (its first session
    /// recorded, or said so), reported after held, cancelled before anything was held, and
    /// back to held when the bureau reopens a report.
    pub fn from(self) -> &'static [&'static str] {
        match self {
            Status::Planned => &[],
            Status::Held => &["planned", "reported"],
            Status::Reported => &["held"],
            Status::Cancelled => &["planned"],
        }
    }

    /// Whether the activity may still be edited, its sessions and counts recorded.
    pub fn open(self) -> bool {
        matches!(self, Status::Planned | Status::Held)
    }
}

/// How a new activity's sessions are laid out between its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// One session, on the first day.
    Once,
    Daily,
    /// The weekday of the first day, every week (a 4点半 class for a term).
    Weekly,
}

impl Repeat {
    pub const ALL: [&'static str; 3] = ["once", "daily", "weekly"];

    pub fn parse(s: &str) -> Option<Repeat> {
        match s {
            "once" => Some(Repeat::Once),
            "daily" => Some(Repeat::Daily),
            "weekly" => Some(Repeat::Weekly),
            _ => None,
        }
    }

    /// The days of the sessions from `first` to `last`; `None` when there would be more than
    /// [`MAX_SESSIONS`].
    pub fn days(self, first: NaiveDate, last: NaiveDate) -> Option<Vec<NaiveDate>> {
        let step = match self {
            Repeat::Once => return Some(vec![first]),
            Repeat::Daily => 1,
            Repeat::Weekly => 7,
        };
        let mut days = Vec::new();
        let mut day = first;
        while day <= last {
            if days.len() == MAX_SESSIONS {
                return None;
            }
            days.push(day);
            day = day.checked_add_days(Days::new(step))?;
        }
        Some(days)
    }
}

/// Who organises an activity: a unit of the network, or a member unit of the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Organiser {
    Unit(i64),
    Member(i64),
}

impl Organiser {
    /// As a form writes it: `u12` or `m3`.
    pub fn parse(s: &str) -> Option<Organiser> {
        let (kind, id) = s.split_at_checked(1)?;
        let id = id.parse().ok()?;
        match kind {
            "u" => Some(Organiser::Unit(id)),
            "m" => Some(Organiser::Member(id)),
            _ => None,
        }
    }

    pub fn key(self) -> String {
        match self {
            Organiser::Unit(id) => format!("u{id}"),
            Organiser::Member(id) => format!("m{id}"),
        }
    }

    pub fn unit(self) -> Option<i64> {
        match self {
            Organiser::Unit(id) => Some(id),
            Organiser::Member(_) => None,
        }
    }

    pub fn member(self) -> Option<i64> {
        match self {
            Organiser::Member(id) => Some(id),
            Organiser::Unit(_) => None,
        }
    }
}

/// The four funding channels of 五(二), in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    pub government: i64,
    pub donation: i64,
    pub learners: i64,
    pub other: i64,
}

impl Spend {
    /// The channels' names, as the plan's budget calls them.
    pub const LABELS: [&'static str; 4] = [
        "plan.budget_government",
        "plan.budget_donation",
        "plan.budget_learners",
        "plan.budget_other",
    ];

    pub fn total(&self) -> i64 {
        self.government + self.donation + self.learners + self.other
    }

    pub fn by_channel(&self) -> [i64; 4] {
        [self.government, self.donation, self.learners, self.other]
    }

    /// How many channels paid something (2.2 asks for at least two).
    pub fn channels(&self) -> usize {
        self.by_channel().iter().filter(|v| **v > 0).count()
    }
}

/// An activity's form, checked.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    pub title: String,
    pub category: String,
    pub organiser: Organiser,
    pub partners: String,
    pub plan_item_id: Option<i64>,
    pub not_in_plan_reason: String,
    pub campaign_id: Option<i64>,
    pub venue_item_id: Option<i64>,
    pub address: String,
    pub populations: Vec<String>,
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub repeat: Repeat,
    pub spend: Spend,
    pub donation_id: Option<i64>,
}

impl ActivityInput {
    /// The year of the action plan it delivers: the December before its year.
    pub fn plan_year(&self) -> i32 {
        self.starts_on.year() - 1
    }
}

/// A session's attendance, checked.
#[derive(Debug, Clone)]
pub struct Attendance {
    pub status: &'static str,
    pub attendance: Option<i32>,
    pub walk_ins: i32,
    pub note: String,
}

/// Minutes served in a session of `starts_at`–`ends_at`, as the registry counts them: whole
/// quarter hours, at most 12 hours.
pub fn session_minutes(starts_at: NaiveTime, ends_at: NaiveTime) -> Option<i32> {
    let minutes = (ends_at - starts_at).num_minutes();
    let quarters = (minutes / 15 * 15).min(720) as i32;
    (quarters > 0).then_some(quarters)
}

/// The share `part` of `whole` in whole per cent, rounded down (nothing of nothing is 0).
pub fn share(part: i64, whole: i64) -> i64 {
    if whole <= 0 { 0 } else { part * 100 / whole }
}

/// A district's learning week must open within this many days of the national opening.
pub const LEARNING_WEEK_SLACK: i64 = 31;

/// Whether a learning week opening on `starts_on` follows the national opening on `national`:
/// within a month either side.
pub fn follows_national(starts_on: NaiveDate, national: NaiveDate) -> bool {
    (starts_on - national).num_days().abs() <= LEARNING_WEEK_SLACK
}

/// A campaign's form, checked.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub kind: String,
    pub name: String,
    pub year: i32,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub national_starts_on: Option<NaiveDate>,
    pub national_ends_on: Option<NaiveDate>,
}

/// A donation's form, checked; the amount in fen.
#[derive(Debug, Clone)]
pub struct DonationInput {
    pub donor_kind: String,
    pub donor_name: String,
    pub named_publicly: bool,
    pub amount: i64,
    pub received_on: NaiveDate,
    pub stated_use: String,
}

pub const CAMPAIGN_KINDS: [&str; 3] = ["learning_week", "reading", "other"];
pub const DONOR_KINDS: [&str; 3] = ["person", "company", "organisation"];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_weekly_series_falls_on_the_first_days_weekday_until_the_last_day() {
        let days = Repeat::Weekly
            .days(day("2026-03-02"), day("2026-03-30"))
            .unwrap();
        assert_eq!(days.len(), 5);
        assert!(days.iter().all(|d| d.weekday() == chrono::Weekday::Mon));
        assert_eq!(
            Repeat::Once.days(day("2026-03-02"), day("2026-06-30")),
            Some(vec![day("2026-03-02")])
        );
        assert_eq!(
            Repeat::Daily
                .days(day("2026-03-02"), day("2026-03-04"))
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            Repeat::Daily.days(day("2026-01-01"), day("2026-12-31")),
            None
        );
    }

    #[test]
    fn steps_start_only_where_they_may() {
        assert!(Status::Reported.from().contains(&"held"));
        assert!(!Status::Reported.from().contains(&"planned"));
        assert!(!Status::Cancelled.from().contains(&"held"));
        assert!(Status::Held.open() && !Status::Reported.open());
    }

    #[test]
    fn session_minutes_are_whole_quarters_and_at_most_twelve_hours() {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert_eq!(session_minutes(t("16:30"), t("18:00")), Some(90));
        assert_eq!(session_minutes(t("16:30"), t("17:10")), Some(30));
        assert_eq!(session_minutes(t("16:30"), t("16:40")), None);
        assert_eq!(session_minutes(t("06:00"), t("23:00")), Some(720));
    }

    #[test]
    fn the_learning_week_follows_the_national_opening_within_a_month() {
        assert!(follows_national(day("2026-11-06"), day("2026-10-25")));
        assert!(follows_national(day("2026-09-24"), day("2026-10-25")));
        assert!(!follows_national(day("2026-12-10"), day("2026-10-25")));
        assert_eq!(Organiser::parse("u12"), Some(Organiser::Unit(12)));
        assert_eq!(Organiser::parse("m3"), Some(Organiser::Member(3)));
        assert_eq!(Organiser::parse("x3"), None);
        assert_eq!(share(1, 3), 33);
        assert_eq!(share(0, 0), 0);
    }
}
