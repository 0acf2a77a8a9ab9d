//! Wiring: the configured sources as supervised tasks, the ingest task, and the effect runner.
//! Used by the console and by `regulars sync`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

mod handles;
mod held;
mod runner;
mod writes;

use crate::app::Msg;
use crate::config::Settings;
use crate::domain::{Customer, Network};
use crate::ingest::Ingest;
use crate::sources::accounts::AccountSearch;
use crate::sources::listening::Listening;
use crate::sources::{Health, Replier, Source, SourceCtx};
use crate::store::Store;
pub use runner::Runner;

/// The configured sources and, per network, who sends replies and who finds people's accounts.
pub struct Wiring {
    pub sources: Vec<Box<dyn Source>>,
    pub repliers: HashMap<Network, Arc<dyn Replier>>,
    pub accounts: HashMap<Network, Arc<dyn AccountSearch>>,
}

/// Builds every configured source (and the repliers of the networks that have an account), each listening for
/// what `Listening` derives from the config and the customers. Errors name the config field and the fix.
pub fn wire(
    settings: &Settings,
    customers: &[Customer],
    client: &reqwest::Client,
) -> Result<Wiring, String> {
    let listening = Listening::new(&settings.config, customers);
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    let mut repliers: HashMap<Network, Arc<dyn Replier>> = HashMap::new();
    let mut accounts: HashMap<Network, Arc<dyn AccountSearch>> = HashMap::new();
    for (name, source) in &settings.config.sources {
        let network = source.network();
        let built = source.build(name, listening.watch(network), client)?;
        sources.push(built.source);
        // The first source of a network replies for it.
        if !repliers.contains_key(&network)
            && let Some(replier) = built.replier
        {
            repliers.insert(network, replier);
        }
        // And searches its people's accounts.
        if let Some(search) = built.accounts {
            accounts.entry(network).or_insert(search);
        }
    }
    Ok(Wiring {
        sources,
        repliers,
        accounts,
    })
}

/// Running sources and ingest: cancel to stop; failures arrive as `Msg::TaskFailed`.
pub struct Running {
    pub cancel: CancellationToken,
    supervisor: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.supervisor.await;
    }
}

pub async fn start(
    store: &Store,
    sources: Vec<Box<dyn Source>>,
    ingest: Ingest,
    ui: mpsc::UnboundedSender<Msg>,
) -> Running {
    let cancel = CancellationToken::new();
    let (tx, rx) = mpsc::channel(64);
    let mut tasks = JoinSet::new();
    for source in sources {
        let name = source.name().to_string();
        let lookup = name.clone();
        let cursors = match store.call(move |db| db.cursors(&lookup)).await {
            Ok(cursors) => cursors,
            Err(e) => {
                // Starting without its cursors would refetch from scratch: say so and leave it off instead.
                tracing::error!(source = name, error = %e, "cannot read the source's cursors");
                let why = format!("cannot read its saved position: {e}");
                let _ = ui.send(Msg::SourceHealth {
                    source: name.clone(),
                    health: Health::Disabled(why.clone()),
                });
                let _ = ui.send(Msg::TaskFailed {
                    what: format!("source {name}"),
                    error: why,
                });
                continue;
            }
        };
        let ctx = SourceCtx {
            name: name.clone(),
            tx: tx.clone(),
            cancel: cancel.clone(),
            cursors,
        };
        let _ = ui.send(Msg::SourceHealth {
            source: name.clone(),
            health: Health::Connecting,
        });
        let ui = ui.clone();
        tasks.spawn(async move {
            if let Err(e) = source.run(ctx).await {
                tracing::error!(source = name, error = %e, "source stopped");
                let _ = ui.send(Msg::SourceHealth {
                    source: name.clone(),
                    health: Health::Disabled(e.to_string()),
                });
                let _ = ui.send(Msg::TaskFailed {
                    what: format!("source {name}"),
                    error: e.to_string(),
                });
            }
        });
    }
    drop(tx);
    tasks.spawn(crate::ingest::run(
        rx,
        store.clone(),
        ingest,
        ui.clone(),
        cancel.clone(),
    ));
    let supervisor = tokio::spawn(async move {
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done
                && e.is_panic()
            {
                tracing::error!(error = %e, "a task panicked");
                let _ = ui.send(Msg::TaskFailed {
                    what: "a background task".into(),
                    error: "it crashed; see the log".into(),
                });
            }
        }
    });
    Running { cancel, supervisor }
}

/// The sources of this process: on a shared (PostgreSQL) workspace only while this process holds the fetcher
/// lock (see [`crate::fetcher`]; `rewire` builds them again for a later term), otherwise at once. Stopping it
/// gives the lock up.
pub async fn start_sources(
    fetch: crate::fetcher::Fetch,
    name: String,
    ui: mpsc::UnboundedSender<Msg>,
) -> Running {
    let Some(url) = fetch.store.postgres_url().map(str::to_string) else {
        return start(&fetch.store, fetch.sources, fetch.ingest, ui).await;
    };
    let cancel = CancellationToken::new();
    let supervisor = tokio::spawn(crate::fetcher::run(url, name, fetch, ui, cancel.clone()));
    Running { cancel, supervisor }
}

/// Builds the configured sources again, for a later term as the fetcher.
pub fn rewire(
    settings: &Settings,
    customers: &[Customer],
    client: &reqwest::Client,
) -> crate::fetcher::Rewire {
    let (settings, customers, client) = (settings.clone(), customers.to_vec(), client.clone());
    Box::new(move || wire(&settings, &customers, &client).map(|w| w.sources))
}

/// On a shared workspace, the console's live link to the other consoles (see [`crate::live`]) and its
/// presence heartbeat.
pub fn listen(store: &Store, ui: mpsc::UnboundedSender<Msg>) -> Option<Running> {
    let url = store.postgres_url()?.to_string();
    let cancel = CancellationToken::new();
    let live = crate::live::spawn(url, ui.clone(), cancel.clone());
    let beat = crate::live::heartbeat(ui.clone(), cancel.clone());
    let supervisor = tokio::spawn(async move {
        for (what, task) in [("the live link", live), ("the presence heartbeat", beat)] {
            if let Err(e) = task.await
                && e.is_panic()
            {
                tracing::error!(error = %e, "{what} panicked");
                let _ = ui.send(Msg::TaskFailed {
                    what: what.into(),
                    error: "it crashed; see the log".into(),
                });
            }
        }
    });
    Some(Running { cancel, supervisor })
}
