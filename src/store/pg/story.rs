//! [`StoryRepo`] on PostgreSQL: where each customer stands with the shop, one customer's timeline, the shop's
//! private notes, and forgetting a customer ([`super::forget`]). The reads are SQLite's (`store::story`).

use chrono::{DateTime, Utc};

use super::PgDb;
use super::customers::customer_in;
use crate::domain::{Customer, CustomerId, CustomerStory, CustomerSummary, Forgotten};
use crate::store::Result;
use crate::store::repository::{CustomerRepo, StoryRepo};
use crate::store::story::{noted, overview, story};

impl StoryRepo for PgDb {
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>> {
        let customers = self.customers()?;
        overview(&mut *self.conn()?, customers)
    }

    fn customer_story(&self, id: CustomerId, limit_: usize) -> Result<Option<CustomerStory>> {
        let mut conn = self.conn()?;
        let Some(customer) = customer_in(&mut *conn, id)? else {
            return Ok(None);
        };
        story(&mut *conn, customer, limit_).map(Some)
    }

    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer> {
        let mut conn = self.conn()?;
        let changed = conn.execute(
            "UPDATE customers SET note = $2 WHERE id = $1",
            &[&id.0, &note],
        )?;
        noted(id, changed == 1, customer_in(&mut *conn, id)?)
    }

    fn forget_customer(
        &mut self,
        id: CustomerId,
        with_posts: bool,
        at: DateTime<Utc>,
    ) -> Result<Forgotten> {
        super::forget::forget(self, id, with_posts, at)
    }
}
