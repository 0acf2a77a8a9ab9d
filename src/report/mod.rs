//! Response-time reports: how fast the shop answers, counted in business hours ([`crate::hours`]), per
//! network, for regulars and for everyone; how much of what needs an answer is handled within the day; and how
//! many posts arrive per day and per hour of the day, by category.
//!
//! The store hands over each post's times ([`PostTimes`], one at a time) and posts counted per quarter hour
//! ([`QuarterCount`]); the rules (what counts as answered, which percentile, which day) are here.

pub mod cli;
pub mod digest;
pub mod render;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use serde::Serialize;

use crate::domain::{Category, Network};
use crate::hours::BusinessHours;
use crate::store::ReportRepo;

/// One post as reports count it (the shop's own posts and context-only posts never reach a report).
#[derive(Debug, Clone, PartialEq)]
pub struct PostTimes {
    pub network: Network,
    pub category: Category,
    /// Written by one of the shop's customers.
    pub regular: bool,
    pub created_at: DateTime<Utc>,
    /// The first reply sent or response logged: dismissals, notes and scheduling are not responses
    /// ([`crate::domain::ActionKind::is_response`]); the store keeps this time as they happen.
    pub first_response_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
    pub dismissed_at: Option<DateTime<Utc>>,
}

/// Posts of one category that arrived in one quarter hour (UTC; every time zone's offset is a whole number of
/// quarter hours, so they add up to local hours and days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterCount {
    pub start: DateTime<Utc>,
    pub category: Category,
    pub posts: u64,
}

/// A quarter hour's length in milliseconds: how the store buckets arrivals.
pub const QUARTER_MS: i64 = 15 * 60 * 1000;

/// First response times of one group of posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseRow {
    /// `None`: every network.
    pub network: Option<Network>,
    /// Only the regulars' posts (else everyone's, regulars included).
    pub regulars: bool,
    /// Posts answered.
    pub answered: usize,
    /// Business seconds to the first response: the median and the 90th percentile (nearest rank: the time
    /// within which half, or 90%, of the answered posts were answered). `None` with nothing answered.
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

/// What needs an answer (complaints, distress, questions; dismissed ones aside), against the close of the
/// business day it arrived in ([`BusinessHours::day_close`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Handled {
    /// Handled by the close of its business day.
    pub within: u64,
    /// Handled after it, or still open after it.
    pub late: u64,
    /// Still open, its day not over yet.
    pub waiting: u64,
}

/// Posts per category in one period (a day, an hour of the day), in [`Category::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub label: String,
    pub posts: [u64; 5],
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.posts.iter().sum()
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(7))?;
        map.serialize_entry("period", &self.label)?;
        for (category, n) in Category::ALL.iter().zip(self.posts) {
            map.serialize_entry(category.as_str(), &n)?;
        }
        map.serialize_entry("total", &self.total())?;
        map.end()
    }
}

/// A whole report over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub time_zone: String,
    /// Every network first (everyone, then regulars), then each network with posts answered, by name.
    pub first_response: Vec<ResponseRow>,
    pub handled: Handled,
    /// Each local day of the range, oldest first.
    pub per_day: Vec<Counts>,
    /// Each local hour of the day ("09" is 09:00-09:59) with posts, over the whole range.
    pub per_hour: Vec<Counts>,
}

/// Builds a report from the posts' times, fed one at a time ([`Tally::add`]), and the quarter-hour counts.
pub struct Tally<'h> {
    hours: &'h BusinessHours,
    now: DateTime<Utc>,
    /// Business seconds to the first response, by (network, regular).
    times: BTreeMap<(Network, bool), Vec<i64>>,
    handled: Handled,
}

