//! Forgetting a customer on request on PostgreSQL, in ONE transaction, as SQLite's `store::forget`: their
//! record and handles go; they are remembered only by [`crate::domain::forget_key`]; what the shop did stays,
//! unlinked; their posts stay anonymous (or go), and every text kept about them is scrubbed of their name,
//! handles, email and key. The words index is a generated column, so it follows the scrubbed text by itself;
//! old row versions are the server's to vacuum (SQLite's `secure_delete` has no PostgreSQL twin).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use postgres::Transaction;

use super::PgDb;
use super::customers::customer_in;
use super::posts::refresh_attention_rank;
use crate::domain::{
    Customer, CustomerId, FORGOTTEN_HANDLE, FORGOTTEN_NAME, Forgotten, PostId, forget_key,
    identifying_terms, scrub,
};
use crate::store::codec::ms;
use crate::store::{Result, StoreError};

pub(super) fn forget(
    db: &mut PgDb,
    id: CustomerId,
    with_posts: bool,
    at: DateTime<Utc>,
) -> Result<Forgotten> {
    let mut conn = db.conn()?;
    let mut tx = conn.transaction()?;
    let Some(customer) = customer_in(&mut tx, id)? else {
        return Err(StoreError::Conflict(format!(
            "no customer #{} (already forgotten?)",
            id.0
        )));
    };
    let done = forget_in(&mut tx, &customer, with_posts, at)?;
    tx.commit()?;
    Ok(done)
}

fn forget_in(
    tx: &mut Transaction<'_>,
    customer: &Customer,
    with_posts: bool,
    at: DateTime<Utc>,
) -> Result<Forgotten> {
    let terms = identifying_terms(customer);
    let posts = their_posts(tx, customer)?;
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
    done.replies_unlinked = rewrite(tx, "replies", "text", "customer_id", id, true, &terms)?;
    done.actions_unlinked = rewrite(tx, "actions", "note", "customer_id", id, true, &terms)?;
    done.follow_ups_unlinked = rewrite(tx, "follow_ups", "note", "customer_id", id, true, &terms)?;
    for post in &posts {
        for (table, column) in [
            ("replies", "text"),
            ("actions", "note"),
            ("follow_ups", "note"),
        ] {
            rewrite(tx, table, column, "post_id", post.0, false, &terms)?;
        }
        tx.execute("DELETE FROM drafts WHERE post_id = $1", &[&post.0])?;
        // Replies in their threads (the shop's, strangers') greet them by name.
        let below = tx.query(
            "SELECT r.id, r.text FROM posts p JOIN posts r
               ON r.network = p.network AND r.in_reply_to = p.native_id
             WHERE p.id = $1",
            &[&post.0],
        )?;
        for row in below {
            let (reply, text): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
            let clean = scrub(&text, &terms);
            if clean != text {
                tx.execute(
                    "UPDATE posts SET text = $2 WHERE id = $1",
                    &[&reply, &clean],
                )?;
            }
        }
    }
    for post in &posts {
        if with_posts {
            tx.execute("DELETE FROM posts WHERE id = $1", &[&post.0])?;
            done.posts_deleted += 1;
            continue;
        }
        let text: String = tx
            .query_one("SELECT text FROM posts WHERE id = $1", &[&post.0])?
            .try_get(0)?;
        // The address and the reply data name their account: an anonymous post keeps neither.
        tx.execute(
            "UPDATE posts SET customer_id = NULL, author_handle = $2, author_name = $3, text = $4,
                 url = NULL, reply_ref = NULL WHERE id = $1",
            &[
                &post.0,
                &FORGOTTEN_HANDLE,
                &FORGOTTEN_NAME,
                &scrub(&text, &terms),
            ],
        )?;
        refresh_attention_rank(tx, *post)?;
        done.posts_kept += 1;
    }
    tx.execute("DELETE FROM customers WHERE id = $1", &[&id])?;
    tx.execute(
        "INSERT INTO forgotten_customers (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&forget_key(&customer.external_id), &ms(at)],
    )?;
    Ok(done)
}

/// Their posts: linked to them, or written from one of their handles before they were matched.
fn their_posts(tx: &mut Transaction<'_>, customer: &Customer) -> Result<Vec<PostId>> {
    let mut ids = BTreeSet::new();
    for row in tx.query(
        "SELECT id FROM posts WHERE customer_id = $1",
        &[&customer.id.0],
    )? {
        ids.insert(row.try_get::<_, i64>(0)?);
    }
    for h in &customer.handles {
        for row in tx.query(
            "SELECT id FROM posts WHERE network = $1 AND lower(author_handle) = lower($2)",
            &[&h.network.as_str(), &h.handle.trim_start_matches('@')],
        )? {
            ids.insert(row.try_get::<_, i64>(0)?);
        }
    }
    Ok(ids.into_iter().map(PostId).collect())
}

/// Scrubs `column` of the rows of `table` whose `key_column` is `key`, unlinking them from the customer too
/// when `unlink`; returns how many rows there were.
fn rewrite(
    tx: &mut Transaction<'_>,
    table: &str,
    column: &str,
    key_column: &str,
    key: i64,
    unlink: bool,
    terms: &[String],
) -> Result<usize> {
    let rows = tx.query(
        &format!("SELECT id, {column} FROM {table} WHERE {key_column} = $1"),
        &[&key],
    )?;
    let unlinked = if unlink { ", customer_id = NULL" } else { "" };
    let update = tx.prepare(&format!(
        "UPDATE {table} SET {column} = $2{unlinked} WHERE id = $1"
    ))?;
    for row in &rows {
        let (id, text): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
        tx.execute(&update, &[&id, &scrub(&text, terms)])?;
    }
    Ok(rows.len())
}
