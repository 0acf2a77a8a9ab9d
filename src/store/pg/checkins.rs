//! [`CheckInRepo`] on PostgreSQL, as SQLite's `crate::store::checkins`.

use chrono::{DateTime, Utc};

use super::PgDb;
use super::codec::{Cells, POST_COLS};
use super::search::attention_members;
use crate::domain::Post;
use crate::domain::checkin::CheckInRecord;
use crate::store::checkins::CHECK_IN_COLS;
use crate::store::codec::{limit, ms};
use crate::store::repository::CheckInRepo;
use crate::store::{Result, decode};

impl CheckInRepo for PgDb {
    fn check_in_posts(&self, since: DateTime<Utc>, max: usize) -> Result<Vec<Post>> {
        // A superset of the items: `domain::checkin::kind_of` decides. Attention's own members (a question only
        // while unanswered), and whatever arrived since.
        self.posts(
            &format!(
                "SELECT {POST_COLS} FROM posts
                 WHERE handled_at IS NULL AND dismissed_at IS NULL AND NOT by_shop AND NOT context
                   AND (({attention} AND (category <> 'question' OR first_response_at IS NULL))
                        OR created_at >= $1)
                 ORDER BY created_at DESC, id DESC LIMIT $2",
                attention = attention_members("")
            ),
            &[&ms(since), &limit(max)],
        )
    }

    fn record_check_in(&mut self, staff: &str, r: &CheckInRecord) -> Result<()> {
        self.conn()?.execute(
            &format!(
                "INSERT INTO checkins ({}, staff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                CHECK_IN_COLS.trim_start_matches("id, ")
            ),
            &[
                &ms(r.started_at),
                &ms(r.ended_at),
                &r.planned_secs,
                &i64::from(r.tally.seen),
                &i64::from(r.tally.replied),
                &i64::from(r.tally.logged),
                &i64::from(r.tally.handled),
                &i64::from(r.left),
                &r.oldest_waiting.map(ms),
                &staff,
            ],
        )?;
        Ok(())
    }

    /// Check-ins from before names were kept ('') count as everyone's.
    fn last_check_in(&self, staff: &str) -> Result<Option<CheckInRecord>> {
        self.conn()?
            .query_opt(
                &format!(
                    "SELECT {CHECK_IN_COLS} FROM checkins WHERE staff IN ($1, '')
                     ORDER BY ended_at DESC, id DESC LIMIT 1"
                ),
                &[&staff],
            )?
            .map(|row| decode::check_in_of(&Cells::new(&row, "checkins", 0)))
            .transpose()
    }
}
