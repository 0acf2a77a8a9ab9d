//! Customers' stories: where each stands with the shop (the Customers view), one customer's timeline, and the
//! shop's private notes. Every per-customer read goes down an index on `customer_id` (`posts_customer`,
//! `actions_customer`, `replies_customer`); follow-ups, which are few, are read once for all. The reads are
//! written once for both backends ([`overview`], [`story`]); each backend loads the customers.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::actions::{ACTION_COLS, FOLLOW_UP_COLS};
use super::codec::limit;
use super::customers::{CUSTOMER_COLS, decode_customer};
use super::repository::{CustomerRepo, StoryRepo};
use super::rows::{AnyRow, Arg, Cells, Decode, Query};
use super::{Db, Result, StoreError};
use crate::domain::{
    Action, ActionKind, CONTACT_KINDS, Contact, Customer, CustomerId, CustomerStory,
    CustomerSummary, FollowUp, Network, PostId, StoryPost, StoryReply, TimelineEntry,
};

/// A customer's follow-ups at a glance: open ones, the soonest due, the last one completed.
#[derive(Debug, Default, Clone, Copy)]
struct FollowUpStats {
    open: usize,
    next_due: Option<NaiveDate>,
    last_done: Option<DateTime<Utc>>,
}

const LAST_POST: &str = "SELECT id, created_at, network FROM posts WHERE customer_id = ?
     ORDER BY created_at DESC LIMIT 1";
const LAST_REPLY: &str =
    "SELECT id, sent_at FROM replies WHERE customer_id = ? ORDER BY sent_at DESC LIMIT 1";
const UNANSWERED: &str = "SELECT id, created_at FROM posts WHERE customer_id = ?
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
        "SELECT id, at, kind FROM actions WHERE customer_id = ? AND kind IN ({}) ORDER BY at DESC LIMIT 1",
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

const STORY_POSTS: &str =
    "SELECT id, network, category, text, url, created_at, handled_at, first_response_at
     FROM posts WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?";

/// The replies sent a customer, with the `replied` actions that logged them.
const STORY_REPLIES: &str =
    "SELECT r.post_id, p.text, r.network, r.text, r.sent_at, r.url, r.action_id
     FROM replies r JOIN posts p ON p.id = r.post_id
     WHERE r.customer_id = ? ORDER BY r.sent_at DESC, r.id DESC LIMIT ?";

/// Where each customer stands, in the order given.
pub(in crate::store) fn overview(
    q: &mut impl Query,
    customers: Vec<Customer>,
) -> Result<Vec<CustomerSummary>> {
    let stats = follow_up_stats(q, None)?;
    customers
        .into_iter()
        .map(|c| {
            let s = stats.get(&c.id).copied().unwrap_or_default();
            summary(q, c, s)
        })
        .collect()
}

/// A customer's story: where they stand, and their timeline of the latest `limit_` entries.
pub(in crate::store) fn story(
    q: &mut impl Query,
    customer: Customer,
    limit_: usize,
) -> Result<CustomerStory> {
    let id = customer.id;
    let stats = follow_up_stats(q, Some(id))?
        .remove(&id)
        .unwrap_or_default();
    let summary = summary(q, customer, stats)?;
    let n = limit(limit_);
    let of_them = [Arg::Int(id.0), Arg::Int(n)];
    let mut entries: Vec<TimelineEntry> = q
        .rows(STORY_POSTS, &of_them)?
        .into_iter()
        .map(TimelineEntry::Post)
        .collect();
    let replies: Vec<(StoryReply, Option<i64>)> = q.rows(STORY_REPLIES, &of_them)?;
    let reply_actions: HashSet<i64> = replies.iter().filter_map(|(_, action)| *action).collect();
    entries.extend(replies.into_iter().map(|(r, _)| TimelineEntry::Reply(r)));
    // A sent reply is logged with a `replied` action too: the reply alone tells it.
    let actions: Vec<Action> = q.rows(
        &format!(
            "SELECT {ACTION_COLS} FROM actions WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT ?"
        ),
        &[
            Arg::Int(id.0),
            Arg::Int(n.saturating_add(limit(reply_actions.len()))),
        ],
    )?;
    entries.extend(
        actions
            .into_iter()
            .filter(|a| !reply_actions.contains(&a.id))
            .map(TimelineEntry::Action),
    );
    let follow_ups: Vec<FollowUp> = q.rows(
        &format!(
            "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE customer_id = ? ORDER BY due DESC, id DESC LIMIT ?"
        ),
        &of_them,
    )?;
    entries.extend(follow_ups.into_iter().map(TimelineEntry::FollowUp));
    let posts = q
        .first::<Figure>(
            "SELECT COUNT(*) FROM posts WHERE customer_id = ?",
            &[Arg::Int(id.0)],
        )?
        .map_or(0, |n| n.0);
    let waits = q
        .rows::<Figure>(
            "SELECT first_response_at - created_at FROM posts
             WHERE customer_id = ? AND first_response_at IS NOT NULL",
            &[Arg::Int(id.0)],
        )?
        .into_iter()
        .map(|ms| chrono::Duration::milliseconds(ms.0))
        .collect();
    Ok(CustomerStory {
        summary,
        timeline: crate::domain::timeline(entries, limit_),
        posts: u64::try_from(posts).unwrap_or(0),
        median_first_response: crate::domain::median(waits),
    })
}

