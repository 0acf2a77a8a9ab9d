//! `[store]`: where the workspace keeps its data. SQLite (a file on this machine, the default) or PostgreSQL
//! (one database a team shares), whose connection string comes from an environment variable or from a file
//! only its owner can read, and is never printed.

use std::path::PathBuf;

use serde::Deserialize;

use crate::sources::secret::{self, Secret};

/// The environment variable the PostgreSQL connection string is read from when `[store]` names none.
pub const DEFAULT_URL_ENV: &str = "REGULARS_DATABASE_URL";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    pub backend: Backend,
    /// The environment variable holding the connection string (default [`DEFAULT_URL_ENV`]).
    pub url_env: Option<String>,
    /// A file holding the connection string, readable by its owner only (`chmod 600`).
    pub url_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
}

impl StoreConfig {
    pub fn check(&self) -> Result<(), String> {
        let named = self.url_env.is_some() || self.url_file.is_some();
        match self.backend {
            Backend::Sqlite if named => Err(
                "store.url_env/url_file: a connection string is only for backend = \"postgres\"; set that, \
                 or remove url_env and url_file"
                    .into(),
            ),
            Backend::Postgres if self.url_env.is_some() && self.url_file.is_some() => Err(
                "store: give the PostgreSQL connection string one way: url_env = \"VAR\" or url_file = \
                 \"/path\" (chmod 600), not both"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// The PostgreSQL connection string (`None`: the store is SQLite), read now from the variable or file.
    pub fn postgres_url(&self) -> Result<Option<Secret>, String> {
        if !self.is_postgres() {
            return Ok(None);
        }
        let env = match (&self.url_env, &self.url_file) {
            (None, None) => Some(DEFAULT_URL_ENV),
            (env, _) => env.as_deref(),
        };
        secret::load("store.url_env/url_file", env, self.url_file.as_deref()).map(Some)
    }

    /// Refuses command-line flags that name or delete a SQLite file when the store is PostgreSQL.
    pub fn check_flags(&self, db_given: bool, fresh: bool) -> Result<(), String> {
        if !self.is_postgres() {
            return Ok(());
        }
        if db_given {
            return Err(
                "--db names a SQLite file, but [store] backend = \"postgres\" keeps the data in \
                        PostgreSQL: drop --db, or set backend = \"sqlite\" in [store]"
                    .into(),
            );
        }
        if fresh {
            return Err("--fresh deletes the SQLite file, but [store] backend = \"postgres\" keeps the data \
                        in PostgreSQL (shared by the team): drop --fresh"
                .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_the_default_and_postgres_reads_its_url_without_printing_it() {
        let example = super::super::parse(include_str!("../../config.example.toml")).unwrap();
        assert_eq!(example.store, StoreConfig::default());
        assert_eq!(StoreConfig::default().postgres_url(), Ok(None));
        let config = super::super::parse(
            "[store]\nbackend = \"postgres\"\nurl_env = \"REGULARS_TEST_STORE_UNSET\"",
        )
        .unwrap();
        let err = config.store.postgres_url().unwrap_err();
        assert!(
            err.starts_with(
                "store.url_env/url_file: environment variable REGULARS_TEST_STORE_UNSET"
            ),
            "{err}"
        );
        assert!(
            config
                .store
                .check_flags(true, false)
                .unwrap_err()
                .contains("--db")
        );
        assert!(
            config
                .store
                .check_flags(false, true)
                .unwrap_err()
                .contains("--fresh")
        );
    }

    #[test]
    fn bad_store_settings_are_named_with_the_fix() {
        let err = super::super::parse("[store]\nbackend = \"mysql\"").unwrap_err();
        assert!(err.contains("backend") && err.contains("postgres"), "{err}");
        let err = super::super::parse("[store]\nurl_env = \"X\"").unwrap_err();
        assert!(err.contains("store.url_env/url_file") && err.contains("backend = \"postgres\""));
        let err = super::super::parse(
            "[store]\nbackend = \"postgres\"\nurl_env = \"X\"\nurl_file = \"/x\"",
        )
        .unwrap_err();
        assert!(err.contains("not both"), "{err}");
    }

    #[test]
    fn a_url_file_others_can_read_is_refused_naming_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store-url");
        std::fs::write(&path, "postgres://u:hunter2@db.example/shop\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let config = StoreConfig {
            backend: Backend::Postgres,
            url_env: None,
            url_file: Some(path.clone()),
        };
        let err = config.postgres_url().unwrap_err();
        assert!(
            err.contains(&format!("chmod 600 {}", path.display())),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let url = config.postgres_url().unwrap().unwrap();
        assert_eq!(url.expose(), "postgres://u:hunter2@db.example/shop");
    }
}
