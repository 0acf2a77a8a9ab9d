//! [`ListRepo`] on PostgreSQL: keyset-paged list queries with true counts, and what Detail shows, as SQLite's
//! `crate::store::lists`.

use std::collections::HashSet;

use postgres::Row;

use super::PgDb;
use super::codec::{
    ACTION_COLS, CORRECTION_COLS, Cells, POST_COLS, action_from_row, correction_from_row,
    post_from_row, posts_from_rows,
};
use super::search::{Conditions, Param, Plan, few_rows, numbered, plan};
use crate::domain::{
    Action, ActionKey, Anchor, Correction, Listing, Network, Page, Post, PostDetails, PostId,
    PostKey, PostQuery,
};
use crate::store::codec::{limit, ms};
use crate::store::repository::{ListRepo, WorkRepo};
use crate::store::{MAX_THREAD_DEPTH, Result};

/// How many of the customer's latest actions and other posts Detail shows (as SQLite).
const CUSTOMER_ACTIONS: usize = 5;
const CUSTOMER_POSTS: usize = 3;

/// A row-value comparison against a key in the list's order, `<` (after) or `>` (before).
pub(super) fn keyset(ranked: bool, key: &PostKey, op: &str, out: &mut Conditions) {
    let (at, id) = (Param::Int(ms(key.created_at)), Param::Int(key.id.0));
    if ranked {
        out.push(
            format!("(p.attention_rank, p.created_at, p.id) {op} (?, ?, ?)"),
            [Param::Int(key.rank), at, id],
        );
    } else {
        out.push(format!("(p.created_at, p.id) {op} (?, ?)"), [at, id]);
    }
}

/// The SQL and parameters of a page of a planned query from `anchor`, and whether it is read backwards (then
/// reversed into list order); `None` when nothing can match.
pub(super) fn page_sql(
    conn: &mut postgres::Client,
    plan: &Plan,
    anchor: Anchor<PostKey>,
    limit_: usize,
) -> Result<Option<(String, Conditions, bool)>> {
    let Plan::Query {
        listing,
        terms,
        words,
    } = plan
    else {
        return Ok(None);
    };
    let mut conditions = Plan::conditions(*listing, terms);
    let few = *words && few_rows(conn, &conditions)?;
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
    let rows = format!(
        "SELECT {POST_COLS}, p.attention_rank FROM posts p WHERE {}",
        conditions.joined()
    );
    // Few rows: all of them read (through the words index) and sorted, rather than the list's index walked.
    let sql = if few {
        format!("WITH m AS MATERIALIZED ({rows}) SELECT * FROM m p ORDER BY {order} LIMIT ?")
    } else {
        format!("{rows} ORDER BY {order} LIMIT ?")
    };
    conditions.params.push(Param::Int(limit(limit_)));
    Ok(Some((numbered(&sql), conditions, backwards)))
}

/// How many rows a planned query has.
pub(super) fn count_plan(conn: &mut postgres::Client, plan: &Plan) -> Result<u64> {
    let Plan::Query { listing, terms, .. } = plan else {
        return Ok(0);
    };
    let conditions = Plan::conditions(*listing, terms);
    let sql = format!("SELECT count(*) FROM posts p WHERE {}", conditions.joined());
    let n: i64 = conn
        .query_one(&numbered(&sql), &conditions.values())?
        .try_get(0)?;
    Ok(n.unsigned_abs())
}

/// A row of [`page_sql`]: the post and its key in the list (`ranked`: the Attention order).
pub(super) fn keyed_post(row: &Row, ranked: bool) -> Result<(PostKey, Post)> {
    let post = post_from_row(row)?;
    let rank: i64 = Cells::new(row, "posts", 0).get(24)?;
    let key = PostKey {
        rank: if ranked { rank } else { 0 },
        created_at: post.created_at,
        id: post.id,
    };
    Ok((key, post))
}

