//! The monthly read budget: X bills reads per post, so the source counts every post it reads in the calendar
//! month (UTC), keeps the count in the store as the cursor `reads:YYYY-MM` (written with the batch that read
//! them) and stops reading when the configured budget is spent, saying so until the month turns.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::sources::{Cursor, Usage};
use crate::text::thousands;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Budget {
    limit: Option<u64>,
    /// `YYYY-MM` of the month counted.
    period: String,
    used: u64,
}

fn period_of(now: DateTime<Utc>) -> String {
    now.format("%Y-%m").to_string()
}

/// The first day of the month after `period` (`YYYY-MM`).
fn next_month(period: &str) -> Option<NaiveDate> {
    let first = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?;
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

impl Budget {
    /// The count of the month of `now`, as stored; nothing stored is nothing read.
    pub fn load(
        limit: Option<u64>,
        cursors: &HashMap<String, String>,
        now: DateTime<Utc>,
    ) -> Budget {
        let period = period_of(now);
        let used = cursors
            .get(&format!("reads:{period}"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        Budget {
            limit,
            period,
            used,
        }
    }

    /// Starts a new count when the month has turned.
    pub fn roll(&mut self, now: DateTime<Utc>) {
        let period = period_of(now);
        if period != self.period {
            self.period = period;
            self.used = 0;
        }
    }

    /// Posts that may still be read this month; `None` without a budget.
    pub fn remaining(&self) -> Option<u64> {
        self.limit.map(|l| l.saturating_sub(self.used))
    }

    /// The page size to ask for: `wanted`, at most what is left, at least the endpoint's `min`; `None` when
    /// less than `min` is left.
    pub fn page(&self, wanted: u64, min: u64) -> Option<u64> {
        let size = match self.remaining() {
            Some(left) if left < min => return None,
            Some(left) => wanted.min(left),
            None => wanted,
        };
        Some(size.max(min))
    }

    pub fn spend(&mut self, posts: u64) {
        self.used = self.used.saturating_add(posts);
    }

    /// The count as the cursor stored with the batch that read the posts.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            key: format!("reads:{}", self.period),
            value: self.used.to_string(),
        }
    }

    pub fn usage(&self) -> Usage {
        Usage {
            unit: "reads",
            used: self.used,
            budget: self.limit,
            period: self.period.clone(),
        }
    }

    /// Why reading stops, once less than the smallest page (`min`) is left.
    pub fn spent(&self, min: u64) -> Option<String> {
        let limit = self.limit?;
        if self.remaining()? >= min {
            return None;
        }
        let resumes = next_month(&self.period)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "next month".into());
        Some(format!(
            "monthly read budget of {} posts reached ({} read in {}); resumes on {resumes} or raise \
             monthly_read_budget",
            thousands(limit),
            thousands(self.used),
            self.period
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn counts_per_month_from_the_stored_cursor() {
        let cursors = HashMap::from([
            ("reads:2026-12".to_string(), "95".to_string()),
            ("reads:2026-11".to_string(), "5000".to_string()),
        ]);
        let mut b = Budget::load(Some(100), &cursors, at(2026, 12, 2));
        assert_eq!(b.remaining(), Some(5));
        assert_eq!(b.page(100, 5), Some(5));
        assert_eq!(b.page(100, 10), None, "search takes 10 at least");
        assert_eq!(b.spent(5), None);
        b.spend(3);
        let why = b.spent(5).unwrap();
        assert!(
            why.contains("monthly read budget of 100 posts reached")
                && why.contains("resumes on 2027-01-01")
                && why.contains("raise monthly_read_budget"),
            "{why}"
        );
        assert_eq!(b.cursor().key, "reads:2026-12");
        assert_eq!(b.cursor().value, "98");
        b.roll(at(2027, 1, 1));
        assert_eq!(
            (b.remaining(), b.cursor().key.as_str()),
            (Some(100), "reads:2027-01")
        );
    }

    #[test]
    fn no_budget_never_stops_but_still_counts() {
        let mut b = Budget::load(None, &HashMap::new(), at(2026, 6, 30));
        assert_eq!(b.page(100, 5), Some(100));
        assert_eq!(b.page(1, 5), Some(5), "never below the endpoint's minimum");
        b.spend(7);
        assert_eq!(b.spent(5), None);
        assert_eq!(b.usage().used, 7);
        assert_eq!(next_month("2026-06"), NaiveDate::from_ymd_opt(2026, 7, 1));
    }
}
