//! A report's time axis: every period between two instants, so that a period without
//! events is drawn as an empty bar instead of being left out (`eventReport` answers only
//! the periods that have events). Periods are cut as the server cuts them: UTC hours,
//! days, ISO weeks from Monday, calendar months. Pure, no clock.

use crate::loaders::events::Bucket;

/// The most periods an axis gets (a guard against a mistaken range, far above the
/// Reports page's spans: 48 hours, 31 days, 26 weeks, 13 months).
const MOST: usize = 2_000;

/// Hours since 1970-01-01T00:00Z of an RFC 3339 UTC instant (`YYYY-MM-DDTHH…`), to the
/// hour; `None` when it is not one.
fn hours_of(instant: &str) -> Option<i64> {
    let number = |from: usize, to: usize| instant.get(from..to)?.parse::<i64>().ok();
    let (year, month, day, hour) = (
        number(0, 4)?,
        number(5, 7)?,
        number(8, 10)?,
        number(11, 13)?,
    );
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && (0..24).contains(&hour);
    valid.then(|| days_from_civil(year, month, day) * 24 + hour)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The start of the period of `period` (`HOUR`, `DAY`, `WEEK`, `MONTH`) that the hour
/// `hours` falls in.
fn period_start(period: &str, hours: i64) -> i64 {
    let day = hours.div_euclid(24);
    match period {
        "HOUR" => hours,
        // 1970-01-01 was a Thursday: three days after a Monday.
        "WEEK" => (day - (day + 3).rem_euclid(7)) * 24,
        "MONTH" => {
            let (year, month, _) = civil_from_days(day);
            days_from_civil(year, month, 1) * 24
        }
        _ => day * 24,
    }
}

/// The start of the period after the one starting at `start`.
fn next_start(period: &str, start: i64) -> i64 {
    match period {
        "HOUR" => start + 1,
        "WEEK" => start + 7 * 24,
        "MONTH" => {
            let (year, month, _) = civil_from_days(start.div_euclid(24));
            let (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            days_from_civil(year, month, 1) * 24
        }
        _ => start + 24,
    }
}

/// An hour as the server writes a period's start: `YYYY-MM-DDTHH:00:00Z`.
fn format_hour(hours: i64) -> String {
    let (year, month, day) = civil_from_days(hours.div_euclid(24));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:00:00Z",
        hours.rem_euclid(24)
    )
}

/// `buckets` (a report of `period`, in order) with an empty bucket for every period from
/// the one holding `from` to the one holding `to` that has none. Buckets outside that
/// range, or whose start cannot be read, are kept in their place by start.
pub fn with_empty_periods(period: &str, from: &str, to: &str, buckets: &[Bucket]) -> Vec<Bucket> {
    let (Some(first), Some(last)) = (hours_of(from), hours_of(to)) else {
        return buckets.to_vec();
    };
    let last = period_start(period, last);
    let mut filled: Vec<Bucket> = Vec::new();
    let mut start = period_start(period, first);
    while start <= last && filled.len() < MOST {
        filled.push(Bucket {
            start: format_hour(start),
            total: 0,
            invalid: 0,
            by_type: Vec::new(),
        });
        start = next_start(period, start);
    }
    for bucket in buckets {
        let slot = hours_of(&bucket.start)
            .and_then(|h| filled.iter_mut().find(|b| hours_of(&b.start) == Some(h)));
        match slot {
            Some(slot) => *slot = bucket.clone(),
            None => filled.push(bucket.clone()),
        }
    }
    filled.sort_by_key(|b| hours_of(&b.start).unwrap_or(i64::MAX));
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(start: &str, total: u64) -> Bucket {
        Bucket {
            start: start.to_owned(),
            total,
            invalid: 0,
            by_type: vec![("track".to_owned(), total)],
        }
    }

    fn starts(buckets: &[Bucket]) -> Vec<(&str, u64)> {
        buckets
            .iter()
            .map(|b| (b.start.as_str(), b.total))
            .collect()
    }

    #[test]
    fn dates_round_trip_across_leap_years_and_before_1970() {
        for days in [-800_000, -1, 0, 59, 365 + 59, 11_016, 20_000, 1_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(
            days_from_civil(2024, 2, 29) + 1,
            days_from_civil(2024, 3, 1)
        );
        assert_eq!(
            hours_of("2026-12-01T14:30:00.123Z"),
            hours_of("2026-12-01T14:00:00Z")
        );
        assert_eq!(
            format_hour(hours_of("2026-12-01T14:59:00Z").unwrap()),
            "2026-12-01T14:00:00Z"
        );
        assert_eq!(hours_of("yesterday"), None);
        assert_eq!(hours_of("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn a_day_without_events_is_an_empty_bar_between_the_others() {
        let report = [
            bucket("2026-11-29T00:00:00Z", 4),
            bucket("2026-12-01T00:00:00Z", 2),
        ];
        let filled = with_empty_periods(
            "DAY",
            "2026-11-28T15:20:00.000Z",
            "2026-12-02T09:00:00.000Z",
            &report,
        );
        assert_eq!(
            starts(&filled),
            [
                ("2026-11-28T00:00:00Z", 0),
                ("2026-11-29T00:00:00Z", 4),
                ("2026-11-30T00:00:00Z", 0),
                ("2026-12-01T00:00:00Z", 2),
                ("2026-12-02T00:00:00Z", 0),
            ]
        );
        assert_eq!(filled[1], report[0], "a reported period is kept as it came");
        assert!(filled[0].by_type.is_empty());
    }

    #[test]
    fn hours_weeks_and_months_are_cut_as_the_server_cuts_them() {
        let hours = with_empty_periods("HOUR", "2026-12-31T22:10:00Z", "2027-01-01T01:05:00Z", &[]);
        assert_eq!(
            starts(&hours),
            [
                ("2026-12-31T22:00:00Z", 0),
                ("2026-12-31T23:00:00Z", 0),
                ("2027-01-01T00:00:00Z", 0),
                ("2027-01-01T01:00:00Z", 0),
            ]
        );
        // 2026-12-02 is a Wednesday: its week starts on Monday 2026-11-30.
        let weeks = with_empty_periods(
            "WEEK",
            "2026-12-02T10:00:00Z",
            "2026-12-21T10:00:00Z",
            &[bucket("2026-12-07T00:00:00Z", 9)],
        );
        assert_eq!(
            starts(&weeks),
            [
                ("2026-11-30T00:00:00Z", 0),
                ("2026-12-07T00:00:00Z", 9),
                ("2026-12-14T00:00:00Z", 0),
                ("2026-12-21T00:00:00Z", 0),
            ]
        );
        let months =
            with_empty_periods("MONTH", "2025-11-15T00:00:00Z", "2026-03-01T00:00:00Z", &[]);
        assert_eq!(
            starts(&months),
            [
                ("2025-11-01T00:00:00Z", 0),
                ("2025-12-01T00:00:00Z", 0),
                ("2026-01-01T00:00:00Z", 0),
                ("2026-02-01T00:00:00Z", 0),
                ("2026-03-01T00:00:00Z", 0),
            ]
        );
    }

    #[test]
    fn buckets_outside_the_range_are_kept_in_order() {
        let report = [
            bucket("2026-11-01T00:00:00Z", 1),
            bucket("2026-12-02T00:00:00Z", 3),
        ];
        let filled = with_empty_periods(
            "DAY",
            "2026-12-01T00:00:00Z",
            "2026-12-02T23:00:00Z",
            &report,
        );
        assert_eq!(
            starts(&filled),
            [
                ("2026-11-01T00:00:00Z", 1),
                ("2026-12-01T00:00:00Z", 0),
                ("2026-12-02T00:00:00Z", 3),
            ]
        );
        // A range that cannot be read leaves the report as it came.
        assert_eq!(
            with_empty_periods("DAY", "?", "?", &report),
            report.to_vec()
        );
    }
}
