//! At most one notification per window: the first alert goes out at once, what comes in the window (or in
//! quiet hours) waits and goes out as one summary when it ends ("3 more urgent posts").

use chrono::{DateTime, Utc};

use super::{Alert, AlertsConfig, Arrival};
use crate::text::{join_fitting, truncate_width};

/// What to tell staff: a desktop notification's title and body (the status bar shows the title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// How wide a notification's body may grow (notification popups show a few short lines).
const BODY_WIDTH: usize = 160;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coalescer {
    last_sent: Option<DateTime<Utc>>,
    held: Vec<Alert>,
    /// Some of what is held came in quiet hours (the summary says so).
    held_in_quiet: bool,
}

impl Coalescer {
    /// New alerts: one notification now when the window allows and it is not quiet hours, else held.
    pub fn offer(
        &mut self,
        policy: &AlertsConfig,
        alerts: Vec<Alert>,
        now: DateTime<Utc>,
        quiet: bool,
    ) -> Option<Notification> {
        if alerts.is_empty() {
            return None;
        }
        if quiet || !self.open(policy, now) {
            self.held.extend(alerts);
            self.held_in_quiet |= quiet;
            return None;
        }
        if self.held.is_empty() {
            self.last_sent = Some(now);
            return Some(fresh(&alerts));
        }
        self.held.extend(alerts);
        self.flush(now)
    }

    /// The clock moved: what is held goes out once the window has passed, outside quiet hours.
    pub fn tick(
        &mut self,
        policy: &AlertsConfig,
        now: DateTime<Utc>,
        quiet: bool,
    ) -> Option<Notification> {
        if self.held.is_empty() || quiet || !self.open(policy, now) {
            return None;
        }
        self.flush(now)
    }

    /// How many alerts wait.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    fn open(&self, policy: &AlertsConfig, now: DateTime<Utc>) -> bool {
        self.last_sent.is_none_or(|at| now - at >= policy.window())
    }

    fn flush(&mut self, now: DateTime<Utc>) -> Option<Notification> {
        let held = std::mem::take(&mut self.held);
        let quiet = std::mem::take(&mut self.held_in_quiet);
        self.last_sent = Some(now);
        Some(summary(&held, quiet))
    }
}

/// Alerts arriving together, sent at once: one post or spike in full, several posts as a count.
fn fresh(alerts: &[Alert]) -> Notification {
    let posts = posts(alerts);
    let spikes: Vec<_> = alerts.iter().filter_map(Alert::spike).collect();
    let Some(first) = posts.first() else {
        let join = |f: fn(&super::Spike) -> String| {
            spikes.iter().map(|s| f(s)).collect::<Vec<_>>().join("; ")
        };
        return Notification {
            title: join(super::Spike::title),
            body: join(super::Spike::detail),
        };
    };
    let title = match posts.len() {
        1 => format!("{}: {}", first.kind(), first.who),
        n => format!("{n} {}, first from {}", noun(&posts), first.who),
    };
    Notification {
        title,
        body: body(&spikes, &crate::text::one_line(&first.text)),
    }
}

/// What waited: "3 more urgent posts" with who wrote them (or, after quiet hours, what came meanwhile).
fn summary(alerts: &[Alert], quiet: bool) -> Notification {
    let posts = posts(alerts);
    let spikes: Vec<_> = alerts.iter().filter_map(Alert::spike).collect();
    if posts.is_empty() {
        return fresh(alerts);
    }
    let n = posts.len();
    let noun = noun(&posts);
    let noun = if n == 1 {
        noun.trim_end_matches('s')
    } else {
        noun
    };
    let title = if quiet {
        format!("{n} {noun} during quiet hours")
    } else {
        format!("{n} more {noun}")
    };
    let who: Vec<String> = posts.iter().map(|p| p.who.clone()).collect();
    let who = format!("from {}", join_fitting(&dedup(who), ", ", BODY_WIDTH - 5));
    Notification {
        title,
        body: body(&spikes, &who),
    }
}

/// The posts among the alerts, most urgent first.
fn posts(alerts: &[Alert]) -> Vec<&Arrival> {
    let mut posts: Vec<&Arrival> = alerts.iter().filter_map(Alert::post).collect();
    posts.sort_by(|a, b| b.urgency.total_cmp(&a.urgency));
    posts
}

fn noun(posts: &[&Arrival]) -> &'static str {
    if posts.iter().all(|p| p.category.needs_attention()) {
        "urgent posts"
    } else {
        "posts"
    }
}

/// The spikes' statements first (they concern many posts), then `rest`.
fn body(spikes: &[&super::Spike], rest: &str) -> String {
    let mut parts: Vec<String> = spikes.iter().map(|s| s.title()).collect();
    parts.push(rest.to_string());
    truncate_width(&parts.join("; "), BODY_WIDTH)
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}
