//! One ingester per shared workspace, elected: only the process holding the fetcher lock (a PostgreSQL
//! session advisory lock on its own connection) runs the sources, console or `regulars sync` alike. The
//! others try the lock every few seconds and show who holds it; when the holder quits or dies, its lock goes
//! with its connection and the next try takes over, resuming from the stored cursors (each batch is stored
//! with its cursor in one transaction, and posts are unique per network: no gap, no duplicate).

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::Msg;
use crate::ingest::Ingest;
use crate::sources::Source;
use crate::state::live::Fetcher;
use crate::store::Store;
use crate::store::live::{Lock, Session};

/// How often a process that does not fetch tries the lock (and how long it waits after a failed connection).
pub const RETRY: Duration = Duration::from_secs(3);

/// Builds the sources again for a later term (the first term runs the ones already wired).
pub type Rewire = Box<dyn FnMut() -> Result<Vec<Box<dyn Source>>, String> + Send>;

/// What the elected process runs.
pub struct Fetch {
    pub store: Store,
    pub sources: Vec<Box<dyn Source>>,
    pub rewire: Rewire,
    pub ingest: Ingest,
}

/// How this process is named to the others while it fetches: staff's name (`Workspace::staff`) and the
/// machine's.
pub fn whoami(user: String) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

/// Takes turns for the lock on the workspace at `url` until cancelled: runs the sources while it holds it.
pub async fn run(
    url: String,
    name: String,
    fetch: Fetch,
    ui: mpsc::UnboundedSender<Msg>,
    cancel: CancellationToken,
) {
    let Fetch {
        store,
        sources,
        mut rewire,
        ingest,
    } = fetch;
    let mut first = Some(sources);
    loop {
        let Some(mut session) = elect(&url, &name, &ui, &cancel).await else {
            return;
        };
        let _ = ui.send(Msg::Fetching(Fetcher::Here));
        let sources = match first.take().map_or_else(&mut rewire, Ok) {
            Ok(sources) => sources,
            Err(error) => {
                // Holding the lock without fetching would stop everyone: let another process have it.
                let _ = ui.send(Msg::TaskFailed {
                    what: "the sources".into(),
                    error,
                });
                session.release().await;
                return;
            }
        };
        let running = crate::runtime::start(&store, sources, ingest.clone(), ui.clone()).await;
        let lost = tokio::select! {
            _ = cancel.cancelled() => None,
            why = lost(&mut session) => Some(why),
        };
        running.stop().await;
        let Some(why) = lost else {
            session.release().await;
            return;
        };
        // Without the lock another process may already fetch: stop, and queue for the lock again.
        tracing::warn!(error = %why, "lost the fetcher lock");
        let _ = ui.send(Msg::Fetching(Fetcher::Unknown));
        let _ = ui.send(Msg::TaskFailed {
            what: "fetching".into(),
            error: format!("{why}; stopped, trying to take over again"),
        });
    }
}

/// Waits until this process holds the lock (`None`: cancelled first), saying who holds it meanwhile. One
/// connection serves the tries while it lasts.
async fn elect(
    url: &str,
    name: &str,
    ui: &mpsc::UnboundedSender<Msg>,
    cancel: &CancellationToken,
) -> Option<Session> {
    let mut shown = None;
    let mut session: Option<Session> = None;
    loop {
        let tried = tokio::select! {
            _ = cancel.cancelled() => return None,
            tried = try_once(&mut session, url, name) => tried,
        };
        match tried {
            Ok(Lock::Held) => return session,
            Ok(Lock::Taken(by)) => {
                let fetcher = Fetcher::Elsewhere(by);
                if shown.as_ref() != Some(&fetcher) {
                    let _ = ui.send(Msg::Fetching(fetcher.clone()));
                    shown = Some(fetcher);
                }
            }
            Err(why) => {
                tracing::warn!(error = %why, "cannot try the fetcher lock");
                session = None;
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

/// One try, connecting first where there is no connection yet.
async fn try_once(session: &mut Option<Session>, url: &str, name: &str) -> Result<Lock, String> {
    if session.is_none() {
        *session = Some(Session::open(url).await?);
    }
    let Some(open) = session.as_ref() else {
        return Err("no connection".into());
    };
    open.try_lock(name, chrono::Utc::now().timestamp_millis())
        .await
}

/// Resolves when the session's connection is gone (with it, the lock).
async fn lost(session: &mut Session) -> String {
    loop {
        if let Err(why) = session.next().await {
            return why;
        }
    }
}
