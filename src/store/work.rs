//! Drafts and sent replies.

use rusqlite::{OptionalExtension, params};

use super::actions::insert_action;
use super::codec::{Cells, limit, ms};
use super::{Db, Result};
use crate::domain::{Action, ActionKind, CustomerId, Draft, DraftState, NewAction, PostId, Reply};

/// How much of a reply's text goes into the note of its `replied` action.
pub const REPLY_NOTE_CHARS: usize = 80;

const DRAFT_COLS: &str =
    "post_id, text, cursor_row, cursor_col, state, failure, idempotency_key, updated_at";
const REPLY_COLS: &str = "id, post_id, network, text, sent_at, url, remote_id";

impl Db {
    /// Saves (inserts or replaces) the draft for its post.
    pub fn save_draft(&mut self, draft: &Draft) -> Result<()> {
        let (state, failure) = match &draft.state {
            DraftState::Editing => ("editing", None),
            DraftState::Failed(why) => ("failed", Some(why.as_str())),
        };
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO drafts ({DRAFT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (post_id) DO UPDATE SET text = excluded.text,
                     cursor_row = excluded.cursor_row, cursor_col = excluded.cursor_col,
                     state = excluded.state, failure = excluded.failure,
                     idempotency_key = excluded.idempotency_key, updated_at = excluded.updated_at"
            ))?
            .execute(params![
                draft.post.0,
                draft.text,
                limit(draft.cursor.0),
                limit(draft.cursor.1),
                state,
                failure,
                draft.idempotency_key,
                ms(draft.updated_at),
            ])?;
        Ok(())
    }

    pub fn draft(&self, post: PostId) -> Result<Option<Draft>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLS} FROM drafts WHERE post_id = ?1"
        ))?;
        let mut rows = stmt.query([post.0])?;
        rows.next()?.map(decode_draft).transpose()
    }

    /// Every draft, most recently edited first.
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLS} FROM drafts ORDER BY updated_at DESC, post_id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_draft(row)?);
        }
        Ok(out)
    }

    pub fn delete_draft(&mut self, post: PostId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM drafts WHERE post_id = ?1")?
            .execute([post.0])?;
        Ok(())
    }

    /// Records a reply that went out, in ONE transaction: the reply, a `replied` action (note: the first
    /// [`REPLY_NOTE_CHARS`] characters of the text, url: the reply's), the post's first-response and handled times
    /// (if not already set), and the draft deleted. `customer` defaults to the post's customer.
    pub fn record_reply(&mut self, reply: &Reply, customer: Option<CustomerId>) -> Result<Action> {
        let tx = self.write_tx()?;
        let post_customer: Option<i64> = tx
            .prepare_cached("SELECT customer_id FROM posts WHERE id = ?1")?
            .query_row([reply.post.0], |r| r.get(0))
            .optional()?
            .flatten();
        let customer = customer.or(post_customer.map(CustomerId));
        tx.prepare_cached(
            "INSERT INTO replies (post_id, customer_id, network, text, sent_at, url, remote_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            reply.post.0,
            customer.map(|c| c.0),
            reply.network.as_str(),
            reply.text,
            ms(reply.sent_at),
            reply.url,
            reply.remote_id,
        ])?;
        let action = insert_action(
            &tx,
            &NewAction {
                post: Some(reply.post),
                customer,
                kind: ActionKind::Replied,
                note: reply.text.chars().take(REPLY_NOTE_CHARS).collect(),
                at: reply.sent_at,
                url: reply.url.clone(),
            },
        )?;
        tx.prepare_cached("UPDATE posts SET handled_at = COALESCE(handled_at, ?2) WHERE id = ?1")?
            .execute(params![reply.post.0, ms(reply.sent_at)])?;
        tx.prepare_cached("DELETE FROM drafts WHERE post_id = ?1")?
            .execute([reply.post.0])?;
        tx.commit()?;
        Ok(action)
    }

    /// Replies sent to a post, oldest first.
    pub fn replies_for_post(&self, post: PostId) -> Result<Vec<Reply>> {
        self.query_replies(
            &format!("SELECT {REPLY_COLS} FROM replies WHERE post_id = ?1 ORDER BY sent_at, id"),
            params![post.0],
        )
    }

    /// Replies sent to a customer, newest first.
    pub fn replies_for_customer(&self, customer: CustomerId, limit_: usize) -> Result<Vec<Reply>> {
        self.query_replies(
            &format!(
                "SELECT {REPLY_COLS} FROM replies WHERE customer_id = ?1
                 ORDER BY sent_at DESC, id DESC LIMIT ?2"
            ),
            params![customer.0, limit(limit_)],
        )
    }

    fn query_replies(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Reply>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "replies", 0);
            out.push(Reply {
                post: PostId(c.get(1)?),
                network: c.network(2)?,
                text: c.get(3)?,
                sent_at: c.time(4)?,
                url: c.get(5)?,
                remote_id: c.get(6)?,
            });
        }
        Ok(out)
    }
}

fn decode_draft(row: &rusqlite::Row<'_>) -> Result<Draft> {
    let c = Cells::new(row, "drafts", 0);
    let state: String = c.get(4)?;
    let failure: Option<String> = c.get(5)?;
    let state = match state.as_str() {
        "editing" => DraftState::Editing,
        "failed" => DraftState::Failed(failure.unwrap_or_default()),
        other => return Err(c.corrupt(format!("unknown draft state {other:?}"))),
    };
    Ok(Draft {
        post: PostId(c.get(0)?),
        text: c.get(1)?,
        cursor: (c.usize(2)?, c.usize(3)?),
        state,
        idempotency_key: c.get(6)?,
        updated_at: c.time(7)?,
    })
}
