//! The store: a [`Repository`] of named operations, owned by one thread.
//!
//! Everything SQL (and SQLite) lives in this module. The rest of the console sees domain types and the
//! [`Repository`] traits; it reaches the backend through a [`Store`] handle, which runs closures on the store's
//! own thread. [`Db`] is the SQLite backend; another backend implements the same traits.
//!
//! ```no_run
//! # async fn demo() -> Result<(), regulars::store::StoreError> {
//! let store = regulars::store::Store::open_in_memory()?;
//! let drafts = store.call(|db| db.drafts("ana")).await?;
//! # let _ = drafts; Ok(()) }
//! ```
//!
//! Times are stored as UTC milliseconds since the Unix epoch (INTEGER); follow-up due dates as `YYYY-MM-DD` text;
//! enums as their snake_case names; triage reasons and reply refs as JSON text.

mod actions;
mod actor;
mod alerts;
mod assign;
mod checkins;
mod codec;
mod cursors;
mod customers;
mod decode;
mod forget;
mod handles;
mod lists;
pub(crate) mod pg;
mod posts;
mod reads;
mod reports;
mod repository;
mod rows;
mod schema;
mod search;
mod story;
mod team;
mod undo;
mod work;

#[cfg(test)]
pub(crate) mod small_disk;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use actor::Store;
pub use lists::MAX_THREAD_DEPTH;
pub use pg::doctor as postgres_doctor;
pub use pg::live;
pub use pg::{PG_SCHEMA_VERSION, PgDb, TableCopy};
pub use repository::{
    AlertRepo, AssignRepo, CheckInRepo, CursorRepo, CustomerRepo, ListRepo, LogRepo, PostRepo,
    ReadRepo, ReportRepo, Repository, ReviewRepo, StoryRepo, TeamRepo, WorkRepo,
};
pub use schema::SCHEMA_VERSION;
pub use work::REPLY_NOTE_CHARS;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed an operation (the backend's own message).
    #[error("database error: {0}")]
    Database(String),
    /// The database cannot be written for now (the disk is full, the file read-only, another program holds it
    /// locked): what was to be written is kept and written again later, never dropped.
    #[error("cannot write the database: {0}")]
    Unwritable(String),
    /// The store's thread has stopped (closed, or the app is shutting down).
    #[error("the store is closed")]
    Closed,
    /// A stored row could not be read back (an unknown enum name, a bad timestamp, broken JSON).
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Opening, configuring or migrating the database file failed.
    #[error("cannot open database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error(
        "database {path} is newer than this regulars (schema {found} > {supported}): upgrade regulars or use --db elsewhere"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The data asked for contradicts what is stored (one handle claimed by two customers, say).
    #[error("{0}")]
    Conflict(String),
    /// A closure run on the store thread panicked; the store itself carries on.
    #[error("a store request panicked: {0}")]
    Panicked(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let why = match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => "the disk is full: free some space",
            Some(ErrorCode::ReadOnly) => "the file is read-only: make it writable",
            Some(ErrorCode::SystemIoFailure) => "the disk failed a write: check the disk",
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "another program holds it locked: close it"
            }
            _ => return StoreError::Database(e.to_string()),
        };
        StoreError::Unwritable(why.into())
    }
}

impl StoreError {
    /// A failure that passes (space freed, a lock released): the write is worth trying again as it was.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unwritable(_))
    }
}

/// The SQLite backend: one connection implementing [`Repository`]. Owned by the store thread (see [`Store`]);
/// used directly only by one-shot CLI commands and tests.
pub struct Db {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating it and its parent directories if needed) the database at `path`, in WAL mode, migrated to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(&path).map_err(|e| schema::open_error(&path, e))?;
        let mut db = Db {
            conn,
            path: Some(path),
        };
        schema::prepare(&mut db)?;
        Ok(db)
    }

    /// Opens an existing database file to read it as it is: no migration, no journal-mode switch, no
    /// file created (`--fresh` counts what it is about to delete before asking).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Db> {
        use rusqlite::OpenFlags;
        let path = path.as_ref().to_path_buf();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        // Without a write-ahead log every row is in the file itself: read it as immutable, which leaves no
        // -wal/-shm companions behind (a plain read-only open of a WAL database creates both).
        let immutable = (!Path::new(&wal).exists())
            .then(|| std::path::absolute(&path).ok())
            .flatten()
            .and_then(|p| url::Url::from_file_path(p).ok())
            .map(|mut uri| {
                uri.set_query(Some("immutable=1"));
                uri.to_string()
            });
        let conn = match immutable {
            Some(uri) => Connection::open_with_flags(
                uri,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            ),
            None => Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY),
        }
        .map_err(|e| schema::open_error(&path, e))?;
        Ok(Db {
            conn,
            path: Some(path),
        })
    }

    /// A private, empty, migrated database that lives as long as this `Db` (tests, `classify`, dry runs).
    pub fn open_in_memory() -> Result<Db> {
        let conn = Connection::open_in_memory()?;
        let mut db = Db { conn, path: None };
        schema::prepare(&mut db)?;
        Ok(db)
    }

    /// A write transaction, taking the write lock up front (`BEGIN IMMEDIATE`): with another process on the same
    /// file (`regulars sync` next to the console), a deferred transaction that reads first could fail with
    /// SQLITE_BUSY on its first write instead of waiting for the busy timeout.
    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }
}
