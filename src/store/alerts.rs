//! What alerts keep and read: the customers staff always want to hear about, and the recent posts the spike
//! alert counts (per hour, from the `created_at` index) and takes its rising words from.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::codec::{Cells, limit, ms};
use super::repository::AlertRepo;
use super::{Db, Result};
use crate::domain::{CustomerId, Watched};

const HOUR_MS: i64 = 3_600_000;

/// The condition picking the watched posts among `posts p`, with its parameters. Posts fetched only as
/// context and the shop's own are never counted.
fn watched_rows(watched: Watched) -> (String, Vec<Value>) {
    let (condition, params) = match watched {
        Watched::Mentions => ("p.is_mention = 1".to_string(), Vec::new()),
        Watched::Complaints => {
            let categories: Vec<Value> = Watched::complaint_categories()
                .map(|c| Value::Text(c.as_str().into()))
                .collect();
            let marks = vec!["?"; categories.len()].join(", ");
            (format!("p.category IN ({marks})"), categories)
        }
    };
    (
        format!("{condition} AND p.context = 0 AND p.by_shop = 0"),
        params,
    )
}

impl AlertRepo for Db {
    fn always_tell_me(&self) -> Result<HashSet<CustomerId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT customer_id FROM customer_alerts")?;
        let mut rows = stmt.query([])?;
        let mut out = HashSet::new();
        while let Some(row) = rows.next()? {
            out.insert(CustomerId(Cells::new(row, "customer_alerts", 0).get(0)?));
        }
        Ok(out)
    }

    fn set_always_tell_me(
        &mut self,
        customer: CustomerId,
        on: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if on {
            self.conn
                .prepare_cached(
                    "INSERT INTO customer_alerts (customer_id, since) VALUES (?1, ?2)
                     ON CONFLICT (customer_id) DO NOTHING",
                )?
                .execute((customer.0, ms(at)))?;
        } else {
            self.conn
                .prepare_cached("DELETE FROM customer_alerts WHERE customer_id = ?1")?
                .execute([customer.0])?;
        }
        Ok(())
    }

    fn hourly_counts(
        &self,
        watched: Watched,
        until: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<u32>> {
        let since = until - Duration::hours(i64::from(hours));
        let (condition, mut params) = watched_rows(watched);
        let sql = format!(
            "SELECT (p.created_at - ?) / {HOUR_MS} AS hour, COUNT(*) FROM posts p
             WHERE p.created_at >= ? AND p.created_at < ? AND {condition} GROUP BY hour"
        );
        let mut all = vec![
            Value::Integer(ms(since)),
            Value::Integer(ms(since)),
            Value::Integer(ms(until)),
        ];
        all.append(&mut params);
        let mut counts = vec![0; hours as usize];
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(all.iter()))?;
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "posts", 0);
            let (hour, n): (i64, i64) = (c.get(0)?, c.get(1)?);
            if let Some(slot) = usize::try_from(hour).ok().and_then(|h| counts.get_mut(h)) {
                *slot = u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        Ok(counts)
    }

    fn watched_texts(
        &self,
        watched: Watched,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        most: usize,
    ) -> Result<Vec<String>> {
        let (condition, mut params) = watched_rows(watched);
        let sql = format!(
            "SELECT p.text FROM posts p WHERE p.created_at >= ? AND p.created_at < ? AND {condition}
             ORDER BY p.created_at DESC LIMIT ?"
        );
        let mut all = vec![Value::Integer(ms(since)), Value::Integer(ms(until))];
        all.append(&mut params);
        all.push(Value::Integer(limit(most)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(all.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(Cells::new(row, "posts", 0).get(0)?);
        }
        Ok(out)
    }
}
