//! `regulars digest`: the morning read (or the cron mail) — what is urgent and still open, which regulars
//! posted, follow-ups due, replies sent and response times since a time.
//!
//! A digest is a list of [`Section`]s, each a title and its lines, drawn the same way as text, Markdown and
//! JSON: another part (the spikes of the last day) is one more section pushed with [`Digest::push`].

use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Tally, duration_text};
use crate::alerts::spike::{SpikeRule, measure};
use crate::domain::{Anchor, CustomerId, Listing, Post, PostQuery, Search};
use crate::hours::BusinessHours;
use crate::store::{AlertRepo, ListRepo, LogRepo, ReportRepo};
use crate::text::truncate_words;

/// Open urgent posts listed by name; the rest are counted.
const URGENT_SHOWN: usize = 20;
/// A post's or reply's text in a line, cut at a word.
const TEXT_WIDTH: usize = 72;

/// A customer who posted in the digest's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularPosting {
    pub customer: CustomerId,
    pub name: String,
    pub rank: u32,
    pub posts: u64,
    /// Complaints and distress among them.
    pub urgent: u64,
    pub last: DateTime<Utc>,
}

/// One part of the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Its name in JSON (`urgent`, `regulars`, `follow_ups`, `replies`, `response_times`).
    pub key: &'static str,
    pub title: String,
    /// How many things it is about (more than its lines when it lists only the first).
    pub count: u64,
    pub lines: Vec<String>,
}

/// `regulars digest --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digest {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub time_zone: String,
    pub sections: Vec<Section>,
}

impl Digest {
    pub fn push(&mut self, section: Section) {
        self.sections.push(section);
    }

    /// The spikes of the period, hour by hour, as the spike alert measures them (`alerts::spike::measure`: the
    /// same rule, so the digest names the spikes the console told of).
    pub fn push_spikes<R: AlertRepo + ?Sized>(
        &mut self,
        store: &R,
        rule: &SpikeRule,
        hours: &BusinessHours,
    ) -> crate::store::Result<()> {
        let tz = hours.time_zone();
        let mut lines = Vec::new();
        let mut hour_end = self.since + Duration::hours(1);
        while rule.enabled && hour_end <= self.until {
            for spike in measure(store, rule, hour_end)? {
                let from = (hour_end - Duration::hours(1)).with_timezone(&tz);
                lines.push(format!(
                    "{}-{}  {} {} ({})",
                    from.format("%a %d %b %H:%M"),
                    hour_end.with_timezone(&tz).format("%H:%M"),
                    spike.count,
                    spike.watched.as_str(),
                    spike.detail()
                ));
            }
            hour_end += Duration::hours(1);
        }
        let count = lines.len() as u64;
        if !rule.enabled {
            lines.push("spike alerts are off ([alerts.spike] enabled = false)".into());
        }
        self.push(Section {
            key: "spikes",
            title: "Spikes (an hour far above the 12 before)".into(),
            count,
            lines,
        });
        Ok(())
    }

