//! PostgreSQL rows back into domain values: `postgres::Row` read through the shared [`Cells`] (errors name the
//! table and row), and [`Query`] for SQL written once for both backends.

use postgres::types::{FromSql, ToSql};
use postgres::{Client, GenericClient, Row};

use super::search::numbered;
use crate::domain::{Action, Correction, Post, Reply};
use crate::store::Result;
use crate::store::decode;
use crate::store::posts::decode_post;
pub(in crate::store) use crate::store::rows::Cells;
use crate::store::rows::{AnyRow, Arg, Cell, Decode, Keyed, Query};

// The same columns as SQLite's, in the same order: one list per table for both backends.
pub(in crate::store) use crate::store::actions::ACTION_COLS;
pub(in crate::store) use crate::store::posts::POST_COLS;
pub(in crate::store) use crate::store::undo::CORRECTION_COLS;
pub(in crate::store) use crate::store::work::REPLY_COLS;

impl Keyed for Row {
    fn key(&self, idx: usize) -> String {
        match (self.try_get::<_, i64>(idx), self.try_get::<_, String>(idx)) {
            (Ok(i), _) => i.to_string(),
            (_, Ok(s)) => s,
            _ => "?".to_string(),
        }
    }

    fn column(&self, idx: usize) -> &str {
        self.columns().get(idx).map_or("?", |c| c.name())
    }
}

impl<T: for<'a> FromSql<'a>> Cell<T> for Row {
    fn cell(&self, idx: usize) -> std::result::Result<T, String> {
        self.try_get(idx).map_err(|e| e.to_string())
    }
}

impl Arg<'_> {
    fn pg(&self) -> &(dyn ToSql + Sync) {
        match self {
            Arg::Int(v) => v,
            Arg::Text(v) => v,
        }
    }
}

/// Shared SQL run on a connection or inside a transaction.
fn rows_of<T: Decode>(c: &mut impl GenericClient, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(Arg::pg).collect();
    c.query(&numbered(sql), &params)?
        .iter()
        .map(T::decode)
        .collect()
}

impl Query for Client {
    fn rows<T: Decode>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        rows_of(self, sql, args)
    }
}

impl Query for postgres::Transaction<'_> {
    fn rows<T: Decode>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        rows_of(self, sql, args)
    }
}

/// A post from a row of [`POST_COLS`] (the columns may be followed by others).
pub(in crate::store) fn post_from_row(row: &Row) -> Result<Post> {
    decode_post(row)
}

/// An action from a row of [`ACTION_COLS`].
pub(in crate::store) fn action_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<Action> {
    decode::action_of(&Cells::new(row, "actions", 0))
}

/// Actions decode the same from either backend's row.
impl Decode for Action {
    fn decode<R: AnyRow + ?Sized>(row: &R) -> Result<Action> {
        action_from_row(row)
    }
}

/// A reply from a row of [`REPLY_COLS`].
pub(in crate::store) fn reply_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<Reply> {
    decode::reply_of(&Cells::new(row, "replies", 0))
}

/// A correction from a row of [`CORRECTION_COLS`].
pub(in crate::store) fn correction_from_row<R: AnyRow + ?Sized>(row: &R) -> Result<Correction> {
    decode::correction_of(&Cells::new(row, "corrections", 0))
}

/// Every row of a query of [`POST_COLS`] as posts.
pub(in crate::store) fn posts_from_rows(rows: &[Row]) -> Result<Vec<Post>> {
    rows.iter().map(decode_post).collect()
}
