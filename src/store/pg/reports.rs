//! [`ReportRepo`] on PostgreSQL.

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

impl ReportRepo for PgDb {
    fn response_times(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        each: &mut dyn FnMut(crate::report::PostTimes),
    ) -> Result<u64> {
        unimplemented!("PostgreSQL: response_times")
    }

    fn post_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::report::QuarterCount>> {
        unimplemented!("PostgreSQL: post_counts")
    }

    fn regulars_posting(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<crate::report::digest::RegularPosting>> {
        unimplemented!("PostgreSQL: regulars_posting")
    }

    fn each_post(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Post) -> std::io::Result<()>,
    ) -> Result<u64> {
        unimplemented!("PostgreSQL: each_post")
    }

    fn each_action(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Action) -> std::io::Result<()>,
    ) -> Result<u64> {
        unimplemented!("PostgreSQL: each_action")
    }

    fn each_reply(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Reply) -> std::io::Result<()>,
    ) -> Result<u64> {
        unimplemented!("PostgreSQL: each_reply")
    }
}
