//! [`CheckInRepo`] on PostgreSQL.

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

impl CheckInRepo for PgDb {
    fn check_in_posts(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<Post>> {
        unimplemented!("PostgreSQL: check_in_posts")
    }

    fn record_check_in(&mut self, record: &CheckInRecord) -> Result<()> {
        unimplemented!("PostgreSQL: record_check_in")
    }

    fn last_check_in(&self) -> Result<Option<CheckInRecord>> {
        unimplemented!("PostgreSQL: last_check_in")
    }
}
