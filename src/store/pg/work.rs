//! [`WorkRepo`] on PostgreSQL: drafts and sent replies.

use super::PgDb;
use super::actions::{actions_for_post, insert_action};
use super::codec::{Cells, REPLY_COLS, reply_from_row};
use super::rows::all;
use crate::domain::{
    Action, ActionKind, CustomerId, Draft, DraftState, NewAction, PostId, PriorReply, Reply,
    ReplyOrigin,
};
use crate::store::codec::{limit, ms};
use crate::store::decode;
use crate::store::repository::WorkRepo;
use crate::store::work::{DRAFT_COLS, MINE, REPLY_NOTE_CHARS, UNCLAIMED_DRAFT_GONE};
use crate::store::{Result, StoreError};

impl WorkRepo for PgDb {
    /// As SQLite's: an unclaimed draft ('') on the post becomes this one.
    fn save_draft(&mut self, staff: &str, draft: &Draft) -> Result<()> {
        let (state, failure) = match &draft.state {
            DraftState::Editing => ("editing", None),
            DraftState::Failed(why) => ("failed", Some(why.as_str())),
            DraftState::Unconfirmed(why) => ("unconfirmed", Some(why.as_str())),
        };
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute(&pg(UNCLAIMED_DRAFT_GONE), &[&draft.post.0, &staff])?;
        tx.execute(
            &format!(
                "INSERT INTO drafts ({DRAFT_COLS}, staff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (post_id, staff) DO UPDATE SET text = excluded.text,
                     cursor_row = excluded.cursor_row, cursor_col = excluded.cursor_col,
                     state = excluded.state, failure = excluded.failure,
                     idempotency_key = excluded.idempotency_key, updated_at = excluded.updated_at"
            ),
            &[
                &draft.post.0,
                &draft.text,
                &limit(draft.cursor.0),
                &limit(draft.cursor.1),
                &state,
                &failure,
                &draft.idempotency_key,
                &ms(draft.updated_at),
                &staff,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn drafts(&self, staff: &str) -> Result<Vec<Draft>> {
        let rows = self.conn()?.query(
            &format!(
                "SELECT {DRAFT_COLS} FROM drafts WHERE {} ORDER BY updated_at DESC, post_id",
                pg(MINE)
            ),
            &[&staff],
        )?;
        all(&rows, |row| decode::draft_of(&Cells::new(row, "drafts", 0)))
    }

    fn team_drafts(&self, staff: &str) -> Result<Vec<(PostId, String)>> {
        let rows = self.conn()?.query(
            "SELECT post_id, staff FROM drafts WHERE staff NOT IN ($1, '')
             ORDER BY post_id, updated_at DESC",
            &[&staff],
        )?;
        rows.iter()
            .map(|r| Ok((PostId(r.try_get(0)?), r.try_get(1)?)))
            .collect()
    }

    fn delete_draft(&mut self, staff: &str, post: PostId) -> Result<()> {
        self.conn()?.execute(
            "DELETE FROM drafts WHERE post_id = $1 AND staff IN ($2, '')",
            &[&post.0, &staff],
        )?;
        Ok(())
    }

    /// As SQLite's: the reply, its `replied` action, the post's first-response and handled times (if unset)
    /// and the draft's removal in ONE transaction; a key already stored writes nothing but the sending draft's
    /// removal and answers with what is stored.
    fn record_reply(
        &mut self,
        reply: &Reply,
        customer: Option<CustomerId>,
    ) -> Result<(Reply, Action)> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let existing = match &reply.idempotency_key {
            Some(key) => tx.query_opt(
                &format!("SELECT {REPLY_COLS}, action_id FROM replies WHERE idempotency_key = $1"),
                &[key],
            )?,
            None => None,
        };
        if let Some(row) = existing {
            let stored = reply_from_row(&row)?;
            let action_id: Option<i64> = row.try_get(9)?;
            // The draft that sent it is done, even when this resend came from it.
            tx.execute(
                "DELETE FROM drafts WHERE post_id = $1 AND idempotency_key = $2",
                &[&stored.post.0, &stored.idempotency_key],
            )?;
            let action = actions_for_post(&mut tx, stored.post)?
                .into_iter()
                .find(|a| Some(a.id) == action_id)
                .ok_or_else(|| StoreError::Corrupt {
                    what: format!("replies row for key {:?}", stored.idempotency_key),
                    detail: "its replied action is missing".into(),
                })?;
            tx.commit()?;
            return Ok((stored, action));
        }
        let post_customer: Option<i64> = tx
            .query_opt(
                "SELECT customer_id FROM posts WHERE id = $1",
                &[&reply.post.0],
            )?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        let customer = customer.or(post_customer.map(CustomerId));
        let action = insert_action(
            &mut tx,
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
        tx.execute(
            "INSERT INTO replies (post_id, customer_id, network, text, sent_at, url, remote_id,
                 idempotency_key, action_id, staff)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &reply.post.0,
                &customer.map(|c| c.0),
                &reply.network.as_str(),
                &reply.text,
                &ms(reply.sent_at),
                &reply.url,
                &reply.remote_id,
                &reply.idempotency_key,
                &action.id,
                &reply.staff,
            ],
        )?;
        tx.execute(
            "UPDATE posts SET handled_at = COALESCE(handled_at, $2) WHERE id = $1",
            &[&reply.post.0, &ms(reply.sent_at)],
        )?;
        tx.execute(
            "DELETE FROM drafts WHERE post_id = $1 AND staff IN ($2, '')",
            &[&reply.post.0, &reply.staff],
        )?;
        tx.commit()?;
        Ok((reply.clone(), action))
    }

    /// The latest reply sent from regulars, else the shop's latest post answering it found on the network.
    fn prior_reply(&self, post: PostId) -> Result<Option<PriorReply>> {
        let mut conn = self.conn()?;
        let mine = conn.query_opt(
            "SELECT id, sent_at FROM replies WHERE post_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 1",
            &[&post.0],
        )?;
        let (row, table, origin) = match mine {
            Some(row) => (row, "replies", ReplyOrigin::ThisConsole),
            None => {
                let found = conn.query_opt(
                    "SELECT r.id, r.created_at FROM posts p JOIN posts r
                       ON r.network = p.network AND r.in_reply_to = p.native_id AND r.by_shop
                     WHERE p.id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
                    &[&post.0],
                )?;
                let Some(row) = found else {
                    return Ok(None);
                };
                (row, "posts", ReplyOrigin::Elsewhere)
            }
        };
        let at = Cells::new(&row, table, 0).time(1)?;
        Ok(Some(PriorReply { at, origin }))
    }

    fn replies_for_post(&self, post: PostId) -> Result<Vec<Reply>> {
        let rows = self.conn()?.query(
            &format!("SELECT {REPLY_COLS} FROM replies WHERE post_id = $1 ORDER BY sent_at, id"),
            &[&post.0],
        )?;
        all(&rows, reply_from_row)
    }
}

/// SQLite's numbered parameters (`?1`) as PostgreSQL's (`$1`), for the SQL both backends share.
fn pg(sql: &str) -> String {
    sql.replace('?', "$")
}
