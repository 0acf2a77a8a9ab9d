//! [`AssignRepo`] on SQLite, and the rules both backends apply: what an assignment's action says, and whose
//! turn it is in the round robin.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::codec::{Cells, ms};
use super::repository::AssignRepo;
use super::rows::{AnyRow, Arg, Decode, Query};
use super::{Db, Result, StoreError};
use crate::domain::{Action, ActionKind, CustomerId, Doing, NewAction, PostId, Presence, TeamView};

/// Who assigns in the round robin (the `assigned_by` of its assignments).
pub(super) const ROUND_ROBIN: &str = "round robin";

/// The `assigned` action for a change from `was` to `to`; `None` when nothing changes.
pub(super) fn assigned_action(
    post: PostId,
    customer: Option<CustomerId>,
    was: Option<&str>,
    to: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Option<NewAction> {
    let note = match (was, to) {
        (was, to) if was == to => return None,
        (_, Some(to)) if by == ROUND_ROBIN => format!("to {to} (round robin)"),
        (_, Some(to)) => format!("to {to}"),
        (Some(was), None) => format!("unassigned (was {was})"),
        (None, None) => return None,
    };
    Some(NewAction {
        post: Some(post),
        customer,
        kind: ActionKind::Assigned,
        note,
        at,
        url: None,
    })
}

/// The round robin's next person: the first of `present` (sorted, distinct) after `last` in name order, from
/// the start again past the end.
fn next_in_turn<'a>(present: &'a [String], last: Option<&str>) -> Option<&'a str> {
    let after = last.and_then(|l| present.iter().find(|p| p.as_str() > l));
    after.or(present.first()).map(String::as_str)
}

/// Assigning a post that is not stored.
pub(super) fn no_post(post: PostId) -> StoreError {
    StoreError::Conflict(format!(
        "post {} is not stored (forgotten since?): nothing to assign",
        post.0
    ))
}

/// The presence row's stored `doing`.
fn doing_of(s: &str) -> std::result::Result<Doing, String> {
    Doing::parse(s).ok_or_else(|| format!("unknown presence {s:?}"))
}

/// Open posts' assignees and teammates' heartbeats since `since` (newest first), on either backend.
pub(super) fn team_view(q: &mut impl Query, me: &str, since: DateTime<Utc>) -> Result<TeamView> {
    let assignees: Vec<(PostId, Staff)> = q.rows(
        "SELECT a.post_id, a.staff FROM assignments a JOIN posts p ON p.id = a.post_id
         WHERE p.handled_at IS NULL AND p.dismissed_at IS NULL",
        &[],
    )?;
    let present = q.rows(
        "SELECT staff, post_id, doing, at FROM presence WHERE staff <> ? AND at >= ?
         ORDER BY at DESC, staff",
        &[Arg::Text(me), Arg::Int(ms(since))],
    )?;
    Ok(TeamView {
        assignees: assignees.into_iter().map(|(p, a)| (p, a.0)).collect(),
        present,
    })
}

/// The round robin's deal of `posts`: to whom each one nobody has goes, taking turns in name order among those
/// with a heartbeat since `since`, after whoever it dealt the last post to. Read on either backend; the caller
/// assigns inside the same transaction.
pub(super) fn deal_turns(
    q: &mut impl Query,
    posts: &[PostId],
    since: DateTime<Utc>,
) -> Result<Vec<(PostId, String)>> {
    let present: Vec<String> = q
        .rows::<Staff>(
            "SELECT DISTINCT staff FROM presence WHERE at >= ? ORDER BY staff",
            &[Arg::Int(ms(since))],
        )?
        .into_iter()
        .map(|s| s.0)
        .collect();
    let mut last = q
        .first::<Staff>(
            "SELECT staff FROM assignments WHERE assigned_by = ? ORDER BY at DESC, post_id DESC
             LIMIT 1",
            &[Arg::Text(ROUND_ROBIN)],
        )?
        .map(|s| s.0);
    let mut turns: Vec<(PostId, String)> = Vec::new();
    for post in posts {
        let Some(to) = next_in_turn(&present, last.as_deref()) else {
            break;
        };
        let taken = turns.iter().any(|(p, _)| p == post)
            || (q.first::<Staff>(
                "SELECT staff FROM assignments WHERE post_id = ?",
                &[Arg::Int(post.0)],
            )?)
            .is_some();
        if taken {
            continue;
        }
        turns.push((*post, to.to_string()));
        last = Some(to.to_string());
    }
    Ok(turns)
}

/// A person's name: the first column of a row of `presence` or `assignments`.
struct Staff(String);

impl Decode for Staff {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Staff> {
        Ok(Staff(Cells::new(row, "assignments", 0).get(0)?))
    }
}

