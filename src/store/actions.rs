//! Assistance actions (the Log) and follow-ups.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::codec::{Cells, date, ms};
use super::posts::refresh_attention_rank;
use super::repository::LogRepo;
use super::{Db, Result};
use crate::domain::{Action, ActionKind, FollowUp, FollowUpRow, NewAction, NewFollowUp, PostId};

pub(in crate::store) const ACTION_COLS: &str =
    "id, post_id, customer_id, kind, note, at, url, staff";
pub(in crate::store) const FOLLOW_UP_COLS: &str =
    "id, post_id, customer_id, due, note, created_at, done_at";

impl LogRepo for Db {
    /// A response kind ([`ActionKind::is_response`]) sets the post's first-response time if unset; a kind that
    /// [`ActionKind::closes`] the post also sets its handled time if unset.
    fn log_action(&mut self, staff: &str, action: &NewAction) -> Result<Action> {
        let tx = self.write_tx()?;
        let logged = insert_action(&tx, staff, action)?;
        if let (Some(post), true) = (action.post, action.kind.closes()) {
            tx.prepare_cached(
                "UPDATE posts SET handled_at = COALESCE(handled_at, ?2) WHERE id = ?1",
            )?
            .execute(params![post.0, ms(action.at)])?;
        }
        tx.commit()?;
        Ok(logged)
    }

    fn action_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM actions", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The action's note reads "follow up on YYYY-MM-DD: note".
    fn schedule_follow_up(
        &mut self,
        staff: &str,
        follow_up: &NewFollowUp,
    ) -> Result<(FollowUp, Action)> {
        let tx = self.write_tx()?;
        tx.prepare_cached(&format!(
            "INSERT INTO follow_ups ({FOLLOW_UP_COLS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, NULL)"
        ))?
        .execute(params![
            follow_up.post.map(|p| p.0),
            follow_up.customer.map(|c| c.0),
            date(follow_up.due),
            follow_up.note,
            ms(follow_up.created_at),
        ])?;
        let id = tx.last_insert_rowid();
        let action = insert_action(&tx, staff, &follow_up.action())?;
        tx.commit()?;
        Ok((follow_up.scheduled(id), action))
    }

    fn open_follow_ups(&self) -> Result<Vec<FollowUp>> {
        self.query_follow_ups(
            &format!(
                "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE done_at IS NULL ORDER BY due, id"
            ),
            [],
        )
    }

    fn follow_up_rows(&self) -> Result<Vec<FollowUpRow>> {
        // The kinds come from the domain: what "reaching out" means is decided there, not here.
        let kinds: Vec<String> = ActionKind::reaching_out()
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        let kinds = kinds.join(", ");
        let by_customer =
            format!("SELECT MAX(at) FROM actions WHERE customer_id = ?1 AND kind IN ({kinds})");
        let by_post =
            format!("SELECT MAX(at) FROM actions WHERE post_id = ?1 AND kind IN ({kinds})");
        let mut rows = Vec::new();
        for follow_up in self.open_follow_ups()? {
            let post = match follow_up.post {
                Some(id) => self.post(id)?,
                None => None,
            };
            let last: Option<i64> = match (follow_up.customer, follow_up.post) {
                (Some(c), _) => self
                    .conn
                    .prepare_cached(&by_customer)?
                    .query_row(params![c.0], |r| r.get(0))?,
                (None, Some(p)) => self
                    .conn
                    .prepare_cached(&by_post)?
                    .query_row(params![p.0], |r| r.get(0))?,
                (None, None) => None,
            };
            rows.push(FollowUpRow {
                follow_up,
                post,
                last_contact: last.and_then(DateTime::from_timestamp_millis),
            });
        }
        Ok(rows)
    }

    /// Done and logged together: a follow-up marked done without its action (or the reverse) never happens.
    fn complete_follow_up(
        &mut self,
        staff: &str,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<Option<Action>> {
        let tx = self.write_tx()?;
        let changed = tx
            .prepare_cached("UPDATE follow_ups SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL")?
            .execute(params![id, ms(at)])?;
        if changed == 0 {
            return Ok(None);
        }
        let follow_up = tx
            .prepare_cached(&format!(
                "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE id = ?1"
            ))?
            .query_row(params![id], |row| Ok(follow_up_of(row)))??;
        let action = insert_action(&tx, staff, &follow_up.done_action(at))?;
        tx.commit()?;
        Ok(Some(action))
    }
}

impl Db {
    /// A post's actions, oldest first.
    pub(super) fn actions_for_post(&self, post: PostId) -> Result<Vec<Action>> {
        self.query_actions(
            &format!("SELECT {ACTION_COLS} FROM actions WHERE post_id = ?1 ORDER BY at, id"),
            params![post.0],
        )
    }

    pub(super) fn query_follow_ups(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(follow_up_of(row)?);
        }
        Ok(out)
    }

    pub(super) fn query_actions(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Action>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_action(row)?);
        }
        Ok(out)
    }
}

/// An action from a row of [`ACTION_COLS`].
pub(super) fn decode_action(row: &rusqlite::Row) -> Result<Action> {
    super::decode::action_of(&Cells::new(row, "actions", 0))
}

/// A follow-up from a row of [`FOLLOW_UP_COLS`].
fn follow_up_of(row: &rusqlite::Row) -> Result<FollowUp> {
    super::decode::follow_up_of(&Cells::new(row, "follow_ups", 0))
}

/// Inserts an action by `staff` inside the caller's transaction; a response kind sets the post's first-response
/// time.
pub(super) fn insert_action(conn: &Connection, staff: &str, a: &NewAction) -> Result<Action> {
    conn.prepare_cached(
        "INSERT INTO actions (post_id, customer_id, kind, note, at, url, staff)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        a.post.map(|p| p.0),
        a.customer.map(|c| c.0),
        a.kind.as_str(),
        a.note,
        ms(a.at),
        a.url,
        staff,
    ])?;
    let id = conn.last_insert_rowid();
    if let (Some(post), true) = (a.post, a.kind.is_response()) {
        conn.prepare_cached(
            "UPDATE posts SET first_response_at = COALESCE(first_response_at, ?2) WHERE id = ?1",
        )?
        .execute(params![post.0, ms(a.at)])?;
        refresh_attention_rank(conn, post)?;
    }
    Ok(a.logged(id, staff))
}
