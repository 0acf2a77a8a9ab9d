//! Customers' stories: where each stands with the shop (the Customers view), one customer's timeline, and the
//! shop's private notes. Every per-customer read goes down an index on `customer_id` (`posts_customer`,
//! `actions_customer`, `replies_customer`); follow-ups, which are few, are read once for all.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::actions::{ACTION_COLS, FOLLOW_UP_COLS};
use super::codec::{Cells, limit};
use super::customers::{CUSTOMER_COLS, decode_customer};
use super::repository::{CustomerRepo, StoryRepo};
use super::{Db, Result, StoreError};
use crate::domain::{
    CONTACT_KINDS, Contact, Customer, CustomerId, CustomerStory, CustomerSummary, PostId,
    StoryPost, StoryReply, TimelineEntry,
};

/// A customer's follow-ups at a glance: open ones, the soonest due, the last one completed.
#[derive(Debug, Default, Clone, Copy)]
struct FollowUpStats {
    open: usize,
    next_due: Option<NaiveDate>,
    last_done: Option<DateTime<Utc>>,
}

const LAST_POST: &str = "SELECT created_at, network FROM posts WHERE customer_id = ?1
     ORDER BY created_at DESC LIMIT 1";
const LAST_REPLY: &str =
    "SELECT sent_at FROM replies WHERE customer_id = ?1 ORDER BY sent_at DESC LIMIT 1";
const UNANSWERED: &str = "SELECT id, created_at FROM posts WHERE customer_id = ?1
         AND category IN ('complaint', 'distress') AND handled_at IS NULL AND dismissed_at IS NULL
         AND first_response_at IS NULL
     ORDER BY created_at DESC LIMIT 1";

/// The shop's latest contact among its actions: the kinds the domain counts as contact.
fn last_action_sql() -> String {
    let kinds: Vec<String> = CONTACT_KINDS
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    format!(
        "SELECT at, kind FROM actions WHERE customer_id = ?1 AND kind IN ({}) ORDER BY at DESC LIMIT 1",
        kinds.join(", ")
    )
}

/// The reads made per customer (their query plans are checked by a test).
#[cfg(test)]
pub(super) fn per_customer_sql() -> Vec<String> {
    vec![
        LAST_POST.into(),
        last_action_sql(),
        LAST_REPLY.into(),
        UNANSWERED.into(),
    ]
}

const FOLLOW_UP_STATS: &str =
    "SELECT customer_id, SUM(CASE WHEN done_at IS NULL THEN 1 ELSE 0 END),
     MIN(CASE WHEN done_at IS NULL THEN due END), MAX(done_at) FROM follow_ups";

impl StoryRepo for Db {
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>> {
        let stats = self.follow_up_stats(None)?;
        self.customers()?
            .into_iter()
            .map(|c| {
                let s = stats.get(&c.id).copied().unwrap_or_default();
                self.summary(c, s)
            })
            .collect()
    }

    fn customer_story(&self, id: CustomerId, limit_: usize) -> Result<Option<CustomerStory>> {
        let Some(customer) = self.customer(id)? else {
            return Ok(None);
        };
        let stats = self
            .follow_up_stats(Some(id))?
            .remove(&id)
            .unwrap_or_default();
        let summary = self.summary(customer, stats)?;
        let n = limit(limit_);
        let mut entries: Vec<TimelineEntry> = self
            .story_posts(id, n)?
            .into_iter()
            .map(TimelineEntry::Post)
            .collect();
        let (replies, reply_actions) = self.story_replies(id, n)?;
        entries.extend(replies.into_iter().map(TimelineEntry::Reply));
        // A sent reply is logged with a `replied` action too: the reply alone tells it.
        let actions = self.query_actions(
            &format!(
                "SELECT {ACTION_COLS} FROM actions WHERE customer_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"
            ),
            params![id.0, n.saturating_add(limit(reply_actions.len()))],
        )?;
        entries.extend(
            actions
                .into_iter()
                .filter(|a| !reply_actions.contains(&a.id))
                .map(TimelineEntry::Action),
        );
        entries.extend(
            self.query_follow_ups(
                &format!(
                    "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE customer_id = ?1 ORDER BY due DESC, id DESC LIMIT ?2"
                ),
                params![id.0, n],
            )?
            .into_iter()
            .map(TimelineEntry::FollowUp),
        );
        let posts: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM posts WHERE customer_id = ?1")?
            .query_row([id.0], |r| r.get(0))?;
        let waits = self
            .conn
            .prepare_cached(
                "SELECT first_response_at - created_at FROM posts
                 WHERE customer_id = ?1 AND first_response_at IS NOT NULL",
            )?
            .query_map([id.0], |r| r.get::<_, i64>(0))?
            .map(|ms| ms.map(chrono::Duration::milliseconds))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(CustomerStory {
            summary,
            timeline: crate::domain::timeline(entries, limit_),
            posts: u64::try_from(posts).unwrap_or(0),
            median_first_response: crate::domain::median(waits),
        }))
    }

    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer> {
        let changed = self
            .conn
            .prepare_cached("UPDATE customers SET note = ?2 WHERE id = ?1")?
            .execute(params![id.0, note])?;
        match self.customer(id)? {
            Some(c) if changed == 1 => Ok(c),
            _ => Err(StoreError::Conflict(format!(
                "customer #{} is gone (forgotten?): the note was not saved",
                id.0
            ))),
        }
    }

    fn forget_customer(
        &mut self,
        id: CustomerId,
        with_posts: bool,
        at: DateTime<Utc>,
    ) -> Result<crate::domain::Forgotten> {
        super::forget::forget(self, id, with_posts, at)
    }
}

