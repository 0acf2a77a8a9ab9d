//! The effect runner: performs what `update` asks for (store writes and reads, notifications) in order, and
//! sends replies in tasks of their own; every outcome comes back to the UI as a `Msg`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::handles;
use crate::app::{Effect, Msg};
use crate::customers::story::STORY_ENTRIES;
use crate::domain::{Claim, Network, Reply};
use crate::ingest::Rematch;
use crate::links::{self, LinksConfig};
use crate::notify::Notifier;
use crate::sources::accounts::AccountSearch;
use crate::sources::mastodon::markers::{self, Markers};
use crate::sources::{Replier, ReplyRequest, Resolution, SendError, SentReply};
use crate::state::Preparers;
use crate::store::Store;

/// Performs effects in order (so draft saves never overtake each other); replies go out in their own tasks.
pub struct Runner {
    store: Store,
    repliers: HashMap<Network, Arc<dyn Replier>>,
    accounts: HashMap<Network, Arc<dyn AccountSearch>>,
    notifier: Arc<dyn Notifier>,
    links: LinksConfig,
    ui: mpsc::UnboundedSender<Msg>,
    rematch: Option<Rematch>,
    markers: Option<Arc<Markers>>,
    /// Who is at the keyboard (`[me] name`): the claims this console takes are theirs.
    staff: String,
}

impl Runner {
    pub fn new(
        store: Store,
        repliers: HashMap<Network, Arc<dyn Replier>>,
        notifier: Arc<dyn Notifier>,
        links: LinksConfig,
        ui: mpsc::UnboundedSender<Msg>,
    ) -> Runner {
        Runner {
            store,
            repliers,
            accounts: HashMap::new(),
            notifier,
            links,
            ui,
            rematch: None,
            markers: None,
            staff: String::new(),
        }
    }

    /// Keeps the running ingest's matcher current after a handle is linked or unlinked.
    pub fn with_rematch(mut self, rematch: Rematch) -> Runner {
        self.rematch = Some(rematch);
        self
    }

    /// Mastodon's read position, for `Effect::SyncReadPosition` (none: it answers that none is configured).
    pub fn with_markers(mut self, markers: Option<Markers>) -> Runner {
        self.markers = markers.map(Arc::new);
        self
    }

    /// Who is at the keyboard, named on the claims this console takes before sending.
    pub fn with_staff(mut self, staff: impl Into<String>) -> Runner {
        self.staff = staff.into();
        self
    }

    /// The networks' account searches, for `Effect::SearchAccounts` (none: every search says so).
    pub fn with_accounts(mut self, accounts: HashMap<Network, Arc<dyn AccountSearch>>) -> Runner {
        self.accounts = accounts;
        self
    }

