//! The shop's PostgreSQL database as a customers source: the configured query, run in a read-only transaction
//! with a time limit, its rows handed back as typed cells.
//!
//! The connection string is a secret (it holds the password): nothing here ever prints it; errors name the
//! server as `database@host:port`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Config, NoTls, Socket};

use super::table::{Cell, Place, Row, Table};

/// Runs `query` (one statement) against the database at `url` and returns its rows. The query runs in a READ
/// ONLY transaction that is never committed, so a write is refused by the server; `timeout` limits both the
/// connection and the query (the server cancels a slower one).
///
/// Blocks the calling thread until done (at most about twice `timeout`, plus two seconds); safe from any thread,
/// a runtime's included, but the console's event loop should call it through `spawn_blocking` so as not to stall.
pub fn read(url: &str, query: &str, timeout: Duration) -> Result<Table, String> {
    // Callers (the console's start, the CLI) are inside a tokio runtime, which can neither block on itself nor
    // start another on its threads (tokio panics; so would the sync `postgres` client, which starts one). So the
    // reader runs on a plain thread with a runtime of its own. It uses tokio-postgres directly, not the sync
    // wrapper, so that one deadline covers connecting with the handshake: the driver's connect_timeout covers
    // only the TCP connect, and a server that accepts and never answers would hang it.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("PostgreSQL: cannot start the reader: {e}"))?
                    .block_on(read_async(url, query, timeout))
            })
            .join()
            .unwrap_or_else(|_| {
                Err("PostgreSQL: the reader stopped unexpectedly (see the log)".into())
            })
    })
}

/// How long past `timeout` a query may take before the reader gives up on a server that stopped answering;
/// the server's own cancellation (statement_timeout), with its clearer message, comes well before.
const GRACE: Duration = Duration::from_secs(2);

async fn read_async(url: &str, query: &str, timeout: Duration) -> Result<Table, String> {
    let config = parse(url, timeout)?;
    let server = Server::of(&config);
    let client = tokio::time::timeout(timeout, connect(&config, &server, timeout))
        .await
        .map_err(|_| server.no_answer("connecting", timeout))??;
    tokio::time::timeout(timeout + GRACE, run(client, query, timeout, &server))
        .await
        .map_err(|_| server.no_answer("running the query", timeout))?
}

