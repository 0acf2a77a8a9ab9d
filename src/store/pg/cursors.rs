//! [`CursorRepo`] on PostgreSQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::PgDb;
use crate::sources::Cursor;
use crate::store::Result;
use crate::store::codec::ms;
use crate::store::repository::CursorRepo;

impl CursorRepo for PgDb {
    fn cursors(&self, source: &str) -> Result<HashMap<String, String>> {
        let rows = self.conn()?.query(
            "SELECT key, value FROM source_cursors WHERE source = $1",
            &[&source],
        )?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }
}

/// Upserts cursors inside the caller's transaction.
pub(super) fn upsert(
    tx: &mut postgres::Transaction<'_>,
    source: &str,
    cursors: &[Cursor],
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = tx.prepare(
        "INSERT INTO source_cursors (source, key, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?;
    for c in cursors {
        tx.execute(&stmt, &[&source, &c.key, &c.value, &ms(now)])?;
    }
    Ok(())
}
