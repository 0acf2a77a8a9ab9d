//! [`CustomerRepo`] on PostgreSQL.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::PgDb;
use crate::domain::checkin::CheckInRecord;
use crate::domain::{
    Action, ActionKey, Anchor, Category, Correction, Customer, CustomerId, CustomerStory,
    CustomerSummary, Draft, FollowUp, FollowUpRow, Forgotten, Handle, ImportRun, Listing, Located,
    Network, NewAction, NewFollowUp, NewPost, Page, Post, PostDetails, PostId, PostKey, PostQuery,
    PriorReply, Reply, Undo, Watched,
};
use crate::sources::Cursor;
use crate::store::Result;
use crate::store::repository::*;

impl CustomerRepo for PgDb {
    fn import_customers(&mut self, run: &ImportRun, ranked: &[Customer]) -> Result<Vec<Customer>> {
        unimplemented!("PostgreSQL: import_customers")
    }

    fn customers(&self) -> Result<Vec<Customer>> {
        unimplemented!("PostgreSQL: customers")
    }

    fn link_handle(&mut self, customer: CustomerId, handle: &Handle) -> Result<Customer> {
        unimplemented!("PostgreSQL: link_handle")
    }

    fn unlink_handle(
        &mut self,
        customer: CustomerId,
        network: Network,
        handle: &str,
    ) -> Result<Customer> {
        unimplemented!("PostgreSQL: unlink_handle")
    }

    fn forgotten_keys(&self) -> Result<HashSet<String>> {
        unimplemented!("PostgreSQL: forgotten_keys")
    }
}
