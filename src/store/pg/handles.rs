//! Handles a person links to a customer and unlinks, on PostgreSQL; the posts already stored from a handle
//! follow it (as SQLite's `store::handles`).

use postgres::Transaction;

use super::PgDb;
use super::customers::customer_in;
use super::posts::refresh_attention_rank;
use crate::domain::{Customer, CustomerId, Handle, Network, PostId};
use crate::store::{Result, StoreError};

impl PgDb {
    /// Stores `handle` as linked by a person (an import never removes it). Linking the customer's own
    /// imported handle marks it linked; linking it twice is harmless; a handle another customer holds is a
    /// conflict naming them, and nothing is written.
    pub(super) fn link(&mut self, customer: CustomerId, handle: &Handle) -> Result<Customer> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let name = name_of(&mut tx, customer)?;
        let text = handle.handle.trim().trim_start_matches('@');
        let network = handle.network.as_str();
        let holder = tx.query_opt(
            "SELECT c.id, c.name, c.external_id FROM customer_handles h
             JOIN customers c ON c.id = h.customer_id
             WHERE h.network = $1 AND lower(h.handle) = lower($2)",
            &[&network, &text],
        )?;
        match holder {
            Some(row) if row.try_get::<_, i64>(0)? != customer.0 => {
                let (other, key): (String, String) = (row.try_get(1)?, row.try_get(2)?);
                return Err(StoreError::Conflict(format!(
                    "{} {text} is already {other}'s (customer {key}): unlink it there first, it is not \
                     linked to {name}",
                    handle.network
                )));
            }
            Some(_) => {
                tx.execute(
                    "UPDATE customer_handles SET linked = TRUE
                     WHERE network = $1 AND lower(handle) = lower($2)",
                    &[&network, &text],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO customer_handles (customer_id, network, handle, linked)
                     VALUES ($1, $2, $3, TRUE)",
                    &[&customer.0, &network, &text],
                )?;
            }
        }
        attribute(&mut tx, handle.network, text, None, Some(customer))?;
        let linked = customer_in(&mut tx, customer)?;
        tx.commit()?;
        linked.ok_or_else(|| missing(customer))
    }

    /// Removes the customer's `handle` on `network`, linked or imported (an imported one comes back at the
    /// next import if the shop's database still lists it).
    pub(super) fn unlink(
        &mut self,
        customer: CustomerId,
        network: Network,
        handle: &str,
    ) -> Result<Customer> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let name = name_of(&mut tx, customer)?;
        let text = handle.trim().trim_start_matches('@');
        let removed = tx.execute(
            "DELETE FROM customer_handles
             WHERE customer_id = $1 AND network = $2 AND lower(handle) = lower($3)",
            &[&customer.0, &network.as_str(), &text],
        )?;
        if removed == 0 {
            return Err(StoreError::Conflict(format!(
                "{name} has no {network} handle {text}"
            )));
        }
        attribute(&mut tx, network, text, Some(customer), None)?;
        let unlinked = customer_in(&mut tx, customer)?;
        tx.commit()?;
        unlinked.ok_or_else(|| missing(customer))
    }
}

/// Moves the stored posts written as `handle` on `network` from customer `from` (`None`: nobody's) to `to`,
/// and re-ranks them. The shop's own posts stay the shop's.
fn attribute(
    tx: &mut Transaction<'_>,
    network: Network,
    handle: &str,
    from: Option<CustomerId>,
    to: Option<CustomerId>,
) -> Result<()> {
    let moved = tx.query(
        "UPDATE posts SET customer_id = $4
         WHERE network = $1 AND lower(author_handle) = lower($2) AND NOT by_shop
           AND customer_id IS NOT DISTINCT FROM $3
         RETURNING id",
        &[
            &network.as_str(),
            &handle,
            &from.map(|c| c.0),
            &to.map(|c| c.0),
        ],
    )?;
    for row in moved {
        refresh_attention_rank(tx, PostId(row.try_get(0)?))?;
    }
    Ok(())
}

pub(super) fn missing(id: CustomerId) -> StoreError {
    StoreError::Conflict(format!("customer #{} is not stored (forgotten?)", id.0))
}

fn name_of(tx: &mut Transaction<'_>, customer: CustomerId) -> Result<String> {
    tx.query_opt("SELECT name FROM customers WHERE id = $1", &[&customer.0])?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| missing(customer))
}
