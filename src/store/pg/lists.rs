//! [`ListRepo`] on PostgreSQL: keyset-paged list queries with true counts, and what Detail shows, as SQLite's
//! `crate::store::lists`.

use super::PgDb;
use super::codec::{CORRECTION_COLS, correction_from_row, posts_from_rows};
use super::search::{Conditions, Param, Plan, few_rows, numbered, plan};
use crate::domain::{
    Action, ActionKey, Anchor, Correction, Listing, Page, Post, PostDetails, PostId, PostKey,
    PostQuery,
};
use crate::store::Result;
pub(super) use crate::store::lists::keyed_post;
use crate::store::lists::{
    actions_page_sql, keyset_sql, page, post_by_id, post_details, post_page,
};
use crate::store::repository::{ListRepo, WorkRepo};
use crate::store::rows::{Arg, Query};

/// A row-value comparison against a key in the list's order, `<` (after) or `>` (before).
pub(super) fn keyset(ranked: bool, key: &PostKey, op: &str, out: &mut Conditions) {
    let (sql, values) = keyset_sql(ranked, key, op);
    out.push(sql, values.into_iter().map(Param::Int));
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
    let (sql, values, backwards) = post_page(&conditions.sql, ranked, few, anchor, limit_);
    conditions.params.extend(values.into_iter().map(Param::Int));
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
        let rows = conn
            .query(&sql, &params.values())?
            .iter()
            .map(|row| keyed_post(row, ranked))
            .collect::<Result<Vec<_>>>()?;
        Ok(page(rows, backwards, total))
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
        let (sql, values, backwards) = actions_page_sql(anchor, limit_);
        let args: Vec<Arg> = values.into_iter().map(Arg::Int).collect();
        Ok(page(conn.rows(&sql, &args)?, backwards, total))
    }

    fn post_details(&self, id: PostId) -> Result<Option<PostDetails>> {
        let Some(mut details) = post_details(&mut *self.conn()?, id)? else {
            return Ok(None);
        };
        details.replies = self.replies_for_post(id)?;
        details.correction = self.latest_correction(id)?;
        Ok(Some(details))
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
        post_by_id(&mut *self.conn()?, id)
    }

    /// For the store tests' `Inspect` (the store reads through `lists::post_by_native`).
    #[cfg(test)]
    pub(in crate::store) fn post_by_native(
        &self,
        network: crate::domain::Network,
        native_id: &str,
    ) -> Result<Option<Post>> {
        crate::store::lists::post_by_native(&mut *self.conn()?, network, native_id)
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
