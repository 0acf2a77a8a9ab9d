//! Reading a configured origin into a [`Table`]: the one place that knows every kind of source.

use super::config::Origin;
use super::problems::Problems;
use super::table::Table;

/// The origin's table, and the rows it could not read (reported with the mapping's own problems); `Err` when
/// the source cannot be read at all.
pub fn read(origin: &Origin) -> Result<(Table, Problems), Problems> {
    match origin {
        Origin::Csv {
            path, delimiter, ..
        } => super::csv::read_file(path, *delimiter),
        Origin::Sqlite { path, query } => super::sqlite::read(path, query),
        Origin::Postgres {
            url_env,
            url_file,
            query,
            timeout,
        } => {
            let name = origin.describe();
            let url = crate::sources::secret::load(
                "customers.url_env/url_file",
                url_env.as_deref(),
                url_file.as_deref(),
            )
            .map_err(|e| Problems::one(&name, e))?;
            // MERGE SEAM: the real reader arrives with the PostgreSQL branch (see postgres.rs).
            super::postgres::read(url.expose(), query, *timeout)
                .map(|table| (table, Problems::new(&name)))
                .map_err(|e| Problems::one(&name, e))
        }
        Origin::Embedded { name, text } => super::csv::parse(text.as_bytes(), name, b','),
    }
}