/// Follow-up figures per customer (of one customer, or of all).
fn follow_up_stats(
    q: &mut impl Query,
    only: Option<CustomerId>,
) -> Result<HashMap<CustomerId, FollowUpStats>> {
    let rows: Vec<(CustomerId, FollowUpStats)> = match only {
        Some(id) => q.rows(
            &format!("{FOLLOW_UP_STATS} WHERE customer_id = ? GROUP BY customer_id"),
            &[Arg::Int(id.0)],
        )?,
        None => q.rows(
            &format!("{FOLLOW_UP_STATS} WHERE customer_id IS NOT NULL GROUP BY customer_id"),
            &[],
        )?,
    };
    Ok(rows.into_iter().collect())
}

/// Where one customer stands: four reads, each the top of an index on `customer_id`.
fn summary(
    q: &mut impl Query,
    customer: Customer,
    stats: FollowUpStats,
) -> Result<CustomerSummary> {
    let id = [Arg::Int(customer.id.0)];
    let last_post = q.first(LAST_POST, &id)?;
    let action: Option<Contact> = q.first(&last_action_sql(), &id)?;
    let reply = q.first::<Sent>(LAST_REPLY, &id)?.map(|sent| Contact {
        at: sent.0,
        kind: ActionKind::Replied,
    });
    let done = stats.last_done.map(|at| Contact {
        at,
        kind: ActionKind::FollowUp,
    });
    let last_contact = [action, reply, done]
        .into_iter()
        .flatten()
        .max_by_key(|c| c.at);
    Ok(CustomerSummary {
        customer,
        last_post,
        last_contact,
        open_follow_ups: stats.open,
        next_due: stats.next_due,
        unanswered: q.first(UNANSWERED, &id)?,
    })
}

/// The customer whose note was set (`changed`: their row was updated), or why it was not saved.
pub(in crate::store) fn noted(
    id: CustomerId,
    changed: bool,
    customer: Option<Customer>,
) -> Result<Customer> {
    match customer {
        Some(c) if changed => Ok(c),
        _ => Err(StoreError::Conflict(format!(
            "customer #{} is gone (forgotten?): the note was not saved",
            id.0
        ))),
    }
}

/// A number a query computes (a count, a wait in milliseconds).
struct Figure(i64);

impl Decode for Figure {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Figure> {
        Ok(Figure(Cells::new(row, "posts", 0).get(0)?))
    }
}

/// When the latest reply was sent ([`LAST_REPLY`]).
struct Sent(DateTime<Utc>);

impl Decode for Sent {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Sent> {
        Ok(Sent(Cells::new(row, "replies", 0).time(1)?))
    }
}

/// The latest post's time and network ([`LAST_POST`]).
impl Decode for (DateTime<Utc>, Network) {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self> {
        let c = Cells::new(row, "posts", 0);
        Ok((c.time(1)?, c.network(2)?))
    }
}

/// The latest unanswered complaint ([`UNANSWERED`]).
impl Decode for (PostId, DateTime<Utc>) {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self> {
        let c = Cells::new(row, "posts", 0);
        Ok((PostId(c.get(0)?), c.time(1)?))
    }
}

/// The shop's latest contact among its actions ([`last_action_sql`]).
impl Decode for Contact {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Contact> {
        let c = Cells::new(row, "actions", 0);
        Ok(Contact {
            at: c.time(1)?,
            kind: c.action_kind(2)?,
        })
    }
}

impl Decode for (CustomerId, FollowUpStats) {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self> {
        let c = Cells::new(row, "follow_ups", 0);
        let next_due = match c.get::<Option<String>>(2)? {
            Some(_) => Some(c.date(2)?),
            None => None,
        };
        let stats = FollowUpStats {
            open: c.usize(1)?,
            next_due,
            last_done: c.opt_time(3)?,
        };
        Ok((CustomerId(c.get(0)?), stats))
    }
}

impl Decode for StoryPost {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<StoryPost> {
        let c = Cells::new(row, "posts", 0);
        Ok(StoryPost {
            id: PostId(c.get(0)?),
            network: c.network(1)?,
            category: c.category(2)?,
            text: c.get(3)?,
            url: c.get(4)?,
            created_at: c.time(5)?,
            handled_at: c.opt_time(6)?,
            first_response_at: c.opt_time(7)?,
        })
    }
}

/// A reply sent ([`STORY_REPLIES`]) and the action that logged it.
impl Decode for (StoryReply, Option<i64>) {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self> {
        let c = Cells::new(row, "replies", 0);
        let reply = StoryReply {
            post: PostId(c.get(0)?),
            answered: c.get(1)?,
            network: c.network(2)?,
            text: c.get(3)?,
            sent_at: c.time(4)?,
            url: c.get(5)?,
        };
        Ok((reply, c.get(6)?))
    }
}

impl StoryRepo for Db {
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>> {
        overview(&mut &self.conn, self.customers()?)
    }

    fn customer_story(&self, id: CustomerId, limit_: usize) -> Result<Option<CustomerStory>> {
        let Some(customer) = self.customer(id)? else {
            return Ok(None);
        };
        story(&mut &self.conn, customer, limit_).map(Some)
    }

    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer> {
        let changed = self
            .conn
            .prepare_cached("UPDATE customers SET note = ?2 WHERE id = ?1")?
            .execute(params![id.0, note])?;
        noted(id, changed == 1, self.customer(id)?)
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
}