    /// Runs until the sender is dropped, then waits for replies in flight. First hands the UI the repliers'
    /// pure side, so the send confirmation shows exactly what each would post.
    pub async fn run(self, mut effects: mpsc::UnboundedReceiver<Effect>) {
        let _ = self
            .ui
            .send(Msg::RepliersReady(Preparers::new(self.repliers.clone())));
        let mut sends = JoinSet::new();
        let mut queue = std::collections::VecDeque::new();
        loop {
            if queue.is_empty() {
                match effects.recv().await {
                    Some(effect) => queue.push_back(effect),
                    None => break,
                }
            }
            while let Ok(effect) = effects.try_recv() {
                queue.push_back(effect);
            }
            let Some(effect) = queue.pop_front() else {
                continue;
            };
            // A load that a later one for the same pane (or Detail) makes pointless is skipped: scrolling or
            // typing a search never queues up reads.
            if let Effect::Load(load) = &effect
                && queue
                    .iter()
                    .any(|e| matches!(e, Effect::Load(later) if later.supersedes(load)))
            {
                continue;
            }
            match effect {
                Effect::SendReply {
                    post,
                    text,
                    idempotency_key,
                    unconfirmed,
                    anyway,
                } => {
                    let replier = self.repliers.get(&post.reply_route()).cloned();
                    let (store, ui) = (self.store.clone(), self.ui.clone());
                    let request = ReplyRequest {
                        post: *post,
                        text,
                        idempotency_key,
                    };
                    let claim = ClaimAs {
                        staff: self.staff.clone(),
                        anyway,
                    };
                    sends.spawn(send_reply(replier, store, ui, request, unconfirmed, claim));
                }
                Effect::ResolveReply {
                    post,
                    text,
                    idempotency_key,
                } => {
                    let replier = self.repliers.get(&post.reply_route()).cloned();
                    let (store, ui) = (self.store.clone(), self.ui.clone());
                    let request = ReplyRequest {
                        post: *post,
                        text,
                        idempotency_key,
                    };
                    sends.spawn(resolve_reply(replier, store, ui, request));
                }
                Effect::SearchAccounts {
                    customer,
                    name,
                    networks,
                } => {
                    let searches: Vec<_> = networks
                        .into_iter()
                        .map(|n| (n, self.accounts.get(&n).cloned()))
                        .collect();
                    let ui = self.ui.clone();
                    sends.spawn(async move {
                        let found = handles::search(searches, &name, handles::SEARCH_TIMEOUT).await;
                        let _ = ui.send(Msg::AccountsFound { customer, found });
                    });
                }
                Effect::Notify { title, body } => {
                    sends.spawn(notify(self.notifier.clone(), self.ui.clone(), title, body));
                }
                Effect::SyncReadPosition => {
                    let (markers, store, ui) =
                        (self.markers.clone(), self.store.clone(), self.ui.clone());
                    sends.spawn(async move {
                        let synced = sync_read_position(markers, &store).await;
                        let _ = ui.send(Msg::ReadPositionSynced(synced));
                    });
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
                .map(|action| Some(Msg::FollowUpCompleted { id, action })),
            Effect::MarkRead { posts, at } => self
                .store
                .call(move |db| db.mark_read(&posts, at))
                .await
                .map(|_| Some(Msg::ReadMarked)),
            Effect::MarkAllRead { pane, query, at } => self
                .store
                .call(move |db| db.mark_all_read(&query, at))
                .await
                .map(|count| Some(Msg::AllReadMarked { pane, count })),
            Effect::SavePlace { values, at } => self
                .store
                .call(move |db| db.save_ui_state(&values, at))
                .await
                .map(|_| None),
            Effect::Reopen { post, at } => self
                .store
                .call(move |db| db.reopen_post(post, at))
                .await
                .map(|done| done.map(|(post, action)| Msg::Reopened { post, action })),
            Effect::Dismiss { post, at } => self
                .store
                .call(move |db| db.dismiss_post(post, at))
                .await
                .map(|done| done.map(|(post, action)| Msg::Dismissed { post, action })),
            Effect::Undo(undo) => {
                let taken = undo.clone();
                self.store
                    .call(move |db| db.undo(&taken))
                    .await
                    .map(|post| Some(Msg::Undone { undo, post }))
            }
            Effect::CorrectCategory { post, category, at } => self
                .store
                .call(move |db| db.correct_post(post, category, at))
                .await
                .map(|done| done.map(|(post, correction)| Msg::Corrected { post, correction })),
            Effect::CheckPriorReply(post) => self
                .store
                .call(move |db| db.prior_reply(post))
                .await
                .map(|prior| prior.map(|prior| Msg::PriorReply { post, prior })),
            Effect::Load(load) => {
                let msg = match crate::loader::load(&self.store, load.clone()).await {
                    Ok(loaded) => Msg::Loaded(loaded),
                    Err(e) => {
                        tracing::error!(error = %e, ?load, "a read failed");
                        Msg::LoadFailed {
                            load,
                            error: e.to_string(),
                        }
                    }
                };
                let _ = self.ui.send(msg);
                return;
            }
            Effect::OpenLink(url) => {
                let error = links::open(&self.links, &url).await.err();
                let _ = self.ui.send(Msg::Opened { url, error });
                return;
            }
            Effect::Copy { text, what } => {
                let error = links::copy(&self.links, &text).await.err();
                let _ = self.ui.send(Msg::Copied { what, error });
                return;
            }
            Effect::LinkHandle { customer, handle } => {
                let msg = handles::link(&self.store, customer, handle).await;
                self.rematch(&msg).await;
                let _ = self.ui.send(msg);
                return;
            }
            Effect::UnlinkHandle { customer, handle } => {
                let msg = handles::unlink(&self.store, customer, handle).await;
                self.rematch(&msg).await;
                let _ = self.ui.send(msg);
                return;
            }
            Effect::LoadCustomers => {
                let rows = self.store.call(|db| db.customer_overview()).await;
                let _ = self
                    .ui
                    .send(Msg::CustomersLoaded(rows.map_err(|e| e.to_string())));
                return;
            }
            Effect::LoadStory(customer) => {
                let story = self
                    .store
                    .call(move |db| db.customer_story(customer, STORY_ENTRIES))
                    .await;
                let story = story.map(|s| s.map(Box::new)).map_err(|e| e.to_string());
                let _ = self.ui.send(Msg::StoryLoaded { customer, story });
                return;
            }
            Effect::SaveCustomerNote { customer, note } => {
                let saved = note.clone();
                let msg = match self
                    .store
                    .call(move |db| db.set_customer_note(customer, &saved))
                    .await
                {
                    Ok(c) => Msg::CustomerSaved(c),
                    Err(e) => {
                        tracing::error!(error = %e, "a customer's notes could not be saved");
                        Msg::NoteNotSaved {
                            customer,
                            note,
                            error: e.to_string(),
                        }
                    }
                };
                let _ = self.ui.send(msg);
                return;
            }
            Effect::GatherCheckIn { now } => {
                let gathered = self
                    .store
                    .call(move |db| crate::loader::gather_check_in(&*db, now))
                    .await;
                let _ = self
                    .ui
                    .send(Msg::CheckInGathered(gathered.map_err(|e| e.to_string())));
                return;
            }
            Effect::SaveCheckIn(record) => self
                .store
                .call(move |db| db.record_check_in(&record))
                .await
                .map(|_| None),
            Effect::MeasureSpikes { at, rule } => {
                let measured = self
                    .store
                    .call(move |db| crate::alerts::spike::measure(db, &rule, at))
                    .await;
                let _ = self
                    .ui
                    .send(Msg::SpikesMeasured(measured.map_err(|e| e.to_string())));
                return;
            }
            Effect::SetAlwaysTellMe { customer, on } => self
                .store
                .call(move |db| db.set_always_tell_me(customer, on, chrono::Utc::now()))
                .await
                .map(|_| Some(Msg::AlwaysTellMeSet { customer, on })),
            Effect::SendReply { .. }
            | Effect::ResolveReply { .. }
            | Effect::SearchAccounts { .. }
            | Effect::Notify { .. }
            // The UI loop rings the bell: it owns the terminal.
            | Effect::Bell
            | Effect::SyncReadPosition
            // The UI loop owns the terminal: it runs the editor and suspends.
            | Effect::EditDraft { .. }
            | Effect::Suspend
            | Effect::Quit => return,
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

    /// After a link or unlink that the store took, ingest matches with the stored customers as they now are.
    async fn rematch(&self, done: &Msg) {
        let (Some(rematch), Msg::HandleLinked { .. } | Msg::HandleUnlinked { .. }) =
            (&self.rematch, done)
        else {
            return;
        };
        match self.store.call(|db| db.customers()).await {
            Ok(customers) => rematch.customers_changed(&customers),
            // The link is stored; only matching waits for the next start.
            Err(e) => tracing::warn!(error = %e, "cannot reload the customers for matching"),
        }
    }
}

/// How long the notification service may take to answer before the notification counts as not shown.
const NOTIFY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Shows a notification on a thread of its own (D-Bus blocks, and a service that never answers must not hold
/// a blocking-pool thread the runtime waits for at exit) and reports whether it was shown.
async fn notify(
    notifier: Arc<dyn Notifier>,
    ui: mpsc::UnboundedSender<Msg>,
    title: String,
    body: String,
) {
    let (t, b) = (title.clone(), body.clone());
    let (done, shown) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(notifier.notify(&t, &b));
    });
    let error = match tokio::time::timeout(NOTIFY_TIMEOUT, shown).await {
        Ok(Ok(result)) => result.err(),
        Ok(Err(_)) => Some("the notification thread stopped without an answer".into()),
        Err(_) => Some("the notification service did not answer".into()),
    };
    if let Some(e) = &error {
        tracing::warn!(error = %e, "desktop notification not shown");
    }
    let _ = ui.send(Msg::Notified { title, body, error });
}

/// Marks Mastodon's notifications read up to the newest the source has taken in.
async fn sync_read_position(
    markers: Option<Arc<Markers>>,
    store: &Store,
) -> Result<markers::ReadPosition, String> {
    let markers = markers.ok_or("no Mastodon source configured")?;
    let source = markers.source.clone();
    let cursors = store
        .call(move |db| db.cursors(&source))
        .await
        .map_err(|e| e.to_string())?;
    let Some(newest) = cursors.get(markers::NOTIFICATIONS_CURSOR) else {
        return Err(format!(
            "no notifications read from {} yet: nothing to mark",
            markers.source
        ));
    };
    markers.sync(newest).await
}

/// The reply account for `post`, or the message saying none is configured.
fn replier_for(
    replier: Option<Arc<dyn Replier>>,
    post: &crate::domain::Post,
) -> Result<Arc<dyn Replier>, String> {
    replier.ok_or_else(|| {
        format!(
            "no {} account is configured to reply from: add a [sources.<name>] for it",
            post.reply_route()
        )
    })
}

/// Who sends, and whether a person confirmed sending over a teammate's claim or reply.
struct ClaimAs {
    staff: String,
    anyway: bool,
}

/// Takes the claim on the post before anything goes out; `Some(msg)`: not sent, and why.
async fn claim(store: &Store, request: &ReplyRequest, claim: ClaimAs) -> Option<Msg> {
    let (post, key) = (request.post.id, request.idempotency_key.clone());
    let answer = store
        .call(move |db| db.claim_reply(post, &claim.staff, &key, chrono::Utc::now(), claim.anyway))
        .await;
    match answer {
        Ok(Claim::Granted) => None,
        Ok(Claim::Taken(taken)) => Some(Msg::ReplyClaimed { post, taken }),
        Err(e) => Some(Msg::ReplyFailed {
            post,
            reason: format!("cannot take the claim on the post in the store ({e})"),
        }),
    }
}

async fn send_reply(
    replier: Option<Arc<dyn Replier>>,
    store: Store,
    ui: mpsc::UnboundedSender<Msg>,
    request: ReplyRequest,
    unconfirmed: bool,
    claim_as: ClaimAs,
) {
    let post = request.post.clone();
    let replier = match replier_for(replier, &post) {
        Ok(r) => r,
        Err(reason) => {
            let _ = ui.send(Msg::ReplyFailed {
                post: post.id,
                reason,
            });
            return;
        }
    };
    if let Some(refused) = claim(&store, &request, claim_as).await {
        let _ = ui.send(refused);
        return;
    }
    let key = request.idempotency_key.clone();
    // Without an idempotency key, the last send may be out there: look before posting again.
    if unconfirmed && !replier.resend_is_safe() {
        let earlier = match known_replies(&store, post.id).await {
            Ok(known) => replier.resolve(request.clone(), known).await,
            Err(reason) => Resolution::Unknown(reason),
        };
        match earlier {
            Resolution::NotPosted => {}
            Resolution::Posted(sent) => {
                let _ = ui.send(found(&store, &post, key, sent).await);
                return;
            }
            Resolution::Unknown(why) => {
                let _ = ui.send(Msg::ReplyUnconfirmed {
                    post: post.id,
                    reason: format!(
                        "the last send may have gone out and {} cannot tell yet ({why}); not sent again",
                        post.reply_route()
                    ),
                });
                return;
            }
        }
    }
    let msg = match replier.send(request).await {
        Ok(sent) => match record(&store, &post, key, sent).await {
            Ok((reply, action)) => Msg::ReplySent { reply, action },
            Err(reason) => Msg::ReplyUnconfirmed {
                post: post.id,
                reason,
            },
        },
        Err(SendError::NotPosted(reason)) => {
            // Nothing went out: teammates need not be asked about this attempt.
            if let Err(e) = store.call(move |db| db.release_claim(post.id, &key)).await {
                tracing::warn!(error = %e, "a claim on a reply that did not go out stays");
            }
            Msg::ReplyFailed {
                post: post.id,
                reason,
            }
        }
        Err(SendError::Unconfirmed(reason)) => Msg::ReplyUnconfirmed {
            post: post.id,
            reason,
        },
    };
    let _ = ui.send(msg);
}

/// The remote ids of the replies to `post` already logged: an unconfirmed send is none of them.
async fn known_replies(store: &Store, post: crate::domain::PostId) -> Result<Vec<String>, String> {
    store
        .call(move |db| db.replies_for_post(post))
        .await
        .map(|replies| replies.into_iter().filter_map(|r| r.remote_id).collect())
        .map_err(|e| format!("cannot read the replies already logged: {e}"))
}

/// Finds out whether an unconfirmed send went out: recorded as sent (with the server's text) if it did, a new
/// key for the draft if it did not, still unconfirmed if the server cannot tell.
async fn resolve_reply(
    replier: Option<Arc<dyn Replier>>,
    store: Store,
    ui: mpsc::UnboundedSender<Msg>,
    request: ReplyRequest,
) {
    let post = request.post.clone();
    let replier = match replier_for(replier, &post) {
        Ok(r) => r,
        Err(reason) => {
            let _ = ui.send(Msg::ReplyUnconfirmed {
                post: post.id,
                reason,
            });
            return;
        }
    };
    let known = match known_replies(&store, post.id).await {
        Ok(known) => known,
        Err(reason) => {
            let _ = ui.send(Msg::ReplyUnconfirmed {
                post: post.id,
                reason,
            });
            return;
        }
    };
    let key = request.idempotency_key.clone();
    let msg = match replier.resolve(request, known).await {
        Resolution::Posted(sent) => found(&store, &post, key, sent).await,
        Resolution::NotPosted => Msg::ReplyNotPosted { post: post.id },
        Resolution::Unknown(reason) => Msg::ReplyUnconfirmed {
            post: post.id,
            reason,
        },
    };
    let _ = ui.send(msg);
}

/// An unconfirmed send that had gone out: logged, with the server's text.
async fn found(store: &Store, post: &crate::domain::Post, key: String, sent: SentReply) -> Msg {
    match record(store, post, key, sent).await {
        Ok((reply, action)) => Msg::ReplyFound { reply, action },
        Err(reason) => Msg::ReplyUnconfirmed {
            post: post.id,
            reason,
        },
    }
}

/// Logs a reply the server has, with the server's text; once per key, however often it is reported.
async fn record(
    store: &Store,
    post: &crate::domain::Post,
    key: String,
    sent: SentReply,
) -> Result<(Reply, crate::domain::Action), String> {
    let reply = Reply {
        post: post.id,
        // Where it went: the demo network for demo posts.
        network: post.reply_route(),
        text: sent.text,
        sent_at: chrono::Utc::now(),
        url: sent.url,
        remote_id: sent.remote_id,
        idempotency_key: Some(key),
    };
    let customer = post.customer;
    store
        .call(move |db| db.record_reply(&reply, customer))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a sent reply could not be logged");
            format!("it went out but could not be logged ({e}); send again to log it: it cannot post twice")
        })
}
