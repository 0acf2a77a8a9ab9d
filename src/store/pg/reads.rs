//! [`ReadRepo`] on PostgreSQL.

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

impl ReadRepo for PgDb {
    fn mark_read(&mut self, posts: &[PostId], at: DateTime<Utc>) -> Result<()> {
        unimplemented!("PostgreSQL: mark_read")
    }

    fn mark_all_read(&mut self, query: &PostQuery, at: DateTime<Utc>) -> Result<u64> {
        unimplemented!("PostgreSQL: mark_all_read")
    }

    fn unread_counts(&self, queries: &[PostQuery]) -> Result<Vec<u64>> {
        unimplemented!("PostgreSQL: unread_counts")
    }

    fn unread_total(&self, listings: &[Listing]) -> Result<u64> {
        unimplemented!("PostgreSQL: unread_total")
    }

    fn next_unread(&self, query: &PostQuery, after: Option<PostKey>) -> Result<Option<Located>> {
        unimplemented!("PostgreSQL: next_unread")
    }

    fn locate(&self, query: &PostQuery, post: PostId) -> Result<Option<Located>> {
        unimplemented!("PostgreSQL: locate")
    }

    fn ui_state(&self) -> Result<HashMap<String, String>> {
        unimplemented!("PostgreSQL: ui_state")
    }

    fn save_ui_state(&mut self, values: &[(String, String)], at: DateTime<Utc>) -> Result<()> {
        unimplemented!("PostgreSQL: save_ui_state")
    }
}
