//! Reports, the digest and exports: counted in the database or streamed a row at a time, never whole tables in
//! memory (a million posts export in constant memory).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::actions::ACTION_COLS;
use super::codec::{Cells, ms};
use super::posts::{POST_COLS, decode_post};
use super::repository::ReportRepo;
use super::work::{REPLY_COLS, decode_reply};
use super::{Db, Result, StoreError};
use crate::domain::{Action, CustomerId, Post, Reply};
use crate::report::digest::RegularPosting;
use crate::report::{PostTimes, QUARTER_MS, QuarterCount};

/// Posts that reports count: not the shop's own, not stored only as another post's context.
const COUNTED: &str = "by_shop = 0 AND context = 0";

impl ReportRepo for Db {
    fn response_times(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        each: &mut dyn FnMut(PostTimes),
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, network, category, customer_id IS NOT NULL, created_at, first_response_at, handled_at,
                    dismissed_at
             FROM posts WHERE created_at >= ?1 AND created_at < ?2 AND {COUNTED}"
        ))?;
        let mut rows = stmt.query(params![ms(from), ms(to)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
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
            n += 1;
        }
        Ok(n)
    }

    fn post_counts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<QuarterCount>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT created_at / {QUARTER_MS} AS quarter, category, COUNT(*) FROM posts
             WHERE created_at >= ?1 AND created_at < ?2 AND {COUNTED}
             GROUP BY quarter, category ORDER BY quarter, category"
        ))?;
        let mut rows = stmt.query(params![ms(from), ms(to)])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "posts", 0);
            let quarter: i64 = c.get(0)?;
            out.push(QuarterCount {
                start: DateTime::from_timestamp_millis(quarter * QUARTER_MS)
                    .ok_or_else(|| c.corrupt(format!("time out of range: {quarter}")))?,
                category: c.category(1)?,
                posts: c.usize(2)? as u64,
            });
        }
        Ok(out)
    }

    fn regulars_posting(&self, since: DateTime<Utc>) -> Result<Vec<RegularPosting>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.id, c.name, c.rank, COUNT(*), SUM(p.category IN ('complaint', 'distress')),
                    MAX(p.created_at)
             FROM posts p JOIN customers c ON c.id = p.customer_id
             WHERE p.created_at >= ?1 AND p.{COUNTED}
             GROUP BY c.id, c.name, c.rank ORDER BY c.former, c.rank, c.id"
        ))?;
        let mut rows = stmt.query(params![ms(since)])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "customers", 0);
            out.push(RegularPosting {
                customer: CustomerId(c.get(0)?),
                name: c.get(1)?,
                rank: c.usize(2)? as u32,
                posts: c.usize(3)? as u64,
                urgent: c.usize(4)? as u64,
                last: c.time(5)?,
            });
        }
        Ok(out)
    }

    fn each_post(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Post) -> std::io::Result<()>,
    ) -> Result<u64> {
        // In storage order (the rowid: no sort, nothing held); `since` reads arrival times.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {POST_COLS} FROM posts WHERE created_at >= ?1 ORDER BY id"
        ))?;
        let mut rows = stmt.query(params![since.map_or(i64::MIN, ms)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(&decode_post(row)?).map_err(written)?;
            n += 1;
        }
        Ok(n)
    }

    fn each_action(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Action) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACTION_COLS} FROM actions WHERE at >= ?1 ORDER BY at, id"
        ))?;
        let mut rows = stmt.query(params![since.map_or(i64::MIN, ms)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(&super::actions::decode_action(row)?).map_err(written)?;
            n += 1;
        }
        Ok(n)
    }

    fn each_reply(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Reply) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REPLY_COLS} FROM replies WHERE sent_at >= ?1 ORDER BY sent_at, id"
        ))?;
        let mut rows = stmt.query(params![since.map_or(i64::MIN, ms)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(&decode_reply(row)?).map_err(written)?;
            n += 1;
        }
        Ok(n)
    }
}

/// A row that could not be written out (a full disk, a closed pipe: `regulars export posts | head`).
pub(super) fn written(source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: "the export's output".into(),
        source,
    }
}
