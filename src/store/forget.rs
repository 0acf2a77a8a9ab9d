//! Forgetting a customer on request, in ONE transaction: their record and handles go; they are remembered only
//! by [`crate::domain::forget_key`] (so an import skips them); what the shop did stays, unlinked; their posts
//! stay anonymous (or go), and every text kept about them is scrubbed of their name, handles, email and key.
//! Deleted bytes are overwritten (`secure_delete`), the full-text index is merged so no deleted word lingers in
//! it, and the write-ahead log is emptied into the file.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::codec::ms;
use super::posts::refresh_attention_rank;
use super::{Db, Result, StoreError};
use crate::domain::{
    Customer, CustomerId, FORGOTTEN_HANDLE, FORGOTTEN_NAME, Forgotten, PostId, forget_key,
    identifying_terms, scrub,
};

pub(super) fn forget(
    db: &mut Db,
    id: CustomerId,
    with_posts: bool,
    at: DateTime<Utc>,
) -> Result<Forgotten> {
    let Some(customer) = db.customer(id)? else {
        return Err(StoreError::Conflict(format!(
            "no customer #{} (already forgotten?)",
            id.0
        )));
    };
    let secure: i64 = db
        .conn
        .pragma_query_value(None, "secure_delete", |r| r.get(0))?;
    db.conn.pragma_update(None, "secure_delete", true)?;
    let done = forget_in(db, &customer, with_posts, at);
    db.conn.pragma_update(None, "secure_delete", secure)?;
    let done = done?;
    if db.path.is_some() {
        // Old pages of the rows just rewritten are still in the log: write it into the file and empty it. A
        // reader holding it (the console) delays this to its next checkpoint; nothing is lost either way.
        db.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(done)
}

fn forget_in(
    db: &mut Db,
    customer: &Customer,
    with_posts: bool,
    at: DateTime<Utc>,
) -> Result<Forgotten> {
    let terms = identifying_terms(customer);
    let tx = db.write_tx()?;
    let posts = their_posts(&tx, customer)?;
    let id = customer.id.0;
    let mut done = Forgotten {
        handles: customer.handles.len(),
        posts_kept: 0,
        posts_deleted: 0,
        replies_unlinked: 0,
        actions_unlinked: 0,
        follow_ups_unlinked: 0,
    };
    // What the shop did stays in the Log and the reports, without them.
    done.replies_unlinked = rewrite(
        &tx,
        "SELECT id, text FROM replies WHERE customer_id = ?1",
        "UPDATE replies SET customer_id = NULL, text = ?2 WHERE id = ?1",
        id,
        &terms,
    )?;
    done.actions_unlinked = rewrite(
        &tx,
        "SELECT id, note FROM actions WHERE customer_id = ?1",
        "UPDATE actions SET customer_id = NULL, note = ?2 WHERE id = ?1",
        id,
        &terms,
    )?;
    done.follow_ups_unlinked = rewrite(
        &tx,
        "SELECT id, note FROM follow_ups WHERE customer_id = ?1",
        "UPDATE follow_ups SET customer_id = NULL, note = ?2 WHERE id = ?1",
        id,
        &terms,
    )?;
    for post in &posts {
        for (select, update) in [
            (
                "SELECT id, text FROM replies WHERE post_id = ?1",
                "UPDATE replies SET text = ?2 WHERE id = ?1",
            ),
            (
                "SELECT id, note FROM actions WHERE post_id = ?1",
                "UPDATE actions SET note = ?2 WHERE id = ?1",
            ),
            (
                "SELECT id, note FROM follow_ups WHERE post_id = ?1",
                "UPDATE follow_ups SET note = ?2 WHERE id = ?1",
            ),
        ] {
            rewrite(&tx, select, update, post.0, &terms)?;
        }
        tx.prepare_cached("DELETE FROM drafts WHERE post_id = ?1")?
            .execute([post.0])?;
        // Replies in their threads (the shop's, strangers') greet them by name.
        let (network, native): (String, String) = tx
            .prepare_cached("SELECT network, native_id FROM posts WHERE id = ?1")?
            .query_row([post.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let below: Vec<(i64, String)> = tx
            .prepare_cached("SELECT id, text FROM posts WHERE network = ?1 AND in_reply_to = ?2")?
            .query_map(params![network, native], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (reply, text) in below {
            let clean = scrub(&text, &terms);
            if clean != text {
                tx.prepare_cached("UPDATE posts SET text = ?2 WHERE id = ?1")?
                    .execute(params![reply, clean])?;
            }
        }
    }
    for post in &posts {
        if with_posts {
            tx.prepare_cached("DELETE FROM posts WHERE id = ?1")?
                .execute([post.0])?;
            done.posts_deleted += 1;
            continue;
        }
        let text: String = tx
            .prepare_cached("SELECT text FROM posts WHERE id = ?1")?
            .query_row([post.0], |r| r.get(0))?;
        // The address and the reply data name their account: an anonymous post keeps neither.
        tx.prepare_cached(
            "UPDATE posts SET customer_id = NULL, author_handle = ?2, author_name = ?3, text = ?4,
                 url = NULL, reply_ref = NULL WHERE id = ?1",
        )?
        .execute(params![
            post.0,
            FORGOTTEN_HANDLE,
            FORGOTTEN_NAME,
            scrub(&text, &terms)
        ])?;
        refresh_attention_rank(&tx, *post)?;
        done.posts_kept += 1;
    }
    tx.prepare_cached("DELETE FROM customers WHERE id = ?1")?
        .execute([id])?;
    tx.prepare_cached(
        "INSERT INTO forgotten_customers (key, at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
    )?
    .execute(params![forget_key(&customer.external_id), ms(at)])?;
    // Merged into one segment, the full-text index holds no deleted word any more.
    tx.execute("INSERT INTO posts_fts (posts_fts) VALUES ('optimize')", [])?;
    tx.commit()?;
    Ok(done)
}

/// Their posts: linked to them, or written from one of their handles before they were matched (found through
/// the full-text index's author column, then checked exactly).
fn their_posts(tx: &Transaction<'_>, customer: &Customer) -> Result<Vec<PostId>> {
    let mut ids: BTreeSet<i64> = tx
        .prepare_cached("SELECT id FROM posts WHERE customer_id = ?1")?
        .query_map([customer.id.0], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for h in &customer.handles {
        let words: Vec<&str> = h
            .handle
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        let phrase = format!("author_handle : \"{}\"", words.join(" "));
        let found: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM posts WHERE id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?1)
                     AND network = ?2 AND author_handle = ?3 COLLATE NOCASE",
            )?
            .query_map(
                params![phrase, h.network.as_str(), h.handle.trim_start_matches('@')],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        ids.extend(found);
    }
    Ok(ids.into_iter().map(PostId).collect())
}

/// Scrubs the text column of the rows `select` finds (id, text) by `key`, writing each back with `update`
/// (id, text); returns how many rows there were.
fn rewrite(
    tx: &Transaction<'_>,
    select: &str,
    update: &str,
    key: i64,
    terms: &[String],
) -> Result<usize> {
    let rows: Vec<(i64, String)> = tx
        .prepare_cached(select)?
        .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = tx.prepare_cached(update)?;
    for (id, text) in &rows {
        stmt.execute(params![id, scrub(text, terms)])?;
    }
    Ok(rows.len())
}
