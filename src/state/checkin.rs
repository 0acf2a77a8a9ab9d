//! A check-in in progress: its own mode over the panes (not a filter on one), started with `c` or `regulars
//! checkin`. It gathers its queue from the store, walks it item by item against the clock, and ends on a
//! summary that stays until dismissed.

use chrono::{DateTime, Utc};

use super::{AppState, View};
use crate::domain::PostId;
use crate::domain::checkin::{CheckInRecord, Item, Tally};

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Its queue is being read from the store (`asked`: the read is on its way).
    Gathering { asked: bool },
    /// Walking the queue.
    Working,
    /// Over: the summary shows until dismissed.
    Summary { ended_at: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub started_at: DateTime<Utc>,
    /// The time given, in seconds.
    pub budget_secs: i64,
    pub phase: Phase,
    /// Where it started from (the last check-in's end), once gathered.
    pub since: Option<DateTime<Utc>>,
    /// Everything waiting, most important first; the first `fits` are this check-in's queue.
    pub items: Vec<Item>,
    pub fits: usize,
    /// The current item, in the queue.
    pub at: usize,
    /// Items shown (by index), and items dealt with (handled, replied to, done).
    pub seen: Vec<bool>,
    pub done: Vec<bool>,
    pub tally: Tally,
    /// Mastodon's read position once synced at the end (or why not).
    pub read_position: Option<Result<crate::sources::mastodon::markers::ReadPosition, String>>,
}

impl CheckIn {
    pub fn new(now: DateTime<Utc>, minutes: u32) -> CheckIn {
        CheckIn {
            started_at: now,
            budget_secs: i64::from(minutes) * 60,
            phase: Phase::Gathering { asked: false },
            since: None,
            items: Vec::new(),
            fits: 0,
            at: 0,
            seen: Vec::new(),
            done: Vec::new(),
            tally: Tally::default(),
            read_position: None,
        }
    }

    /// Seconds left on the clock (0 once over).
    pub fn remaining_secs(&self, now: DateTime<Utc>) -> i64 {
        let end = match self.phase {
            Phase::Summary { ended_at } => ended_at,
            _ => now,
        };
        (self.budget_secs - (end - self.started_at).num_seconds()).max(0)
    }

    /// The timer runs while gathering and working.
    pub fn running(&self) -> bool {
        !matches!(self.phase, Phase::Summary { .. })
    }

    pub fn current(&self) -> Option<&Item> {
        match self.phase {
            Phase::Working => self.items[..self.fits].get(self.at),
            _ => None,
        }
    }

    /// Items not shown: left for next time (those that did not fit, and those not reached).
    pub fn left(&self) -> usize {
        self.seen.iter().filter(|s| !**s).count()
    }

    /// The item that has waited longest and is still waiting (not dealt with here).
    pub fn oldest_waiting(&self) -> Option<&Item> {
        self.items
            .iter()
            .zip(&self.done)
            .filter(|(_, done)| !**done)
            .map(|(item, _)| item)
            .min_by_key(|i| i.waiting_since)
    }

    /// Seconds the items still ahead in the queue should take (the current one included).
    pub fn planned_ahead_secs(&self) -> i64 {
        self.items[self.at.min(self.fits)..self.fits]
            .iter()
            .map(|i| i.secs)
            .sum()
    }

    /// What is stored once it ended at `ended_at`.
    pub fn record(&self, ended_at: DateTime<Utc>) -> CheckInRecord {
        CheckInRecord {
            started_at: self.started_at,
            ended_at,
            planned_secs: self.budget_secs,
            tally: self.tally,
            left: u32::try_from(self.left()).unwrap_or(u32::MAX),
            oldest_waiting: self.oldest_waiting().map(|i| i.waiting_since),
        }
    }

    /// The posts it shows (kept in the cache while it lasts).
    pub fn posts(&self) -> impl Iterator<Item = PostId> + '_ {
        self.items.iter().filter_map(|i| i.post)
    }
}

impl AppState {
    /// Starts a check-in of `minutes` (its queue is asked for by `update` after the message that started it).
    pub fn begin_check_in(&mut self, minutes: u32) {
        self.check_in = Some(CheckIn::new(self.now, minutes));
        self.view = View::CheckIn;
        self.detail_focused = false;
        self.detail_scroll = 0;
    }

    pub fn check_in_open(&self) -> bool {
        self.view == View::CheckIn && self.check_in.is_some()
    }
}