impl<'h> Tally<'h> {
    /// `now` tells a post still waiting within its day from one left late.
    pub fn new(hours: &'h BusinessHours, now: DateTime<Utc>) -> Tally<'h> {
        Tally {
            hours,
            now,
            times: BTreeMap::new(),
            handled: Handled::default(),
        }
    }

    pub fn add(&mut self, post: &PostTimes) {
        if let Some(answer) = post.first_response_at {
            let secs = self
                .hours
                .business_duration(post.created_at, answer)
                .num_seconds();
            self.times
                .entry((post.network, post.regular))
                .or_default()
                .push(secs);
        }
        let needs_answer = post.category.needs_attention() || post.category == Category::Question;
        if !needs_answer || (post.dismissed_at.is_some() && post.handled_at.is_none()) {
            return;
        }
        let close = self.hours.day_close(post.created_at);
        let counter = match (post.handled_at, close) {
            (Some(done), Some(close)) if done <= close => &mut self.handled.within,
            (Some(_), _) => &mut self.handled.late,
            (None, Some(close)) if close <= self.now => &mut self.handled.late,
            (None, _) => &mut self.handled.waiting,
        };
        *counter += 1;
    }

    /// The first-response rows: all networks (everyone, regulars), then each network the same way.
    pub fn first_response(&self) -> Vec<ResponseRow> {
        let mut rows = Vec::new();
        let networks: Vec<Option<Network>> = std::iter::once(None)
            .chain(
                self.times
                    .keys()
                    .map(|(n, _)| Some(*n))
                    .collect::<std::collections::BTreeSet<_>>(),
            )
            .collect();
        for network in networks {
            for regulars in [false, true] {
                let mut secs: Vec<i64> = self
                    .times
                    .iter()
                    .filter(|((n, regular), _)| {
                        network.is_none_or(|want| want == *n) && (!regulars || *regular)
                    })
                    .flat_map(|(_, v)| v.iter().copied())
                    .collect();
                secs.sort_unstable();
                rows.push(ResponseRow {
                    network,
                    regulars,
                    answered: secs.len(),
                    median_secs: nearest_rank(&secs, 50),
                    p90_secs: nearest_rank(&secs, 90),
                });
            }
        }
        rows
    }

    /// The report over `[from, to)`, with the store's quarter-hour counts for the same range.
    pub fn finish(self, from: DateTime<Utc>, to: DateTime<Utc>, counts: &[QuarterCount]) -> Report {
        let tz = self.hours.time_zone();
        let first = from.with_timezone(&tz).date_naive();
        let last = (to - Duration::milliseconds(1))
            .with_timezone(&tz)
            .date_naive();
        let mut days: BTreeMap<NaiveDate, [u64; 5]> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| (d, [0; 5]))
            .collect();
        let mut hours: BTreeMap<u32, [u64; 5]> = BTreeMap::new();
        for count in counts {
            let local = count.start.with_timezone(&tz);
            let i = category_index(count.category);
            days.entry(local.date_naive()).or_default()[i] += count.posts;
            hours.entry(local.hour()).or_default()[i] += count.posts;
        }
        Report {
            from,
            to,
            time_zone: tz.name().to_string(),
            first_response: self.first_response(),
            handled: self.handled,
            per_day: days
                .into_iter()
                .map(|(d, posts)| Counts {
                    label: d.format("%Y-%m-%d").to_string(),
                    posts,
                })
                .collect(),
            per_hour: hours
                .into_iter()
                .map(|(h, posts)| Counts {
                    label: format!("{h:02}"),
                    posts,
                })
                .collect(),
        }
    }
}

pub fn category_index(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(Category::ALL.len() - 1)
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of them at or below it.
fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// A `--from`/`--to` argument: a date (`2026-11-30`, the start of that day in the shop's time zone) or an
/// RFC 3339 time. `end_of_day` reads a date as the end of that day instead (`--to` includes the day named).
pub fn parse_bound(
    text: &str,
    hours: &BusinessHours,
    end_of_day: bool,
) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.to_utc());
    }
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        format!("{text:?} is not a date or time: write a day as 2026-11-30, or a time as 2026-11-30T09:00:00Z")
    })?;
    let day = if end_of_day {
        date.succ_opt()
    } else {
        Some(date)
    }
    .ok_or_else(|| format!("{text:?} is out of range"))?;
    let tz = hours.time_zone();
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&day.and_hms_opt(1, 0, 0)?)
                .earliest()
        })
        .map(|t| t.to_utc())
        .ok_or_else(|| format!("{text:?}: no such local time in {}", tz.name()))
}

/// A `--since` argument: a span back from `now` (`24h`, `90m`, `7d`, `2w`) or a `--from` bound.
pub fn parse_since(
    text: &str,
    now: DateTime<Utc>,
    hours: &BusinessHours,
) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let span = t.char_indices().last().and_then(|(i, unit)| {
        let n: i64 = t[..i].parse().ok().filter(|n| *n >= 0)?;
        match unit {
            'm' => Some(Duration::minutes(n)),
            'h' => Some(Duration::hours(n)),
            'd' => Some(Duration::days(n)),
            'w' => Some(Duration::weeks(n)),
            _ => None,
        }
    });
    match span {
        Some(span) => Ok(now - span),
        None => parse_bound(t, hours, false).map_err(|_| {
            format!(
                "--since {text:?}: write a span back from now (24h, 90m, 7d, 2w), a day (2026-11-30) or an \
                 RFC 3339 time"
            )
        }),
    }
}

/// The report over `[from, to)` read from `store`.
pub fn build<R: ReportRepo + ?Sized>(
    store: &R,
    hours: &BusinessHours,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> crate::store::Result<Report> {
    let mut tally = Tally::new(hours, now);
    store.response_times(from, to, &mut |post| tally.add(&post))?;
    let counts = store.post_counts(from, to)?;
    Ok(tally.finish(from, to, &counts))
}

/// `regulars report`: `--from` (default: a week before `--to`) to `--to` (default: now; a date includes that
/// day), written as `format`.
pub fn run<R: ReportRepo + ?Sized>(
    store: &R,
    hours: &BusinessHours,
    from: Option<&str>,
    to: Option<&str>,
    format: render::Format,
    now: DateTime<Utc>,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let to = match to {
        Some(t) => parse_bound(t, hours, true).map_err(|e| anyhow::anyhow!("--to {e}"))?,
        None => now,
    };
    let from = match from {
        Some(t) => parse_bound(t, hours, false).map_err(|e| anyhow::anyhow!("--from {e}"))?,
        None => to - Duration::days(7),
    };
    if from >= to {
        anyhow::bail!(
            "--from is not before --to: nothing to report (the range is [from, to), --to's day included)"
        );
    }
    let report = build(store, hours, from, to, now)?;
    render::write(&report, format, out)
}

/// Business seconds as people read them: `45m`, `3h 05m`, `26h 10m` (business hours are not days).
pub fn duration_text(secs: i64) -> String {
    let minutes = (secs + 30) / 60;
    match minutes {
        m if m < 60 => format!("{m}m"),
        m => format!("{}h {:02}m", m / 60, m % 60),
    }
}

#[cfg(test)]
mod tests;