impl Db {
    /// One customer with their handles.
    pub(super) fn customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        let Some(mut customer) = self
            .conn
            .prepare_cached(&format!(
                "SELECT {CUSTOMER_COLS} FROM customers WHERE id = ?1"
            ))?
            .query_row([id.0], |row| Ok(decode_customer(row)))
            .optional()?
            .transpose()?
        else {
            return Ok(None);
        };
        customer.handles = self.handles_of(id)?;
        Ok(Some(customer))
    }

    /// Follow-up figures per customer (of one customer, or of all).
    fn follow_up_stats(
        &self,
        only: Option<CustomerId>,
    ) -> Result<HashMap<CustomerId, FollowUpStats>> {
        let sql = match only {
            Some(_) => format!("{FOLLOW_UP_STATS} WHERE customer_id = ?1 GROUP BY customer_id"),
            None => format!("{FOLLOW_UP_STATS} WHERE customer_id IS NOT NULL GROUP BY customer_id"),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = match only {
            Some(id) => stmt.query([id.0])?,
            None => stmt.query([])?,
        };
        let mut out = HashMap::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "follow_ups", 0);
            let next_due = match c.get::<Option<String>>(2)? {
                Some(_) => Some(c.date(2)?),
                None => None,
            };
            out.insert(
                CustomerId(c.get(0)?),
                FollowUpStats {
                    open: c.usize(1)?,
                    next_due,
                    last_done: c.opt_time(3)?,
                },
            );
        }
        Ok(out)
    }

    /// Where one customer stands: four reads, each the top of an index on `customer_id`.
    fn summary(&self, customer: Customer, stats: FollowUpStats) -> Result<CustomerSummary> {
        let id = customer.id.0;
        let last_post = self
            .conn
            .prepare_cached(LAST_POST)?
            .query_row([id], |row| {
                let c = Cells::new(row, "posts", 0);
                Ok(c.time(0).and_then(|t| Ok((t, c.network(1)?))))
            })
            .optional()?
            .transpose()?;
        let action = self
            .conn
            .prepare_cached(&last_action_sql())?
            .query_row([id], |row| {
                let c = Cells::new(row, "actions", 0);
                Ok(c.time(0).and_then(|at| {
                    Ok(Contact {
                        at,
                        kind: c.action_kind(1)?,
                    })
                }))
            })
            .optional()?
            .transpose()?;
        let reply = self
            .conn
            .prepare_cached(LAST_REPLY)?
            .query_row([id], |row| Ok(Cells::new(row, "replies", 0).time(0)))
            .optional()?
            .transpose()?
            .map(|at| Contact {
                at,
                kind: crate::domain::ActionKind::Replied,
            });
        let done = stats.last_done.map(|at| Contact {
            at,
            kind: crate::domain::ActionKind::FollowUp,
        });
        let last_contact = [action, reply, done]
            .into_iter()
            .flatten()
            .max_by_key(|c| c.at);
        let unanswered = self
            .conn
            .prepare_cached(UNANSWERED)?
            .query_row([id], |row| {
                let c = Cells::new(row, "posts", 0);
                Ok(c.time(1).and_then(|t| Ok((PostId(c.get(0)?), t))))
            })
            .optional()?
            .transpose()?;
        Ok(CustomerSummary {
            customer,
            last_post,
            last_contact,
            open_follow_ups: stats.open,
            next_due: stats.next_due,
            unanswered,
        })
    }

    fn story_posts(&self, id: CustomerId, n: i64) -> Result<Vec<StoryPost>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, network, category, text, url, created_at, handled_at, first_response_at
             FROM posts WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id.0, n])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "posts", 0);
            out.push(StoryPost {
                id: PostId(c.get(0)?),
                network: c.network(1)?,
                category: c.category(2)?,
                text: c.get(3)?,
                url: c.get(4)?,
                created_at: c.time(5)?,
                handled_at: c.opt_time(6)?,
                first_response_at: c.opt_time(7)?,
            });
        }
        Ok(out)
    }

    /// The replies sent them, newest first, and the ids of the `replied` actions that logged them.
    fn story_replies(&self, id: CustomerId, n: i64) -> Result<(Vec<StoryReply>, HashSet<i64>)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.post_id, p.text, r.network, r.text, r.sent_at, r.url, r.action_id
             FROM replies r JOIN posts p ON p.id = r.post_id
             WHERE r.customer_id = ?1 ORDER BY r.sent_at DESC, r.id DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id.0, n])?;
        let (mut replies, mut actions) = (Vec::new(), HashSet::new());
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "replies", 0);
            replies.push(StoryReply {
                post: PostId(c.get(0)?),
                answered: c.get(1)?,
                network: c.network(2)?,
                text: c.get(3)?,
                sent_at: c.time(4)?,
                url: c.get(5)?,
            });
            actions.extend(c.get::<Option<i64>>(6)?);
        }
        Ok((replies, actions))
    }
}
