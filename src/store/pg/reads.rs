//! [`ReadRepo`] on PostgreSQL: read state (counted through the partial index over unread posts) and the
//! console's saved place, as SQLite's `crate::store::reads`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::PgDb;
use super::lists::{count_plan, keyed_post, keyset, page_sql};
use super::search::{Conditions, Param, Plan, numbered, plan};
use crate::domain::{Anchor, Listing, Located, PostId, PostKey, PostQuery};
use crate::store::Result;
use crate::store::codec::ms;
use crate::store::repository::ReadRepo;

const UNREAD: &str = "p.read_at IS NULL";

/// The conditions on `posts p` picking a planned query's unread rows; `None` when nothing can match.
fn unread_rows(plan: &Plan) -> Option<Conditions> {
    let Plan::Query { listing, terms, .. } = plan else {
        return None;
    };
    let mut conditions = Plan::conditions(*listing, terms);
    conditions.push(UNREAD, []);
    Some(conditions)
}

fn count(conn: &mut postgres::Client, sql: &str, c: &Conditions) -> Result<u64> {
    let n: i64 = conn.query_one(&numbered(sql), &c.values())?.try_get(0)?;
    Ok(n.unsigned_abs())
}

fn unread_count(conn: &mut postgres::Client, plan: &Plan) -> Result<u64> {
    match unread_rows(plan) {
        Some(c) => count(
            conn,
            &format!("SELECT count(*) FROM posts p WHERE {}", c.joined()),
            &c,
        ),
        None => Ok(0),
    }
}

/// The first row of `narrowed` (a part of `base`, the whole list) from `anchor`, with where it sits in `base`.
fn first_located(
    conn: &mut postgres::Client,
    query: &PostQuery,
    base: Plan,
    narrowed: Plan,
    anchor: Anchor<PostKey>,
) -> Result<Option<Located>> {
    let Some((sql, params, _)) = page_sql(conn, &narrowed, anchor, 1)? else {
        return Ok(None);
    };
    let ranked = query.listing == Listing::Attention;
    let Some(row) = conn.query_opt(&sql, &params.values())? else {
        return Ok(None);
    };
    let (key, post) = keyed_post(&row, ranked)?;
    let before = base.clone().narrowed(|t| keyset(ranked, &key, ">", t));
    Ok(Some(Located {
        key,
        post,
        offset: count_plan(conn, &before)?,
        total: count_plan(conn, &base)?,
    }))
}

impl ReadRepo for PgDb {
    fn mark_read(&mut self, posts: &[PostId], at: DateTime<Utc>) -> Result<()> {
        let ids: Vec<i64> = posts.iter().map(|p| p.0).collect();
        self.conn()?.execute(
            "UPDATE posts SET read_at = $2 WHERE id = ANY($1) AND read_at IS NULL",
            &[&ids, &ms(at)],
        )?;
        Ok(())
    }

    fn mark_all_read(&mut self, query: &PostQuery, at: DateTime<Utc>) -> Result<u64> {
        let mut conn = self.conn()?;
        let plan = plan(&mut conn, query)?;
        let Some(conditions) = unread_rows(&plan) else {
            return Ok(0);
        };
        let at = ms(at);
        let mut values: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&at];
        values.extend(conditions.values());
        let sql = format!(
            "UPDATE posts SET read_at = ? WHERE id IN (SELECT p.id FROM posts p WHERE {})",
            conditions.joined()
        );
        Ok(conn.execute(&numbered(&sql), &values)?)
    }

    fn unread_counts(&self, queries: &[PostQuery]) -> Result<Vec<u64>> {
        let mut conn = self.conn()?;
        queries
            .iter()
            .map(|q| {
                let plan = plan(&mut conn, q)?;
                unread_count(&mut conn, &plan)
            })
            .collect()
    }

    fn unread_total(&self, listings: &[Listing]) -> Result<u64> {
        if listings.is_empty() {
            return Ok(0);
        }
        let mut any = Vec::new();
        let mut all = Conditions::default();
        for listing in listings {
            let c = Plan::conditions(*listing, &Conditions::default());
            any.push(format!("({})", c.joined()));
            all.params.extend(c.params);
        }
        let sql = format!(
            "SELECT count(*) FROM posts p WHERE {UNREAD} AND ({})",
            any.join(" OR ")
        );
        count(&mut *self.conn()?, &sql, &all)
    }

    fn next_unread(&self, query: &PostQuery, after: Option<PostKey>) -> Result<Option<Located>> {
        let mut conn = self.conn()?;
        let base = plan(&mut conn, query)?;
        // Nothing unread (the usual answer once the queue is worked) is known from the unread index alone.
        if unread_count(&mut conn, &base)? == 0 {
            return Ok(None);
        }
        let unread = base.clone().narrowed(|t| t.push(UNREAD, []));
        let anchor = after.map_or(Anchor::First, Anchor::After);
        first_located(&mut conn, query, base, unread, anchor)
    }

    fn locate(&self, query: &PostQuery, post: PostId) -> Result<Option<Located>> {
        let mut conn = self.conn()?;
        let base = plan(&mut conn, query)?;
        let only = base
            .clone()
            .narrowed(|t| t.push("p.id = ?", [Param::Int(post.0)]));
        first_located(&mut conn, query, base, only, Anchor::First)
    }

    fn ui_state(&self) -> Result<HashMap<String, String>> {
        let rows = self.conn()?.query("SELECT key, value FROM ui_state", &[])?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    fn save_ui_state(&mut self, values: &[(String, String)], at: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute("DELETE FROM ui_state", &[])?;
        let insert =
            tx.prepare("INSERT INTO ui_state (key, value, updated_at) VALUES ($1, $2, $3)")?;
        for (key, value) in values {
            tx.execute(&insert, &[key, value, &ms(at)])?;
        }
        tx.commit()?;
        Ok(())
    }
}
