//! A public notice's period: working days are weekdays, less the public holidays on the
//! platform's calendar, plus the weekend days it makes working days (调休).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The shortest notice, in working days.
pub const MIN_DAYS: u32 = 5;

/// Whether `day` is a working day: a weekday unless the calendar says it is a holiday, a
/// weekend day when the calendar makes it one (调休).
pub fn working(day: NaiveDate, calendar: &[(NaiveDate, bool)]) -> bool {
    match calendar.iter().find(|(d, _)| *d == day) {
        Some((_, working)) => *working,
        None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// The last day of a notice that starts on `start` and runs for `days` working days (the
/// first day counts when it is a working day).
pub fn notice_end(start: NaiveDate, days: u32, calendar: &[(NaiveDate, bool)]) -> NaiveDate {
    let mut day = start;
    let mut counted = 0;
    loop {
        if working(day, calendar) {
            counted += 1;
            if counted >= days {
                return day;
            }
        }
        day = day + Days::new(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn five_working_days_skip_the_weekend_and_a_holiday_and_count_a_makeup_saturday() {
        // Monday 2026-09-28: Tue 29, Wed 30, then the National Day holiday (1–7 October, with
        // Sunday 20 September and Saturday 10 October made working days).
        let calendar: Vec<(NaiveDate, bool)> = (1..=7)
            .map(|d| (NaiveDate::from_ymd_opt(2026, 10, d).unwrap(), false))
            .chain([(day("2026-09-20"), true), (day("2026-10-10"), true)])
            .collect();
        assert_eq!(
            notice_end(day("2026-09-28"), 5, &calendar),
            day("2026-10-09")
        );
        assert_eq!(
            notice_end(day("2026-10-09"), 5, &calendar),
            day("2026-10-14")
        );
        // A plain week: Wednesday to the next Tuesday.
        assert_eq!(notice_end(day("2026-11-25"), 5, &[]), day("2026-12-01"));
        // Starting on a Saturday, the first working day is Monday.
        assert_eq!(notice_end(day("2026-11-28"), 5, &[]), day("2026-12-04"));
        assert!(working(day("2026-09-20"), &calendar));
        assert!(!working(day("2026-09-27"), &calendar));
        assert!(!working(day("2026-10-05"), &calendar));
    }
}
