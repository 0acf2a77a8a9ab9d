//! PostgreSQL rows back into domain values: the twin of SQLite's `Cells` (errors name the table and row), over
//! the same pure parsers in [`crate::store::codec`].

use chrono::{DateTime, NaiveDate, Utc};
use postgres::Row;
use postgres::types::FromSql;

use crate::domain::{
    Action, ActionKind, Author, Category, Correction, CustomerId, Network, Post, PostId, Reply,
    Triage,
};
use crate::store::codec::{
    action_kind_of, category_of, date_of, json_of, network_of, time_of, usize_of,
};
use crate::store::decode;
use crate::store::{Result, StoreError};

// The same columns as SQLite's, in the same order: one list per table for both backends.
pub(in crate::store) use crate::store::actions::ACTION_COLS;
pub(in crate::store) use crate::store::posts::POST_COLS;
pub(in crate::store) use crate::store::undo::CORRECTION_COLS;
pub(in crate::store) use crate::store::work::REPLY_COLS;

/// One row being decoded: knows its table and key so every error can say which row is broken.
pub(in crate::store) struct Cells<'r> {
    row: &'r Row,
    table: &'static str,
    id: String,
}

impl<'r> Cells<'r> {
    /// `key` is the column index of the row's key (read first, as text for the message).
    pub(in crate::store) fn new(row: &'r Row, table: &'static str, key: usize) -> Cells<'r> {
        let id = match (row.try_get::<_, i64>(key), row.try_get::<_, String>(key)) {
            (Ok(i), _) => i.to_string(),
            (_, Ok(s)) => s,
            _ => "?".to_string(),
        };
        Cells { row, table, id }
    }

    pub(in crate::store) fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what: format!("{} row {}", self.table, self.id),
            detail: detail.into(),
        }
    }

    pub(in crate::store) fn get<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T> {
        self.row.try_get(idx).map_err(|e| {
            let name = self.row.columns().get(idx).map_or("?", |c| c.name());
            self.corrupt(format!("column {name}: {e}"))
        })
    }

    pub(in crate::store) fn time(&self, idx: usize) -> Result<DateTime<Utc>> {
        time_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>> {
        self.get::<Option<i64>>(idx)?
            .map(time_of)
            .transpose()
            .map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn date(&self, idx: usize) -> Result<NaiveDate> {
        date_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn network(&self, idx: usize) -> Result<Network> {
        network_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn category(&self, idx: usize) -> Result<Category> {
        category_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn action_kind(&self, idx: usize) -> Result<ActionKind> {
        action_kind_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn usize(&self, idx: usize) -> Result<usize> {
        usize_of(self.get(idx)?).map_err(|d| self.corrupt(d))
    }

    /// A JSON text column decoded into `T`; NULL or empty text gives `None`.
    pub(in crate::store) fn json<T: serde::de::DeserializeOwned>(
        &self,
        idx: usize,
    ) -> Result<Option<T>> {
        json_of(self.get::<Option<&str>>(idx)?).map_err(|d| self.corrupt(d))
    }

    pub(in crate::store) fn customer(&self, idx: usize) -> Result<Option<CustomerId>> {
        Ok(self.get::<Option<i64>>(idx)?.map(CustomerId))
    }
}

/// A post from a row of [`POST_COLS`] (the columns may be followed by others).
pub(in crate::store) fn post_from_row(row: &Row) -> Result<Post> {
    let c = Cells::new(row, "posts", 0);
    let score: f64 = c.get(14)?;
    let rating = c
        .get::<Option<i64>>(21)?
        .map(|r| u8::try_from(r).map_err(|_| c.corrupt(format!("rating out of range: {r}"))))
        .transpose()?;
    Ok(Post {
        id: PostId(c.get(0)?),
        network: c.network(1)?,
        native_id: c.get(2)?,
        url: c.get(3)?,
        author: Author {
            handle: c.get(4)?,
            display_name: c.get(5)?,
        },
        text: c.get(6)?,
        created_at: c.time(7)?,
        ingested_at: c.time(8)?,
        in_reply_to: c.get(9)?,
        reply_ref: c.json(10)?,
        customer: c.customer(11)?,
        is_mention: c.get(12)?,
        triage: Triage {
            category: c.category(13)?,
            score: score as f32,
            reasons: c.json(15)?.unwrap_or_default(),
        },
        handled_at: c.opt_time(16)?,
        dismissed_at: c.opt_time(22)?,
        first_response_at: c.opt_time(17)?,
        by_shop: c.get(18)?,
        context: c.get(19)?,
        quotes: c.get(20)?,
        rating,
        read_at: c.opt_time(23)?,
    })
}

/// An action from a row of [`ACTION_COLS`].
pub(in crate::store) fn action_from_row(row: &Row) -> Result<Action> {
    decode::action_of(&Cells::new(row, "actions", 0))
}

/// A reply from a row of [`REPLY_COLS`].
pub(in crate::store) fn reply_from_row(row: &Row) -> Result<Reply> {
    decode::reply_of(&Cells::new(row, "replies", 0))
}

/// A correction from a row of [`CORRECTION_COLS`].
pub(in crate::store) fn correction_from_row(row: &Row) -> Result<Correction> {
    decode::correction_of(&Cells::new(row, "corrections", 0))
}

crate::store::decode::cell_by_get!(Cells<'_>);

/// Every row of a query of [`POST_COLS`] as posts.
pub(in crate::store) fn posts_from_rows(rows: &[Row]) -> Result<Vec<Post>> {
    rows.iter().map(post_from_row).collect()
}
