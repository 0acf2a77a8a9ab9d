//! The shop's top customers and their handles per network.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::codec::Cells;
use super::{Db, Result, StoreError};
use crate::domain::{Customer, CustomerId, Handle, Network};

const CUSTOMER_COLS: &str = "id, external_id, name, rank, lifetime_spend_cents, note";

impl Db {
    /// Inserts or updates customers by `external_id` (the input `id` is ignored) and replaces each one's handles,
    /// in one transaction. Returns them with their ids, best rank first. Customers not in `customers` are kept.
    /// A handle already claimed by another customer is a [`StoreError::Conflict`] and nothing is written.
    pub fn upsert_customers(&mut self, customers: &[Customer]) -> Result<Vec<Customer>> {
        let tx = self.write_tx()?;
        let mut out = Vec::with_capacity(customers.len());
        {
            let mut upsert = tx.prepare(
                "INSERT INTO customers (external_id, name, rank, lifetime_spend_cents, note)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (external_id) DO UPDATE SET
                     name = excluded.name, rank = excluded.rank,
                     lifetime_spend_cents = excluded.lifetime_spend_cents, note = excluded.note
                 RETURNING id",
            )?;
            let mut clear = tx.prepare("DELETE FROM customer_handles WHERE customer_id = ?1")?;
            for c in customers {
                let id: i64 = upsert.query_row(
                    params![
                        c.external_id,
                        c.name,
                        i64::from(c.rank),
                        c.lifetime_spend_cents,
                        c.note
                    ],
                    |r| r.get(0),
                )?;
                clear.execute([id])?;
                out.push(Customer {
                    id: CustomerId(id),
                    ..c.clone()
                });
            }
            let mut owner = tx.prepare(
                "SELECT c.external_id FROM customer_handles h JOIN customers c ON c.id = h.customer_id
                 WHERE h.network = ?1 AND h.handle = ?2",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO customer_handles (customer_id, network, handle) VALUES (?1, ?2, ?3)
                 ON CONFLICT (network, handle) DO NOTHING",
            )?;
            for c in &out {
                for h in &c.handles {
                    let handle = h.handle.trim().trim_start_matches('@');
                    if insert.execute(params![c.id.0, h.network.as_str(), handle])? == 0 {
                        let other: Option<String> = owner
                            .query_row(params![h.network.as_str(), handle], |r| r.get(0))
                            .optional()?;
                        if other.as_deref() != Some(c.external_id.as_str()) {
                            return Err(StoreError::Conflict(format!(
                                "{} handle {handle:?} is listed for customer {:?} and for customer {:?}",
                                h.network,
                                other.unwrap_or_default(),
                                c.external_id
                            )));
                        }
                    }
                }
            }
        }
        tx.commit()?;
        out.sort_by_key(|c| (c.rank, c.id));
        Ok(out)
    }

    /// Every customer, best rank first.
    pub fn customers(&self) -> Result<Vec<Customer>> {
        let mut handles = self.all_handles()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers ORDER BY rank, id"
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

    pub fn customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLS} FROM customers WHERE id = ?1"
        ))?;
        let mut rows = stmt.query([id.0])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let mut c = decode_customer(row)?;
        c.handles = self.handles_of(id)?;
        Ok(Some(c))
    }

    /// The customer who owns `handle` on `network` (case-insensitive; a leading `@` is ignored).
    pub fn customer_by_handle(&self, network: Network, handle: &str) -> Result<Option<CustomerId>> {
        let handle = handle.trim().trim_start_matches('@');
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id FROM customer_handles WHERE network = ?1 AND handle = ?2",
        )?;
        Ok(stmt
            .query_row(params![network.as_str(), handle], |r| r.get(0))
            .optional()?
            .map(CustomerId))
    }

    fn handles_of(&self, id: CustomerId) -> Result<Vec<Handle>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id, network, handle FROM customer_handles
             WHERE customer_id = ?1 ORDER BY rowid",
        )?;
        let mut rows = stmt.query([id.0])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_handle(row)?.1);
        }
        Ok(out)
    }

    fn all_handles(&self) -> Result<HashMap<CustomerId, Vec<Handle>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id, network, handle FROM customer_handles ORDER BY rowid",
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

fn decode_customer(row: &rusqlite::Row<'_>) -> Result<Customer> {
    let c = Cells::new(row, "customers", 0);
    let rank: i64 = c.get(3)?;
    Ok(Customer {
        id: CustomerId(c.get(0)?),
        external_id: c.get(1)?,
        name: c.get(2)?,
        rank: u32::try_from(rank).map_err(|_| c.corrupt(format!("rank out of range: {rank}")))?,
        lifetime_spend_cents: c.get(4)?,
        handles: Vec::new(),
        note: c.get(5)?,
    })
}

fn decode_handle(row: &rusqlite::Row<'_>) -> Result<(CustomerId, Handle)> {
    let c = Cells::new(row, "customer_handles", 0);
    Ok((
        CustomerId(c.get(0)?),
        Handle {
            network: c.network(1)?,
            handle: c.get(2)?,
        },
    ))
}
