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
            // The reader names the server itself ("PostgreSQL shop@host:5432: …"); under the origin's name
            // ("PostgreSQL ($SHOP_DB)") the word once is enough.
            super::postgres::read(url.expose(), query, *timeout)
                .map(|table| (table, Problems::new(&name)))
                .map_err(|e| Problems::one(&name, e.strip_prefix("PostgreSQL ").unwrap_or(&e)))
        }
        Origin::Embedded { name, text } => super::csv::parse(text.as_bytes(), name, b','),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_postgres_url_comes_from_the_environment_or_a_private_file() {
        let origin =
            |url_env: Option<&str>, url_file: Option<std::path::PathBuf>| Origin::Postgres {
                url_env: url_env.map(str::to_string),
                url_file,
                query: "SELECT 1".into(),
                timeout: std::time::Duration::from_secs(1),
            };
        let err = read(&origin(Some("REGULARS_TEST_NO_SUCH_VARIABLE"), None))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("PostgreSQL ($REGULARS_TEST_NO_SUCH_VARIABLE): customers.url_env/url_file: environment \
                 variable REGULARS_TEST_NO_SUCH_VARIABLE is not set"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("url");
        std::fs::write(&file, "postgres://shop@localhost/shop\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read(&origin(None, Some(file))).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }
}
