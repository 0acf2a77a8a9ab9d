//! The baseline ingest is measured against: what a plain program does with the same rows. A fresh database with
//! the store's own schema (read from a freshly created store, so it follows every migration: tables, indexes,
//! triggers, virtual tables), the store's pragmas, and one prepared INSERT per row, one transaction per batch.
//! No dedupe, no shop-answer logic, no cursors, nothing returned: the rows are already what the store wrote.

use std::path::Path;

use anyhow::Context;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::store::Db;

/// A table's rows as stored: the column names and, per row, their values.
pub struct Rows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// The schema of a store created fresh at `path` (the file is removed afterwards): every CREATE statement in
/// creation order, without SQLite's own tables and the shadow tables a virtual table makes for itself.
pub fn fresh_schema(path: &Path) -> anyhow::Result<Vec<String>> {
    drop(Db::open(path).map_err(|e| anyhow::anyhow!("{e}"))?);
    let conn = Connection::open(path)?;
    let statements = conn
        .prepare(
            "SELECT sql FROM sqlite_master
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
               AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')
             ORDER BY rowid",
        )?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    drop(conn);
    super::remove_db(path);
    anyhow::ensure!(
        !statements.is_empty(),
        "{}: a fresh store has no schema",
        path.display()
    );
    Ok(statements)
}

/// Every row of `table` in the database at `path`, in rowid order, with the columns an INSERT can set;
/// `skip` leaves out columns the database assigns (the rowid alias).
pub fn read_rows(path: &Path, table: &str, skip: &[&str]) -> anyhow::Result<Rows> {
    let conn = Connection::open(path)?;
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|c| !skip.contains(&c.as_str()))
        .collect();
    let sql = format!("SELECT {} FROM {table} ORDER BY rowid", quoted(&columns));
    let mut stmt = conn.prepare(&sql)?;
    let n = columns.len();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<Result<Vec<_>, _>>()
        })?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {table} from {}", path.display()))?;
    Ok(Rows {
        table: table.to_string(),
        columns,
        rows,
    })
}

/// A fresh database with `schema`, configured as the store configures its file.
pub struct Baseline {
    conn: Connection,
}

impl Baseline {
    pub fn create(path: &Path, schema: &[String]) -> anyhow::Result<Baseline> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        for sql in schema {
            conn.execute_batch(sql)
                .with_context(|| format!("baseline schema: {sql}"))?;
        }
        Ok(Baseline { conn })
    }

    /// Inserts `rows` (a slice of `table`'s rows) in one transaction with one prepared INSERT.
    pub fn insert(&mut self, table: &Rows, rows: &[Vec<Value>]) -> anyhow::Result<()> {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.table,
            quoted(&table.columns),
            vec!["?"; table.columns.len()].join(", ")
        );
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(&sql)?;
            for row in rows {
                stmt.execute(params_from_iter(row))?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

fn quoted(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ")
}
