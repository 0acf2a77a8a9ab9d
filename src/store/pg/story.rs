//! [`StoryRepo`] on PostgreSQL: where each customer stands with the shop, one customer's timeline, the shop's
//! private notes, and forgetting a customer ([`super::forget`]). As SQLite's `store::story`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use postgres::Client;

use super::PgDb;
use super::codec::{ACTION_COLS, Cells, action_from_row};
use super::customers::customer_in;
use super::rows::{FOLLOW_UP_COLS, all, follow_up_from_row};
use crate::domain::{
    ActionKind, CONTACT_KINDS, Contact, Customer, CustomerId, CustomerStory, CustomerSummary,
    Forgotten, PostId, StoryPost, StoryReply, TimelineEntry,
};
use crate::store::codec::limit;
use crate::store::repository::{CustomerRepo, StoryRepo};
use crate::store::{Result, StoreError};

/// A customer's follow-ups at a glance: open ones, the soonest due, the last one completed.
#[derive(Debug, Default, Clone, Copy)]
struct FollowUpStats {
    open: usize,
    next_due: Option<NaiveDate>,
    last_done: Option<DateTime<Utc>>,
}

const FOLLOW_UP_STATS: &str =
    "SELECT customer_id, SUM(CASE WHEN done_at IS NULL THEN 1 ELSE 0 END),
     MIN(CASE WHEN done_at IS NULL THEN due END), MAX(done_at) FROM follow_ups";

impl StoryRepo for PgDb {
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>> {
        let customers = self.customers()?;
        let mut conn = self.conn()?;
        let stats = follow_up_stats(&mut conn, None)?;
        customers
            .into_iter()
            .map(|c| {
                let s = stats.get(&c.id).copied().unwrap_or_default();
                summary(&mut conn, c, s)
            })
            .collect()
    }

