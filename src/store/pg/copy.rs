//! Copying a SQLite workspace into PostgreSQL (`regulars store migrate --to postgres`): every table, ids kept
//! (so the links between rows hold), in ONE transaction that is committed only when every table's count
//! matches. Rows are upserted by primary key and rewritten only where they differ, so a second run copies
//! nothing twice and says so.
//!
//! The columns come from the two schemas themselves (PostgreSQL's `information_schema`, SQLite's
//! `pragma_table_info`): a column one side has and the other lacks is an error naming it, never a silent gap.

use postgres::Transaction;
use postgres::types::ToSql;
use rusqlite::types::ValueRef;

use super::PgDb;
use crate::store::{Db, Result, StoreError};

/// The workspace's tables, parents before the rows that point at them.
const TABLES: &[&str] = &[
    "customers",
    "customer_handles",
    "customer_imports",
    "forgotten_customers",
    "customer_alerts",
    "posts",
    "actions",
    "replies",
    "drafts",
    "follow_ups",
    "corrections",
    "source_cursors",
    "ui_state",
    "checkins",
    "reply_claims",
    "claim_overrides",
    "assignments",
    "presence",
];

/// SQLite's own tables and the full-text index (PostgreSQL keeps its words in a generated column).
fn is_internal(table: &str) -> bool {
    table.starts_with("sqlite_") || table.starts_with("posts_fts")
}

/// What one table's copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    /// Rows in the SQLite workspace.
    pub source: u64,
    /// Rows written that PostgreSQL did not have.
    pub inserted: u64,
    /// Rows PostgreSQL had with other values (the workspace changed since the last run).
    pub updated: u64,
    /// Rows in PostgreSQL after the copy.
    pub target: u64,
}

/// A column to copy and how PostgreSQL types it.
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
}

impl PgDb {
    /// Copies every table of `from` into this database in ONE transaction, verifying each table's count
    /// before committing (a target holding rows the workspace lacks is refused, nothing written). Returns each
    /// table's figures, in copy order.
    pub fn copy_from_sqlite(&mut self, from: &Db) -> Result<Vec<TableCopy>> {
        let unknown: Vec<String> = sqlite_tables(from)?
            .into_iter()
            .filter(|t| !is_internal(t) && !TABLES.contains(&t.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the workspace has tables this regulars cannot copy ({}): upgrade regulars",
                unknown.join(", ")
            )));
        }
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let mut copies = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            copies.push(copy_table(&mut tx, from, table)?);
        }
        let wrong: Vec<String> = copies
            .iter()
            .filter(|c| c.source != c.target)
            .map(|c| format!("{} ({} here, {} there)", c.table, c.source, c.target))
            .collect();
        if !wrong.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the PostgreSQL database holds rows this workspace does not have: {}. It belongs to another \
                 workspace, or rows were deleted here since the last copy; nothing was copied (use an empty \
                 database)",
                wrong.join(", ")
            )));
        }
        tx.commit()?;
        Ok(copies)
    }
}

fn sqlite_tables(db: &Db) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

