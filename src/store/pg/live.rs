//! The team's sessions on PostgreSQL, apart from the store's own connection: one that LISTENs for what other
//! consoles change (the triggers of the live migration in [`super::schema`]), and one that holds the fetcher
//! lock. Each is its own async connection because a LISTEN and a session advisory lock live and die with it:
//! when a console is killed, its lock goes with its connection and another console takes over.

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client};

use crate::pg::{Server, Transport};

/// The channel the triggers notify.
pub const CHANNEL: &str = "regulars_changes";

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The fetcher lock: one per database (a session lock on the pair (this class, the database's name)).
const LOCK: &str = "hashtext('regulars fetcher'), hashtext(current_database())";

/// One async connection. Dropping it closes the connection (and releases what the session held).
pub struct Session {
    client: Client,
    /// A notification's payload, or why the connection ended; closed once the connection is gone.
    events: mpsc::UnboundedReceiver<Result<String, String>>,
    server: Server,
}

/// Who holds the fetcher lock, as seen by one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    /// This session holds it now.
    Held,
    /// Another does; its announced name, if it wrote one.
    Taken(Option<String>),
}

impl Session {
    /// Connects (TLS unless the server is on this machine, as the store's connection does).
    pub async fn open(url: &str) -> Result<Session, String> {
        let config = crate::pg::parse(url, CONNECT_TIMEOUT)?;
        let server = Server::of(&config);
        let (tx, events) = mpsc::unbounded_channel();
        let client = match crate::pg::transport(&config, &server)? {
            Transport::Tls(tls) => {
                let (client, connection) = config
                    .connect(tls)
                    .await
                    .map_err(|e| server.explain(&e, CONNECT_TIMEOUT))?;
                tokio::spawn(drive(connection, tx));
                client
            }
            Transport::Plain => {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(|e| server.explain(&e, CONNECT_TIMEOUT))?;
                tokio::spawn(drive(connection, tx));
                client
            }
        };
        Ok(Session {
            client,
            events,
            server,
        })
    }

    /// Starts receiving the changes other consoles make.
    pub async fn listen(&self) -> Result<(), String> {
        self.run(&format!("LISTEN {CHANNEL}")).await
    }

    /// The next notification's payload; `Err` once the connection is gone (with why).
    pub async fn next(&mut self) -> Result<String, String> {
        match self.events.recv().await {
            Some(event) => event,
            None => Err(format!("PostgreSQL {}: the connection closed", self.server)),
        }
    }

    /// Hands out the notifications (and the connection's end) as a channel; the session is kept alive by the
    /// returned client handle.
    pub fn into_parts(self) -> (Client, mpsc::UnboundedReceiver<Result<String, String>>) {
        (self.client, self.events)
    }

    /// Tries the fetcher lock once (never waits); on success writes `name` as the fetcher.
    pub async fn try_lock(&self, name: &str, now_ms: i64) -> Result<Lock, String> {
        let row = self
            .client
            .query_one(
                &format!(
                    "SELECT pg_try_advisory_lock({LOCK}), (SELECT name FROM regulars_fetcher)"
                ),
                &[],
            )
            .await
            .map_err(|e| self.explain(&e))?;
        let (held, by): (bool, Option<String>) = (
            row.try_get(0).map_err(|e| self.explain(&e))?,
            row.try_get(1).map_err(|e| self.explain(&e))?,
        );
        if !held {
            return Ok(Lock::Taken(by));
        }
        self.client
            .execute(
                "INSERT INTO regulars_fetcher (name, pid, since) VALUES ($1, pg_backend_pid(), $2)
                 ON CONFLICT (one) DO UPDATE SET name = $1, pid = pg_backend_pid(), since = $2",
                &[&name, &now_ms],
            )
            .await
            .map_err(|e| self.explain(&e))?;
        Ok(Lock::Held)
    }

    /// Quitting as the fetcher: the name goes, then the lock (closing the session would release it too).
    pub async fn release(self) {
        let _ = self
            .run(&format!(
                "DELETE FROM regulars_fetcher WHERE pid = pg_backend_pid();
                 SELECT pg_advisory_unlock({LOCK});"
            ))
            .await;
    }

    async fn run(&self, sql: &str) -> Result<(), String> {
        self.client
            .batch_execute(sql)
            .await
            .map_err(|e| self.explain(&e))
    }

    fn explain(&self, e: &tokio_postgres::Error) -> String {
        self.server.explain(e, CONNECT_TIMEOUT)
    }
}

/// Runs the connection, forwarding notifications; the sender is dropped when it ends.
async fn drive<S, T>(
    mut connection: tokio_postgres::Connection<S, T>,
    tx: mpsc::UnboundedSender<Result<String, String>>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    while let Some(message) = messages.next().await {
        match message {
            Ok(AsyncMessage::Notification(n)) => {
                let _ = tx.send(Ok(n.payload().to_string()));
            }
            Ok(_) => {}
            Err(e) => {
                let _ = tx.send(Err(format!(
                    "the connection to PostgreSQL was lost: {}",
                    crate::pg::chain(&e)
                )));
                return;
            }
        }
    }
}
