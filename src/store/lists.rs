//! The read path: list panes as keyset-paged queries with true counts, and what Detail shows about a post.

use std::collections::HashSet;

use rusqlite::params;
use rusqlite::types::Value;

use super::actions::ACTION_COLS;
use super::codec::{Cells, limit, ms};
use super::posts::{POST_COLS, decode_post};
use super::repository::{ListRepo, WorkRepo};
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
    let (at, id) = (Value::Integer(ms(key.created_at)), Value::Integer(key.id.0));
    if ranked {
        out.push(
            format!("(p.attention_rank, p.created_at, p.id) {op} (?, ?, ?)"),
            [Value::Integer(key.rank), at, id],
        );
    } else {
        out.push(format!("(p.created_at, p.id) {op} (?, ?)"), [at, id]);
    }
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
    let backwards = match anchor {
        Anchor::First => false,
        Anchor::Last => true,
        Anchor::After(key) => {
            keyset(ranked, &key, "<", &mut conditions);
            false
        }
        Anchor::Before(key) => {
            keyset(ranked, &key, ">", &mut conditions);
            true
        }
    };
    let dir = if backwards { "ASC" } else { "DESC" };
    let order = if ranked {
        format!("p.attention_rank {dir}, p.created_at {dir}, p.id {dir}")
    } else {
        format!("p.created_at {dir}, p.id {dir}")
    };
    let sql = format!(
        "SELECT {POST_COLS}, p.attention_rank FROM posts p WHERE {} ORDER BY {order} LIMIT ?",
        conditions.joined()
    );
    conditions.params.push(Value::Integer(limit(limit_)));
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

/// A row of [`page_sql`]: the post and its key in the list (`ranked`: the Attention order).
pub(super) fn keyed_post(row: &rusqlite::Row<'_>, ranked: bool) -> Result<(PostKey, Post)> {
    let post = decode_post(row)?;
    let rank: i64 = Cells::new(row, "posts", 0).get(24)?;
    let key = PostKey {
        rank: if ranked { rank } else { 0 },
        created_at: post.created_at,
        id: post.id,
    };
    Ok((key, post))
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
        if backwards {
            out.reverse();
        }
        Ok(Page { rows: out, total })
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
        let mut cond = Conditions::default();
        let key = |k: ActionKey| [Value::Integer(ms(k.at)), Value::Integer(k.id)];
        let backwards = match anchor {
            Anchor::First => false,
            Anchor::Last => true,
            Anchor::After(k) => {
                cond.push("(at, id) < (?, ?)", key(k));
                false
            }
            Anchor::Before(k) => {
                cond.push("(at, id) > (?, ?)", key(k));
                true
            }
        };
        let dir = if backwards { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {ACTION_COLS} FROM actions WHERE {} ORDER BY at {dir}, id {dir} LIMIT ?",
            cond.joined()
        );
        cond.params.push(Value::Integer(limit(limit_)));
        let mut rows = self.query_actions(&sql, rusqlite::params_from_iter(cond.params.iter()))?;
        if backwards {
            rows.reverse();
        }
        Ok(Page { rows, total })
    }

    fn post_details(&self, id: PostId) -> Result<Option<PostDetails>> {
        let Some(post) = self.post(id)? else {
            return Ok(None);
        };
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
        let replies_below = self
            .query_posts(
                &format!(
                    "SELECT {POST_COLS} FROM posts WHERE network = ?1 AND in_reply_to = ?2
                     ORDER BY created_at, id"
                ),
                params![post.network.as_str(), post.native_id],
            )?
            .into_iter()
            .filter(|p| seen.insert(p.id))
            .collect();
        let quoted = match &post.quotes {
            Some(native) => self.post_by_native(post.network, native)?,
            None => None,
        };
        let (customer_posts, customer_actions) = match post.customer {
            Some(c) => (
                self.query_posts(
                    &format!(
                        "SELECT {POST_COLS} FROM posts WHERE customer_id = ?1 AND id != ?2
                         ORDER BY created_at DESC, id DESC LIMIT ?3"
                    ),
                    params![c.0, post.id.0, limit(CUSTOMER_POSTS)],
                )?,
                self.query_actions(
                    &format!(
                        "SELECT {ACTION_COLS} FROM actions WHERE customer_id = ?1
                         ORDER BY at DESC, id DESC LIMIT ?2"
                    ),
                    params![c.0, limit(CUSTOMER_ACTIONS)],
                )?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(Some(PostDetails {
            replies: self.replies_for_post(post.id)?,
            post,
            ancestors,
            replies_below,
            quoted,
            customer_posts,
            customer_actions,
            correction: self.latest_correction(id)?,
        }))
    }
}

impl Db {
    pub(super) fn post(&self, id: PostId) -> Result<Option<Post>> {
        Ok(self
            .query_posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE id = ?1"),
                params![id.0],
            )?
            .pop())
    }

    pub(super) fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>> {
        Ok(self
            .query_posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE network = ?1 AND native_id = ?2"),
                params![network.as_str(), native_id],
            )?
            .pop())
    }
}
