//! Turning rows back into domain values, with errors that name the table and row instead of panicking.

use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;
use rusqlite::types::FromSql;

use super::{Result, StoreError};
use crate::domain::{ActionKind, Category, Network};

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// `usize` limits as SQLite integers (saturating: `usize::MAX` means "no limit").
pub(super) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Follow-up due dates are stored as `YYYY-MM-DD`.
pub(super) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// One row being decoded: knows its table and id so every error can say which row is broken.
pub(super) struct Cells<'a, 'r> {
    row: &'a Row<'r>,
    table: &'static str,
    id: String,
}

impl<'a, 'r> Cells<'a, 'r> {
    /// `key` is the column index of the row's key (read first, as text for the message).
    pub(super) fn new(row: &'a Row<'r>, table: &'static str, key: usize) -> Cells<'a, 'r> {
        let id = match row.get_ref(key) {
            Ok(v) => match v {
                rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            },
            Err(_) => "?".to_string(),
        };
        Cells { row, table, id }
    }

    pub(super) fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what: format!("{} row {}", self.table, self.id),
            detail: detail.into(),
        }
    }

    pub(super) fn get<T: FromSql>(&self, idx: usize) -> Result<T> {
        self.row.get(idx).map_err(|e| {
            let name = self.row.as_ref().column_name(idx).unwrap_or("?");
            self.corrupt(format!("column {name}: {e}"))
        })
    }

    pub(super) fn time(&self, idx: usize) -> Result<DateTime<Utc>> {
        let v: i64 = self.get(idx)?;
        DateTime::from_timestamp_millis(v)
            .ok_or_else(|| self.corrupt(format!("time out of range: {v}")))
    }

    pub(super) fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>> {
        match self.get::<Option<i64>>(idx)? {
            None => Ok(None),
            Some(v) => DateTime::from_timestamp_millis(v)
                .map(Some)
                .ok_or_else(|| self.corrupt(format!("time out of range: {v}"))),
        }
    }

    pub(super) fn date(&self, idx: usize) -> Result<NaiveDate> {
        let s: String = self.get(idx)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| self.corrupt(format!("bad date {s:?}: {e}")))
    }

    pub(super) fn network(&self, idx: usize) -> Result<Network> {
        let s: String = self.get(idx)?;
        Network::parse(&s).ok_or_else(|| self.corrupt(format!("unknown network {s:?}")))
    }

    pub(super) fn category(&self, idx: usize) -> Result<Category> {
        let s: String = self.get(idx)?;
        Category::parse(&s).ok_or_else(|| self.corrupt(format!("unknown category {s:?}")))
    }

    pub(super) fn action_kind(&self, idx: usize) -> Result<ActionKind> {
        let s: String = self.get(idx)?;
        ActionKind::parse(&s).ok_or_else(|| self.corrupt(format!("unknown action kind {s:?}")))
    }

    pub(super) fn usize(&self, idx: usize) -> Result<usize> {
        let v: i64 = self.get(idx)?;
        usize::try_from(v).map_err(|_| self.corrupt(format!("negative count {v}")))
    }

    /// A JSON column decoded into `T`; NULL or empty text gives `None`.
    pub(super) fn json<T: serde::de::DeserializeOwned>(&self, idx: usize) -> Result<Option<T>> {
        match self.get::<Option<String>>(idx)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| self.corrupt(format!("bad JSON: {e}"))),
        }
    }
}

/// JSON for the values a batch stores, written into one reused buffer instead of a `String` per value.
#[derive(Default)]
pub(super) struct JsonBuf(Vec<u8>);

impl JsonBuf {
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends `v` as JSON; returns where it is, for [`JsonBuf::text`].
    pub(super) fn push<T: serde::Serialize>(&mut self, v: &T) -> Result<Range<usize>> {
        let start = self.0.len();
        serde_json::to_writer(&mut self.0, v).map_err(|e| unencodable(e.to_string()))?;
        Ok(start..self.0.len())
    }

    pub(super) fn text(&self, at: Range<usize>) -> Result<&str> {
        let bytes = self.0.get(at).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|e| unencodable(e.to_string()))
    }
}

fn unencodable(detail: String) -> StoreError {
    StoreError::Corrupt {
        what: "value to store".into(),
        detail: format!("cannot encode as JSON: {detail}"),
    }
}