impl ListRepo for PgDb {
    fn posts_page(
        &self,
        query: &PostQuery,
        anchor: Anchor<PostKey>,
        limit_: usize,
        count: bool,
    ) -> Result<Page<(PostKey, Post)>> {
        let mut conn = self.conn()?;
        let plan = plan(&mut conn, query)?;
        let total = if count {
            Some(count_plan(&mut conn, &plan)?)
        } else {
            None
        };
        let Some((sql, params, backwards)) = page_sql(&mut conn, &plan, anchor, limit_)? else {
            return Ok(Page {
                rows: Vec::new(),
                total,
            });
        };
        let ranked = query.listing == Listing::Attention;
        let mut rows = conn
            .query(&sql, &params.values())?
            .iter()
            .map(|row| keyed_post(row, ranked))
            .collect::<Result<Vec<_>>>()?;
        if backwards {
            rows.reverse();
        }
        Ok(Page { rows, total })
    }

    fn actions_page(
        &self,
        anchor: Anchor<ActionKey>,
        limit_: usize,
        count: bool,
    ) -> Result<Page<Action>> {
        let mut conn = self.conn()?;
        let total = if count {
            let n: i64 = conn
                .query_one("SELECT count(*) FROM actions", &[])?
                .try_get(0)?;
            Some(n.unsigned_abs())
        } else {
            None
        };
        let mut cond = Conditions::default();
        let key = |k: ActionKey| [Param::Int(ms(k.at)), Param::Int(k.id)];
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
        cond.params.push(Param::Int(limit(limit_)));
        let mut rows = conn
            .query(&numbered(&sql), &cond.values())?
            .iter()
            .map(action_from_row)
            .collect::<Result<Vec<_>>>()?;
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
            .posts(
                &format!(
                    "SELECT {POST_COLS} FROM posts WHERE network = $1 AND in_reply_to = $2
                     ORDER BY created_at, id"
                ),
                &[&post.network.as_str(), &post.native_id],
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
                self.posts(
                    &format!(
                        "SELECT {POST_COLS} FROM posts WHERE customer_id = $1 AND id <> $2
                         ORDER BY created_at DESC, id DESC LIMIT $3"
                    ),
                    &[&c.0, &post.id.0, &limit(CUSTOMER_POSTS)],
                )?,
                self.conn()?
                    .query(
                        &format!(
                            "SELECT {ACTION_COLS} FROM actions WHERE customer_id = $1
                             ORDER BY at DESC, id DESC LIMIT $2"
                        ),
                        &[&c.0, &limit(CUSTOMER_ACTIONS)],
                    )?
                    .iter()
                    .map(action_from_row)
                    .collect::<Result<Vec<_>>>()?,
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

impl PgDb {
    /// The posts a query of [`POST_COLS`] reads.
    pub(in crate::store) fn posts(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Post>> {
        posts_from_rows(&self.conn()?.query(sql, params)?)
    }

    pub(in crate::store) fn post(&self, id: PostId) -> Result<Option<Post>> {
        Ok(self
            .posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE id = $1"),
                &[&id.0],
            )?
            .pop())
    }

    pub(in crate::store) fn post_by_native(
        &self,
        network: Network,
        native_id: &str,
    ) -> Result<Option<Post>> {
        Ok(self
            .posts(
                &format!("SELECT {POST_COLS} FROM posts WHERE network = $1 AND native_id = $2"),
                &[&network.as_str(), &native_id],
            )?
            .pop())
    }

    /// The post's latest correction, for Detail.
    pub(in crate::store) fn latest_correction(&self, post: PostId) -> Result<Option<Correction>> {
        self.conn()?
            .query_opt(
                &format!(
                    "SELECT {CORRECTION_COLS} FROM corrections WHERE post_id = $1
                     ORDER BY at DESC, id DESC LIMIT 1"
                ),
                &[&post.0],
            )?
            .as_ref()
            .map(correction_from_row)
            .transpose()
    }
}
