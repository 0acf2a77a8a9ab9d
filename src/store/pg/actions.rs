//! [`LogRepo`] on PostgreSQL: assistance actions (the Log) and follow-ups.

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::PgDb;
use super::codec::{ACTION_COLS, action_from_row};
use super::posts::refresh_attention_rank;
use super::rows::{FOLLOW_UP_COLS, all, follow_up_from_row};
use crate::domain::{Action, ActionKind, FollowUp, FollowUpRow, NewAction, NewFollowUp, PostId};
use crate::store::Result;
use crate::store::codec::{date, ms};
use crate::store::repository::LogRepo;

impl LogRepo for PgDb {
    /// A response kind ([`ActionKind::is_response`]) sets the post's first-response time if unset; a kind that
    /// [`ActionKind::closes`] the post also sets its handled time if unset.
    fn log_action(&mut self, staff: &str, action: &NewAction) -> Result<Action> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let logged = insert_action(&mut tx, staff, action)?;
        if let (Some(post), true) = (action.post, action.kind.closes()) {
            tx.execute(
                "UPDATE posts SET handled_at = COALESCE(handled_at, $2) WHERE id = $1",
                &[&post.0, &ms(action.at)],
            )?;
        }
        tx.commit()?;
        Ok(logged)
    }

    fn action_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()?
            .query_one("SELECT COUNT(*) FROM actions", &[])?
            .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The action's note reads "follow up on YYYY-MM-DD: note".
    fn schedule_follow_up(
        &mut self,
        staff: &str,
        follow_up: &NewFollowUp,
    ) -> Result<(FollowUp, Action)> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO follow_ups (post_id, customer_id, due, note, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &follow_up.post.map(|p| p.0),
                    &follow_up.customer.map(|c| c.0),
                    &date(follow_up.due),
                    &follow_up.note,
                    &ms(follow_up.created_at),
                ],
            )?
            .try_get(0)?;
        let action = insert_action(&mut tx, staff, &follow_up.action())?;
        tx.commit()?;
        Ok((follow_up.scheduled(id), action))
    }

    fn open_follow_ups(&self) -> Result<Vec<FollowUp>> {
        let rows = self.conn()?.query(
            &format!(
                "SELECT {FOLLOW_UP_COLS} FROM follow_ups WHERE done_at IS NULL ORDER BY due, id"
            ),
            &[],
        )?;
        all(&rows, follow_up_from_row)
    }

    fn follow_up_rows(&self) -> Result<Vec<FollowUpRow>> {
        // The kinds come from the domain: what "reaching out" means is decided there, not here.
        let kinds: Vec<&str> = ActionKind::reaching_out().map(|k| k.as_str()).collect();
        let open = self.open_follow_ups()?;
        let mut rows = Vec::with_capacity(open.len());
        for follow_up in open {
            let post = match follow_up.post {
                Some(id) => self.post(id)?,
                None => None,
            };
            let mut conn = self.conn()?;
            let last: Option<i64> = match (follow_up.customer, follow_up.post) {
                (Some(c), _) => conn
                    .query_one(
                        "SELECT MAX(at) FROM actions WHERE customer_id = $1 AND kind = ANY($2)",
                        &[&c.0, &kinds],
                    )?
                    .try_get(0)?,
                (None, Some(p)) => conn
                    .query_one(
                        "SELECT MAX(at) FROM actions WHERE post_id = $1 AND kind = ANY($2)",
                        &[&p.0, &kinds],
                    )?
                    .try_get(0)?,
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
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let Some(row) = tx.query_opt(
            &format!(
                "UPDATE follow_ups SET done_at = $2 WHERE id = $1 AND done_at IS NULL
                 RETURNING {FOLLOW_UP_COLS}"
            ),
            &[&id, &ms(at)],
        )?
        else {
            return Ok(None);
        };
        let follow_up = follow_up_from_row(&row)?;
        let action = insert_action(&mut tx, staff, &follow_up.done_action(at))?;
        tx.commit()?;
        Ok(Some(action))
    }
}

/// A post's actions, oldest first.
pub(super) fn actions_for_post(conn: &mut impl GenericClient, post: PostId) -> Result<Vec<Action>> {
    let rows = conn.query(
        &format!("SELECT {ACTION_COLS} FROM actions WHERE post_id = $1 ORDER BY at, id"),
        &[&post.0],
    )?;
    all(&rows, action_from_row)
}

/// Inserts an action by `staff` inside the caller's transaction; a response kind sets the post's first-response
/// time.
pub(super) fn insert_action(
    conn: &mut impl GenericClient,
    staff: &str,
    a: &NewAction,
) -> Result<Action> {
    let id: i64 = conn
        .query_one(
            "INSERT INTO actions (post_id, customer_id, kind, note, at, url, staff)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                &a.post.map(|p| p.0),
                &a.customer.map(|c| c.0),
                &a.kind.as_str(),
                &a.note,
                &ms(a.at),
                &a.url,
                &staff,
            ],
        )?
        .try_get(0)?;
    if let (Some(post), true) = (a.post, a.kind.is_response()) {
        conn.execute(
            "UPDATE posts SET first_response_at = COALESCE(first_response_at, $2) WHERE id = $1",
            &[&post.0, &ms(a.at)],
        )?;
        refresh_attention_rank(conn, post)?;
    }
    Ok(a.logged(id, staff))
}
