//! [`TeamRepo`] on SQLite, and the rule both backends apply to a post's claim.
//!
//! SQLite serialises writers: the claim is read and written inside one `BEGIN IMMEDIATE` transaction, so two
//! processes on one file cannot both find the post unclaimed.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::codec::{Cells, ms};
use super::repository::TeamRepo;
use super::{Db, Result, StoreError};
use crate::domain::{Claim, PostId, Taken};

/// The claim stored on a post: who took it, for which attempt, when, and when that attempt's reply was
/// recorded (if it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Holder {
    pub staff: String,
    pub key: String,
    pub at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// What to write after reading the post's claim.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Take (or keep) the claim.
    Take,
    /// Take it from someone else, recording the override.
    Override(Taken),
    /// Leave everything as it is and answer with who holds it.
    Refuse(Taken),
}

/// The rule: a post claimed by nobody, by `staff`, or by this very attempt (`key`) is taken; one claimed by
/// someone else is refused unless a person confirmed sending `anyway`.
pub(super) fn decide(holder: Option<Holder>, staff: &str, key: &str, anyway: bool) -> Decision {
    let Some(holder) = holder.filter(|h| h.staff != staff && h.key != key) else {
        return Decision::Take;
    };
    let taken = Taken {
        by: holder.staff,
        at: holder.replied_at.unwrap_or(holder.at),
        replied: holder.replied_at.is_some(),
    };
    if anyway {
        Decision::Override(taken)
    } else {
        Decision::Refuse(taken)
    }
}

/// Claiming a post that is not stored (forgotten meanwhile, say).
pub(super) fn no_post(post: PostId) -> StoreError {
    StoreError::Conflict(format!(
        "post {} is not stored (forgotten since?): nothing to reply to",
        post.0
    ))
}

/// The claim and its reply, read in the claiming transaction.
const HOLDER_SQL: &str = "SELECT c.staff, c.idempotency_key, c.at,
        (SELECT max(r.sent_at) FROM replies r WHERE r.idempotency_key = c.idempotency_key)
     FROM reply_claims c WHERE c.post_id = ?1";

fn decode_holder(row: &rusqlite::Row<'_>) -> Result<Holder> {
    let c = Cells::new(row, "reply_claims", 0);
    Ok(Holder {
        staff: c.get(0)?,
        key: c.get(1)?,
        at: c.time(2)?,
        replied_at: c.opt_time(3)?,
    })
}

impl TeamRepo for Db {
    fn claim_reply(
        &mut self,
        post: PostId,
        staff: &str,
        key: &str,
        at: DateTime<Utc>,
        anyway: bool,
    ) -> Result<Claim> {
        let tx = self.write_tx()?;
        let stored = tx
            .prepare_cached("SELECT 1 FROM posts WHERE id = ?1")?
            .exists([post.0])?;
        if !stored {
            return Err(no_post(post));
        }
        let holder = tx
            .prepare_cached(HOLDER_SQL)?
            .query_row([post.0], |row| Ok(decode_holder(row)))
            .optional()?
            .transpose()?;
        match decide(holder, staff, key, anyway) {
            Decision::Refuse(taken) => return Ok(Claim::Taken(taken)),
            Decision::Override(taken) => {
                tx.prepare_cached(
                    "INSERT INTO claim_overrides (post_id, staff, over, replied, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    post.0,
                    staff,
                    taken.by,
                    taken.replied,
                    ms(at)
                ])?;
            }
            Decision::Take => {}
        }
        tx.prepare_cached(
            "INSERT INTO reply_claims (post_id, staff, idempotency_key, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (post_id) DO UPDATE SET staff = excluded.staff,
                 idempotency_key = excluded.idempotency_key, at = excluded.at",
        )?
        .execute(params![post.0, staff, key, ms(at)])?;
        tx.commit()?;
        Ok(Claim::Granted)
    }

    fn release_claim(&mut self, post: PostId, key: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM reply_claims WHERE post_id = ?1 AND idempotency_key = ?2")?
            .execute(params![post.0, key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(staff: &str, key: &str, replied: bool) -> Option<Holder> {
        let at = DateTime::from_timestamp_millis(1_000).unwrap();
        Some(Holder {
            staff: staff.into(),
            key: key.into(),
            at,
            replied_at: replied.then(|| DateTime::from_timestamp_millis(2_000).unwrap()),
        })
    }

    #[test]
    fn nobody_me_or_this_attempt_is_taken() {
        assert_eq!(decide(None, "ana", "k1", false), Decision::Take);
        assert_eq!(
            decide(holder("ana", "k0", true), "ana", "k1", false),
            Decision::Take
        );
        assert_eq!(
            decide(holder("ben", "k1", false), "ana", "k1", false),
            Decision::Take
        );
    }

    #[test]
    fn someone_else_is_named_and_overridden_only_when_confirmed() {
        let Decision::Refuse(taken) = decide(holder("ben", "k0", true), "ana", "k1", false) else {
            panic!("refused expected");
        };
        assert_eq!((taken.by.as_str(), taken.replied), ("ben", true));
        assert_eq!(taken.at.timestamp_millis(), 2_000, "when ben replied");
        let Decision::Override(taken) = decide(holder("ben", "k0", false), "ana", "k1", true)
        else {
            panic!("override expected");
        };
        assert_eq!((taken.replied, taken.at.timestamp_millis()), (false, 1_000));
    }
}
