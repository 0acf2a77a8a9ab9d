//! [`ReviewRepo`] on PostgreSQL.

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

impl ReviewRepo for PgDb {
    fn reopen_post(&mut self, post: PostId, at: DateTime<Utc>) -> Result<Option<(Post, Action)>> {
        unimplemented!("PostgreSQL: reopen_post")
    }

    fn dismiss_post(&mut self, post: PostId, at: DateTime<Utc>) -> Result<Option<(Post, Action)>> {
        unimplemented!("PostgreSQL: dismiss_post")
    }

    fn undo(&mut self, undo: &Undo) -> Result<Option<Post>> {
        unimplemented!("PostgreSQL: undo")
    }

    fn correct_post(
        &mut self,
        post: PostId,
        category: Category,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Correction)>> {
        unimplemented!("PostgreSQL: correct_post")
    }

    fn corrections(&self) -> Result<Vec<(Correction, Post)>> {
        unimplemented!("PostgreSQL: corrections")
    }
}
