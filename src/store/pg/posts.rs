//! [`PostRepo`] on PostgreSQL.

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

impl PostRepo for PgDb {
    fn insert_batches(
        &mut self,
        batches: &[(&str, &[NewPost], &[Cursor])],
    ) -> Result<Vec<Vec<Post>>> {
        unimplemented!("PostgreSQL: insert_batches")
    }

    fn post_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()?
            .query_one("SELECT count(*) FROM posts", &[])?
            .try_get(0)?;
        Ok(n.unsigned_abs())
    }
}
