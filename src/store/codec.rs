//! Turning rows back into domain values, with errors that name the table and row instead of panicking.

use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Result, StoreError};
use crate::domain::{ActionKind, Category, Network};

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub(in crate::store) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// `usize` limits as SQLite integers (saturating: `usize::MAX` means "no limit").
pub(in crate::store) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Follow-up due dates are stored as `YYYY-MM-DD`.
pub(in crate::store) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// One row of either backend being decoded (the SQLite modules name it from here).
pub(super) use super::rows::Cells;

// Stored values back into domain values, shared by both backends' row decoders; `Err` is the detail of a
// `StoreError::Corrupt` the caller names its row in.

pub(in crate::store) fn time_of(v: i64) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| format!("time out of range: {v}"))
}

pub(in crate::store) fn date_of(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("bad date {s:?}: {e}"))
}

pub(in crate::store) fn network_of(s: &str) -> std::result::Result<Network, String> {
    Network::parse(s).ok_or_else(|| format!("unknown network {s:?}"))
}

pub(in crate::store) fn category_of(s: &str) -> std::result::Result<Category, String> {
    Category::parse(s).ok_or_else(|| format!("unknown category {s:?}"))
}

pub(in crate::store) fn action_kind_of(s: &str) -> std::result::Result<ActionKind, String> {
    ActionKind::parse(s).ok_or_else(|| format!("unknown action kind {s:?}"))
}

/// A draft's stored state and failure text.
pub(in crate::store) fn draft_state_of(
    state: &str,
    failure: Option<String>,
) -> std::result::Result<crate::domain::DraftState, String> {
    use crate::domain::DraftState;
    match state {
        "editing" => Ok(DraftState::Editing),
        "failed" => Ok(DraftState::Failed(failure.unwrap_or_default())),
        "unconfirmed" => Ok(DraftState::Unconfirmed(failure.unwrap_or_default())),
        other => Err(format!("unknown draft state {other:?}")),
    }
}

pub(in crate::store) fn usize_of(v: i64) -> std::result::Result<usize, String> {
    usize::try_from(v).map_err(|_| format!("negative count {v}"))
}

/// NULL or empty text gives `None`.
pub(in crate::store) fn json_of<T: serde::de::DeserializeOwned>(
    s: Option<&str>,
) -> std::result::Result<Option<T>, String> {
    match s {
        None | Some("") => Ok(None),
        Some(s) => serde_json::from_str(s)
            .map(Some)
            .map_err(|e| format!("bad JSON: {e}")),
    }
}

/// JSON for the values a batch stores, written into one reused buffer instead of a `String` per value.
#[derive(Default)]
pub(in crate::store) struct JsonBuf(Vec<u8>);

impl JsonBuf {
    pub(in crate::store) fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends `v` as JSON; returns where it is, for [`JsonBuf::text`].
    pub(in crate::store) fn push<T: serde::Serialize>(&mut self, v: &T) -> Result<Range<usize>> {
        let start = self.0.len();
        serde_json::to_writer(&mut self.0, v).map_err(|e| unencodable(e.to_string()))?;
        Ok(start..self.0.len())
    }

    pub(in crate::store) fn text(&self, at: Range<usize>) -> Result<&str> {
        let bytes = self.0.get(at).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|e| unencodable(e.to_string()))
    }
}

pub(in crate::store) fn unencodable(detail: String) -> StoreError {
    StoreError::Corrupt {
        what: "value to store".into(),
        detail: format!("cannot encode as JSON: {detail}"),
    }
}