    fn customer_story(&self, id: CustomerId, limit_: usize) -> Result<Option<CustomerStory>> {
        let mut conn = self.conn()?;
        let Some(customer) = customer_in(&mut *conn, id)? else {
            return Ok(None);
        };
        let stats = follow_up_stats(&mut conn, Some(id))?
            .remove(&id)
            .unwrap_or_default();
        let summary = summary(&mut conn, customer, stats)?;
        let n = limit(limit_);
        let mut entries: Vec<TimelineEntry> = story_posts(&mut conn, id, n)?
            .into_iter()
            .map(TimelineEntry::Post)
            .collect();
        let (replies, reply_actions) = story_replies(&mut conn, id, n)?;
        entries.extend(replies.into_iter().map(TimelineEntry::Reply));
        // A sent reply is logged with a `replied` action too: the reply alone tells it.
        let actions = conn.query(
            &format!(
                "SELECT {ACTION_COLS} FROM actions WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
            ),
            &[&id.0, &n.saturating_add(limit(reply_actions.len()))],
        )?;
        entries.extend(
            all(&actions, action_from_row)?
                .into_iter()
                .filter(|a| !reply_actions.contains(&a.id))
                .map(TimelineEntry::Action),
        );
        let follow_ups = conn.query(
            &format!(
                "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE customer_id = $1 ORDER BY due DESC, id DESC LIMIT $2"
            ),
            &[&id.0, &n],
        )?;
        entries.extend(
            all(&follow_ups, follow_up_from_row)?
                .into_iter()
                .map(TimelineEntry::FollowUp),
        );
        let posts: i64 = conn
            .query_one(
                "SELECT COUNT(*) FROM posts WHERE customer_id = $1",
                &[&id.0],
            )?
            .try_get(0)?;
        let waits = conn
            .query(
                "SELECT first_response_at - created_at FROM posts
                 WHERE customer_id = $1 AND first_response_at IS NOT NULL",
                &[&id.0],
            )?
            .iter()
            .map(|r| Ok(chrono::Duration::milliseconds(r.try_get(0)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(CustomerStory {
            summary,
            timeline: crate::domain::timeline(entries, limit_),
            posts: u64::try_from(posts).unwrap_or(0),
            median_first_response: crate::domain::median(waits),
        }))
    }

    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer> {
        let mut conn = self.conn()?;
        let changed = conn.execute(
            "UPDATE customers SET note = $2 WHERE id = $1",
            &[&id.0, &note],
        )?;
        match customer_in(&mut *conn, id)? {
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
    ) -> Result<Forgotten> {
        super::forget::forget(self, id, with_posts, at)
    }
}

/// Follow-up figures per customer (of one customer, or of all).
fn follow_up_stats(
    conn: &mut Client,
    only: Option<CustomerId>,
) -> Result<HashMap<CustomerId, FollowUpStats>> {
    let rows = match only {
        Some(id) => conn.query(
            &format!("{FOLLOW_UP_STATS} WHERE customer_id = $1 GROUP BY customer_id"),
            &[&id.0],
        )?,
        None => conn.query(
            &format!("{FOLLOW_UP_STATS} WHERE customer_id IS NOT NULL GROUP BY customer_id"),
            &[],
        )?,
    };
    let mut out = HashMap::new();
    for row in &rows {
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
fn summary(conn: &mut Client, customer: Customer, stats: FollowUpStats) -> Result<CustomerSummary> {
    let id = customer.id.0;
    let last_post = conn
        .query_opt(
            "SELECT id, created_at, network FROM posts WHERE customer_id = $1
             ORDER BY created_at DESC LIMIT 1",
            &[&id],
        )?
        .map(|row| {
            let c = Cells::new(&row, "posts", 0);
            Ok::<_, StoreError>((c.time(1)?, c.network(2)?))
        })
        .transpose()?;
    let kinds: Vec<&str> = CONTACT_KINDS.iter().map(|k| k.as_str()).collect();
    let action = conn
        .query_opt(
            "SELECT id, at, kind FROM actions WHERE customer_id = $1 AND kind = ANY($2)
             ORDER BY at DESC LIMIT 1",
            &[&id, &kinds],
        )?
        .map(|row| {
            let c = Cells::new(&row, "actions", 0);
            Ok::<_, StoreError>(Contact {
                at: c.time(1)?,
                kind: c.action_kind(2)?,
            })
        })
        .transpose()?;
    let reply = conn
        .query_opt(
            "SELECT id, sent_at FROM replies WHERE customer_id = $1 ORDER BY sent_at DESC LIMIT 1",
            &[&id],
        )?
        .map(|row| Cells::new(&row, "replies", 0).time(1))
        .transpose()?
        .map(|at| Contact {
            at,
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
    let unanswered = conn
        .query_opt(
            "SELECT id, created_at FROM posts WHERE customer_id = $1
                 AND category IN ('complaint', 'distress') AND handled_at IS NULL AND dismissed_at IS NULL
                 AND first_response_at IS NULL
             ORDER BY created_at DESC LIMIT 1",
            &[&id],
        )?
        .map(|row| {
            let c = Cells::new(&row, "posts", 0);
            Ok::<_, StoreError>((PostId(c.get(0)?), c.time(1)?))
        })
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

fn story_posts(conn: &mut Client, id: CustomerId, n: i64) -> Result<Vec<StoryPost>> {
    let rows = conn.query(
        "SELECT id, network, category, text, url, created_at, handled_at, first_response_at
         FROM posts WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        &[&id.0, &n],
    )?;
    all(&rows, |row| {
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
    })
}

/// The replies sent them, newest first, and the ids of the `replied` actions that logged them.
fn story_replies(
    conn: &mut Client,
    id: CustomerId,
    n: i64,
) -> Result<(Vec<StoryReply>, HashSet<i64>)> {
    let rows = conn.query(
        "SELECT r.post_id, p.text, r.network, r.text, r.sent_at, r.url, r.action_id
         FROM replies r JOIN posts p ON p.id = r.post_id
         WHERE r.customer_id = $1 ORDER BY r.sent_at DESC, r.id DESC LIMIT $2",
        &[&id.0, &n],
    )?;
    let (mut replies, mut actions) = (Vec::new(), HashSet::new());
    for row in &rows {
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
