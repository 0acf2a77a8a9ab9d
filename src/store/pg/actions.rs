//! [`LogRepo`] on PostgreSQL.

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

impl LogRepo for PgDb {
    fn log_action(&mut self, action: &NewAction) -> Result<Action> {
        unimplemented!("PostgreSQL: log_action")
    }

    fn action_count(&self) -> Result<u64> {
        unimplemented!("PostgreSQL: action_count")
    }

    fn schedule_follow_up(&mut self, follow_up: &NewFollowUp) -> Result<(FollowUp, Action)> {
        unimplemented!("PostgreSQL: schedule_follow_up")
    }

    fn open_follow_ups(&self) -> Result<Vec<FollowUp>> {
        unimplemented!("PostgreSQL: open_follow_ups")
    }

    fn follow_up_rows(&self) -> Result<Vec<FollowUpRow>> {
        unimplemented!("PostgreSQL: follow_up_rows")
    }

    fn complete_follow_up(&mut self, id: i64, at: DateTime<Utc>) -> Result<Option<Action>> {
        unimplemented!("PostgreSQL: complete_follow_up")
    }
}
