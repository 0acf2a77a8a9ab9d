//! [`AlertRepo`] on PostgreSQL, as SQLite's `crate::store::alerts`.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::PgDb;
use super::codec::Cells;
use super::search::{Conditions, Param, numbered};
use crate::domain::{CustomerId, Watched};
use crate::store::Result;
use crate::store::codec::{limit, ms};
use crate::store::repository::AlertRepo;

const HOUR_MS: i64 = 3_600_000;

/// The condition picking the watched posts among `posts p`. Posts fetched only as context and the shop's own
/// are never counted.
fn watched_rows(watched: Watched, out: &mut Conditions) {
    match watched {
        Watched::Mentions => out.push("p.is_mention = TRUE", []),
        Watched::Complaints => out.push(
            "p.category = ANY(?)",
            [Param::Texts(
                Watched::complaint_categories()
                    .map(|c| c.as_str().to_string())
                    .collect(),
            )],
        ),
    }
    out.push("NOT p.context AND NOT p.by_shop", []);
}

impl AlertRepo for PgDb {
    fn always_tell_me(&self) -> Result<HashSet<CustomerId>> {
        let rows = self
            .conn()?
            .query("SELECT customer_id FROM customer_alerts", &[])?;
        rows.iter()
            .map(|row| Ok(CustomerId(Cells::new(row, "customer_alerts", 0).get(0)?)))
            .collect()
    }

    fn set_always_tell_me(
        &mut self,
        customer: CustomerId,
        on: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if on {
            self.conn()?.execute(
                "INSERT INTO customer_alerts (customer_id, since) VALUES ($1, $2)
                 ON CONFLICT (customer_id) DO NOTHING",
                &[&customer.0, &ms(at)],
            )?;
        } else {
            self.conn()?.execute(
                "DELETE FROM customer_alerts WHERE customer_id = $1",
                &[&customer.0],
            )?;
        }
        Ok(())
    }

    fn hourly_counts(
        &self,
        watched: Watched,
        until: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<u32>> {
        let since = ms(until - Duration::hours(i64::from(hours)));
        let mut c = Conditions::default();
        c.push("p.created_at >= ?", [Param::Int(since)]);
        c.push("p.created_at < ?", [Param::Int(ms(until))]);
        watched_rows(watched, &mut c);
        let sql = format!(
            "SELECT (p.created_at - {since}) / {HOUR_MS} AS hour, count(*) FROM posts p
             WHERE {} GROUP BY hour",
            c.joined()
        );
        let mut counts = vec![0; hours as usize];
        for row in self.conn()?.query(&numbered(&sql), &c.values())? {
            let cells = Cells::new(&row, "posts", 0);
            let (hour, n): (i64, i64) = (cells.get(0)?, cells.get(1)?);
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
        let mut c = Conditions::default();
        c.push("p.created_at >= ?", [Param::Int(ms(since))]);
        c.push("p.created_at < ?", [Param::Int(ms(until))]);
        watched_rows(watched, &mut c);
        let sql = format!(
            "SELECT p.text FROM posts p WHERE {} ORDER BY p.created_at DESC LIMIT ?",
            c.joined()
        );
        c.params.push(Param::Int(limit(most)));
        self.conn()?
            .query(&numbered(&sql), &c.values())?
            .iter()
            .map(|row| Cells::new(row, "posts", 0).get(0))
            .collect()
    }
}
