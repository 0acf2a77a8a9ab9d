//! Posts: batches from sources (with their cursors), decoded rows, and the Attention rank kept beside them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

mod insert;

use super::codec::{Cells, ms};
use super::repository::PostRepo;
use super::rows::{AnyRow, Decode};
use super::{Db, Result, cursors};
use crate::domain::{
    Author, CustomerId, NewPost, Post, PostId, Triage, first_response_by_shop, value_of_rank,
};
use crate::sources::Cursor;
use crate::triage::attention_rank;

#[cfg(test)]
pub(super) use insert::FIND_POST;

pub(super) const POST_COLS: &str = "id, network, native_id, url, author_handle, author_name, text, created_at, \
     ingested_at, in_reply_to, reply_ref, customer_id, is_mention, category, score, reasons, handled_at, \
     first_response_at, by_shop, context, quotes, rating, dismissed_at, read_at";

impl PostRepo for Db {
    fn insert_batches(
        &mut self,
        batches: &[(&str, &[NewPost], &[Cursor])],
    ) -> Result<Vec<Vec<Post>>> {
        let tx = self.write_tx()?;
        let now = Utc::now();
        let mut values = CustomerValues::default();
        let mut out = Vec::with_capacity(batches.len());
        for (source, posts, cursors) in batches {
            let mut stored = insert::insert_posts(&tx, posts, &mut values)?;
            answer_from_shop(&tx, &mut stored)?;
            cursors::upsert(&tx, source, cursors, now)?;
            out.push(stored);
        }
        tx.commit()?;
        Ok(out)
    }

    fn post_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM posts", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl Db {
    pub(super) fn query_posts(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Post>> {
        query_posts(&self.conn, sql, params)
    }
}

pub(super) fn query_posts(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Post>> {
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
                refresh_attention_rank(conn, answered.id)?;
                if let Some(p) = stored.iter_mut().find(|p| p.id == answered.id) {
                    p.first_response_at = Some(at);
                }
            }
        }
    }
    Ok(())
}

/// A post from a row of [`POST_COLS`] (the columns may be followed by others), of either backend.
pub(super) fn decode_post<R: AnyRow + ?Sized>(row: &R) -> Result<Post> {
    let c = Cells::new(row, "posts", 0);
    let score: f64 = c.get(14)?;
    let rating = c
        .get::<Option<i64>>(21)?
        .map(|r| u8::try_from(r).map_err(|_| c.corrupt(format!("rating out of range: {r}"))))
        .transpose()?;
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
        customer: c.customer(11)?,
        is_mention: c.get(12)?,
        triage: Triage {
            category: c.category(13)?,
            score: score as f32,
            reasons: c.json(15)?.unwrap_or_default(),
        },
        handled_at: c.opt_time(16)?,
        dismissed_at: c.opt_time(22)?,
        first_response_at: c.opt_time(17)?,
        by_shop: c.get(18)?,
        context: c.get(19)?,
        quotes: c.get(20)?,
        rating,
        read_at: c.opt_time(23)?,
    })
}

impl Decode for Post {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Post> {
        decode_post(row)
    }
}

/// A post just stored from `p`, as the row now reads.
pub(super) fn stored_post(p: &NewPost, id: PostId, read_at: Option<DateTime<Utc>>) -> Post {
    let i = &p.incoming;
    Post {
        id,
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
        dismissed_at: None,
        first_response_at: None,
        context: i.context,
        quotes: i.quotes.as_ref().map(|q| q.native_id.clone()),
        rating: i.rating,
        read_at,
    }
}

/// A post stored as context and found again by a query of its own becomes a post in full (the parameters:
/// the post's values, then its network and native id).
pub(super) const COMPLETE: &str = "UPDATE posts SET url = ?, author_handle = ?, author_name = ?, text = ?,
         in_reply_to = ?, reply_ref = ?, customer_id = ?, is_mention = ?, category = ?, score = ?, reasons = ?,
         by_shop = ?, context = FALSE, quotes = ?, attention_rank = ?, rating = ?, read_at = ?
     WHERE network = ? AND native_id = ? AND context = TRUE";

/// A customer's rank as Attention weighs it (none for a former customer).
pub(super) const CUSTOMER_RANK: &str =
    "SELECT CASE WHEN former THEN NULL ELSE rank END FROM customers WHERE id = ?";

/// The customers' values (from their stored ranks) met in one batch.
#[derive(Default)]
pub(super) struct CustomerValues(HashMap<CustomerId, Option<f32>>);

impl CustomerValues {
    /// `customer`'s value; `rank_of` reads a customer's [`CUSTOMER_RANK`] the first time they are met.
    pub(super) fn get(
        &mut self,
        customer: Option<CustomerId>,
        rank_of: impl FnOnce(CustomerId) -> Result<Option<i64>>,
    ) -> Result<Option<f32>> {
        let Some(id) = customer else {
            return Ok(None);
        };
        if let Some(v) = self.0.get(&id) {
            return Ok(*v);
        }
        let value = rank_of(id)?.map(|r| value_of_rank(u32::try_from(r).unwrap_or(u32::MAX)));
        self.0.insert(id, value);
        Ok(value)
    }
}

/// What a post's Attention rank is computed from, by id.
pub(super) const RANK_INPUTS: &str = "SELECT p.id, p.category, p.score, p.reasons,
         CASE WHEN c.former THEN NULL ELSE c.rank END, p.is_mention, p.first_response_at
     FROM posts p LEFT JOIN customers c ON c.id = p.customer_id WHERE p.id = ?";

/// A post's Attention rank from a row of [`RANK_INPUTS`], as it is now (answered or not, its customer's rank).
pub(super) fn rank_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<i64> {
    let c = Cells::new(row, "posts", 0);
    let score: f64 = c.get(2)?;
    let triage = Triage {
        category: c.category(1)?,
        score: score as f32,
        reasons: c.json(3)?.unwrap_or_default(),
    };
    let value = c
        .get::<Option<i64>>(4)?
        .map(|r| value_of_rank(u32::try_from(r).unwrap_or(u32::MAX)));
    let answered = c.get::<Option<i64>>(6)?.is_some();
    Ok(attention_rank(&triage, value, c.get(5)?, !answered))
}

/// Recomputes a post's stored Attention rank from what it is now.
pub(super) fn refresh_attention_rank(conn: &Connection, id: PostId) -> Result<()> {
    let mut stmt = conn.prepare_cached(RANK_INPUTS)?;
    let mut rows = stmt.query([id.0])?;
    let Some(row) = rows.next()? else {
        return Ok(());
    };
    let rank = rank_from_row(row)?;
    conn.prepare_cached("UPDATE posts SET attention_rank = ?2 WHERE id = ?1")?
        .execute(params![id.0, rank])?;
    Ok(())
}
