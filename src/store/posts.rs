//! Posts: batches from sources (with their cursors), windows for the panes, threads.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::codec::{Cells, JsonBuf, limit, ms};
use super::{Db, Result, cursors};
use crate::domain::{
    Author, CustomerId, Network, NewPost, Post, PostId, Triage, first_response_by_shop,
};
use crate::sources::Cursor;

/// How far up a reply chain [`Db::thread`] walks.
pub const MAX_THREAD_DEPTH: usize = 20;

pub(super) const POST_COLS: &str = "id, network, native_id, url, author_handle, author_name, text, created_at, \
     ingested_at, in_reply_to, reply_ref, customer_id, is_mention, category, score, reasons, handled_at, \
     first_response_at, by_shop, context, quotes";

impl Db {
    /// Stores a batch from `source` in ONE transaction: the posts not seen before (dedupe on network + native id)
    /// and the source's cursors. Returns the newly stored posts, with ids, in input order. If anything fails,
    /// nothing is written: neither posts nor cursors, so the source resumes from its previous cursor.
    pub fn insert_batch(
        &mut self,
        source: &str,
        posts: &[NewPost],
        cursors: &[Cursor],
    ) -> Result<Vec<Post>> {
        Ok(self
            .insert_batches(&[(source, posts, cursors)])?
            .pop()
            .unwrap_or_default())
    }

    /// Several batches, `(source, posts, cursors)`, in ONE transaction (a backlog: one commit instead of one
    /// per batch), each stored as [`Db::insert_batch`] stores it, in order. Returns each batch's new posts. If
    /// anything fails, nothing from any of them is written.
    pub fn insert_batches(
        &mut self,
        batches: &[(&str, &[NewPost], &[Cursor])],
    ) -> Result<Vec<Vec<Post>>> {
        let tx = self.write_tx()?;
        let now = Utc::now();
        let mut out = Vec::with_capacity(batches.len());
        for (source, posts, cursors) in batches {
            let mut stored = insert_posts(&tx, posts)?;
            answer_from_shop(&tx, &mut stored)?;
            cursors::upsert(&tx, source, cursors, now)?;
            out.push(stored);
        }
        tx.commit()?;
        Ok(out)
    }

    /// The newest posts first (by `created_at`).
    pub fn recent_posts(&self, limit_: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!("SELECT {POST_COLS} FROM posts ORDER BY created_at DESC, id DESC LIMIT ?1"),
            params![limit(limit_)],
        )
    }

    /// Complaints and distress not yet handled, newest first. (The Attention pane weighs urgency itself.)
    pub fn open_attention(&self, limit_: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts
                 WHERE category IN ('complaint', 'distress') AND handled_at IS NULL
                 ORDER BY created_at DESC, id DESC LIMIT ?1"
            ),
            params![limit(limit_)],
        )
    }

    /// Posts naming the shop (mentions), newest first.
    pub fn recent_mentions(&self, limit_: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts WHERE is_mention = 1
                 ORDER BY created_at DESC, id DESC LIMIT ?1"
            ),
            params![limit(limit_)],
        )
    }

    /// Posts by any known customer, newest first.
    pub fn recent_customer_posts(&self, limit_: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts WHERE customer_id IS NOT NULL
                 ORDER BY created_at DESC, id DESC LIMIT ?1"
            ),
            params![limit(limit_)],
        )
    }

    pub fn post(&self, id: PostId) -> Result<Option<Post>> {
        Ok(self
            .query_posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE id = ?1"),
                params![id.0],
            )?
            .pop())
    }

    pub fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>> {
        Ok(self
            .query_posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE network = ?1 AND native_id = ?2"),
                params![network.as_str(), native_id],
            )?
            .pop())
    }

    /// The thread around `post`, oldest first, without `post` itself: its stored ancestors (following
    /// `in_reply_to` on the same network, at most [`MAX_THREAD_DEPTH`] levels), then its direct replies.
    pub fn thread(&self, post: &Post) -> Result<Vec<Post>> {
        let mut seen = HashSet::from([post.id]);
        let mut ancestors = Vec::new();
        let mut parent = post.in_reply_to.clone();
        while let Some(native) = parent.take() {
            if ancestors.len() >= MAX_THREAD_DEPTH {
                break;
            }
            let Some(p) = self.post_by_native(post.network, &native)? else {
                break;
            };
            if !seen.insert(p.id) {
                break; // a cycle in bad data
            }
            parent = p.in_reply_to.clone();
            ancestors.push(p);
        }
        ancestors.reverse();
        let replies = self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts WHERE network = ?1 AND in_reply_to = ?2
                 ORDER BY created_at, id"
            ),
            params![post.network.as_str(), post.native_id],
        )?;
        ancestors.extend(replies.into_iter().filter(|p| seen.insert(p.id)));
        Ok(ancestors)
    }

    /// A customer's posts, newest first.
    pub fn posts_by_customer(&self, customer: CustomerId, limit_: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!(
                "SELECT {POST_COLS} FROM posts WHERE customer_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT ?2"
            ),
            params![customer.0, limit(limit_)],
        )
    }

    /// Marks a post handled at `at`; a post already handled keeps its first time.
    pub fn mark_handled(&mut self, id: PostId, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE posts SET handled_at = COALESCE(handled_at, ?2) WHERE id = ?1")?
            .execute(params![id.0, ms(at)])?;
        Ok(())
    }

    pub fn post_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM posts", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How long the shop took to first answer the post (reply or assistance action); `None` until it has.
    pub fn first_response_time(&self, id: PostId) -> Result<Option<chrono::Duration>> {
        let row: Option<(i64, Option<i64>)> = self
            .conn
            .prepare_cached("SELECT created_at, first_response_at FROM posts WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match row {
            Some((created, Some(first))) => Some(chrono::Duration::milliseconds(first - created)),
            _ => None,
        })
    }

    pub(super) fn query_posts(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Post>> {
        query_posts(&self.conn, sql, params)
    }
}

