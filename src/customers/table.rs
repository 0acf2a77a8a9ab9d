//! What every reader of the shop's database hands the import: a table of named columns and typed cells, each
//! row knowing where it came from, so a bad value is reported at its line (CSV) or row (query) and column.

use chrono::{DateTime, NaiveDate, Utc};

/// One value as the source holds it. A CSV's cells are all text; a database's keep their type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    /// A floating-point or NUMERIC value; NUMERIC/DECIMAL columns are read as their exact text instead where
    /// the driver gives it (money must not pass through a float).
    Real(f64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

/// Where a row came from, for errors: a CSV's line (1 = the header) or a query's row (1 = the first row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Line(usize),
    Row(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Row(n) => write!(f, "row {n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub place: Place,
    /// One per column of the table, in order.
    pub cells: Vec<Cell>,
}

/// What a reader returns: the column names as the source spells them, and every row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}
