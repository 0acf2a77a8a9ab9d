//! [`ReviewRepo`] on PostgreSQL: a post reopened or dismissed, the last action undone, triage corrected.

use chrono::{DateTime, Utc};
use postgres::{GenericClient, Transaction};

use super::PgDb;
use super::actions::insert_action;
use super::codec::{CORRECTION_COLS, POST_COLS, correction_from_row, post_from_row};
use super::posts::refresh_attention_rank;
use super::rows::all;
use crate::domain::{
    Action, ActionKind, Category, Correction, CustomerId, NewAction, Post, PostId, Undo,
};
use crate::store::Result;
use crate::store::codec::ms;
use crate::store::repository::ReviewRepo;
use crate::store::undo::correcting;

impl ReviewRepo for PgDb {
    fn reopen_post(
        &mut self,
        staff: &str,
        post: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Action)>> {
        self.close_or_open(staff, post, ActionKind::Reopened, at, |tx| {
            tx.execute(
                "UPDATE posts SET handled_at = NULL, dismissed_at = NULL WHERE id = $1",
                &[&post.0],
            )?;
            Ok(())
        })
    }

    fn dismiss_post(
        &mut self,
        staff: &str,
        post: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Action)>> {
        self.close_or_open(staff, post, ActionKind::Dismissed, at, |tx| {
            tx.execute(
                "UPDATE posts SET dismissed_at = COALESCE(dismissed_at, $2) WHERE id = $1",
                &[&post.0, &ms(at)],
            )?;
            Ok(())
        })
    }

    /// A time on the post equal to the action's was set by it (each is set only when unset): it goes back to
    /// unset. Nothing else on the post changes.
    fn undo(&mut self, undo: &Undo) -> Result<Option<Post>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        match undo {
            Undo::Action(action) => delete_action(&mut tx, action)?,
            Undo::FollowUpScheduled { follow_up, action } => {
                tx.execute("DELETE FROM follow_ups WHERE id = $1", &[&follow_up.id])?;
                delete_action(&mut tx, action)?;
            }
            Undo::FollowUpCompleted { follow_up, action } => {
                tx.execute(
                    "UPDATE follow_ups SET done_at = NULL WHERE id = $1",
                    &[&follow_up.id],
                )?;
                delete_action(&mut tx, action)?;
            }
            Undo::Correction(c) => {
                tx.execute("DELETE FROM corrections WHERE id = $1", &[&c.id])?;
                tx.execute(
                    "UPDATE posts SET category = $3 WHERE id = $1 AND category = $2",
                    &[&c.post.0, &c.category.as_str(), &c.was.as_str()],
                )?;
                refresh_attention_rank(&mut tx, c.post)?;
            }
        }
        let post = match undo.post() {
            Some(id) => post_in(&mut tx, id)?,
            None => None,
        };
        tx.commit()?;
        Ok(post)
    }

    /// The first correction keeps the triage the post arrived with; later ones copy it from the first.
    fn correct_post(
        &mut self,
        staff: &str,
        post: PostId,
        category: Category,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Correction)>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let Some(before) = post_in(&mut tx, post)? else {
            return Ok(None);
        };
        let first = tx.query_opt(
            &format!(
                "SELECT {CORRECTION_COLS} FROM corrections WHERE post_id = $1 ORDER BY at, id LIMIT 1"
            ),
            &[&post.0],
        )?;
        let first = first.map(|row| correction_from_row(&row)).transpose()?;
        let (mut correction, reasons) = correcting(&before, first, category, at, staff)?;
        correction.id = tx
            .query_one(
                "INSERT INTO corrections (post_id, category, was, original_category, original_score,
                     original_reasons, at, staff)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &post.0,
                    &category.as_str(),
                    &correction.was.as_str(),
                    &correction.original.category.as_str(),
                    &f64::from(correction.original.score),
                    &reasons,
                    &ms(at),
                    &staff,
                ],
            )?
            .try_get(0)?;
        tx.execute(
            "UPDATE posts SET category = $2 WHERE id = $1",
            &[&post.0, &category.as_str()],
        )?;
        refresh_attention_rank(&mut tx, post)?;
        let corrected = post_in(&mut tx, post)?;
        tx.commit()?;
        Ok(corrected.map(|p| (p, correction)))
    }

    fn corrections(&self) -> Result<Vec<(Correction, Post)>> {
        let mut conn = self.conn()?;
        let rows = conn.query(
            &format!("SELECT {CORRECTION_COLS} FROM corrections ORDER BY at, id"),
            &[],
        )?;
        drop(conn);
        let mut out = Vec::with_capacity(rows.len());
        for c in all(&rows, correction_from_row)? {
            if let Some(post) = self.post(c.post)? {
                out.push((c, post));
            }
        }
        Ok(out)
    }
}

impl PgDb {
    /// Changes a post with `change` and logs `kind` for it, in ONE transaction; `None`: no such post.
    fn close_or_open(
        &mut self,
        staff: &str,
        post: PostId,
        kind: ActionKind,
        at: DateTime<Utc>,
        change: impl FnOnce(&mut Transaction<'_>) -> Result<()>,
    ) -> Result<Option<(Post, Action)>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let Some(row) = tx.query_opt("SELECT customer_id FROM posts WHERE id = $1", &[&post.0])?
        else {
            return Ok(None);
        };
        let customer: Option<i64> = row.try_get(0)?;
        change(&mut tx)?;
        let action = insert_action(
            &mut tx,
            staff,
            &NewAction {
                post: Some(post),
                customer: customer.map(CustomerId),
                kind,
                note: String::new(),
                at,
                url: None,
            },
        )?;
        let changed = post_in(&mut tx, post)?;
        tx.commit()?;
        Ok(changed.map(|p| (p, action)))
    }
}

/// Deletes a logged action and puts back the post's times it set.
fn delete_action(conn: &mut impl GenericClient, action: &Action) -> Result<()> {
    conn.execute("DELETE FROM actions WHERE id = $1", &[&action.id])?;
    let Some(post) = action.post else {
        return Ok(());
    };
    let at = ms(action.at);
    let mut unset = |column: &str| -> Result<()> {
        conn.execute(
            &format!("UPDATE posts SET {column} = NULL WHERE id = $1 AND {column} = $2"),
            &[&post.0, &at],
        )?;
        Ok(())
    };
    if action.kind.is_response() {
        unset("first_response_at")?;
    }
    if action.kind.closes() {
        unset("handled_at")?;
    }
    if action.kind == ActionKind::Dismissed {
        unset("dismissed_at")?;
    }
    refresh_attention_rank(conn, post)
}

/// The post as now stored, inside the caller's transaction; `None`: no such post.
fn post_in(tx: &mut Transaction<'_>, id: PostId) -> Result<Option<Post>> {
    tx.query_opt(
        &format!("SELECT {POST_COLS} FROM posts WHERE id = $1"),
        &[&id.0],
    )?
    .map(|row| post_from_row(&row))
    .transpose()
}
