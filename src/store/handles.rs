//! Handles a person links to a customer (found by an account search and confirmed) and unlinks; the posts
//! already stored from a handle follow it.

use rusqlite::{OptionalExtension, params};

use super::posts::refresh_attention_rank;
use super::{Db, Result, StoreError};
use crate::domain::{Customer, CustomerId, Handle, Network, PostId};

impl Db {
    /// Stores `handle` as linked by a person (an import never removes it). Linking the customer's own
    /// imported handle marks it linked; linking it twice is harmless; a handle another customer holds is a
    /// conflict naming them, and nothing is written.
    pub(super) fn link(&mut self, customer: CustomerId, handle: &Handle) -> Result<Customer> {
        let tx = self.write_tx()?;
        let name = name_of(&tx, customer)?;
        let text = handle.handle.trim().trim_start_matches('@');
        let network = handle.network.as_str();
        let holder: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT c.id, c.name, c.external_id FROM customer_handles h
                 JOIN customers c ON c.id = h.customer_id WHERE h.network = ?1 AND h.handle = ?2",
                params![network, text],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match holder {
            Some((id, other, key)) if id != customer.0 => {
                return Err(StoreError::Conflict(format!(
                    "{} {text} is already {other}'s (customer {key}): unlink it there first, it is not \
                     linked to {name}",
                    handle.network
                )));
            }
            Some(_) => {
                tx.execute(
                    "UPDATE customer_handles SET linked = 1 WHERE network = ?1 AND handle = ?2",
                    params![network, text],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO customer_handles (customer_id, network, handle, linked) VALUES (?1, ?2, ?3, 1)",
                    params![customer.0, network, text],
                )?;
            }
        }
        attribute(&tx, handle.network, text, None, Some(customer))?;
        tx.commit()?;
        self.customer(customer)?.ok_or_else(|| missing(customer))
    }

    /// Removes the customer's `handle` on `network`, linked or imported (an imported one comes back at the
    /// next import if the shop's database still lists it).
    pub(super) fn unlink(
        &mut self,
        customer: CustomerId,
        network: Network,
        handle: &str,
    ) -> Result<Customer> {
        let tx = self.write_tx()?;
        let name = name_of(&tx, customer)?;
        let text = handle.trim().trim_start_matches('@');
        let removed = tx.execute(
            "DELETE FROM customer_handles WHERE customer_id = ?1 AND network = ?2 AND handle = ?3",
            params![customer.0, network.as_str(), text],
        )?;
        if removed == 0 {
            return Err(StoreError::Conflict(format!(
                "{name} has no {network} handle {text}"
            )));
        }
        attribute(&tx, network, text, Some(customer), None)?;
        tx.commit()?;
        self.customer(customer)?.ok_or_else(|| missing(customer))
    }
}

/// Moves the stored posts written as `handle` on `network` from customer `from` (`None`: nobody's) to `to`,
/// so a customer's story holds what they wrote before their handle was linked (and loses a wrong link's
/// posts), and re-ranks those that need attention. The shop's own posts stay the shop's.
fn attribute(
    tx: &rusqlite::Transaction<'_>,
    network: Network,
    handle: &str,
    from: Option<CustomerId>,
    to: Option<CustomerId>,
) -> Result<()> {
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM posts WHERE network = ?1 AND author_handle = ?2 COLLATE NOCASE AND by_shop = 0
             AND customer_id IS ?3",
        )?
        .query_map(params![network.as_str(), handle, from.map(|c| c.0)], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = tx.prepare("UPDATE posts SET customer_id = ?2 WHERE id = ?1")?;
    for id in ids {
        set.execute(params![id, to.map(|c| c.0)])?;
        refresh_attention_rank(tx, PostId(id))?;
    }
    Ok(())
}

fn missing(id: CustomerId) -> StoreError {
    StoreError::Conflict(format!("customer #{} is not stored (forgotten?)", id.0))
}

fn name_of(tx: &rusqlite::Transaction<'_>, customer: CustomerId) -> Result<String> {
    tx.query_row(
        "SELECT name FROM customers WHERE id = ?1",
        [customer.0],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| missing(customer))
}