async fn run(
    mut client: Client,
    query: &str,
    timeout: Duration,
    server: &Server,
) -> Result<Table, String> {
    let fail = |e: tokio_postgres::Error| server.explain(&e, timeout);
    let transaction = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .map_err(fail)?;
    // SET LOCAL lasts until the transaction ends, and the transaction is never committed.
    transaction
        .batch_execute(&format!(
            "SET LOCAL statement_timeout = {}",
            timeout.as_millis().max(1)
        ))
        .await
        .map_err(fail)?;
    // Prepared first: a column regulars cannot read is reported before the query runs.
    let statement = transaction.prepare(query).await.map_err(fail)?;
    let columns: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let kinds = statement
        .columns()
        .iter()
        .map(|c| Kind::of(c.type_()).ok_or_else(|| server.unreadable(c.name(), c.type_())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for (n, row) in transaction
        .query(&statement, &[])
        .await
        .map_err(fail)?
        .iter()
        .enumerate()
    {
        let place = Place::Row(n + 1);
        let cells = kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                kind.cell(row, i).map_err(|e| {
                    format!(
                        "PostgreSQL {server}: {place}, column `{}`: {}",
                        columns[i],
                        chain(&e)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(Row { place, cells });
    }
    Ok(Table { columns, rows })
}

/// Parses the connection string (a `postgresql://` URL or `key=value` words) without ever echoing it.
fn parse(url: &str, timeout: Duration) -> Result<Config, String> {
    // regulars always verifies the server's certificate and name (see `connect`), so libpq's stronger modes,
    // which the driver does not know by name, mean the same as `require` here.
    let url = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
        format!(
            "PostgreSQL: the connection string is not valid: {}; write it as \
             postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
            chain(&e)
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("regulars");
    }
    Ok(config)
}

/// Plain TCP only where nothing leaves this machine; anywhere else TLS, or no connection at all.
async fn connect(config: &Config, server: &Server, timeout: Duration) -> Result<Client, String> {
    let fail = |e: tokio_postgres::Error| server.explain(&e, timeout);
    if config.get_ssl_mode() == SslMode::Require {
        // The web's roots, as reqwest uses; the certificate and host name are always checked.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("PostgreSQL {server}: cannot set up TLS: {e}"))?
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        return open(config, tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            .await
            .map_err(fail);
    }
    if !is_local(config) {
        return Err(format!(
            "PostgreSQL {server}: the server is not on this machine and the connection would not be \
             encrypted; add sslmode=require to the connection string (the server's certificate is then checked)"
        ));
    }
    open(config, NoTls).await.map_err(fail)
}

/// Connects, and drives the connection on this thread's runtime (it ends with the runtime).
async fn open<T>(config: &Config, tls: T) -> Result<Client, tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect(tls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Every host is a Unix socket or a loopback address (`localhost`, 127.0.0.0/8, ::1).
fn is_local(config: &Config) -> bool {
    let loopback =
        |name: &str| name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => loopback(name),
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

/// How errors name the server: `database@host:port` (never the user's password).
struct Server(String);

impl Server {
    fn of(config: &Config) -> Server {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => config
                .get_hostaddrs()
                .first()
                .map_or("(no host)".into(), IpAddr::to_string),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config.get_dbname().or(config.get_user()).unwrap_or("");
        Server(format!("{database}@{host}:{port}"))
    }

    /// The server's own words where it said something, with what to do about it.
    fn explain(&self, e: &tokio_postgres::Error, timeout: Duration) -> String {
        let Some(db) = e.as_db_error() else {
            let text = chain(e);
            let advice = if text.contains("invalid peer certificate") {
                " (the server's certificate must be issued by a public certificate authority for its host name)"
                    .into()
            } else if text.contains("timeout") {
                format!(" (timeout_seconds = {})", seconds(timeout))
            } else {
                String::new()
            };
            return format!("PostgreSQL {self}: {text}{advice}");
        };
        let code = db.code();
        let advice = if *code == SqlState::QUERY_CANCELED {
            format!(" (timeout_seconds = {})", seconds(timeout))
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            " (check the user and password in the connection string)".into()
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            " (the customers query runs read-only: it may only read)".into()
        } else {
            db.hint()
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default()
        };
        format!("PostgreSQL {self}: {}{advice}", db.message())
    }

    fn no_answer(&self, doing: &str, timeout: Duration) -> String {
        format!(
            "PostgreSQL {self}: no answer from the server while {doing} (timeout_seconds = {})",
            seconds(timeout)
        )
    }

    fn unreadable(&self, column: &str, ty: &Type) -> String {
        // money's text carries a currency symbol and the server's locale; its numeric value is exact.
        let cast = if *ty == Type::MONEY {
            "numeric"
        } else {
            "text"
        };
        format!(
            "PostgreSQL {self}: column `{column}` has type {ty}, which regulars does not read; \
             cast it in the query, e.g. `{column}::{cast}`"
        )
    }
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An error and its causes, as one line (the driver's own message is only the outermost part).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn seconds(timeout: Duration) -> String {
    if timeout.subsec_millis() == 0 {
        timeout.as_secs().to_string()
    } else {
        format!("{:.1}", timeout.as_secs_f64())
    }
}

/// The column types regulars reads, and how each becomes a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    /// NUMERIC keeps every digit: its exact decimal text (1234.50 stays "1234.50"), never a float. Decoded by
    /// rust_decimal's own PostgreSQL support (maintained with that widely used crate) rather than by hand;
    /// reading the column as text instead would need the simple query protocol, which gives no column types.
    /// Its limit, 28 decimal places, is far past money's.
    Numeric,
    Bool,
    Date,
    /// A timestamp without time zone is taken as UTC.
    Timestamp,
    TimestampTz,
}

impl Kind {
    fn of(ty: &Type) -> Option<Kind> {
        let kinds = [
            (Type::INT2, Kind::Int2),
            (Type::INT4, Kind::Int4),
            (Type::INT8, Kind::Int8),
            (Type::FLOAT4, Kind::Float4),
            (Type::FLOAT8, Kind::Float8),
            (Type::NUMERIC, Kind::Numeric),
            (Type::BOOL, Kind::Bool),
            (Type::DATE, Kind::Date),
            (Type::TIMESTAMP, Kind::Timestamp),
            (Type::TIMESTAMPTZ, Kind::TimestampTz),
        ];
        match kinds.into_iter().find(|(t, _)| t == ty) {
            Some((_, kind)) => Some(kind),
            // text, varchar, char(n), name, citext...
            None => <String as FromSql>::accepts(ty).then_some(Kind::Text),
        }
    }

    fn cell(self, row: &tokio_postgres::Row, i: usize) -> Result<Cell, tokio_postgres::Error> {
        fn get<'a, T: FromSql<'a>>(
            row: &'a tokio_postgres::Row,
            i: usize,
            to_cell: impl FnOnce(T) -> Cell,
        ) -> Result<Cell, tokio_postgres::Error> {
            Ok(row.try_get::<_, Option<T>>(i)?.map_or(Cell::Null, to_cell))
        }
        match self {
            Kind::Text => get(row, i, Cell::Text),
            Kind::Int2 => get(row, i, |v: i16| Cell::Int(v.into())),
            Kind::Int4 => get(row, i, |v: i32| Cell::Int(v.into())),
            Kind::Int8 => get(row, i, Cell::Int),
            Kind::Float4 => get(row, i, |v: f32| Cell::Real(v.into())),
            Kind::Float8 => get(row, i, Cell::Real),
            Kind::Numeric => get(row, i, |v: Decimal| Cell::Text(v.to_string())),
            Kind::Bool => get(row, i, |v: bool| Cell::Text(v.to_string())),
            Kind::Date => get(row, i, |v: NaiveDate| Cell::Date(v)),
            Kind::Timestamp => get(row, i, |v: NaiveDateTime| Cell::Time(v.and_utc())),
            Kind::TimestampTz => get(row, i, |v: DateTime<Utc>| Cell::Time(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Config {
        parse(url, Duration::from_secs(5)).unwrap()
    }

    #[test]
    fn only_loopback_and_sockets_are_local() {
        assert!(is_local(&config(
            "postgresql://shop:pw@127.0.0.1:5432/shopdb"
        )));
        assert!(is_local(&config("postgresql://shop:pw@localhost/shopdb")));
        assert!(is_local(&config("postgresql://shop:pw@[::1]:5433/shopdb")));
        assert!(is_local(&config(
            "host=/run/postgresql user=shop dbname=shopdb"
        )));
        assert!(!is_local(&config(
            "postgresql://shop:pw@db.example.com/shopdb"
        )));
        assert!(!is_local(&config("postgresql://shop:pw@10.0.0.7/shopdb")));
        assert!(!is_local(&config(
            "postgresql://shop:pw@localhost,db.example.com/shopdb"
        )));
    }

    #[test]
    fn a_remote_server_without_tls_is_refused_before_connecting() {
        let url = "postgresql://shop:hunter2secret@db.example.com:6543/shopdb";
        let err = read(url, "SELECT 1", Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            err,
            "PostgreSQL shopdb@db.example.com:6543: the server is not on this machine and the connection would \
             not be encrypted; add sslmode=require to the connection string (the server's certificate is then \
             checked)"
        );
    }

    #[test]
    fn libpq_verify_modes_mean_require() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let url = format!("postgresql://shop:pw@db.example.com/shopdb?sslmode={mode}");
            assert_eq!(config(&url).get_ssl_mode(), SslMode::Require, "{mode}");
        }
        assert_eq!(
            config("postgresql://shop:pw@localhost/shopdb").get_ssl_mode(),
            SslMode::Prefer
        );
    }

    #[test]
    fn a_bad_connection_string_is_explained_without_echoing_it() {
        let err = parse(
            "postgresql://shop:hunter2secret@localhost:notaport/shopdb",
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(!err.contains("hunter2secret"), "{err}");
        assert!(
            err.starts_with("PostgreSQL: the connection string is not valid: "),
            "{err}"
        );
        assert!(
            err.contains("postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
            "{err}"
        );
    }

    #[test]
    fn the_server_is_named_by_database_host_and_port() {
        let name = |url: &str| Server::of(&config(url)).to_string();
        assert_eq!(
            name("postgresql://shop:pw@127.0.0.1:5433/shopdb"),
            "shopdb@127.0.0.1:5433"
        );
        assert_eq!(
            name("postgresql://shop:pw@localhost"),
            "shop@localhost:5432"
        );
    }

    #[test]
    fn the_connect_timeout_defaults_to_the_query_timeout() {
        let url = "postgresql://shop@localhost/shopdb";
        assert_eq!(
            config(url).get_connect_timeout(),
            Some(&Duration::from_secs(5))
        );
        let set = config("postgresql://shop@localhost/shopdb?connect_timeout=2");
        assert_eq!(set.get_connect_timeout(), Some(&Duration::from_secs(2)));
    }

    #[test]
    fn readable_types_and_a_cast_suggested_for_the_rest() {
        assert_eq!(Kind::of(&Type::VARCHAR), Some(Kind::Text));
        assert_eq!(Kind::of(&Type::BPCHAR), Some(Kind::Text));
        assert_eq!(Kind::of(&Type::NUMERIC), Some(Kind::Numeric));
        assert_eq!(Kind::of(&Type::UUID), None);
        let server = Server("shopdb@127.0.0.1:5432".into());
        assert_eq!(
            server.unreadable("token", &Type::UUID),
            "PostgreSQL shopdb@127.0.0.1:5432: column `token` has type uuid, which regulars does not read; \
             cast it in the query, e.g. `token::text`"
        );
        assert!(
            server
                .unreadable("spend", &Type::MONEY)
                .ends_with("`spend::numeric`")
        );
    }

    #[test]
    fn timeouts_are_shown_as_configured() {
        assert_eq!(seconds(Duration::from_secs(5)), "5");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5");
    }
}
