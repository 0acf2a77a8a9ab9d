//! Drafts and sent replies.

use rusqlite::{OptionalExtension, params};

use super::actions::insert_action;
use super::codec::{Cells, limit, ms};
use super::repository::WorkRepo;
use super::{Db, Result, StoreError};
use crate::domain::{
    Action, ActionKind, CustomerId, Draft, DraftState, NewAction, PostId, PriorReply, Reply,
    ReplyOrigin,
};

/// How much of a reply's text goes into the note of its `replied` action.
pub const REPLY_NOTE_CHARS: usize = 80;

pub(super) const DRAFT_COLS: &str =
    "post_id, text, cursor_row, cursor_col, state, failure, idempotency_key, updated_at";
/// `staff`'s drafts (`?1`/`$1`), and those from before names were kept ('') on posts they have none on: after an
/// upgrade nobody's drafts are lost, and a teammate's are never mistaken for one's own.
pub(super) const MINE: &str = "(staff = ?1 OR (staff = '' AND NOT EXISTS
    (SELECT 1 FROM drafts m WHERE m.post_id = drafts.post_id AND m.staff = ?1)))";
/// The unclaimed ('') draft on post `?1` goes when `?2` saves theirs.
pub(super) const UNCLAIMED_DRAFT_GONE: &str =
    "DELETE FROM drafts WHERE post_id = ?1 AND staff = '' AND ?2 <> ''";
pub(super) const REPLY_COLS: &str =
    "id, post_id, network, text, sent_at, url, remote_id, idempotency_key, staff";

impl WorkRepo for Db {
    /// A draft from before names were kept ('') on the post becomes this one: whoever saves it first takes it.
    fn save_draft(&mut self, staff: &str, draft: &Draft) -> Result<()> {
        let (state, failure) = match &draft.state {
            DraftState::Editing => ("editing", None),
            DraftState::Failed(why) => ("failed", Some(why.as_str())),
            DraftState::Unconfirmed(why) => ("unconfirmed", Some(why.as_str())),
        };
        let tx = self.write_tx()?;
        tx.prepare_cached(UNCLAIMED_DRAFT_GONE)?
            .execute(params![draft.post.0, staff])?;
        tx.prepare_cached(&format!(
            "INSERT INTO drafts ({DRAFT_COLS}, staff) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (post_id, staff) DO UPDATE SET text = excluded.text,
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
            staff,
        ])?;
        tx.commit()?;
        Ok(())
    }

