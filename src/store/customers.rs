//! The shop's customers: regulars and former regulars, their handles per network, the import runs and the
//! customers forgotten on request.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};

use super::codec::{Cells, date, ms};
use super::posts::refresh_attention_rank;
use super::repository::CustomerRepo;
use super::{Db, Result, StoreError};
use crate::domain::{Customer, CustomerId, Handle, ImportRun, Network, PostId};

pub(super) const CUSTOMER_COLS: &str = "id, external_id, name, rank, lifetime_spend_cents, note, email, orders, \
                             last_purchase, recent_spend_cents, former";

impl CustomerRepo for Db {
    fn import_customers(&mut self, run: &ImportRun, ranked: &[Customer]) -> Result<Vec<Customer>> {
        let tx = self.write_tx()?;
        let mut refresh: Vec<i64> = Vec::new();
        let mut joined = 0;
        {
            let mut before =
                tx.prepare("SELECT id, rank, former FROM customers WHERE external_id = ?1")?;
            let mut insert = tx.prepare(
                "INSERT INTO customers (external_id, name, rank, lifetime_spend_cents, note, email, orders,
                     last_purchase, recent_spend_cents, former, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10) RETURNING id",
            )?;
            // The note is the shop's own, edited in the console: an import seeds it, never overwrites it.
            let mut update = tx.prepare(
                "UPDATE customers SET name = ?2, rank = ?3, lifetime_spend_cents = ?4, email = ?5, orders = ?6,
                     last_purchase = ?7, recent_spend_cents = ?8, former = 0, imported_at = ?9
                 WHERE id = ?1",
            )?;
            let mut clear =
                tx.prepare("DELETE FROM customer_handles WHERE customer_id = ?1 AND linked = 0")?;
            let mut ids = Vec::with_capacity(ranked.len());
            for c in ranked {
                let was: Option<(i64, i64, bool)> = before
                    .query_row([&c.external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let orders = c.orders.map(i64::from);
                let last = c.last_purchase.map(date);
                let id = match was {
                    Some((id, rank, former)) => {
                        update.execute(params![
                            id,
                            c.name,
                            i64::from(c.rank),
                            c.lifetime_spend_cents,
                            c.email,
                            orders,
                            last,
                            c.recent_spend_cents,
                            ms(run.at)
                        ])?;
                        if former || rank != i64::from(c.rank) {
                            refresh.push(id);
                        }
                        joined += usize::from(former);
                        id
                    }
                    None => {
                        joined += 1;
                        insert.query_row(
                            params![
                                c.external_id,
                                c.name,
                                i64::from(c.rank),
                                c.lifetime_spend_cents,
                                c.note,
                                c.email,
                                orders,
                                last,
                                c.recent_spend_cents,
                                ms(run.at)
                            ],
                            |r| r.get(0),
                        )?
                    }
                };
                clear.execute([id])?;
                ids.push((id, c));
            }
            insert_handles(&tx, &ids)?;
            let current: HashSet<i64> = ids.iter().map(|(id, _)| *id).collect();
            let dropped: Vec<i64> = tx
                .prepare("SELECT id FROM customers WHERE former = 0")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?
                .into_iter()
                .filter(|id| !current.contains(id))
                .collect();
            let mut retire = tx.prepare("UPDATE customers SET former = 1 WHERE id = ?1")?;
            for id in &dropped {
                retire.execute([id])?;
            }
            refresh.extend(&dropped);
            refresh_ranks(&tx, &refresh)?;
            tx.execute(
                "INSERT INTO customer_imports (at, origin, ranked_by, top, rows, regulars, joined, dropped)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    ms(run.at),
                    run.origin,
                    run.ranked_by,
                    i64::try_from(run.top).unwrap_or(i64::MAX),
                    i64::try_from(run.rows).unwrap_or(i64::MAX),
                    i64::try_from(ranked.len()).unwrap_or(i64::MAX),
                    i64::try_from(joined).unwrap_or(i64::MAX),
                    i64::try_from(dropped.len()).unwrap_or(i64::MAX),
                ],
            )?;
        }
        tx.commit()?;
        self.customers()
    }

