//! The PostgreSQL backend: one connection implementing [`crate::store::Repository`], for a team sharing one
//! workspace. Same behaviour as SQLite's [`crate::store::Db`] for every operation (the store tests run against
//! both); its own migrations ([`schema`]).
//!
//! The connection is the sync `postgres` client, owned by the store thread like SQLite's connection (the
//! client drives its own small runtime, so it must never be created or used on a tokio runtime's thread: the
//! store thread is a plain thread). Reads take `&self` in the repository traits while the client needs `&mut`
//! for every statement: the client sits in a `RefCell`, borrowed for one operation at a time on that thread.

mod actions;
mod alerts;
mod assign;
mod checkins;
pub(in crate::store) mod codec;
mod copy;
mod cursors;
mod customers;
pub mod doctor;
mod forget;
mod handles;
mod lists;
pub mod live;
mod posts;
mod reads;
mod reports;
mod review;
mod rows;
mod schema;
mod search;
mod story;
mod team;
mod work;

use std::cell::{RefCell, RefMut};
use std::time::Duration;

use postgres::error::SqlState;

pub use copy::TableCopy;
pub use schema::PG_SCHEMA_VERSION;

use super::{Result, StoreError};
use crate::pg::{Server, Transport};

/// How long connecting may take before the server is reported unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct PgDb {
    client: RefCell<postgres::Client>,
    /// Kept to reconnect after the server went away (it holds the password: never printed).
    config: postgres::Config,
    tls: bool,
    /// `database@host:port`, for messages (never the connection string).
    server: Server,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb")
            .field("server", &self.server.to_string())
            .finish()
    }
}

/// `database@host:port`: where it is, for messages (never the connection string).
impl std::fmt::Display for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.server.fmt(f)
    }
}

impl PgDb {
    /// Connects to the database named by `url` (TLS unless the server is on this machine; see
    /// [`crate::pg::transport`]) and migrates it to [`PG_SCHEMA_VERSION`]. Call it on a plain thread, never
    /// on a tokio runtime's (see the module docs).
    pub fn open(url: &str) -> Result<PgDb> {
        let (client, config, tls, server) = Connection::open(url)?;
        let mut db = PgDb {
            client: RefCell::new(client),
            config,
            tls,
            server,
        };
        check_version(&db)?;
        schema::migrate(&mut db)?;
        Ok(db)
    }

    /// The connection, for one operation; connected again first if the server went away since (a restart,
    /// a network cut): the operation then runs on the new connection, or fails as unwritable for now.
    pub(in crate::store) fn conn(&self) -> Result<RefMut<'_, postgres::Client>> {
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            *client =
                connect(&self.config, self.tls, &self.server).map_err(StoreError::Unwritable)?;
            tracing::info!(server = %self.server, "reconnected to PostgreSQL");
        }
        Ok(client)
    }
}

/// A new connection to the database named by a connection string: the client, what reconnecting needs, and
/// the server's name for messages.
struct Connection;

impl Connection {
    fn open(url: &str) -> Result<(postgres::Client, postgres::Config, bool, Server)> {
        let parsed = crate::pg::parse(url, CONNECT_TIMEOUT).map_err(StoreError::Database)?;
        let server = Server::of(&parsed);
        let tls = matches!(
            crate::pg::transport(&parsed, &server).map_err(StoreError::Database)?,
            Transport::Tls(_)
        );
        let config = postgres::Config::from(parsed);
        let client = connect(&config, tls, &server).map_err(|detail| StoreError::Open {
            path: server.to_string().into(),
            detail,
        })?;
        Ok((client, config, tls, server))
    }
}

/// The oldest PostgreSQL regulars supports (`server_version_num`).
pub const MIN_SERVER_VERSION: i32 = 130_000;

/// The server's version: as a number (150004 for 15.4) and as the server writes it.
pub(super) fn server_version(client: &mut postgres::Client) -> Result<(i32, String)> {
    let row = client.query_one(
        "SELECT current_setting('server_version_num'), current_setting('server_version')",
        &[],
    )?;
    let (num, text): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    let num = num
        .trim()
        .parse()
        .map_err(|_| StoreError::Database(format!("unreadable server version {num:?}")))?;
    Ok((num, text))
}

/// Why a server of this version cannot hold the store, with the fix; `None`: it can.
pub(super) fn too_old(version: &(i32, String)) -> Option<String> {
    (version.0 < MIN_SERVER_VERSION).then(|| {
        format!(
            "PostgreSQL {} is too old: regulars needs 13 or newer; upgrade the server",
            version.1
        )
    })
}

/// Refuses a server older than [`MIN_SERVER_VERSION`], naming it and the fix.
fn check_version(db: &PgDb) -> Result<()> {
    match too_old(&server_version(&mut *db.conn()?)?) {
        Some(detail) => Err(StoreError::Open {
            path: db.server.to_string().into(),
            detail,
        }),
        None => Ok(()),
    }
}

fn connect(
    config: &postgres::Config,
    tls: bool,
    server: &Server,
) -> Result<postgres::Client, String> {
    let connected = if tls {
        config.connect(crate::pg::tls(server)?)
    } else {
        config.connect(postgres::NoTls)
    };
    connected.map_err(|e| server.explain(&e, CONNECT_TIMEOUT))
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::DISK_FULL || *code == SqlState::OUT_OF_MEMORY {
                return StoreError::Unwritable(format!(
                    "the database server is out of space: {}",
                    db.message()
                ));
            }
            if *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::READ_ONLY_SQL_TRANSACTION
            {
                return StoreError::Unwritable(format!(
                    "the database server refuses writes for now: {}",
                    db.message()
                ));
            }
            return StoreError::Database(db.message().to_string());
        }
        if e.is_closed() {
            return StoreError::Unwritable(
                "the connection to the database server was lost: writes are tried again when it is back"
                    .into(),
            );
        }
        StoreError::Database(crate::pg::chain(&e))
    }
}
