//! [`ReportRepo`] on PostgreSQL, as SQLite's `crate::store::reports`: counted in the database or streamed a row
//! at a time (`query_raw`), never whole tables in memory.

use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;

use super::PgDb;
use super::codec::{
    ACTION_COLS, Cells, POST_COLS, REPLY_COLS, action_from_row, post_from_row, reply_from_row,
};
use crate::domain::{Action, CustomerId, Post, Reply};
use crate::report::digest::RegularPosting;
use crate::report::{PostTimes, QUARTER_MS, QuarterCount};
use crate::store::Result;
use crate::store::codec::ms;
use crate::store::reports::written;
use crate::store::repository::ReportRepo;

/// Posts that reports count: not the shop's own, not stored only as another post's context.
const COUNTED: &str = "NOT by_shop AND NOT context";

impl PgDb {
    /// Hands each row of `sql` to `each` as it arrives; returns how many.
    fn stream(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<u64> {
        let mut conn = self.conn()?;
        let mut rows = conn.query_raw(sql, params.iter().copied())?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(&row)?;
            n += 1;
        }
        Ok(n)
    }
}

impl ReportRepo for PgDb {
    fn response_times(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        each: &mut dyn FnMut(PostTimes),
    ) -> Result<u64> {
        self.stream(
            &format!(
                "SELECT id, network, category, customer_id IS NOT NULL, created_at, first_response_at,
                        handled_at, dismissed_at
                 FROM posts WHERE created_at >= $1 AND created_at < $2 AND {COUNTED}"
            ),
            &[&ms(from), &ms(to)],
            |row| {
                let c = Cells::new(row, "posts", 0);
                each(PostTimes {
                    network: c.network(1)?,
                    category: c.category(2)?,
                    regular: c.get(3)?,
                    created_at: c.time(4)?,
                    first_response_at: c.opt_time(5)?,
                    handled_at: c.opt_time(6)?,
                    dismissed_at: c.opt_time(7)?,
                });
                Ok(())
            },
        )
    }

    fn post_counts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<QuarterCount>> {
        let rows = self.conn()?.query(
            &format!(
                "SELECT created_at / {QUARTER_MS} AS quarter, category, count(*) FROM posts
                 WHERE created_at >= $1 AND created_at < $2 AND {COUNTED}
                 GROUP BY quarter, category ORDER BY quarter, category"
            ),
            &[&ms(from), &ms(to)],
        )?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "posts", 0);
                let quarter: i64 = c.get(0)?;
                Ok(QuarterCount {
                    start: DateTime::from_timestamp_millis(quarter * QUARTER_MS)
                        .ok_or_else(|| c.corrupt(format!("time out of range: {quarter}")))?,
                    category: c.category(1)?,
                    posts: c.usize(2)? as u64,
                })
            })
            .collect()
    }

    fn regulars_posting(&self, since: DateTime<Utc>) -> Result<Vec<RegularPosting>> {
        let rows = self.conn()?.query(
            "SELECT c.id, c.name, c.rank, count(*),
                    count(*) FILTER (WHERE p.category IN ('complaint', 'distress')), max(p.created_at)
             FROM posts p JOIN customers c ON c.id = p.customer_id
             WHERE p.created_at >= $1 AND NOT p.by_shop AND NOT p.context
             GROUP BY c.id, c.name, c.rank ORDER BY c.former, c.rank, c.id",
            &[&ms(since)],
        )?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "customers", 0);
                Ok(RegularPosting {
                    customer: CustomerId(c.get(0)?),
                    name: c.get(1)?,
                    rank: c.usize(2)? as u32,
                    posts: c.usize(3)? as u64,
                    urgent: c.usize(4)? as u64,
                    last: c.time(5)?,
                })
            })
            .collect()
    }

    fn each_post(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Post) -> std::io::Result<()>,
    ) -> Result<u64> {
        // In storage order (the id); `since` reads arrival times.
        self.stream(
            &format!("SELECT {POST_COLS} FROM posts WHERE created_at >= $1 ORDER BY id"),
            &[&since.map_or(i64::MIN, ms)],
            |row| each(&post_from_row(row)?).map_err(written),
        )
    }

    fn each_action(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Action) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.stream(
            &format!("SELECT {ACTION_COLS} FROM actions WHERE at >= $1 ORDER BY at, id"),
            &[&since.map_or(i64::MIN, ms)],
            |row| each(&action_from_row(row)?).map_err(written),
        )
    }

    fn each_reply(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Reply) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.stream(
            &format!("SELECT {REPLY_COLS} FROM replies WHERE sent_at >= $1 ORDER BY sent_at, id"),
            &[&since.map_or(i64::MIN, ms)],
            |row| each(&reply_from_row(row)?).map_err(written),
        )
    }
}
