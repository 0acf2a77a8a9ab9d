use chrono::{DateTime, Duration, Utc};

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn nearest_rank_percentiles() {
    assert_eq!(nearest_rank(&[], 50), None);
    assert_eq!(nearest_rank(&[7], 90), Some(7));
    assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
    assert_eq!(nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
    assert_eq!(
        nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90),
        Some(10)
    );
}

#[test]
fn since_reads_spans_and_dates() {
    let hours = BusinessHours::default();
    let now = utc("2026-12-03T09:00:00Z");
    assert_eq!(
        parse_since("24h", now, &hours),
        Ok(now - Duration::hours(24))
    );
    assert_eq!(parse_since("2w", now, &hours), Ok(now - Duration::weeks(2)));
    assert_eq!(
        parse_since("2026-12-01", now, &hours),
        Ok(utc("2026-12-01T00:00:00Z"))
    );
    let e = parse_since("yesterday", now, &hours).unwrap_err();
    assert!(e.contains("--since") && e.contains("24h"), "{e}");
}

#[test]
fn to_includes_its_day() {
    let hours = BusinessHours::default();
    assert_eq!(
        parse_bound("2026-12-01", &hours, true),
        Ok(utc("2026-12-02T00:00:00Z"))
    );
}

#[test]
fn durations_read_as_hours_and_minutes() {
    assert_eq!(duration_text(0), "0m");
    assert_eq!(duration_text(45 * 60), "45m");
    assert_eq!(duration_text(3 * 3600 + 5 * 60), "3h 05m");
    assert_eq!(duration_text(26 * 3600), "26h 00m");
}

fn post(created: &str, category: Category) -> PostTimes {
    PostTimes {
        network: Network::Mastodon,
        category,
        regular: false,
        created_at: utc(created),
        first_response_at: None,
        handled_at: None,
        dismissed_at: None,
    }
}

#[test]
fn handled_within_the_day_against_the_business_close() {
    let hours = BusinessHours::default();
    let now = utc("2026-12-03T12:00:00Z");
    let mut tally = Tally::new(&hours, now);
    // Tue 1 Dec 10:00, handled 16:59: within.
    tally.add(&PostTimes {
        handled_at: Some(utc("2026-12-01T16:59:00Z")),
        ..post("2026-12-01T10:00:00Z", Category::Complaint)
    });
    // Tue 1 Dec 20:00 (after close): its day is Wednesday's; handled Wed 18:00: late.
    tally.add(&PostTimes {
        handled_at: Some(utc("2026-12-02T18:00:00Z")),
        ..post("2026-12-01T20:00:00Z", Category::Question)
    });
    // Open since Wednesday: late by now. Open since this morning: waiting.
    tally.add(&post("2026-12-02T09:30:00Z", Category::Distress));
    tally.add(&post("2026-12-03T09:30:00Z", Category::Complaint));
    // Dismissed, and praise: not counted.
    tally.add(&PostTimes {
        dismissed_at: Some(utc("2026-12-02T10:00:00Z")),
        ..post("2026-12-02T09:30:00Z", Category::Complaint)
    });
    tally.add(&post("2026-12-02T09:30:00Z", Category::Praise));
    assert_eq!(
        tally.handled,
        Handled {
            within: 1,
            late: 2,
            waiting: 1
        }
    );
}
