//! The read path: list panes as keyset-paged queries with true counts, and what Detail shows about a post.

use std::collections::HashSet;

use rusqlite::params;
use rusqlite::types::Value;

use super::actions::ACTION_COLS;
use super::codec::{Cells, limit, ms};
use super::posts::{POST_COLS, decode_post};
use super::repository::{ListRepo, WorkRepo};
use super::search::{Conditions, conditions};
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

/// The listing's own condition (which its index serves) and whether it orders by the Attention rank.
fn listing(listing: Listing, out: &mut Conditions) -> bool {
    match listing {
        Listing::Regulars => out.push("p.customer_id IS NOT NULL", []),
        Listing::Mentions => out.push("p.is_mention = 1", []),
        Listing::Attention => out.push(
            "p.handled_at IS NULL AND p.category IN ('complaint', 'distress')",
            [],
        ),
        Listing::Customer(c) => out.push("p.customer_id = ?", [Value::Integer(c.0)]),
    }
    listing == Listing::Attention
}

/// The key columns of a list's order, and a row-value comparison against a key, `<` (after) or `>` (before).
fn keyset(ranked: bool, key: &PostKey, op: &str, out: &mut Conditions) {
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

/// The SQL and parameters of a page of `query` from `anchor` (`count`: its COUNT(*) instead), and whether it
/// is read backwards (then reversed into list order).
pub(super) fn page_sql(
    query: &PostQuery,
    anchor: Anchor<PostKey>,
    limit_: usize,
) -> (String, Vec<Value>, bool) {
    let mut page = Conditions::default();
    let ranked = listing(query.listing, &mut page);
    conditions(&query.search, &mut page);
    let backwards = match anchor {
        Anchor::First => false,
        Anchor::Last => true,
        Anchor::After(key) => {
            keyset(ranked, &key, "<", &mut page);
            false
        }
        Anchor::Before(key) => {
            keyset(ranked, &key, ">", &mut page);
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
        page.joined()
    );
    page.params.push(Value::Integer(limit(limit_)));
    (sql, page.params, backwards)
}

/// The SQL and parameters counting `query`'s rows.
pub(super) fn count_sql(query: &PostQuery) -> (String, Vec<Value>) {
    let mut base = Conditions::default();
    listing(query.listing, &mut base);
    conditions(&query.search, &mut base);
    (
        format!("SELECT COUNT(*) FROM posts p WHERE {}", base.joined()),
        base.params,
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
        let total = if count {
            let (sql, params) = count_sql(query);
            let n: i64 = self
                .conn
                .prepare_cached(&sql)?
                .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
            Some(u64::try_from(n).unwrap_or(0))
        } else {
            None
        };
        let ranked = query.listing == Listing::Attention;
        let (sql, params, backwards) = page_sql(query, anchor, limit_);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let post = decode_post(row)?;
            let rank: i64 = Cells::new(row, "posts", 0).get(21)?;
            let key = PostKey {
                rank: if ranked { rank } else { 0 },
                created_at: post.created_at,
                id: post.id,
            };
            out.push((key, post));
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
