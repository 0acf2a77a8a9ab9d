//! The shop's top customers and their handles per network.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::codec::Cells;
use super::posts::refresh_attention_rank;
use super::repository::CustomerRepo;
use super::{Db, Result, StoreError};
use crate::domain::{Customer, CustomerId, Handle, PostId};

const CUSTOMER_COLS: &str = "id, external_id, name, rank, lifetime_spend_cents, note";

impl CustomerRepo for Db {
    /// The input `id` is ignored; customers not in `customers` are kept. A customer whose rank changed has
    /// their posts' Attention ranks refreshed.
    fn upsert_customers(&mut self, customers: &[Customer]) -> Result<Vec<Customer>> {
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
            let mut old_rank = tx.prepare("SELECT rank FROM customers WHERE external_id = ?1")?;
            let mut moved = Vec::new();
            for c in customers {
                let before: Option<i64> = old_rank
                    .query_row([&c.external_id], |r| r.get(0))
                    .optional()?;
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
                if before.is_some_and(|r| r != i64::from(c.rank)) {
                    moved.push(id);
                }
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
            let mut posts = tx.prepare(
                "SELECT id FROM posts WHERE customer_id = ?1 AND category IN ('complaint', 'distress')",
            )?;
            for customer in moved {
                let ids: Vec<i64> = posts
                    .query_map([customer], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for id in ids {
                    refresh_attention_rank(&tx, PostId(id))?;
                }
            }
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

    fn customers(&self) -> Result<Vec<Customer>> {
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
}

impl Db {
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
