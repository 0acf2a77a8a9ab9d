//! A row of either backend, read one way: [`Cells`] decodes a `rusqlite::Row` or a `postgres::Row` (its
//! [`Cell`] impls are in `pg::codec`) with errors that name the table and row, so one decoder per domain value
//! serves both stores; [`Query`] runs SQL written once for both.

use chrono::{DateTime, NaiveDate, Utc};

use super::codec::{action_kind_of, category_of, date_of, json_of, network_of, time_of, usize_of};
use super::{Result, StoreError};
use crate::domain::{ActionKind, Category, CustomerId, Network};

/// A row's key and column names, for the messages of a row that does not decode.
pub(in crate::store) trait Keyed {
    /// The cell at `idx` as text (the row's key).
    fn key(&self, idx: usize) -> String;
    fn column(&self, idx: usize) -> &str;
}

/// A cell read as `T`; `Err` is the backend's reason.
pub(in crate::store) trait Cell<T>: Keyed {
    fn cell(&self, idx: usize) -> std::result::Result<T, String>;
}

/// The cell types the shared decoders read: what both backends' rows give.
pub(in crate::store) trait AnyRow:
    Cell<i64> + Cell<Option<i64>> + Cell<String> + Cell<Option<String>> + Cell<bool> + Cell<f64>
{
}

impl<R> AnyRow for R where
    R: Cell<i64>
        + Cell<Option<i64>>
        + Cell<String>
        + Cell<Option<String>>
        + Cell<bool>
        + Cell<f64>
        + ?Sized
{
}

impl Keyed for rusqlite::Row<'_> {
    fn key(&self, idx: usize) -> String {
        match self.get_ref(idx) {
            Ok(rusqlite::types::ValueRef::Integer(i)) => i.to_string(),
            Ok(rusqlite::types::ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
            Ok(other) => format!("{other:?}"),
            Err(_) => "?".to_string(),
        }
    }

    fn column(&self, idx: usize) -> &str {
        self.as_ref().column_name(idx).unwrap_or("?")
    }
}

impl<T: rusqlite::types::FromSql> Cell<T> for rusqlite::Row<'_> {
    fn cell(&self, idx: usize) -> std::result::Result<T, String> {
        self.get(idx).map_err(|e| e.to_string())
    }
}

/// One row being decoded: knows its table and key so every error can say which row is broken.
pub(in crate::store) struct Cells<'a, R: ?Sized> {
    row: &'a R,
    table: &'static str,
    id: String,
}

impl<'a, R: Keyed + ?Sized> Cells<'a, R> {
    /// `key` is the column index of the row's key (read first, as text for the message).
    pub(in crate::store) fn new(row: &'a R, table: &'static str, key: usize) -> Cells<'a, R> {
        Cells {
            row,
            table,
            id: row.key(key),
        }
    }

    pub(in crate::store) fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what: format!("{} row {}", self.table, self.id),
            detail: detail.into(),
        }
    }

    pub(in crate::store) fn get<T>(&self, idx: usize) -> Result<T>
    where
        R: Cell<T>,
    {
        self.row
            .cell(idx)
            .map_err(|e| self.corrupt(format!("column {}: {e}", self.row.column(idx))))
    }

    /// A text cell through one of the pure parsers in [`super::codec`].
    fn parsed<T>(
        &self,
        idx: usize,
        parse: impl FnOnce(&str) -> std::result::Result<T, String>,
    ) -> Result<T>
    where
        R: Cell<String>,
    {
        parse(&self.get::<String>(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn time(&self, idx: usize) -> Result<DateTime<Utc>>
    where
        R: Cell<i64>,
    {
        time_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>>
    where
        R: Cell<Option<i64>>,
    {
        self.get::<Option<i64>>(idx)?
            .map(time_of)
            .transpose()
            .map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn date(&self, idx: usize) -> Result<NaiveDate>
    where
        R: Cell<String>,
    {
        self.parsed(idx, date_of)
    }

    pub(in crate::store) fn network(&self, idx: usize) -> Result<Network>
    where
        R: Cell<String>,
    {
        self.parsed(idx, network_of)
    }

    pub(in crate::store) fn category(&self, idx: usize) -> Result<Category>
    where
        R: Cell<String>,
    {
        self.parsed(idx, category_of)
    }

    pub(in crate::store) fn action_kind(&self, idx: usize) -> Result<ActionKind>
    where
        R: Cell<String>,
    {
        self.parsed(idx, action_kind_of)
    }

    pub(in crate::store) fn usize(&self, idx: usize) -> Result<usize>
    where
        R: Cell<i64>,
    {
        usize_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    /// A JSON text column decoded into `T`; NULL or empty text gives `None`.
    pub(in crate::store) fn json<T: serde::de::DeserializeOwned>(
        &self,
        idx: usize,
    ) -> Result<Option<T>>
    where
        R: Cell<Option<String>>,
    {
        json_of(self.get::<Option<String>>(idx)?.as_deref()).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn customer(&self, idx: usize) -> Result<Option<CustomerId>>
    where
        R: Cell<Option<i64>>,
    {
        Ok(self.get::<Option<i64>>(idx)?.map(CustomerId))
    }
}

/// A value one row of a shared query decodes into.
pub(in crate::store) trait Decode: Sized {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Self>;
}

/// A parameter of a shared query.
#[derive(Debug, Clone, Copy)]
pub(in crate::store) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(v) => v.to_sql(),
            Arg::Text(v) => v.to_sql(),
        }
    }
}

/// A connection running SQL written once for both backends: `?` placeholders, one per argument in order
/// (PostgreSQL's are numbered by its impl, in `pg::codec`).
pub(in crate::store) trait Query {
    fn rows<T: Decode>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>>;

    /// The first row, if any.
    fn first<T: Decode>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>> {
        Ok(self.rows(sql, args)?.into_iter().next())
    }
}

impl Query for &rusqlite::Connection {
    fn rows<T: Decode>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(T::decode(row)?);
        }
        Ok(out)
    }
}
