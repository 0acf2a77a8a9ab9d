//! Rows of the work tables (customers, handles, drafts, follow-ups) back into domain
//! values, with errors naming the table and row as SQLite's codec does.

use postgres::Row;

use super::codec::Cells;
use crate::domain::{Customer, CustomerId, FollowUp, Handle};
use crate::store::Result;
use crate::store::rows::{AnyRow, Decode};

pub(super) const CUSTOMER_COLS: &str = "id, external_id, name, rank, lifetime_spend_cents, note, email, orders, \
     last_purchase, recent_spend_cents, former";
pub(super) const HANDLE_COLS: &str = "customer_id, network, handle, linked";
pub(super) use crate::store::actions::FOLLOW_UP_COLS;

/// A customer from a row of [`CUSTOMER_COLS`], without handles.
pub(super) fn customer_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<Customer> {
    let c = Cells::new(row, "customers", 0);
    let last_purchase = match c.get::<Option<String>>(8)? {
        Some(_) => Some(c.date(8)?),
        None => None,
    };
    let rank: i64 = c.get(3)?;
    let orders = c
        .get::<Option<i64>>(7)?
        .map(|n| u32::try_from(n).map_err(|_| c.corrupt(format!("orders out of range: {n}"))))
        .transpose()?;
    Ok(Customer {
        id: CustomerId(c.get(0)?),
        external_id: c.get(1)?,
        name: c.get(2)?,
        rank: u32::try_from(rank).map_err(|_| c.corrupt(format!("rank out of range: {rank}")))?,
        lifetime_spend_cents: c.get(4)?,
        handles: Vec::new(),
        note: c.get(5)?,
        email: c.get(6)?,
        orders,
        last_purchase,
        recent_spend_cents: c.get(9)?,
        former: c.get(10)?,
    })
}

/// A handle from a row of [`HANDLE_COLS`], with its customer.
pub(super) fn handle_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<(CustomerId, Handle)> {
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

/// A follow-up from a row of [`FOLLOW_UP_COLS`].
pub(super) fn follow_up_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<FollowUp> {
    crate::store::decode::follow_up_of(&Cells::new(row, "follow_ups", 0))
}

/// Follow-ups decode the same from either backend's row.
impl Decode for FollowUp {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<FollowUp> {
        follow_up_from_row(row)
    }
}

/// Decodes every row with `decode`.
pub(super) fn all<T>(rows: &[Row], decode: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(decode).collect()
}
