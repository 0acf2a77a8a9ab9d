//! [`ListRepo`] on PostgreSQL.

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

impl ListRepo for PgDb {
    fn posts_page(
        &self,
        query: &PostQuery,
        anchor: Anchor<PostKey>,
        limit: usize,
        count: bool,
    ) -> Result<Page<(PostKey, Post)>> {
        unimplemented!("PostgreSQL: posts_page")
    }

    fn actions_page(
        &self,
        anchor: Anchor<ActionKey>,
        limit: usize,
        count: bool,
    ) -> Result<Page<Action>> {
        unimplemented!("PostgreSQL: actions_page")
    }

    fn post_details(&self, id: PostId) -> Result<Option<PostDetails>> {
        unimplemented!("PostgreSQL: post_details")
    }
}