fn copy_table(tx: &mut Transaction<'_>, from: &Db, table: &'static str) -> Result<TableCopy> {
    let columns = pg_columns(tx, table)?;
    let source_columns = sqlite_columns(from, table)?;
    // customer_handles has no id in SQLite: its rowid (insertion order) becomes the id.
    let select: Vec<String> = columns
        .iter()
        .map(|c| match source_columns.contains(&c.name) {
            true => format!("\"{}\"", c.name),
            false if c.name == "id" => "rowid".to_string(),
            false => String::new(),
        })
        .collect();
    if let Some(c) = columns.iter().zip(&select).find(|(_, s)| s.is_empty()) {
        return Err(schema_gap(table, &c.0.name, "the workspace"));
    }
    if let Some(extra) = source_columns
        .iter()
        .find(|s| !columns.iter().any(|c| &c.name == *s))
    {
        return Err(schema_gap(table, extra, "PostgreSQL"));
    }
    let upsert = upsert_sql(tx, table, &columns)?;
    let upsert = tx.prepare(&upsert)?;
    let mut stmt = from.conn.prepare(&format!(
        "SELECT {} FROM \"{table}\" ORDER BY rowid",
        select.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    let (mut source, mut inserted, mut updated) = (0, 0, 0);
    while let Some(row) = rows.next()? {
        let values = columns
            .iter()
            .enumerate()
            .map(|(i, c)| value(table, c, row.get_ref(i)?))
            .collect::<Result<Vec<_>>>()?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        source += 1;
        // One row back when the row was written: `true` new, `false` changed; none when it was the same.
        if let Some(written) = tx.query_opt(&upsert, &params)? {
            match written.try_get::<_, bool>(0)? {
                true => inserted += 1,
                false => updated += 1,
            }
        }
    }
    let sequence: Option<String> = match columns.iter().any(|c| c.name == "id") {
        true => tx
            .query_one("SELECT pg_get_serial_sequence($1, 'id')", &[&table])?
            .try_get(0)?,
        false => None,
    };
    if let Some(sequence) = sequence {
        // New rows get ids after the copied ones.
        tx.execute(
            &format!("SELECT setval($1::text::regclass, COALESCE(MAX(id), 0) + 1, false) FROM \"{table}\""),
            &[&sequence],
        )?;
    }
    let target: i64 = tx
        .query_one(&format!("SELECT COUNT(*) FROM \"{table}\""), &[])?
        .try_get(0)?;
    Ok(TableCopy {
        table,
        source,
        inserted,
        updated,
        target: u64::try_from(target).unwrap_or(0),
    })
}

fn schema_gap(table: &str, column: &str, missing_in: &str) -> StoreError {
    StoreError::Conflict(format!(
        "{table}.{column} has no place in {missing_in}: the two schemas differ (upgrade regulars, open the \
         workspace once to migrate it, then copy again)"
    ))
}

/// The table's stored columns (generated ones, such as the words index, are computed there).
fn pg_columns(tx: &mut Transaction<'_>, table: &str) -> Result<Vec<Column>> {
    tx.query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
         ORDER BY ordinal_position",
        &[&table],
    )?
    .iter()
    .map(|r| {
        let (name, ty): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let kind = match ty.as_str() {
            "bigint" | "integer" => Kind::Int,
            "boolean" => Kind::Bool,
            "double precision" | "real" => Kind::Real,
            "text" => Kind::Text,
            other => {
                return Err(StoreError::Conflict(format!(
                    "{table}.{name} is of type {other}, which regulars cannot copy"
                )));
            }
        };
        Ok(Column { name, kind })
    })
    .collect()
}

fn sqlite_columns(db: &Db, table: &str) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = stmt
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// `INSERT ... ON CONFLICT (key) DO UPDATE` that writes only a row that differs, returning whether it was new.
fn upsert_sql(tx: &mut Transaction<'_>, table: &str, columns: &[Column]) -> Result<String> {
    let key: Vec<String> = tx
        .query(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = $1::text::regclass AND i.indisprimary",
            &[&table],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    if key.is_empty() {
        return Err(StoreError::Conflict(format!(
            "{table} has no primary key in PostgreSQL: it cannot be copied again safely"
        )));
    }
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let rest: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !key.iter().any(|k| k == n))
        .collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let conflict = match rest.is_empty() {
        true => "DO NOTHING".to_string(),
        false => format!(
            "DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})",
            rest.iter()
                .map(|n| format!("{n} = excluded.{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            rest.iter()
                .map(|n| format!("t.{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            rest.iter()
                .map(|n| format!("excluded.{n}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    Ok(format!(
        "INSERT INTO \"{table}\" AS t ({}) VALUES ({}) ON CONFLICT ({}) {conflict} RETURNING (xmax = 0)",
        names.join(", "),
        placeholders.join(", "),
        key.join(", ")
    ))
}

/// One SQLite value as the PostgreSQL column takes it (SQLite keeps flags as 0/1).
fn value(table: &str, column: &Column, v: ValueRef<'_>) -> Result<Box<dyn ToSql + Sync>> {
    let wrong = || StoreError::Corrupt {
        what: format!("{table}.{}", column.name),
        detail: format!(
            "{:?} where PostgreSQL expects {}",
            v.data_type(),
            column.kind.name()
        ),
    };
    Ok(match (column.kind, v) {
        (Kind::Int, ValueRef::Null) => Box::new(None::<i64>),
        (Kind::Int, ValueRef::Integer(i)) => Box::new(Some(i)),
        (Kind::Bool, ValueRef::Null) => Box::new(None::<bool>),
        (Kind::Bool, ValueRef::Integer(i)) => Box::new(Some(i != 0)),
        (Kind::Real, ValueRef::Null) => Box::new(None::<f64>),
        (Kind::Real, ValueRef::Real(f)) => Box::new(Some(f)),
        (Kind::Real, ValueRef::Integer(i)) => Box::new(Some(i as f64)),
        (Kind::Text, ValueRef::Null) => Box::new(None::<String>),
        (Kind::Text, ValueRef::Text(t)) => {
            Box::new(Some(String::from_utf8(t.to_vec()).map_err(|_| wrong())?))
        }
        _ => return Err(wrong()),
    })
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Int => "an integer",
            Kind::Bool => "a flag",
            Kind::Real => "a number",
            Kind::Text => "text",
        }
    }
}
