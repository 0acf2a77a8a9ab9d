//! [`CustomerRepo`] on PostgreSQL: the shop's customers, their handles per network, the import runs and the
//! customers forgotten on request. Handles compare without regard to case (`lower(handle)`, as SQLite's
//! `COLLATE NOCASE`).

use std::collections::{HashMap, HashSet};

use postgres::{GenericClient, Transaction};

use super::PgDb;
use super::posts::refresh_attention_rank;
use super::rows::{CUSTOMER_COLS, HANDLE_COLS, customer_from_row, handle_from_row};
use crate::domain::{Customer, CustomerId, Handle, ImportRun, Network, PostId};
use crate::store::codec::{date, ms};
use crate::store::repository::CustomerRepo;
use crate::store::{Result, StoreError};

/// Attention's categories (`Category::in_attention`), as the `posts_attention` index's condition.
pub(super) const ATTENTION_MEMBERS: &str =
    "(category IN ('complaint', 'distress') OR (category = 'question' AND is_mention))";

impl CustomerRepo for PgDb {
    fn import_customers(&mut self, run: &ImportRun, ranked: &[Customer]) -> Result<Vec<Customer>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let mut refresh: Vec<i64> = Vec::new();
        let mut joined = 0;
        let mut ids = Vec::with_capacity(ranked.len());
        for c in ranked {
            let was = tx.query_opt(
                "SELECT id, rank, former FROM customers WHERE external_id = $1",
                &[&c.external_id],
            )?;
            let orders = c.orders.map(i64::from);
            let last = c.last_purchase.map(date);
            let id: i64 = match was {
                Some(row) => {
                    let (id, rank, former): (i64, i64, bool) =
                        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                    // The note is the shop's own, edited in the console: an import seeds it, never overwrites it.
                    tx.execute(
                        "UPDATE customers SET name = $2, rank = $3, lifetime_spend_cents = $4, email = $5,
                             orders = $6, last_purchase = $7, recent_spend_cents = $8, former = FALSE,
                             imported_at = $9
                         WHERE id = $1",
                        &[
                            &id,
                            &c.name,
                            &i64::from(c.rank),
                            &c.lifetime_spend_cents,
                            &c.email,
                            &orders,
                            &last,
                            &c.recent_spend_cents,
                            &ms(run.at),
                        ],
                    )?;
                    if former || rank != i64::from(c.rank) {
                        refresh.push(id);
                    }
                    joined += usize::from(former);
                    id
                }
                None => {
                    joined += 1;
                    tx.query_one(
                        "INSERT INTO customers (external_id, name, rank, lifetime_spend_cents, note, email,
                             orders, last_purchase, recent_spend_cents, former, imported_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10) RETURNING id",
                        &[
                            &c.external_id,
                            &c.name,
                            &i64::from(c.rank),
                            &c.lifetime_spend_cents,
                            &c.note,
                            &c.email,
                            &orders,
                            &last,
                            &c.recent_spend_cents,
                            &ms(run.at),
                        ],
                    )?
                    .try_get(0)?
                }
            };
            tx.execute(
                "DELETE FROM customer_handles WHERE customer_id = $1 AND NOT linked",
                &[&id],
            )?;
            ids.push((id, c));
        }
        insert_handles(&mut tx, &ids)?;
        let current: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
        let dropped: Vec<i64> = tx
            .query(
                "UPDATE customers SET former = TRUE WHERE NOT former AND NOT (id = ANY($1)) RETURNING id",
                &[&current],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        refresh.extend(&dropped);
        for customer in &refresh {
            let posts = tx.query(
                &format!("SELECT id FROM posts WHERE customer_id = $1 AND {ATTENTION_MEMBERS}"),
                &[customer],
            )?;
            for row in posts {
                refresh_attention_rank(&mut tx, PostId(row.try_get(0)?))?;
            }
        }
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO customer_imports (at, origin, ranked_by, top, rows, regulars, joined, dropped)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &ms(run.at),
                &run.origin,
                &run.ranked_by,
                &count(run.top),
                &count(run.rows),
                &count(ranked.len()),
                &count(joined),
                &count(dropped.len()),
            ],
        )?;
        tx.commit()?;
        drop(conn);
        self.customers()
    }

    fn customers(&self) -> Result<Vec<Customer>> {
        let mut conn = self.conn()?;
        let mut handles: HashMap<CustomerId, Vec<Handle>> = HashMap::new();
        for row in conn.query(
            &format!("SELECT {HANDLE_COLS} FROM customer_handles ORDER BY id"),
            &[],
        )? {
            let (id, h) = handle_from_row(&row)?;
            handles.entry(id).or_default().push(h);
        }
        let rows = conn.query(
            &format!("SELECT {CUSTOMER_COLS} FROM customers ORDER BY former, rank, id"),
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let mut c = customer_from_row(row)?;
                c.handles = handles.remove(&c.id).unwrap_or_default();
                Ok(c)
            })
            .collect()
    }

    fn link_handle(&mut self, customer: CustomerId, handle: &Handle) -> Result<Customer> {
        self.link(customer, handle)
    }

    fn unlink_handle(
        &mut self,
        customer: CustomerId,
        network: Network,
        handle: &str,
    ) -> Result<Customer> {
        self.unlink(customer, network, handle)
    }

    fn forgotten_keys(&self) -> Result<HashSet<String>> {
        self.conn()?
            .query("SELECT key FROM forgotten_customers", &[])?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }
}

/// The imported handles of the customers just written (their old imported ones were cleared). A handle a
/// person linked to the same customer stays as it is; one held by another customer is a conflict, and nothing
/// of the import is written.
fn insert_handles(tx: &mut Transaction<'_>, customers: &[(i64, &Customer)]) -> Result<()> {
    for (id, c) in customers {
        for h in c.handles.iter().filter(|h| !h.linked) {
            let handle = h.handle.trim().trim_start_matches('@');
            let inserted = tx.execute(
                "INSERT INTO customer_handles (customer_id, network, handle, linked)
                 VALUES ($1, $2, $3, FALSE) ON CONFLICT (network, lower(handle)) DO NOTHING",
                &[id, &h.network.as_str(), &handle],
            )?;
            if inserted == 1 {
                continue;
            }
            let other = tx.query_opt(
                "SELECT h.customer_id, c.external_id FROM customer_handles h
                 JOIN customers c ON c.id = h.customer_id
                 WHERE h.network = $1 AND lower(h.handle) = lower($2)",
                &[&h.network.as_str(), &handle],
            )?;
            if let Some(row) = other {
                let (other_id, other_key): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
                if other_id != *id {
                    return Err(StoreError::Conflict(format!(
                        "{} handle {handle:?} is listed for customer {other_key:?} and for customer {:?}",
                        h.network, c.external_id
                    )));
                }
            }
        }
    }
    Ok(())
}

/// One customer with their handles.
pub(super) fn customer_in(
    conn: &mut impl GenericClient,
    id: CustomerId,
) -> Result<Option<Customer>> {
    let Some(row) = conn.query_opt(
        &format!("SELECT {CUSTOMER_COLS} FROM customers WHERE id = $1"),
        &[&id.0],
    )?
    else {
        return Ok(None);
    };
    let mut customer = customer_from_row(&row)?;
    customer.handles = conn
        .query(
            &format!(
                "SELECT {HANDLE_COLS} FROM customer_handles WHERE customer_id = $1 ORDER BY id"
            ),
            &[&id.0],
        )?
        .iter()
        .map(|r| Ok(handle_from_row(r)?.1))
        .collect::<Result<_>>()?;
    Ok(Some(customer))
}
