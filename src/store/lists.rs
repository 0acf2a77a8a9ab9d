//! The read path: list panes as keyset-paged queries with true counts, and what Detail shows about a post.

use std::collections::HashSet;

use rusqlite::types::Value;

use super::actions::ACTION_COLS;
use super::codec::{Cells, limit, ms};
use super::posts::{POST_COLS, decode_post};
use super::repository::{ListRepo, WorkRepo};
use super::rows::{AnyRow, Arg, Query};
use super::search::{Conditions, Plan, plan};
use super::{Db, Result};
use crate::domain::{
    Action, ActionKey, Anchor, Listing, Network, Page, Post, PostDetails, PostId, PostKey,
    PostQuery,
};

/// How far up a reply chain Detail's thread walks.
pub const MAX_THREAD_DEPTH: usize = 20;

/// How many of the customer's latest actions and other posts Detail shows.
const CUSTOMER_ACTIONS: usize = 5;
const CUSTOMER_POSTS: usize = 3;

/// A search with more full-text matches than this reads its page down the listing's index, probing the
/// matches; with fewer, it reads the matches and sorts them (walking the index would pass too many rows).
pub(super) const FEW_MATCHES: i64 = 2_000;

/// A row-value comparison against a key in the list's order, `<` (after) or `>` (before).
pub(super) fn keyset(ranked: bool, key: &PostKey, op: &str, out: &mut Conditions) {
    let (sql, values) = keyset_sql(ranked, key, op);
    out.push(sql, values.into_iter().map(Value::Integer));
}

/// [`keyset`]'s SQL, with `?` for the key's values, for both backends.
pub(in crate::store) fn keyset_sql(ranked: bool, key: &PostKey, op: &str) -> (String, Vec<i64>) {
    let (at, id) = (ms(key.created_at), key.id.0);
    if ranked {
        (
            format!("(p.attention_rank, p.created_at, p.id) {op} (?, ?, ?)"),
            vec![key.rank, at, id],
        )
    } else {
        (format!("(p.created_at, p.id) {op} (?, ?)"), vec![at, id])
    }
}

