//! [`AssignRepo`] on PostgreSQL, and its migration: assignments, heartbeats and the triggers that announce
//! them to the other consoles.
//!
//! Assigning locks the post's row first (`SELECT ... FOR UPDATE`), so two people assigning one post at the same
//! moment are applied one after the other, each action saying what it changed.

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::PgDb;
use super::actions::insert_action;
use crate::domain::{Action, CustomerId, Doing, PostId, TeamView};
use crate::store::Result;
use crate::store::assign::{ROUND_ROBIN, assigned_action, no_post};
use crate::store::codec::ms;
use crate::store::repository::AssignRepo;

/// SQLite's V_ASSIGN, with the live triggers: an assignment announces itself; a heartbeat only when its person
/// starts, stops or moves to another post or from viewing to replying (a refresh every few seconds would
/// reload every console's panes for nothing; expiry is read, not announced).
pub(super) const V_ASSIGN: &str = r#"
CREATE TABLE assignments (
    post_id     BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    staff       TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX assignments_staff ON assignments (staff, post_id);
CREATE TABLE presence (
    staff   TEXT PRIMARY KEY,
    post_id BIGINT NOT NULL,
    doing   TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE TRIGGER assignments_changed AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION regulars_notify_row('post_id');
CREATE TRIGGER presence_came AFTER INSERT OR DELETE ON presence
    FOR EACH ROW EXECUTE FUNCTION regulars_notify_row('post_id');
CREATE TRIGGER presence_moved AFTER UPDATE ON presence
    FOR EACH ROW WHEN (OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.doing IS DISTINCT FROM NEW.doing)
    EXECUTE FUNCTION regulars_notify_row('post_id');
"#;

impl AssignRepo for PgDb {
    fn assign(
        &mut self,
        post: PostId,
        to: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Action>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let logged = assign_in(&mut tx, post, to, by, at)?;
        tx.commit()?;
        Ok(logged)
    }

    fn team_view(&self, me: &str, since: DateTime<Utc>) -> Result<TeamView> {
        crate::store::assign::team_view(&mut *self.conn()?, me, since)
    }

    fn beat(
        &mut self,
        staff: &str,
        doing: Option<(PostId, Doing)>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.conn()?;
        match doing {
            Some((post, doing)) => conn.execute(
                "INSERT INTO presence (staff, post_id, doing, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (staff) DO UPDATE SET post_id = excluded.post_id, doing = excluded.doing,
                     at = excluded.at",
                &[&staff, &post.0, &doing.as_str(), &ms(at)],
            )?,
            None => conn.execute("DELETE FROM presence WHERE staff = $1", &[&staff])?,
        };
        Ok(())
    }

    fn deal(
        &mut self,
        posts: &[PostId],
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Action>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let turns = crate::store::assign::deal_turns(&mut tx, posts, since)?;
        let mut dealt = Vec::new();
        for (post, to) in turns {
            dealt.extend(assign_in(&mut tx, post, Some(&to), ROUND_ROBIN, at)?);
        }
        tx.commit()?;
        Ok(dealt)
    }
}

/// Assigns inside the caller's transaction.
fn assign_in(
    tx: &mut impl GenericClient,
    post: PostId,
    to: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Action>> {
    let Some(row) = tx.query_opt(
        "SELECT customer_id FROM posts WHERE id = $1 FOR UPDATE",
        &[&post.0],
    )?
    else {
        return Err(no_post(post));
    };
    let customer: Option<i64> = row.try_get(0)?;
    let was: Option<String> = tx
        .query_opt(
            "SELECT staff FROM assignments WHERE post_id = $1",
            &[&post.0],
        )?
        .map(|row| row.try_get(0))
        .transpose()?;
    let Some(action) = assigned_action(post, customer.map(CustomerId), was.as_deref(), to, by, at)
    else {
        return Ok(None);
    };
    match to {
        Some(to) => tx.execute(
            "INSERT INTO assignments (post_id, staff, assigned_by, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (post_id) DO UPDATE SET staff = excluded.staff,
                 assigned_by = excluded.assigned_by, at = excluded.at",
            &[&post.0, &to, &by, &ms(at)],
        )?,
        None => tx.execute("DELETE FROM assignments WHERE post_id = $1", &[&post.0])?,
    };
    Ok(Some(insert_action(tx, by, &action)?))
}
