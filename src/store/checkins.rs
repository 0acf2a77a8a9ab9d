//! Check-ins: the candidates one gathers, and each one kept.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::codec::{Cells, limit, ms};
use super::posts::POST_COLS;
use super::repository::CheckInRepo;
use super::{Db, Result};
use crate::domain::Post;
use crate::domain::checkin::CheckInRecord;

pub(super) const CHECK_IN_COLS: &str = "id, started_at, ended_at, planned_secs, seen, replied, logged, handled, left_over, oldest_waiting";

impl CheckInRepo for Db {
    fn check_in_posts(&self, since: DateTime<Utc>, max: usize) -> Result<Vec<Post>> {
        // A superset of the items: `domain::checkin::kind_of` decides (praise and a regular's news only when
        // new, questions only to the shop...).
        // Attention's own members (a question only while unanswered), and whatever arrived since.
        self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts
                 WHERE handled_at IS NULL AND dismissed_at IS NULL AND by_shop = 0 AND context = 0
                   AND (({attention} AND (category <> 'question' OR first_response_at IS NULL))
                        OR created_at >= ?1)
                 ORDER BY created_at DESC, id DESC LIMIT ?2",
                attention = super::search::attention_members("")
            ),
            params![ms(since), limit(max)],
        )
    }

    fn record_check_in(&mut self, staff: &str, r: &CheckInRecord) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO checkins ({CHECK_IN_COLS}, staff)
                 VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![
                ms(r.started_at),
                ms(r.ended_at),
                r.planned_secs,
                r.tally.seen,
                r.tally.replied,
                r.tally.logged,
                r.tally.handled,
                r.left,
                r.oldest_waiting.map(ms),
                staff,
            ])?;
        Ok(())
    }

    /// Check-ins from before names were kept ('') count as everyone's.
    fn last_check_in(&self, staff: &str) -> Result<Option<CheckInRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHECK_IN_COLS} FROM checkins WHERE staff IN (?1, '')
             ORDER BY ended_at DESC, id DESC LIMIT 1"
        ))?;
        let mut rows = stmt.query([staff])?;
        rows.next()?
            .map(|row| super::decode::check_in_of(&Cells::new(row, "checkins", 0)))
            .transpose()
    }
}
