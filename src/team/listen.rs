//! Live between consoles: the PostgreSQL backend's triggers `NOTIFY regulars_changes` with the table a statement
//! changed (see the store's team migration); this task LISTENs on a connection of its own and hands each
//! notification to the UI as [`Msg::Changed`], which reloads the panes through the read path. Nothing polls
//! tables. A lost connection is made again with backoff, and the panes reload once it is back (notifications
//! sent meanwhile are gone).

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{AsyncMessage, Config, NoTls, Socket};
use tokio_util::sync::CancellationToken;

use crate::app::Msg;
use crate::pg::{Server, Transport};

/// The channel the store's triggers notify.
pub const CHANNEL: &str = "regulars_changes";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// The listener of a console on a PostgreSQL store, stopped with the console.
pub struct Listening {
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Listening {
    /// Starts listening when `[store]` is PostgreSQL (`None`: SQLite, one console per file, nothing to hear;
    /// or no connection string, which opening the store has already reported).
    pub fn start(
        store: &crate::config::store::StoreConfig,
        ui: mpsc::UnboundedSender<Msg>,
    ) -> Option<Listening> {
        let url = store.postgres_url().ok()??.expose().to_string();
        let cancel = CancellationToken::new();
        let task = tokio::spawn(listen(url, ui, cancel.clone()));
        Some(Listening { cancel, task })
    }

    pub async fn stop(self) {
        self.cancel.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the listener for other consoles' changes failed");
        }
    }
}

/// Listens until `cancel`, connecting again after every loss (waits doubling from 1 s to 30 s; back to 1 s
/// after a connection that lasted).
pub async fn listen(url: String, ui: mpsc::UnboundedSender<Msg>, cancel: CancellationToken) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let began = tokio::time::Instant::now();
        let why = tokio::select! {
            _ = cancel.cancelled() => return,
            why = session(&url, &ui) => why,
        };
        if began.elapsed() > BACKOFF_MAX {
            backoff = BACKOFF_MIN;
        }
        tracing::warn!(%why, retry_in = ?backoff, "not listening for other consoles' changes");
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// One connection's life; returns why it ended.
async fn session(url: &str, ui: &mpsc::UnboundedSender<Msg>) -> String {
    let config = match crate::pg::parse(url, CONNECT_TIMEOUT) {
        Ok(config) => config,
        Err(why) => return why,
    };
    let server = Server::of(&config);
    let ended = match crate::pg::transport(&config, &server) {
        Ok(Transport::Tls(tls)) => run(&config, tls, ui).await,
        Ok(Transport::Plain) => run(&config, NoTls, ui).await,
        Err(why) => return why,
    };
    match ended {
        Ok(()) => format!("PostgreSQL {server} closed the connection"),
        Err(e) => server.explain(&e, CONNECT_TIMEOUT),
    }
}

/// Connects, LISTENs, says the panes may be stale (changes may have been missed before), then forwards each
/// notification until the connection ends.
async fn run<T>(
    config: &Config,
    tls: T,
    ui: &mpsc::UnboundedSender<Msg>,
) -> Result<(), tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
{
    let (client, mut connection) = config.connect(tls).await?;
    let (heard, mut notifications) = mpsc::unbounded_channel();
    // The connection delivers notifications only while it is polled, so it is driven here, beside the LISTEN.
    let drive = async move {
        while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
            if let AsyncMessage::Notification(n) = message? {
                let _ = heard.send(n.payload().to_string());
            }
        }
        Ok(())
    };
    let forward = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        let _ = ui.send(Msg::Changed { table: None });
        while let Some(payload) = notifications.recv().await {
            let _ = ui.send(Msg::Changed {
                table: table_of(&payload),
            });
        }
        Ok(())
    };
    tokio::select! {
        ended = drive => ended,
        ended = forward => ended,
    }
}

/// The table a notification names (`{"table": "actions"}`); `None` (reload everything) for anything else.
fn table_of(payload: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()?
        .get("table")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_names_its_table() {
        assert_eq!(
            table_of(r#"{"table":"actions"}"#).as_deref(),
            Some("actions")
        );
        assert_eq!(table_of("garbage"), None);
    }
}