/// Where a page starts from `anchor`: the key it is bounded by with the comparison (`<` after, `>` before),
/// and whether it is read backwards (then reversed into list order by [`page`]).
pub(in crate::store) fn bound<K>(anchor: Anchor<K>) -> (Option<(K, &'static str)>, bool) {
    match anchor {
        Anchor::First => (None, false),
        Anchor::Last => (None, true),
        Anchor::After(key) => (Some((key, "<")), false),
        Anchor::Before(key) => (Some((key, ">")), true),
    }
}

/// A page of posts matching all of `conditions` (each with `?` for its values) from `anchor`, with the rank
/// as [`keyed_post`]'s last column: the SQL, the values of its `?`s after the conditions' (the key's, the
/// limit), and whether it is read backwards.
pub(in crate::store) fn post_page(
    conditions: &[String],
    ranked: bool,
    few: bool,
    anchor: Anchor<PostKey>,
    limit_: usize,
) -> (String, Vec<i64>, bool) {
    let (bound, backwards) = bound(anchor);
    let mut all = conditions.to_vec();
    let mut values = Vec::new();
    if let Some((key, op)) = bound {
        let (sql, key_values) = keyset_sql(ranked, &key, op);
        all.push(sql);
        values = key_values;
    }
    values.push(limit(limit_));
    let dir = if backwards { "ASC" } else { "DESC" };
    let order = if ranked {
        format!("p.attention_rank {dir}, p.created_at {dir}, p.id {dir}")
    } else {
        format!("p.created_at {dir}, p.id {dir}")
    };
    let filter = if all.is_empty() {
        "TRUE".to_string()
    } else {
        all.join(" AND ")
    };
    let rows = format!("SELECT {POST_COLS}, p.attention_rank FROM posts p WHERE {filter}");
    // Few rows (`few`): all of them read through the words index and sorted, rather than the list's index
    // walked past every row that does not match.
    let sql = if few {
        format!("WITH m AS MATERIALIZED ({rows}) SELECT * FROM m p ORDER BY {order} LIMIT ?")
    } else {
        format!("{rows} ORDER BY {order} LIMIT ?")
    };
    (sql, values, backwards)
}

/// A page of the Log's actions from `anchor` (`?` placeholders, with their values) and whether it is read
/// backwards.
pub(in crate::store) fn actions_page_sql(
    anchor: Anchor<ActionKey>,
    limit_: usize,
) -> (String, Vec<i64>, bool) {
    let (bound, backwards) = bound(anchor);
    let (cond, mut values) = match bound {
        Some((k, op)) => (format!("WHERE (at, id) {op} (?, ?)"), vec![ms(k.at), k.id]),
        None => (String::new(), Vec::new()),
    };
    let dir = if backwards { "ASC" } else { "DESC" };
    values.push(limit(limit_));
    let sql =
        format!("SELECT {ACTION_COLS} FROM actions {cond} ORDER BY at {dir}, id {dir} LIMIT ?");
    (sql, values, backwards)
}

/// The rows read from an anchor, in list order.
pub(in crate::store) fn page<T>(mut rows: Vec<T>, backwards: bool, total: Option<u64>) -> Page<T> {
    if backwards {
        rows.reverse();
    }
    Page { rows, total }
}

pub(super) const MATCHING: &str = "SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?";

/// The SQL and parameters of a page of a planned query from `anchor`, and whether it is read backwards (then
/// reversed into list order); `None` when nothing can match.
pub(super) fn page_sql(
    conn: &rusqlite::Connection,
    plan: &Plan,
    anchor: Anchor<PostKey>,
    limit_: usize,
) -> Result<Option<(String, Vec<Value>, bool)>> {
    let Plan::Query {
        listing,
        terms,
        fts,
        ..
    } = plan
    else {
        return Ok(None);
    };
    let few = match fts {
        Some(f) => {
            let n: i64 = conn
                .prepare_cached(&format!("SELECT COUNT(*) FROM ({MATCHING} LIMIT ?2)"))?
                .query_row(rusqlite::params![f, FEW_MATCHES + 1], |r| r.get(0))?;
            n <= FEW_MATCHES
        }
        None => false,
    };
    let mut conditions = Plan::conditions(*listing, terms, few);
    if let Some(f) = fts {
        // `+p.id`: with many matches, the listing's index leads and the matches are only probed.
        let lead = if few { "p.id" } else { "+p.id" };
        conditions.push(format!("{lead} IN ({MATCHING})"), [Value::Text(f.clone())]);
    }
    let ranked = *listing == Listing::Attention;
    let (sql, values, backwards) = post_page(&conditions.sql, ranked, false, anchor, limit_);
    conditions
        .params
        .extend(values.into_iter().map(Value::Integer));
    Ok(Some((sql, conditions.params, backwards)))
}

/// The SQL and parameters counting a planned query's rows: inside the full-text index alone where the search
/// allows; `None` when nothing can match.
pub(super) fn count_sql(plan: &Plan) -> Option<(String, Vec<Value>)> {
    match plan {
        Plan::Nothing => None,
        Plan::Query {
            fts: Some(f),
            fts_counts: true,
            ..
        } => Some((
            "SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH ?".into(),
            vec![Value::Text(f.clone())],
        )),
        Plan::Query {
            listing,
            terms,
            fts,
            ..
        } => {
            let mut conditions = Plan::conditions(*listing, terms, false);
            if let Some(f) = fts {
                conditions.push(format!("p.id IN ({MATCHING})"), [Value::Text(f.clone())]);
            }
            Some((
                format!("SELECT COUNT(*) FROM posts p WHERE {}", conditions.joined()),
                conditions.params,
            ))
        }
    }
}

/// A row of a [`post_page`], of either backend: the post and its key in the list (`ranked`: the
/// Attention order).
pub(in crate::store) fn keyed_post<R: AnyRow + ?Sized>(
    row: &R,
    ranked: bool,
) -> Result<(PostKey, Post)> {
    let post = decode_post(row)?;
    let rank: i64 = Cells::new(row, "posts", 0).get(24)?;
    let key = PostKey {
        rank: if ranked { rank } else { 0 },
        created_at: post.created_at,
        id: post.id,
    };
    Ok((key, post))
}

/// What Detail shows about a post (the thread around it, what it quotes, its customer's latest), of either
/// backend; its replies and correction are left for the caller to read.
pub(in crate::store) fn post_details(
    q: &mut impl Query,
    id: PostId,
) -> Result<Option<PostDetails>> {
    let Some(post) = post_by_id(q, id)? else {
        return Ok(None);
    };
    let mut seen = HashSet::from([post.id]);
    let mut ancestors = Vec::new();
    let mut parent = post.in_reply_to.clone();
    while let Some(native) = parent.take() {
        if ancestors.len() >= MAX_THREAD_DEPTH {
            break;
        }
        let Some(p) = post_by_native(q, post.network, &native)? else {
            break;
        };
        if !seen.insert(p.id) {
            break; // a cycle in bad data
        }
        parent = p.in_reply_to.clone();
        ancestors.push(p);
    }
    ancestors.reverse();
    let network = Arg::Text(post.network.as_str());
    let replies_below = q
        .rows::<Post>(
            &format!(
                "SELECT {POST_COLS} FROM posts WHERE network = ? AND in_reply_to = ?
                 ORDER BY created_at, id"
            ),
            &[network, Arg::Text(&post.native_id)],
        )?
        .into_iter()
        .filter(|p| seen.insert(p.id))
        .collect();
    let quoted = match &post.quotes {
        Some(native) => post_by_native(q, post.network, native)?,
        None => None,
    };
    let (customer_posts, customer_actions) = match post.customer {
        Some(c) => (
            q.rows(
                &format!(
                    "SELECT {POST_COLS} FROM posts WHERE customer_id = ? AND id <> ?
                     ORDER BY created_at DESC, id DESC LIMIT ?"
                ),
                &[
                    Arg::Int(c.0),
                    Arg::Int(post.id.0),
                    Arg::Int(limit(CUSTOMER_POSTS)),
                ],
            )?,
            q.rows(
                &format!(
                    "SELECT {ACTION_COLS} FROM actions WHERE customer_id = ?
                     ORDER BY at DESC, id DESC LIMIT ?"
                ),
                &[Arg::Int(c.0), Arg::Int(limit(CUSTOMER_ACTIONS))],
            )?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Some(PostDetails {
        replies: Vec::new(),
        post,
        ancestors,
        replies_below,
        quoted,
        customer_posts,
        customer_actions,
        correction: None,
    }))
}

pub(in crate::store) fn post_by_id(q: &mut impl Query, id: PostId) -> Result<Option<Post>> {
    q.first(
        &format!("SELECT {POST_COLS} FROM posts WHERE id = ?"),
        &[Arg::Int(id.0)],
    )
}

pub(in crate::store) fn post_by_native(
    q: &mut impl Query,
    network: Network,
    native_id: &str,
) -> Result<Option<Post>> {
    q.first(
        &format!("SELECT {POST_COLS} FROM posts WHERE network = ? AND native_id = ?"),
        &[Arg::Text(network.as_str()), Arg::Text(native_id)],
    )
}

impl ListRepo for Db {
    fn posts_page(
        &self,
        query: &PostQuery,
        anchor: Anchor<PostKey>,
        limit_: usize,
        count: bool,
    ) -> Result<Page<(PostKey, Post)>> {
        let plan = plan(&self.conn, query)?;
        let total = if count {
            Some(match count_sql(&plan) {
                None => 0,
                Some((sql, params)) => {
                    let n: i64 = self
                        .conn
                        .prepare_cached(&sql)?
                        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
                    u64::try_from(n).unwrap_or(0)
                }
            })
        } else {
            None
        };
        let ranked = query.listing == Listing::Attention;
        let Some((sql, params, backwards)) = page_sql(&self.conn, &plan, anchor, limit_)? else {
            return Ok(Page {
                rows: Vec::new(),
                total,
            });
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(keyed_post(row, ranked)?);
        }
        Ok(page(out, backwards, total))
    }

    fn actions_page(
        &self,
        anchor: Anchor<ActionKey>,
        limit_: usize,
        count: bool,
    ) -> Result<Page<Action>> {
        let total = if count {
            let n: i64 = self
                .conn
                .query_row("SELECT COUNT(*) FROM actions", [], |r| r.get(0))?;
            Some(u64::try_from(n).unwrap_or(0))
        } else {
            None
        };
        let (sql, values, backwards) = actions_page_sql(anchor, limit_);
        let args: Vec<Arg> = values.into_iter().map(Arg::Int).collect();
        Ok(page((&self.conn).rows(&sql, &args)?, backwards, total))
    }

    fn post_details(&self, id: PostId) -> Result<Option<PostDetails>> {
        let Some(mut details) = post_details(&mut &self.conn, id)? else {
            return Ok(None);
        };
        details.replies = self.replies_for_post(id)?;
        details.correction = self.latest_correction(id)?;
        Ok(Some(details))
    }
}

impl Db {
    pub(super) fn post(&self, id: PostId) -> Result<Option<Post>> {
        post_by_id(&mut &self.conn, id)
    }

    /// For the store tests' `Inspect` (the store reads through [`post_by_native`]).
    #[cfg(test)]
    pub(super) fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>> {
        post_by_native(&mut &self.conn, network, native_id)
    }
}
