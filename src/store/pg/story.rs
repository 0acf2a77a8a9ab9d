//! [`StoryRepo`] on PostgreSQL.

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

impl StoryRepo for PgDb {
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>> {
        unimplemented!("PostgreSQL: customer_overview")
    }

    fn customer_story(&self, id: CustomerId, limit: usize) -> Result<Option<CustomerStory>> {
        unimplemented!("PostgreSQL: customer_story")
    }

    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer> {
        unimplemented!("PostgreSQL: set_customer_note")
    }

    fn forget_customer(
        &mut self,
        id: CustomerId,
        with_posts: bool,
        at: DateTime<Utc>,
    ) -> Result<Forgotten> {
        unimplemented!("PostgreSQL: forget_customer")
    }
}
