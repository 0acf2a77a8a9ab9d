//! [`AlertRepo`] on PostgreSQL.

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

impl AlertRepo for PgDb {
    fn always_tell_me(&self) -> Result<HashSet<CustomerId>> {
        unimplemented!("PostgreSQL: always_tell_me")
    }

    fn set_always_tell_me(
        &mut self,
        customer: CustomerId,
        on: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        unimplemented!("PostgreSQL: set_always_tell_me")
    }

    fn hourly_counts(
        &self,
        watched: Watched,
        until: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<u32>> {
        unimplemented!("PostgreSQL: hourly_counts")
    }

    fn watched_texts(
        &self,
        watched: Watched,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        most: usize,
    ) -> Result<Vec<String>> {
        unimplemented!("PostgreSQL: watched_texts")
    }
}
