//! The Follow-ups view: every open follow-up, soonest due first (so the most overdue lead), with what it is
//! about. The rows are `AppState::follow_ups` (kept current by `update`); what the store adds (each one's post
//! and the shop's last contact) is read when the view opens and when it changes.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{AppState, View};
use crate::domain::FollowUp;

/// What the view holds besides the rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUpsView {
    /// The selected follow-up, by id: one done or added elsewhere never moves the selection to another.
    pub selected: Option<i64>,
    /// When the shop last reached out to whom each open follow-up is about, by follow-up id (`None`: never),
    /// as last read. A follow-up missing here is read again.
    pub last_contact: HashMap<i64, Option<DateTime<Utc>>>,
    /// A read is on its way.
    pub pending: bool,
    /// What was read is out of date (the shop reached out since): read again.
    pub stale: bool,
    /// A read failed: none is asked for again before then.
    pub retry_at: Option<DateTime<Utc>>,
}

/// When a follow-up is due, against today (both local dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Due this many days ago (1 or more).
    Overdue(i64),
    Today,
    Upcoming,
}

impl Due {
    pub fn of(due: NaiveDate, today: NaiveDate) -> Due {
        match (today - due).num_days() {
            n if n > 0 => Due::Overdue(n),
            0 => Due::Today,
            _ => Due::Upcoming,
        }
    }

    /// Due today or earlier.
    pub fn is_due(self) -> bool {
        self != Due::Upcoming
    }
}

/// The due date as staff read it: "overdue 3 days", "today", "tomorrow", "Fri 12 Dec" (the year only when it
/// is not this one).
pub fn due_label(due: NaiveDate, today: NaiveDate) -> String {
    match Due::of(due, today) {
        Due::Overdue(1) => "overdue 1 day".into(),
        Due::Overdue(n) => format!("overdue {n} days"),
        Due::Today => "today".into(),
        Due::Upcoming if (due - today).num_days() == 1 => "tomorrow".into(),
        Due::Upcoming if due.year() == today.year() => due.format("%a %-d %b").to_string(),
        Due::Upcoming => due.format("%a %-d %b %Y").to_string(),
    }
}

impl AppState {
    /// The view's rows: follow-ups not done, soonest due first (overdue, then today, then upcoming), then in
    /// the order they were made.
    pub fn open_follow_ups(&self) -> Vec<&FollowUp> {
        let mut rows: Vec<&FollowUp> = self
            .follow_ups
            .iter()
            .filter(|f| f.done_at.is_none())
            .collect();
        rows.sort_by_key(|f| (f.due, f.id));
        rows
    }

    /// Index of the selected row (0 when none or a finished one was selected).
    pub fn follow_up_index(&self) -> usize {
        let selected = self.follow_up_view.selected;
        self.open_follow_ups()
            .iter()
            .position(|f| Some(f.id) == selected)
            .unwrap_or(0)
    }

    pub fn selected_follow_up(&self) -> Option<&FollowUp> {
        self.open_follow_ups().get(self.follow_up_index()).copied()
    }

    /// Whom a follow-up is about, as the view names them: the customer, else the post's author.
    pub fn follow_up_who(&self, f: &FollowUp) -> String {
        if let Some(c) = f.customer.and_then(|c| self.customers.get(&c)) {
            return c.name.clone();
        }
        match f.post.and_then(|p| self.posts.get(p)) {
            Some(p) if !p.author.display_name.is_empty() => p.author.display_name.clone(),
            Some(p) => format!("@{}", p.author.handle),
            None => "someone".into(),
        }
    }

    pub fn follow_ups_open(&self) -> bool {
        self.view == View::FollowUps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixture;
    use chrono::{FixedOffset, TimeZone};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn follow_up(id: i64, due: NaiveDate) -> FollowUp {
        FollowUp {
            id,
            post: None,
            customer: None,
            due,
            note: String::new(),
            created_at: fixture::now(),
            done_at: None,
        }
    }

    #[test]
    fn due_dates_read_as_staff_say_them() {
        let today = day(12, 10); // a Thursday
        assert_eq!(due_label(day(12, 7), today), "overdue 3 days");
        assert_eq!(due_label(day(12, 9), today), "overdue 1 day");
        assert_eq!(due_label(today, today), "today");
        assert_eq!(due_label(day(12, 11), today), "tomorrow");
        assert_eq!(due_label(day(12, 12), today), "Sat 12 Dec");
        assert_eq!(
            due_label(NaiveDate::from_ymd_opt(2027, 1, 8).unwrap(), today),
            "Fri 8 Jan 2027"
        );
    }

    #[test]
    fn overdue_first_then_today_then_upcoming_and_done_ones_left_out() {
        let mut s = fixture::empty();
        s.now = Utc.with_ymd_and_hms(2026, 12, 10, 12, 0, 0).unwrap();
        let mut done = follow_up(1, day(12, 1));
        done.done_at = Some(s.now);
        s.follow_ups = vec![
            follow_up(2, day(12, 14)),
            follow_up(3, day(12, 10)),
            done,
            follow_up(4, day(12, 7)),
            follow_up(5, day(12, 9)),
            follow_up(6, day(12, 10)),
        ];
        let order: Vec<i64> = s.open_follow_ups().iter().map(|f| f.id).collect();
        assert_eq!(order, [4, 5, 3, 6, 2], "most overdue first, ties by age");
        let labels: Vec<String> = s
            .open_follow_ups()
            .iter()
            .map(|f| due_label(f.due, s.today()))
            .collect();
        assert_eq!(
            labels,
            [
                "overdue 3 days",
                "overdue 1 day",
                "today",
                "today",
                "Mon 14 Dec"
            ]
        );
        assert_eq!(s.due_follow_ups().count(), 4);
    }

    #[test]
    fn due_dates_are_local_dates_across_midnight() {
        let mut s = fixture::empty();
        s.follow_ups = vec![follow_up(1, day(12, 11)), follow_up(2, day(12, 10))];
        // 23:30 UTC on the 10th is already 01:30 on the 11th in Athens (UTC+2)...
        s.now = Utc.with_ymd_and_hms(2026, 12, 10, 23, 30, 0).unwrap();
        s.tz = FixedOffset::east_opt(2 * 3600).unwrap();
        assert_eq!(s.today(), day(12, 11));
        assert_eq!(due_label(day(12, 11), s.today()), "today");
        assert_eq!(due_label(day(12, 10), s.today()), "overdue 1 day");
        assert_eq!(s.due_follow_ups().count(), 2);
        // ...and still the 10th in New York (UTC-5): tomorrow's is not due yet.
        s.tz = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(due_label(day(12, 11), s.today()), "tomorrow");
        assert_eq!(s.due_follow_ups().count(), 1);
        let order: Vec<i64> = s.open_follow_ups().iter().map(|f| f.id).collect();
        assert_eq!(order, [2, 1]);
    }

    #[test]
    fn the_selection_follows_its_follow_up() {
        let mut s = fixture::empty();
        s.follow_ups = vec![follow_up(1, day(12, 1)), follow_up(2, day(12, 2))];
        assert_eq!(s.selected_follow_up().map(|f| f.id), Some(1));
        s.follow_up_view.selected = Some(2);
        assert_eq!(s.follow_up_index(), 1);
        s.follow_ups.retain(|f| f.id != 1);
        assert_eq!(s.follow_up_index(), 0);
        assert_eq!(s.selected_follow_up().map(|f| f.id), Some(2));
    }
}
