//! PostgreSQL as a source of customers.
//!
//! MERGE SEAM: the POSTGRES helper's branch (h-postgres) replaces this whole file with the real reader (a
//! read-only transaction with a statement timeout, typed cells). Until then the import reports that
//! PostgreSQL is not there yet; the signature below is the agreed one.

use std::time::Duration;

use super::table::Table;

/// The rows of `query` on the database at `url`, within `timeout`.
pub fn read(url: &str, query: &str, timeout: Duration) -> Result<Table, String> {
    let _ = (url, query, timeout);
    Err("PostgreSQL support is being merged; export a CSV for now (kind = \"csv\")".into())
}