    fn drafts(&self, staff: &str) -> Result<Vec<Draft>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLS} FROM drafts WHERE {MINE} ORDER BY updated_at DESC, post_id"
        ))?;
        let mut rows = stmt.query([staff])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(super::decode::draft_of(&Cells::new(row, "drafts", 0))?);
        }
        Ok(out)
    }

    fn team_drafts(&self, staff: &str) -> Result<Vec<(PostId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT post_id, staff FROM drafts WHERE staff NOT IN (?1, '')
             ORDER BY post_id, updated_at DESC",
        )?;
        let rows = stmt.query_map([staff], |r| Ok((PostId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn delete_draft(&mut self, staff: &str, post: PostId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM drafts WHERE post_id = ?1 AND staff IN (?2, '')")?
            .execute(params![post.0, staff])?;
        Ok(())
    }

    /// Records a reply that went out, in ONE transaction: the reply, a `replied` action by its sender (note: the
    /// first [`REPLY_NOTE_CHARS`] characters of the text, url: the reply's), the post's first-response and handled
    /// times (if not already set), and the sender's draft deleted (a teammate's draft on the post stays theirs).
    /// `customer` defaults to the post's customer.
    ///
    /// Idempotent per key: when a reply with the same idempotency key is already stored (a resend the server
    /// answered with the first post), nothing is written and the stored reply and its action come back.
    fn record_reply(
        &mut self,
        reply: &Reply,
        customer: Option<CustomerId>,
    ) -> Result<(Reply, Action)> {
        let tx = self.write_tx()?;
        let existing = match &reply.idempotency_key {
            Some(key) => tx
                .prepare_cached(&format!(
                    "SELECT {REPLY_COLS}, action_id FROM replies WHERE idempotency_key = ?1"
                ))?
                .query_row([key], |row| {
                    Ok((decode_reply(row), row.get::<_, Option<i64>>(9)?))
                })
                .optional()?,
            None => None,
        };
        if let Some((stored, action_id)) = existing {
            let stored = stored?;
            // The draft that sent it is done, even when this resend came from it.
            tx.prepare_cached("DELETE FROM drafts WHERE post_id = ?1 AND idempotency_key = ?2")?
                .execute(params![stored.post.0, stored.idempotency_key])?;
            tx.commit()?;
            let action = self
                .actions_for_post(stored.post)?
                .into_iter()
                .find(|a| Some(a.id) == action_id)
                .ok_or_else(|| StoreError::Corrupt {
                    what: format!("replies row for key {:?}", stored.idempotency_key),
                    detail: "its replied action is missing".into(),
                })?;
            return Ok((stored, action));
        }
        let post_customer: Option<i64> = tx
            .prepare_cached("SELECT customer_id FROM posts WHERE id = ?1")?
            .query_row([reply.post.0], |r| r.get(0))
            .optional()?
            .flatten();
        let customer = customer.or(post_customer.map(CustomerId));
        let action = insert_action(
            &tx,
            &reply.staff,
            &NewAction {
                post: Some(reply.post),
                customer,
                kind: ActionKind::Replied,
                note: reply.text.chars().take(REPLY_NOTE_CHARS).collect(),
                at: reply.sent_at,
                url: reply.url.clone(),
            },
        )?;
        tx.prepare_cached(
            "INSERT INTO replies (post_id, customer_id, network, text, sent_at, url, remote_id,
                 idempotency_key, action_id, staff)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            reply.post.0,
            customer.map(|c| c.0),
            reply.network.as_str(),
            reply.text,
            ms(reply.sent_at),
            reply.url,
            reply.remote_id,
            reply.idempotency_key,
            action.id,
            reply.staff,
        ])?;
        tx.prepare_cached("UPDATE posts SET handled_at = COALESCE(handled_at, ?2) WHERE id = ?1")?
            .execute(params![reply.post.0, ms(reply.sent_at)])?;
        tx.prepare_cached("DELETE FROM drafts WHERE post_id = ?1 AND staff IN (?2, '')")?
            .execute(params![reply.post.0, reply.staff])?;
        tx.commit()?;
        Ok((reply.clone(), action))
    }

    /// Whether the shop already replied to a post, and when (the latest reply). The one place that says what
    /// "already replied" means.
    fn prior_reply(&self, post: PostId) -> Result<Option<PriorReply>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, sent_at FROM replies WHERE post_id = ?1 ORDER BY sent_at DESC, id DESC LIMIT 1",
        )?;
        let mut rows = stmt.query([post.0])?;
        if let Some(row) = rows.next()? {
            return Ok(Some(PriorReply {
                at: Cells::new(row, "replies", 0).time(1)?,
                origin: ReplyOrigin::ThisConsole,
            }));
        }
        // The shop's own posts answering it, found on the network.
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.created_at FROM posts p JOIN posts r
               ON r.network = p.network AND r.in_reply_to = p.native_id AND r.by_shop = 1
             WHERE p.id = ?1 ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
        )?;
        let mut rows = stmt.query([post.0])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some(PriorReply {
            at: Cells::new(row, "posts", 0).time(1)?,
            origin: ReplyOrigin::Elsewhere,
        }))
    }

    fn replies_for_post(&self, post: PostId) -> Result<Vec<Reply>> {
        self.query_replies(
            &format!("SELECT {REPLY_COLS} FROM replies WHERE post_id = ?1 ORDER BY sent_at, id"),
            params![post.0],
        )
    }
}

impl Db {
    pub(super) fn query_replies(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Reply>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_reply(row)?);
        }
        Ok(out)
    }
}

pub(super) fn decode_reply(row: &rusqlite::Row<'_>) -> Result<Reply> {
    super::decode::reply_of(&Cells::new(row, "replies", 0))
}
