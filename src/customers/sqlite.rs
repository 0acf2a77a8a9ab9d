//! The shop's own SQLite database read through a query into a [`Table`]. Opened read-only (the file is never
//! created, changed or journaled) and with `PRAGMA query_only`, and a query that would write is refused before
//! it runs: pointing regulars at a live shop database must never alter it.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::problems::Problems;
use super::table::{Cell, Place, Row, Table};

/// How long to wait for the shop's own program to release a write lock.
const BUSY: Duration = Duration::from_secs(5);

/// The query's rows; cells that cannot be read (binary, not UTF-8) come back as problems at their row.
pub fn read(path: &Path, query: &str) -> Result<(Table, Problems), Problems> {
    let origin = path.display().to_string();
    let fail = |what: String| Problems::one(&origin, what);
    if !path.is_file() {
        return Err(fail(
            "no such file; check customers.path in the config".into(),
        ));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(format!("cannot open as SQLite: {e}")))?;
    conn.busy_timeout(BUSY)
        .and_then(|()| conn.execute_batch("PRAGMA query_only = ON"))
        .map_err(|e| fail(format!("cannot open as SQLite: {e}")))?;
    let mut stmt = conn
        .prepare(query)
        .map_err(|e| fail(format!("customers.query: {e}")))?;
    if !stmt.readonly() {
        return Err(fail(
            "customers.query would change the database; regulars only reads it: write a SELECT"
                .into(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut problems = Problems::new(&origin);
    let mut rows = Vec::new();
    let mut cursor = stmt
        .query([])
        .map_err(|e| fail(format!("customers.query: {e}")))?;
    let mut n = 0;
    while let Some(row) = cursor
        .next()
        .map_err(|e| fail(format!("customers.query: {e}")))?
    {
        n += 1;
        let mut cells = Vec::with_capacity(columns.len());
        for (i, name) in columns.iter().enumerate() {
            let value = row
                .get_ref(i)
                .map_err(|e| fail(format!("row {n}, column {name}: {e}")))?;
            cells.push(match value {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Real(v) => Cell::Real(v),
                ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                    Ok(s) => Cell::Text(s.to_string()),
                    Err(_) => {
                        problems.at(Place::Row(n), Some(name), "text that is not UTF-8");
                        Cell::Null
                    }
                },
                ValueRef::Blob(_) => {
                    problems.at(
                        Place::Row(n),
                        Some(name),
                        "binary data (a BLOB); select text or a number (CAST(... AS TEXT))",
                    );
                    Cell::Null
                }
            });
        }
        rows.push(Row {
            place: Place::Row(n),
            cells,
        });
    }
    Ok((Table { columns, rows }, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("shop.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (no INTEGER, name TEXT, total REAL, since TEXT, pic BLOB);
             INSERT INTO customers VALUES (7, 'Ann', 12.5, '2024-01-02', NULL), (8, 'Bo', NULL, NULL, x'00');",
        )
        .unwrap();
        path
    }

    #[test]
    fn typed_cells_and_rows_numbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = shop(dir.path());
        let (t, p) = read(
            &path,
            "SELECT no, name, total, since FROM customers ORDER BY no",
        )
        .unwrap();
        assert!(p.is_empty());
        assert_eq!(t.columns, ["no", "name", "total", "since"]);
        assert_eq!(
            t.rows[0].cells,
            [
                Cell::Int(7),
                Cell::Text("Ann".into()),
                Cell::Real(12.5),
                Cell::Text("2024-01-02".into())
            ]
        );
        assert_eq!(t.rows[1].place, Place::Row(2));
        assert_eq!(t.rows[1].cells[2], Cell::Null);
    }

    #[test]
    fn writes_blobs_and_bad_queries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = shop(dir.path());
        for (query, needle) in [
            ("DELETE FROM customers", "would change the database"),
            (
                "UPDATE customers SET name = 'x'",
                "would change the database",
            ),
            ("SELECT * FROM nowhere", "customers.query: no such table"),
            (
                "SELECT pic FROM customers",
                "row 2, column pic: binary data",
            ),
        ] {
            let err = match read(&path, query) {
                Ok((_, p)) => p.to_string(),
                Err(p) => p.to_string(),
            };
            assert!(err.contains(needle), "{query}: {err}");
        }
        let conn = Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        let err = read(&dir.path().join("none.db"), "SELECT 1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such file"), "{err}");
        assert!(!dir.path().join("none.db").exists());
    }
}
