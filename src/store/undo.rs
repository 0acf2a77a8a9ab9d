//! Taking back what was done: a post reopened or dismissed, the last action undone, triage corrected.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::actions::insert_action;
use super::codec::{Cells, ms};
use super::posts::{POST_COLS, query_posts, refresh_attention_rank};
use super::repository::ReviewRepo;
use super::{Db, Result, StoreError};
use crate::domain::{
    Action, ActionKind, Category, Correction, CustomerId, NewAction, Post, PostId, Undo,
};

pub(super) const CORRECTION_COLS: &str =
    "id, post_id, category, was, original_category, original_score, original_reasons, at, staff";

impl ReviewRepo for Db {
    fn reopen_post(
        &mut self,
        staff: &str,
        post: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Action)>> {
        self.close_or_open(staff, post, ActionKind::Reopened, at, |tx| {
            tx.prepare_cached(
                "UPDATE posts SET handled_at = NULL, dismissed_at = NULL WHERE id = ?1",
            )?
            .execute([post.0])?;
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
            tx.prepare_cached(
                "UPDATE posts SET dismissed_at = COALESCE(dismissed_at, ?2) WHERE id = ?1",
            )?
            .execute(params![post.0, ms(at)])?;
            Ok(())
        })
    }

    /// A time on the post equal to the action's was set by it (each is set only when unset): it goes back to
    /// unset. Nothing else on the post changes.
    fn undo(&mut self, undo: &Undo) -> Result<Option<Post>> {
        let tx = self.write_tx()?;
        match undo {
            Undo::Action(action) => delete_action(&tx, action)?,
            Undo::FollowUpScheduled { follow_up, action } => {
                tx.prepare_cached("DELETE FROM follow_ups WHERE id = ?1")?
                    .execute([follow_up.id])?;
                delete_action(&tx, action)?;
            }
            Undo::FollowUpCompleted { follow_up, action } => {
                tx.prepare_cached("UPDATE follow_ups SET done_at = NULL WHERE id = ?1")?
                    .execute([follow_up.id])?;
                delete_action(&tx, action)?;
            }
            Undo::Correction(c) => {
                tx.prepare_cached("DELETE FROM corrections WHERE id = ?1")?
                    .execute([c.id])?;
                tx.prepare_cached(
                    "UPDATE posts SET category = ?3 WHERE id = ?1 AND category = ?2",
                )?
                .execute(params![
                    c.post.0,
                    c.category.as_str(),
                    c.was.as_str()
                ])?;
                refresh_attention_rank(&tx, c.post)?;
            }
        }
        let post = match undo.post() {
            Some(id) => post_in(&tx, id)?,
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
        let tx = self.write_tx()?;
        let Some(before) = post_in(&tx, post)? else {
            return Ok(None);
        };
        let (mut correction, reasons) =
            correcting(&before, first_correction(&tx, post)?, category, at, staff)?;
        tx.prepare_cached(&format!(
            "INSERT INTO corrections ({CORRECTION_COLS}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            post.0,
            category.as_str(),
            correction.was.as_str(),
            correction.original.category.as_str(),
            f64::from(correction.original.score),
            reasons,
            ms(at),
            staff,
        ])?;
        correction.id = tx.last_insert_rowid();
        tx.prepare_cached("UPDATE posts SET category = ?2 WHERE id = ?1")?
            .execute(params![post.0, category.as_str()])?;
        refresh_attention_rank(&tx, post)?;
        let corrected = post_in(&tx, post)?;
        tx.commit()?;
        Ok(corrected.map(|p| (p, correction)))
    }

    fn corrections(&self) -> Result<Vec<(Correction, Post)>> {
        let corrections = query_corrections(
            &self.conn,
            &format!("SELECT {CORRECTION_COLS} FROM corrections ORDER BY at, id"),
            [],
        )?;
        let mut out = Vec::with_capacity(corrections.len());
        for c in corrections {
            if let Some(post) = post_in(&self.conn, c.post)? {
                out.push((c, post));
            }
        }
        Ok(out)
    }
}

impl Db {
    /// The post's latest correction, for Detail.
    pub(super) fn latest_correction(&self, post: PostId) -> Result<Option<Correction>> {
        Ok(query_corrections(
            &self.conn,
            &format!(
                "SELECT {CORRECTION_COLS} FROM corrections WHERE post_id = ?1 ORDER BY at DESC, id DESC LIMIT 1"
            ),
            [post.0],
        )?
        .pop())
    }

    /// Changes a post with `change` and logs `kind` for it, in ONE transaction; `None`: no such post.
    fn close_or_open(
        &mut self,
        staff: &str,
        post: PostId,
        kind: ActionKind,
        at: DateTime<Utc>,
        change: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<Option<(Post, Action)>> {
        let tx = self.write_tx()?;
        let customer: Option<Option<i64>> = tx
            .prepare_cached("SELECT customer_id FROM posts WHERE id = ?1")?
            .query_row([post.0], |r| r.get(0))
            .optional()?;
        let Some(customer) = customer else {
            return Ok(None);
        };
        change(&tx)?;
        let action = insert_action(
            &tx,
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
        let changed = post_in(&tx, post)?;
        tx.commit()?;
        Ok(changed.map(|p| (p, action)))
    }
}

/// The correction of `before` to `category` that both backends store (its id is the store's to give), and its
/// original triage's reasons as stored: the first correction (`first`) keeps the triage the post arrived with,
/// later ones copy it from the first.
pub(in crate::store) fn correcting(
    before: &Post,
    first: Option<Correction>,
    category: Category,
    at: DateTime<Utc>,
    staff: &str,
) -> Result<(Correction, String)> {
    let original = match first {
        Some(first) => first.original,
        None => before.triage.clone(),
    };
    let reasons = serde_json::to_string(&original.reasons).map_err(|e| StoreError::Corrupt {
        what: format!("post {}", before.id.0),
        detail: format!("its reasons cannot be written: {e}"),
    })?;
    let correction = Correction {
        id: 0,
        post: before.id,
        category,
        was: before.triage.category,
        original,
        at,
        staff: staff.to_string(),
    };
    Ok((correction, reasons))
}

/// Deletes a logged action and puts back the post's times it set.
fn delete_action(conn: &Connection, action: &Action) -> Result<()> {
    conn.prepare_cached("DELETE FROM actions WHERE id = ?1")?
        .execute([action.id])?;
    let Some(post) = action.post else {
        return Ok(());
    };
    let at = ms(action.at);
    let unset = |column: &str| -> Result<()> {
        conn.prepare_cached(&format!(
            "UPDATE posts SET {column} = NULL WHERE id = ?1 AND {column} = ?2"
        ))?
        .execute(params![post.0, at])?;
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

fn post_in(conn: &Connection, id: PostId) -> Result<Option<Post>> {
    Ok(query_posts(
        conn,
        &format!("SELECT {POST_COLS} FROM posts WHERE id = ?1"),
        [id.0],
    )?
    .pop())
}

fn first_correction(conn: &Connection, post: PostId) -> Result<Option<Correction>> {
    Ok(query_corrections(
        conn,
        &format!(
            "SELECT {CORRECTION_COLS} FROM corrections WHERE post_id = ?1 ORDER BY at, id LIMIT 1"
        ),
        [post.0],
    )?
    .pop())
}

fn query_corrections(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Correction>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(super::decode::correction_of(&Cells::new(
            row,
            "corrections",
            0,
        ))?);
    }
    Ok(out)
}
