//! Writing a batch's new posts, several rows per INSERT.
//!
//! Why not one INSERT per row: every INSERT into `posts` fires the FTS trigger and, with foreign keys on, runs
//! inside a statement savepoint; FTS5 writes its pending terms to disk at each savepoint, so one statement per
//! row wrote one tiny FTS segment per row and then merged them. Rows go in groups of [`ROWS_PER_INSERT`] sizes,
//! few so the prepared statements stay cached, with their ids given in order from the table's largest, as SQLite
//! would give them one by one (the write transaction holds the lock).

use std::collections::HashSet;
use std::ops::Range;

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::{COMPLETE, CUSTOMER_RANK, CustomerValues, stored_post};
use crate::domain::{Network, NewPost, Post, PostId};
use crate::store::Result;
use crate::store::codec::{JsonBuf, ms};
use crate::triage::attention_rank;

/// Rows per INSERT statement, largest first: a batch of 40 takes 16 + 16 + 4 + 4.
const ROWS_PER_INSERT: [usize; 4] = [64, 16, 4, 1];

const COLS: &str = "id, network, native_id, url, author_handle, author_name, text, created_at, ingested_at, \
     in_reply_to, reply_ref, customer_id, is_mention, category, score, reasons, by_shop, context, quotes, \
     attention_rank, rating, read_at";

/// A stored post's id and whether it is only context, by (network, native id).
pub(in crate::store) const FIND_POST: &str =
    "SELECT id, context FROM posts WHERE network = ?1 AND native_id = ?2";

/// A new row waiting for its INSERT, with what it stores beyond the post itself.
struct Row<'a> {
    id: i64,
    post: &'a NewPost,
    created: i64,
    ingested: i64,
    customer: Option<i64>,
    score: f64,
    rank: i64,
    read: Option<i64>,
    reply_ref: Option<Range<usize>>,
    reasons: Option<Range<usize>>,
}

/// Inserts the posts not stored yet (a context post found again in full is completed); returns those, with ids,
/// in input order.
pub(super) fn insert_posts(
    conn: &Connection,
    posts: &[NewPost],
    values: &mut CustomerValues,
) -> Result<Vec<Post>> {
    let mut find = conn.prepare_cached(FIND_POST)?;
    let mut complete = conn.prepare_cached(COMPLETE)?;
    let mut rank_of = conn.prepare_cached(CUSTOMER_RANK)?;
    let mut next_id: i64 =
        conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM posts", [], |r| {
            r.get(0)
        })?;
    let mut stored = Vec::with_capacity(posts.len());
    let mut rows: Vec<Row> = Vec::with_capacity(posts.len());
    let mut waiting: HashSet<(Network, &str)> = HashSet::new();
    let mut json = JsonBuf::default();
    for p in posts {
        let i = &p.incoming;
        let key = (i.network, i.native_id.as_str());
        // The same post twice in a batch: the first is written before the second is looked up.
        if waiting.contains(&key) {
            write(conn, &rows, &json)?;
            rows.clear();
            waiting.clear();
            json.clear();
        }
        let found: Option<(i64, bool)> = find
            .query_row(params![i.network.as_str(), i.native_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let value = values.get(p.customer, |id| {
            Ok(rank_of
                .query_row([id.0], |r| r.get(0))
                .optional()?
                .flatten())
        })?;
        let rank = attention_rank(&p.triage, value, p.is_mention, true);
        let read_at = (!p.wants_reading()).then_some(p.ingested_at);
        let id = match found {
            None => {
                let row = Row {
                    id: next_id,
                    post: p,
                    created: ms(i.created_at),
                    ingested: ms(p.ingested_at),
                    customer: p.customer.map(|c| c.0),
                    score: f64::from(p.triage.score),
                    rank,
                    read: read_at.map(ms),
                    reply_ref: i.reply_ref.as_ref().map(|r| json.push(r)).transpose()?,
                    // Most posts have no reasons: nothing to encode.
                    reasons: if p.triage.reasons.is_empty() {
                        None
                    } else {
                        Some(json.push(&p.triage.reasons)?)
                    },
                };
                rows.push(row);
                waiting.insert(key);
                next_id += 1;
                Some(next_id - 1)
            }
            Some((id, true)) if !i.context => {
                let mut own = JsonBuf::default();
                let reply_ref = i.reply_ref.as_ref().map(|r| own.push(r)).transpose()?;
                let reasons = own.push(&p.triage.reasons)?;
                let changed = complete.execute(params![
                    i.url,
                    i.author.handle,
                    i.author.display_name,
                    i.text,
                    i.in_reply_to,
                    reply_ref.map(|r| own.text(r)).transpose()?,
                    p.customer.map(|c| c.0),
                    p.is_mention,
                    p.triage.category.as_str(),
                    f64::from(p.triage.score),
                    own.text(reasons)?,
                    p.by_shop,
                    i.quotes.as_ref().map(|q| q.native_id.as_str()),
                    rank,
                    i.rating,
                    read_at.map(ms),
                    i.network.as_str(),
                    i.native_id,
                ])?;
                (changed > 0).then_some(id)
            }
            Some(_) => None,
        };
        if let Some(id) = id {
            stored.push(stored_post(p, PostId(id), read_at));
        }
    }
    write(conn, &rows, &json)?;
    Ok(stored)
}

/// Inserts `rows`, as many per statement as [`ROWS_PER_INSERT`] allows.
fn write(conn: &Connection, rows: &[Row], json: &JsonBuf) -> Result<()> {
    let mut rest = rows;
    while !rest.is_empty() {
        let n = ROWS_PER_INSERT
            .into_iter()
            .find(|n| *n <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(n);
        let texts = chunk
            .iter()
            .map(|r| {
                let reply_ref = r.reply_ref.clone().map(|at| json.text(at)).transpose()?;
                let reasons = r.reasons.clone().map_or(Ok("[]"), |at| json.text(at))?;
                let (network, category) = (r.post.incoming.network, r.post.triage.category);
                Ok((network.as_str(), category.as_str(), reply_ref, reasons))
            })
            .collect::<Result<Vec<_>>>()?;
        let quotes: Vec<Option<&str>> = chunk
            .iter()
            .map(|r| {
                r.post
                    .incoming
                    .quotes
                    .as_ref()
                    .map(|q| q.native_id.as_str())
            })
            .collect();
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(n * 22);
        for ((r, (network, category, reply_ref, reasons)), quotes) in
            chunk.iter().zip(&texts).zip(&quotes)
        {
            let (i, p) = (&r.post.incoming, r.post);
            values.extend_from_slice(&[
                &r.id,
                network,
                &i.native_id,
                &i.url,
                &i.author.handle,
                &i.author.display_name,
                &i.text,
                &r.created,
                &r.ingested,
                &i.in_reply_to,
                reply_ref,
                &r.customer,
                &p.is_mention,
                category,
                &r.score,
                reasons,
                &p.by_shop,
                &i.context,
                quotes,
                &r.rank,
                &i.rating,
                &r.read,
            ]);
        }
        conn.prepare_cached(&insert_sql(n))?
            .execute(params_from_iter(values))?;
        rest = after;
    }
    Ok(())
}

/// `INSERT INTO posts (...) VALUES (...), ...` for `n` rows.
fn insert_sql(n: usize) -> String {
    let one = format!("({})", vec!["?"; COLS.split(',').count()].join(", "));
    format!(
        "INSERT INTO posts ({COLS}) VALUES {}",
        vec![one; n].join(", ")
    )
}
