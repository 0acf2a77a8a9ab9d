//! Wiring: the configured sources as supervised tasks, the ingest task, and the effect runner.
//! Used by the console and by `regulars sync`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::{Effect, Msg};
use crate::config::Settings;
use crate::domain::{Customer, Network, Reply};
use crate::ingest::Ingest;
use crate::notify::Notifier;
use crate::sources::listening::Listening;
use crate::sources::{Health, Replier, ReplyRequest, Source, SourceCtx};
use crate::store::Store;

/// The configured sources and, per network, who sends replies.
pub struct Wiring {
    pub sources: Vec<Box<dyn Source>>,
    pub repliers: HashMap<Network, Arc<dyn Replier>>,
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
    }
    Ok(Wiring { sources, repliers })
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
    tasks.spawn(crate::ingest::run(rx, store.clone(), ingest, ui.clone()));
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

/// Performs effects in order (so draft saves never overtake each other); replies go out in their own tasks.
pub struct Runner {
    store: Store,
    repliers: HashMap<Network, Arc<dyn Replier>>,
    notifier: Arc<dyn Notifier>,
    ui: mpsc::UnboundedSender<Msg>,
}

impl Runner {
    pub fn new(
        store: Store,
        repliers: HashMap<Network, Arc<dyn Replier>>,
        notifier: Arc<dyn Notifier>,
        ui: mpsc::UnboundedSender<Msg>,
    ) -> Runner {
        Runner {
            store,
            repliers,
            notifier,
            ui,
        }
    }

    /// Runs until the sender is dropped, then waits for replies in flight.
    pub async fn run(self, mut effects: mpsc::UnboundedReceiver<Effect>) {
        let mut sends = JoinSet::new();
        while let Some(effect) = effects.recv().await {
            match effect {
                Effect::SendReply {
                    post,
                    text,
                    idempotency_key,
                } => {
                    let replier = self.repliers.get(&post.reply_route()).cloned();
                    let (store, ui) = (self.store.clone(), self.ui.clone());
                    sends.spawn(send_reply(replier, store, ui, *post, text, idempotency_key));
                }
                other => self.perform(other).await,
            }
        }
        while sends.join_next().await.is_some() {}
    }

    async fn perform(&self, effect: Effect) {
        let msg = match effect {
            Effect::SaveDraft(draft) => {
                let saved = draft.clone();
                self.store
                    .call(move |db| db.save_draft(&saved))
                    .await
                    .map(|_| Some(Msg::DraftSaved(draft)))
            }
            Effect::DeleteDraft(post) => self
                .store
                .call(move |db| db.delete_draft(post))
                .await
                .map(|_| None),
            Effect::LogAction(action) => self
                .store
                .call(move |db| db.log_action(&action))
                .await
                .map(|a| Some(Msg::ActionLogged(a))),
            Effect::ScheduleFollowUp(follow_up) => self
                .store
                .call(move |db| db.schedule_follow_up(&follow_up))
                .await
                .map(|(follow_up, action)| Some(Msg::FollowUpScheduled { follow_up, action })),
            Effect::CompleteFollowUp { id, at } => self
                .store
                .call(move |db| db.complete_follow_up(id, at))
                .await
                .map(|_| None),
            Effect::Notify { title, body } => {
                self.notifier.notify(&title, &body);
                return;
            }
            Effect::SendReply { .. } | Effect::Quit => return,
        };
        let msg = msg.unwrap_or_else(|e| {
            tracing::error!(error = %e, "store write failed");
            Some(Msg::TaskFailed {
                what: "saving".into(),
                error: e.to_string(),
            })
        });
        if let Some(msg) = msg {
            let _ = self.ui.send(msg);
        }
    }
}

async fn send_reply(
    replier: Option<Arc<dyn Replier>>,
    store: Store,
    ui: mpsc::UnboundedSender<Msg>,
    post: crate::domain::Post,
    text: String,
    idempotency_key: String,
) {
    let post_id = post.id;
    let Some(replier) = replier else {
        let _ = ui.send(Msg::ReplyFailed {
            post: post_id,
            reason: format!(
                "no {} account is configured to reply from: add a [sources.<name>] for it",
                post.reply_route()
            ),
        });
        return;
    };
    // Where it went: the demo network for demo posts.
    let (network, customer) = (post.reply_route(), post.customer);
    let request = ReplyRequest {
        post,
        text: text.clone(),
        idempotency_key,
    };
    let msg = match replier.send(request).await {
        Ok(sent) => {
            let reply = Reply {
                post: post_id,
                network,
                text,
                sent_at: chrono::Utc::now(),
                url: sent.url,
                remote_id: sent.remote_id,
            };
            let stored = reply.clone();
            match store
                .call(move |db| db.record_reply(&stored, customer))
                .await
            {
                Ok(action) => Msg::ReplySent { reply, action },
                Err(e) => Msg::TaskFailed {
                    what: "recording the sent reply".into(),
                    error: e.to_string(),
                },
            }
        }
        Err(e) => Msg::ReplyFailed {
            post: post_id,
            reason: format!("{e:#}"),
        },
    };
    let _ = ui.send(msg);
}
