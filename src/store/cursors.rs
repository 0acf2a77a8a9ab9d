//! Source cursors: where each source resumes. Written only together with the posts they led to
//! (see [`Db::insert_batch`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::codec::{Cells, ms};
use super::repository::CursorRepo;
use super::{Db, Result};
use crate::sources::Cursor;

impl CursorRepo for Db {
    fn cursors(&self, source: &str) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM source_cursors WHERE source = ?1")?;
        let mut rows = stmt.query([source])?;
        let mut out = HashMap::new();
        while let Some(row) = rows.next()? {
            let c = Cells::new(row, "source_cursors", 0);
            out.insert(c.get(0)?, c.get(1)?);
        }
        Ok(out)
    }
}

/// Upserts cursors inside the caller's transaction.
pub(super) fn upsert(
    conn: &Connection,
    source: &str,
    cursors: &[Cursor],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO source_cursors (source, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?;
    for c in cursors {
        stmt.execute(params![source, c.key, c.value, ms(now)])?;
    }
    Ok(())
}
