//! The shop's PostgreSQL database as a customers source: the configured query, run in a read-only transaction
//! with a time limit, its rows handed back as typed cells.
//!
//! The connection string is a secret (it holds the password): nothing here ever prints it; errors name the
//! server as `database@host:port`.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Config, NoTls, Socket};

use crate::pg::{Server, Transport, chain, parse, transport};

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

/// Connects over the transport [`crate::pg::transport`] chooses.
async fn connect(config: &Config, server: &Server, timeout: Duration) -> Result<Client, String> {
    let fail = |e: tokio_postgres::Error| server.explain(&e, timeout);
    match transport(config, server)? {
        Transport::Tls(tls) => open(config, tls).await.map_err(fail),
        Transport::Plain => open(config, NoTls).await.map_err(fail),
    }
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
    fn readable_types_and_a_cast_suggested_for_the_rest() {
        assert_eq!(Kind::of(&Type::VARCHAR), Some(Kind::Text));
        assert_eq!(Kind::of(&Type::BPCHAR), Some(Kind::Text));
        assert_eq!(Kind::of(&Type::NUMERIC), Some(Kind::Numeric));
        assert_eq!(Kind::of(&Type::UUID), None);
        let server = Server::of(&config("postgresql://shop:pw@127.0.0.1:5432/shopdb"));
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
}
