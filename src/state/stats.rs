//! The Stats view's state: the report it shows (the last [`STATS_DAYS`] days, read when the view opens) and the
//! business hours it is counted in.

use crate::hours::BusinessHours;
use crate::report::Report;

/// The days the Stats view covers, up to now.
pub const STATS_DAYS: i64 = 7;

#[derive(Debug, Clone, Default)]
pub struct StatsView {
    /// `[hours]`: what response times are counted in.
    pub hours: BusinessHours,
    pub report: Option<Report>,
    /// A read is on its way.
    pub pending: bool,
    /// The last read failed (the status bar said why); opening the view again asks again.
    pub failed: bool,
}

/// A week's report for the view's tests and snapshots: Mastodon and Bluesky answered in business hours,
/// regulars among them, posts on most days and through the day.
#[cfg(test)]
pub fn sample_report() -> Report {
    use chrono::{DateTime, Duration};

    use crate::domain::{Category, Network};
    use crate::report::{PostTimes, QuarterCount, Tally};

    let at = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.to_utc())
            .unwrap_or_default()
    };
    let (from, to) = (at("2026-11-23T00:00:00Z"), at("2026-11-30T00:00:00Z"));
    let hours = BusinessHours::default();
    let mut tally = Tally::new(&hours, to);
    let answered = [
        (Network::Mastodon, true, "2026-11-23T10:00:00Z", 25),
        (Network::Mastodon, false, "2026-11-23T16:30:00Z", 75),
        (Network::Mastodon, false, "2026-11-24T09:10:00Z", 12),
        (Network::Bluesky, false, "2026-11-25T11:00:00Z", 140),
        (Network::Bluesky, true, "2026-11-26T14:00:00Z", 45),
    ];
    for (network, regular, created, minutes) in answered {
        let created_at = at(created);
        tally.add(&PostTimes {
            network,
            category: Category::Complaint,
            regular,
            created_at,
            first_response_at: Some(created_at + Duration::minutes(minutes)),
            handled_at: Some(created_at + Duration::minutes(minutes)),
            dismissed_at: None,
        });
    }
    let mut counts = Vec::new();
    for day in 0..6 {
        for (hour, category, posts) in [
            (9, Category::Complaint, 1 + day % 3),
            (11, Category::Question, 2),
            (13, Category::Praise, 1 + day % 2),
            (15, Category::Neutral, 4 + day),
            (20, Category::Distress, day % 2),
        ] {
            counts.push(QuarterCount {
                start: from + Duration::days(day as i64) + Duration::hours(hour),
                category,
                posts: posts as u64,
            });
        }
    }
    tally.finish(from, to, &counts)
}
