//! Rows of the Log, follow-ups, replies, corrections, drafts and check-ins decoded once for both backends: each backend's `Cells` reads a
//! column by index and names its row in errors ([`Cell`]); what the columns mean is written here, once.

use chrono::{DateTime, Utc};

use super::codec::{
    action_kind_of, category_of, date_of, draft_state_of, json_of, network_of, time_of, usize_of,
};
use super::rows::{AnyRow, Cells};
use super::{Result, StoreError};
use crate::domain::checkin::{CheckInRecord, Tally};
use crate::domain::{Action, Correction, CustomerId, Draft, FollowUp, PostId, Reply, Triage};

/// One row of either backend, read by column index.
pub(in crate::store) trait Cell {
    fn int(&self, idx: usize) -> Result<i64>;
    fn opt_int(&self, idx: usize) -> Result<Option<i64>>;
    fn text(&self, idx: usize) -> Result<String>;
    fn opt_text(&self, idx: usize) -> Result<Option<String>>;
    fn real(&self, idx: usize) -> Result<f64>;
    /// A broken value, named with the row's table and key.
    fn broken(&self, detail: String) -> StoreError;

    fn when(&self, idx: usize) -> Result<DateTime<Utc>> {
        time_of(self.int(idx)?).map_err(|d| self.broken(d))
    }

    fn triage(&self, category: usize, score: usize, reasons: usize) -> Result<Triage> {
        Ok(Triage {
            category: category_of(&self.text(category)?).map_err(|d| self.broken(d))?,
            score: self.real(score)? as f32,
            reasons: json_of(self.opt_text(reasons)?.as_deref())
                .map_err(|d| self.broken(d))?
                .unwrap_or_default(),
        })
    }
}

/// An action from a row of `ACTION_COLS`.
pub(in crate::store) fn action_of(c: &impl Cell) -> Result<Action> {
    Ok(Action {
        id: c.int(0)?,
        post: c.opt_int(1)?.map(PostId),
        customer: c.opt_int(2)?.map(CustomerId),
        kind: action_kind_of(&c.text(3)?).map_err(|d| c.broken(d))?,
        note: c.text(4)?,
        at: c.when(5)?,
        url: c.opt_text(6)?,
        staff: c.text(7)?,
    })
}

/// A reply from a row of `REPLY_COLS`.
pub(in crate::store) fn reply_of(c: &impl Cell) -> Result<Reply> {
    Ok(Reply {
        post: PostId(c.int(1)?),
        network: network_of(&c.text(2)?).map_err(|d| c.broken(d))?,
        text: c.text(3)?,
        sent_at: c.when(4)?,
        url: c.opt_text(5)?,
        remote_id: c.opt_text(6)?,
        idempotency_key: c.opt_text(7)?,
        staff: c.text(8)?,
    })
}

/// A correction from a row of `CORRECTION_COLS`.
pub(in crate::store) fn correction_of(c: &impl Cell) -> Result<Correction> {
    let category = |idx| category_of(&c.text(idx)?).map_err(|d| c.broken(d));
    Ok(Correction {
        id: c.int(0)?,
        post: PostId(c.int(1)?),
        category: category(2)?,
        was: category(3)?,
        original: c.triage(4, 5, 6)?,
        at: c.when(7)?,
        staff: c.text(8)?,
    })
}

/// A draft from a row of `DRAFT_COLS` (whose it is, is the query's to say).
pub(in crate::store) fn draft_of(c: &impl Cell) -> Result<Draft> {
    let state = draft_state_of(&c.text(4)?, c.opt_text(5)?).map_err(|d| c.broken(d))?;
    let count = |idx| usize_of(c.int(idx)?).map_err(|d| c.broken(d));
    Ok(Draft {
        post: PostId(c.int(0)?),
        text: c.text(1)?,
        cursor: (count(2)?, count(3)?),
        state,
        idempotency_key: c.text(6)?,
        updated_at: c.when(7)?,
    })
}

/// A check-in from a row of `CHECK_IN_COLS`.
pub(in crate::store) fn check_in_of(c: &impl Cell) -> Result<CheckInRecord> {
    let count = |idx| -> Result<u32> {
        let n = c.int(idx)?;
        u32::try_from(n).map_err(|_| c.broken(format!("count out of range: {n}")))
    };
    Ok(CheckInRecord {
        started_at: c.when(1)?,
        ended_at: c.when(2)?,
        planned_secs: c.int(3)?,
        tally: Tally {
            seen: count(4)?,
            replied: count(5)?,
            logged: count(6)?,
            handled: count(7)?,
        },
        left: count(8)?,
        oldest_waiting: c
            .opt_int(9)?
            .map(time_of)
            .transpose()
            .map_err(|d| c.broken(d))?,
    })
}

/// A follow-up from a row of `FOLLOW_UP_COLS`.
pub(in crate::store) fn follow_up_of(c: &impl Cell) -> Result<FollowUp> {
    Ok(FollowUp {
        id: c.int(0)?,
        post: c.opt_int(1)?.map(PostId),
        customer: c.opt_int(2)?.map(CustomerId),
        due: date_of(&c.text(3)?).map_err(|d| c.broken(d))?,
        note: c.text(4)?,
        created_at: c.when(5)?,
        done_at: c
            .opt_int(6)?
            .map(time_of)
            .transpose()
            .map_err(|d| c.broken(d))?,
    })
}

/// [`Cell`] for the shared [`Cells`] of either backend's row, whose `get` reads what its driver converts and
/// whose `corrupt` names the row.
impl<R: AnyRow + ?Sized> Cell for Cells<'_, R> {
    fn int(&self, idx: usize) -> Result<i64> {
        self.get(idx)
    }
    fn opt_int(&self, idx: usize) -> Result<Option<i64>> {
        self.get(idx)
    }
    fn text(&self, idx: usize) -> Result<String> {
        self.get(idx)
    }
    fn opt_text(&self, idx: usize) -> Result<Option<String>> {
        self.get(idx)
    }
    fn real(&self, idx: usize) -> Result<f64> {
        self.get(idx)
    }
    fn broken(&self, detail: String) -> StoreError {
        self.corrupt(detail)
    }
}