/// Whom a post is assigned to (a row of [`team_view`]'s first query).
impl Decode for (PostId, Staff) {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self> {
        let c = Cells::new(row, "assignments", 0);
        Ok((PostId(c.get(0)?), Staff(c.get(1)?)))
    }
}

impl Decode for Presence {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Presence> {
        let c = Cells::new(row, "presence", 0);
        Ok(Presence {
            staff: c.get(0)?,
            post: PostId(c.get(1)?),
            doing: doing_of(&c.get::<String>(2)?).map_err(|d| c.corrupt(d))?,
            at: c.time(3)?,
        })
    }
}

impl AssignRepo for Db {
    fn assign(
        &mut self,
        post: PostId,
        to: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Action>> {
        let tx = self.write_tx()?;
        let logged = assign_in(&tx, post, to, by, at)?;
        tx.commit()?;
        Ok(logged)
    }

    fn team_view(&self, me: &str, since: DateTime<Utc>) -> Result<TeamView> {
        team_view(&mut &self.conn, me, since)
    }

    fn beat(
        &mut self,
        staff: &str,
        doing: Option<(PostId, Doing)>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match doing {
            Some((post, doing)) => self.conn.prepare_cached(
                "INSERT INTO presence (staff, post_id, doing, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (staff) DO UPDATE SET post_id = excluded.post_id, doing = excluded.doing,
                     at = excluded.at",
            )?
            .execute(params![staff, post.0, doing.as_str(), ms(at)])?,
            None => self
                .conn
                .prepare_cached("DELETE FROM presence WHERE staff = ?1")?
                .execute([staff])?,
        };
        Ok(())
    }

    fn deal(
        &mut self,
        posts: &[PostId],
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Action>> {
        let tx = self.write_tx()?;
        let turns = deal_turns(&mut &*tx, posts, since)?;
        let mut dealt = Vec::new();
        for (post, to) in turns {
            dealt.extend(assign_in(&tx, post, Some(&to), ROUND_ROBIN, at)?);
        }
        tx.commit()?;
        Ok(dealt)
    }
}

/// Assigns inside the caller's transaction.
fn assign_in(
    tx: &rusqlite::Transaction<'_>,
    post: PostId,
    to: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Action>> {
    let customer: Option<Option<i64>> = tx
        .prepare_cached("SELECT customer_id FROM posts WHERE id = ?1")?
        .query_row([post.0], |row| row.get(0))
        .optional()?;
    let Some(customer) = customer else {
        return Err(no_post(post));
    };
    let was: Option<String> = tx
        .prepare_cached("SELECT staff FROM assignments WHERE post_id = ?1")?
        .query_row([post.0], |row| row.get(0))
        .optional()?;
    let Some(action) = assigned_action(post, customer.map(CustomerId), was.as_deref(), to, by, at)
    else {
        return Ok(None);
    };
    match to {
        Some(to) => tx
            .prepare_cached(
                "INSERT INTO assignments (post_id, staff, assigned_by, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (post_id) DO UPDATE SET staff = excluded.staff,
                 assigned_by = excluded.assigned_by, at = excluded.at",
            )?
            .execute(params![post.0, to, by, ms(at)])?,
        None => tx
            .prepare_cached("DELETE FROM assignments WHERE post_id = ?1")?
            .execute([post.0])?,
    };
    Ok(Some(super::actions::insert_action(tx, by, &action)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_turn_goes_round_in_name_order() {
        let team: Vec<String> = ["ana", "ben", "cy"].map(String::from).to_vec();
        assert_eq!(next_in_turn(&team, None), Some("ana"));
        assert_eq!(next_in_turn(&team, Some("ana")), Some("ben"));
        assert_eq!(next_in_turn(&team, Some("cy")), Some("ana"), "round again");
        assert_eq!(
            next_in_turn(&team, Some("bea")),
            Some("ben"),
            "whoever got the last one left: the next name on"
        );
        assert_eq!(next_in_turn(&[], Some("ana")), None);
    }

    #[test]
    fn the_action_says_what_changed() {
        let at = DateTime::from_timestamp_millis(0).unwrap();
        let note = |was, to, by| assigned_action(PostId(1), None, was, to, by, at).map(|a| a.note);
        assert_eq!(note(None, Some("ana"), "ben").as_deref(), Some("to ana"));
        assert_eq!(note(Some("ana"), Some("ana"), "ben"), None);
        assert_eq!(
            note(Some("ana"), None, "ana").as_deref(),
            Some("unassigned (was ana)")
        );
        assert_eq!(note(None, None, "ana"), None);
        assert_eq!(
            note(None, Some("cy"), ROUND_ROBIN).as_deref(),
            Some("to cy (round robin)")
        );
    }
}
