//! [`CursorRepo`] on PostgreSQL.

use std::collections::HashMap;

use super::PgDb;
use crate::store::Result;
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