    /// The digest of `[since, now)` read from `store`, times shown in the shop's time zone.
    pub fn build<R: ReportRepo + ListRepo + LogRepo + ?Sized>(
        store: &R,
        hours: &BusinessHours,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> crate::store::Result<Digest> {
        let tz = hours.time_zone();
        let when = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %d %b %H:%M").to_string();
        let mut digest = Digest {
            since,
            until: now,
            time_zone: tz.name().to_string(),
            sections: Vec::new(),
        };

        let attention = PostQuery {
            listing: Listing::Attention,
            search: Search::default(),
        };
        let page = store.posts_page(&attention, Anchor::First, URGENT_SHOWN, true)?;
        let total = page.total.unwrap_or(page.rows.len() as u64);
        let mut lines: Vec<String> = page
            .rows
            .iter()
            .map(|(_, post)| {
                format!(
                    "{}  {:<9} {}: {}",
                    when(post.created_at),
                    post.triage.category.as_str(),
                    who(post),
                    truncate_words(&post.text, TEXT_WIDTH)
                )
            })
            .collect();
        if total > lines.len() as u64 {
            lines.push(format!("… and {} more", total - lines.len() as u64));
        }
        digest.push(Section {
            key: "urgent",
            title: "Urgent, still open".into(),
            count: total,
            lines,
        });

        let regulars = store.regulars_posting(since)?;
        digest.push(Section {
            key: "regulars",
            title: "Regulars who posted".into(),
            count: regulars.len() as u64,
            lines: regulars
                .iter()
                .map(|r| {
                    let urgent = match r.urgent {
                        0 => String::new(),
                        n => format!(", {n} complaint or distress"),
                    };
                    let posts = if r.posts == 1 { "post" } else { "posts" };
                    format!(
                        "#{} {}: {} {posts}{urgent}, last {}",
                        r.rank,
                        r.name,
                        r.posts,
                        when(r.last)
                    )
                })
                .collect(),
        });

        let today = now.with_timezone(&tz).date_naive();
        let due: Vec<String> = store
            .follow_up_rows()?
            .into_iter()
            .filter(|row| row.follow_up.due <= today)
            .map(|row| {
                let days = (today - row.follow_up.due).num_days();
                let overdue = match days {
                    0 => "due today".to_string(),
                    1 => "overdue 1 day".to_string(),
                    n => format!("overdue {n} days"),
                };
                let about = row.post.as_ref().map(who).unwrap_or_default();
                let note = match (about.is_empty(), row.follow_up.note.is_empty()) {
                    (true, _) => row.follow_up.note.clone(),
                    (false, true) => about,
                    (false, false) => format!("{about}: {}", row.follow_up.note),
                };
                format!(
                    "{} ({overdue}) {note}",
                    row.follow_up.due.format("%a %d %b")
                )
            })
            .collect();
        digest.push(Section {
            key: "follow_ups",
            title: "Follow-ups due".into(),
            count: due.len() as u64,
            lines: due,
        });

        let mut replies = Vec::new();
        let mut senders = std::collections::BTreeMap::<String, u64>::new();
        store.each_reply(Some(since), &mut |reply| {
            let by = match reply.staff.as_str() {
                "" => String::new(),
                name => {
                    *senders.entry(name.to_string()).or_default() += 1;
                    format!(" by {name}")
                }
            };
            replies.push(format!(
                "{}  {}{by}: {}",
                when(reply.sent_at),
                reply.network.as_str(),
                truncate_words(&reply.text, TEXT_WIDTH)
            ));
            Ok(())
        })?;
        let count = replies.len() as u64;
        // A team's digest says who answered how many, first.
        if senders.len() > 1 {
            let each: Vec<String> = senders.iter().map(|(n, c)| format!("{n} {c}")).collect();
            replies.insert(0, format!("by person: {}", each.join(" · ")));
        }
        digest.push(Section {
            key: "replies",
            title: "Replies sent".into(),
            count,
            lines: replies,
        });

        let mut tally = Tally::new(hours, now);
        store.response_times(since, now, &mut |post| tally.add(&post))?;
        let rows = tally.first_response();
        let mut lines: Vec<String> = rows
            .iter()
            .filter(|row| row.answered > 0)
            .map(|row| {
                let time = |s: Option<i64>| s.map_or("-".into(), duration_text);
                format!(
                    "{}, {}: {} answered, median {}, 90th percentile {}",
                    row.network.map_or("all networks", |n| n.as_str()),
                    if row.regulars { "regulars" } else { "everyone" },
                    row.answered,
                    time(row.median_secs),
                    time(row.p90_secs)
                )
            })
            .collect();
        let h = tally.handled;
        if h.within + h.late + h.waiting > 0 {
            lines.push(format!(
                "handled within the day: {} of {} ({} waiting)",
                h.within,
                h.within + h.late,
                h.waiting
            ));
        }
        digest.push(Section {
            key: "response_times",
            title: "Posts answered, response times in business hours".into(),
            count: rows.first().map_or(0, |r| r.answered as u64),
            lines,
        });
        Ok(digest)
    }

    pub fn write(&self, format: Format, out: &mut impl Write) -> anyhow::Result<()> {
        let tz = self
            .time_zone
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::UTC);
        let when = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %d %b %H:%M").to_string();
        let period = format!(
            "{} to {} ({})",
            when(self.since),
            when(self.until),
            self.time_zone
        );
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)?;
            }
            Format::Text => {
                writeln!(out, "Digest {period}")?;
                for s in &self.sections {
                    writeln!(out)?;
                    match s.count {
                        0 => writeln!(out, "{}: none", s.title)?,
                        n => writeln!(out, "{} ({n})", s.title)?,
                    }
                    for line in &s.lines {
                        writeln!(out, "  {line}")?;
                    }
                }
            }
            Format::Markdown => {
                writeln!(out, "# Digest {period}")?;
                for s in &self.sections {
                    writeln!(out)?;
                    match s.count {
                        0 => writeln!(out, "## {}: none", s.title)?,
                        n => writeln!(out, "## {} ({n})", s.title)?,
                    }
                    if !s.lines.is_empty() {
                        writeln!(out)?;
                    }
                    for line in &s.lines {
                        writeln!(out, "- {}", markdown_escaped(line))?;
                    }
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}

/// Who wrote a post, as a line names them: their display name, else their handle.
fn who(post: &Post) -> String {
    if post.author.display_name.trim().is_empty() {
        format!("@{}", post.author.handle)
    } else {
        post.author.display_name.clone()
    }
}

/// A line's text as Markdown shows it literally: a post is a stranger's words, never markup.
fn markdown_escaped(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