    fn customers(&self) -> Result<Vec<Customer>> {
        let mut handles = self.all_handles()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers ORDER BY former, rank, id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut c = decode_customer(row)?;
            c.handles = handles.remove(&c.id).unwrap_or_default();
            out.push(c);
        }
        Ok(out)
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
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM forgotten_customers")?;
        let keys = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(keys)
    }
}

/// The imported handles of the customers just written (their old imported ones were cleared). A handle a
/// person linked to the same customer stays as it is; one held by another customer is a conflict, and nothing
/// of the import is written.
fn insert_handles(tx: &Transaction<'_>, customers: &[(i64, &Customer)]) -> Result<()> {
    let mut owner = tx.prepare(
        "SELECT h.customer_id, c.external_id FROM customer_handles h JOIN customers c ON c.id = h.customer_id
         WHERE h.network = ?1 AND h.handle = ?2",
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO customer_handles (customer_id, network, handle, linked) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (network, handle) DO NOTHING",
    )?;
    for (id, c) in customers {
        for h in c.handles.iter().filter(|h| !h.linked) {
            let handle = h.handle.trim().trim_start_matches('@');
            if insert.execute(params![id, h.network.as_str(), handle])? == 1 {
                continue;
            }
            let other: Option<(i64, String)> = owner
                .query_row(params![h.network.as_str(), handle], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((other_id, other_key)) = other
                && other_id != *id
            {
                return Err(StoreError::Conflict(format!(
                    "{} handle {handle:?} is listed for customer {other_key:?} and for customer {:?}",
                    h.network, c.external_id
                )));
            }
        }
    }
    Ok(())
}

/// Recomputes the Attention ranks of the posts of customers whose weight changed.
fn refresh_ranks(tx: &Transaction<'_>, customers: &[i64]) -> Result<()> {
    let mut posts = tx.prepare(&format!(
        "SELECT id FROM posts WHERE customer_id = ?1 AND {}",
        super::search::attention_members("")
    ))?;
    for customer in customers {
        let ids: Vec<i64> = posts
            .query_map([customer], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            refresh_attention_rank(tx, PostId(id))?;
        }
    }
    Ok(())
}

impl Db {
    pub(super) fn handles_of(&self, customer: CustomerId) -> Result<Vec<Handle>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id, network, handle, linked FROM customer_handles WHERE customer_id = ?1
             ORDER BY rowid",
        )?;
        let mut rows = stmt.query([customer.0])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_handle(row)?.1);
        }
        Ok(out)
    }

    fn all_handles(&self) -> Result<HashMap<CustomerId, Vec<Handle>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id, network, handle, linked FROM customer_handles ORDER BY rowid",
        )?;
        let mut rows = stmt.query([])?;
        let mut out: HashMap<CustomerId, Vec<Handle>> = HashMap::new();
        while let Some(row) = rows.next()? {
            let (id, h) = decode_handle(row)?;
            out.entry(id).or_default().push(h);
        }
        Ok(out)
    }
}

pub(super) fn decode_customer(row: &rusqlite::Row<'_>) -> Result<Customer> {
    let c = Cells::new(row, "customers", 0);
    let rank: i64 = c.get(3)?;
    let orders: Option<i64> = c.get(7)?;
    let last_purchase: Option<String> = c.get(8)?;
    Ok(Customer {
        id: CustomerId(c.get(0)?),
        external_id: c.get(1)?,
        name: c.get(2)?,
        rank: u32::try_from(rank).map_err(|_| c.corrupt(format!("rank out of range: {rank}")))?,
        lifetime_spend_cents: c.get(4)?,
        handles: Vec::new(),
        note: c.get(5)?,
        email: c.get(6)?,
        orders: orders
            .map(|n| u32::try_from(n).map_err(|_| c.corrupt(format!("orders out of range: {n}"))))
            .transpose()?,
        last_purchase: last_purchase
            .map(|s| {
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .map_err(|e| c.corrupt(format!("bad date {s:?}: {e}")))
            })
            .transpose()?,
        recent_spend_cents: c.get(9)?,
        former: c.get(10)?,
    })
}

pub(super) fn decode_handle(row: &rusqlite::Row<'_>) -> Result<(CustomerId, Handle)> {
    let c = Cells::new(row, "customer_handles", 0);
    Ok((
        CustomerId(c.get(0)?),
        Handle {
            network: c.network(1)?,
            handle: c.get(2)?,
            linked: c.get(3)?,
        },
    ))
}
