//! [`WorkRepo`] on PostgreSQL.

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

impl WorkRepo for PgDb {
    fn save_draft(&mut self, draft: &Draft) -> Result<()> {
        unimplemented!("PostgreSQL: save_draft")
    }

    fn drafts(&self) -> Result<Vec<Draft>> {
        unimplemented!("PostgreSQL: drafts")
    }

    fn delete_draft(&mut self, post: PostId) -> Result<()> {
        unimplemented!("PostgreSQL: delete_draft")
    }

    fn record_reply(
        &mut self,
        reply: &Reply,
        customer: Option<crate::domain::CustomerId>,
    ) -> Result<(Reply, Action)> {
        unimplemented!("PostgreSQL: record_reply")
    }

    fn prior_reply(&self, post: PostId) -> Result<Option<PriorReply>> {
        unimplemented!("PostgreSQL: prior_reply")
    }

    fn replies_for_post(&self, post: PostId) -> Result<Vec<Reply>> {
        unimplemented!("PostgreSQL: replies_for_post")
    }
}