fn query_posts(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Post>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode_post(row)?);
    }
    Ok(out)
}

/// Whether the shop has replied to a post (network, native id). Most posts have no such reply: one probe of the
/// `posts_in_reply_to` index says so without reading a row; only a post with one is read in full for the rule.
pub(super) const SHOP_ANSWERED: &str =
    "SELECT EXISTS (SELECT 1 FROM posts WHERE network = ?1 AND in_reply_to = ?2 AND by_shop = 1)";

/// A stored post's id and whether it is only context, by (network, native id).
pub(super) const FIND_POST: &str =
    "SELECT id, context FROM posts WHERE network = ?1 AND native_id = ?2";

/// Inserts the posts not stored yet (a context post found again in full is completed); returns those, with ids.
fn insert_posts(conn: &Connection, posts: &[NewPost]) -> Result<Vec<Post>> {
    // A plain INSERT, not an upsert: SQLite runs an upsert (ON CONFLICT DO UPDATE) with a statement journal,
    // copying every page the row touches to a temp file first, which made it cost twice the insert. The lookup
    // before it walks the unique index the insert walks anyway.
    let mut find = conn.prepare_cached(FIND_POST)?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO posts (network, native_id, url, author_handle, author_name, text, created_at,
             ingested_at, in_reply_to, reply_ref, customer_id, is_mention, category, score, reasons, by_shop,
             context, quotes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    // A post stored as context and found again by a query of its own becomes a post in full.
    let mut complete = conn.prepare_cached(
        "UPDATE posts SET url = ?3, author_handle = ?4, author_name = ?5, text = ?6, in_reply_to = ?9,
             reply_ref = ?10, customer_id = ?11, is_mention = ?12, category = ?13, score = ?14, reasons = ?15,
             by_shop = ?16, context = 0, quotes = ?18
         WHERE network = ?1 AND native_id = ?2 AND context = 1",
    )?;
    let mut stored = Vec::with_capacity(posts.len());
    let mut json = JsonBuf::default();
    for p in posts {
        let i = &p.incoming;
        json.clear();
        let reply_ref = i.reply_ref.as_ref().map(|r| json.push(r)).transpose()?;
        // Most posts have no reasons: nothing to encode.
        let reasons = if p.triage.reasons.is_empty() {
            None
        } else {
            Some(json.push(&p.triage.reasons)?)
        };
        let reply_ref = reply_ref.map(|r| json.text(r)).transpose()?;
        let reasons = reasons.map_or(Ok("[]"), |r| json.text(r))?;
        let values = params![
            i.network.as_str(),
            i.native_id,
            i.url,
            i.author.handle,
            i.author.display_name,
            i.text,
            ms(i.created_at),
            ms(p.ingested_at),
            i.in_reply_to,
            reply_ref,
            p.customer.map(|c| c.0),
            p.is_mention,
            p.triage.category.as_str(),
            f64::from(p.triage.score),
            reasons,
            p.by_shop,
            i.context,
            i.quotes.as_ref().map(|q| q.native_id.as_str()),
        ];
        let found: Option<(i64, bool)> = find
            .query_row(params![i.network.as_str(), i.native_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let id = match found {
            None => {
                insert.execute(values)?;
                Some(conn.last_insert_rowid())
            }
            Some((id, true)) if !i.context => (complete.execute(values)? > 0).then_some(id),
            Some(_) => None,
        };
        if let Some(id) = id {
            stored.push(Post {
                id: PostId(id),
                network: i.network,
                native_id: i.native_id.clone(),
                url: i.url.clone(),
                author: i.author.clone(),
                text: i.text.clone(),
                created_at: i.created_at,
                ingested_at: p.ingested_at,
                in_reply_to: i.in_reply_to.clone(),
                reply_ref: i.reply_ref.clone(),
                customer: p.customer,
                is_mention: p.is_mention,
                by_shop: p.by_shop,
                triage: p.triage.clone(),
                handled_at: None,
                first_response_at: None,
                context: i.context,
                quotes: i.quotes.as_ref().map(|q| q.native_id.clone()),
            });
        }
    }
    Ok(stored)
}

/// Inside the batch's transaction: the shop's replies just stored answer the posts they reply to, and posts just
/// stored get the shop's replies that arrived before them (arrival order is not guaranteed). The rule is
/// [`first_response_by_shop`]; `stored` is updated to match what was written.
fn answer_from_shop(conn: &Connection, stored: &mut [Post]) -> Result<()> {
    let mut set = conn.prepare_cached(
        "UPDATE posts SET first_response_at = COALESCE(first_response_at, ?2) WHERE id = ?1",
    )?;
    let mut answered = conn.prepare_cached(SHOP_ANSWERED)?;
    for i in 0..stored.len() {
        let post = &stored[i];
        let pairs: Vec<(Post, Post)> = if post.by_shop {
            let Some(parent) = &post.in_reply_to else {
                continue;
            };
            query_posts(
                conn,
                &format!("SELECT {POST_COLS} FROM posts WHERE network = ?1 AND native_id = ?2"),
                params![post.network.as_str(), parent],
            )?
            .into_iter()
            .map(|answered| (answered, post.clone()))
            .collect()
        } else if post.first_response_at.is_some()
            || !answered.query_row(params![post.network.as_str(), post.native_id], |r| r.get(0))?
        {
            continue;
        } else {
            query_posts(
                conn,
                &format!(
                    "SELECT {POST_COLS} FROM posts WHERE network = ?1 AND in_reply_to = ?2 AND by_shop = 1
                     ORDER BY created_at, id LIMIT 1"
                ),
                params![post.network.as_str(), post.native_id],
            )?
            .into_iter()
            .map(|answer| (post.clone(), answer))
            .collect()
        };
        for (answered, answer) in pairs {
            if let Some(at) = first_response_by_shop(&answered, &answer) {
                set.execute(params![answered.id.0, ms(at)])?;
                if let Some(p) = stored.iter_mut().find(|p| p.id == answered.id) {
                    p.first_response_at = Some(at);
                }
            }
        }
    }
    Ok(())
}

fn decode_post(row: &rusqlite::Row<'_>) -> Result<Post> {
    let c = Cells::new(row, "posts", 0);
    let score: f64 = c.get(14)?;
    Ok(Post {
        id: PostId(c.get(0)?),
        network: c.network(1)?,
        native_id: c.get(2)?,
        url: c.get(3)?,
        author: Author {
            handle: c.get(4)?,
            display_name: c.get(5)?,
        },
        text: c.get(6)?,
        created_at: c.time(7)?,
        ingested_at: c.time(8)?,
        in_reply_to: c.get(9)?,
        reply_ref: c.json(10)?,
        customer: c.get::<Option<i64>>(11)?.map(CustomerId),
        is_mention: c.get(12)?,
        triage: Triage {
            category: c.category(13)?,
            score: score as f32,
            reasons: c.json(15)?.unwrap_or_default(),
        },
        handled_at: c.opt_time(16)?,
        first_response_at: c.opt_time(17)?,
        by_shop: c.get(18)?,
        context: c.get(19)?,
        quotes: c.get(20)?,
    })
}
