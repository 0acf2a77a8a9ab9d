//! The effect runner: performs what `update` asks for (store writes and reads, notifications) in order, and
//! sends replies in tasks of their own; every outcome comes back to the UI as a `Msg`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::handles;
use super::held::Held;
use super::writes::Write;
use crate::app::{Effect, Msg};
use crate::customers::story::STORY_ENTRIES;
use crate::domain::{Claim, Network};
use crate::ingest::Rematch;
use crate::links::{self, LinksConfig};
use crate::notify::Notifier;
use crate::sources::accounts::AccountSearch;
use crate::sources::mastodon::markers::{self, Markers};
use crate::sources::{Replier, ReplyRequest, Resolution, SendError};
use crate::state::Preparers;
use crate::store::{Store, StoreError};

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
    /// Who is at the keyboard (`[me] name`): the claims this console takes, and the actions, replies, drafts,
    /// corrections and check-ins it writes, are theirs. Known here only, not in the UI's state.
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

    /// Runs until the sender is dropped, then waits for replies in flight and makes a last try at the writes
    /// still held; returns what could not be saved, for staff to read once the terminal is theirs again.
    /// First hands the UI the repliers' pure side, so the send confirmation shows exactly what each would post.
    pub async fn run(self, mut effects: mpsc::UnboundedReceiver<Effect>) -> Vec<String> {
        let _ = self
            .ui
            .send(Msg::RepliersReady(Preparers::new(self.repliers.clone())));
        let mut sends: JoinSet<Hold> = JoinSet::new();
        let mut held = Held::new(self.ui.clone());
        let mut queue = std::collections::VecDeque::new();
        loop {
            if queue.is_empty() {
                tokio::select! {
                    effect = effects.recv() => match effect {
                        Some(effect) => queue.push_back(effect),
                        None => break,
                    },
                    // Finished sends are reaped as they end (a day of replies and notifications must not pile
                    // up), a reply whose record the database refused held with the rest.
                    Some(done) = sends.join_next(), if !sends.is_empty() => {
                        reaped(done, &mut held);
                        continue;
                    }
                    _ = held.due() => {
                        held.retry(&self.store).await;
                        continue;
                    }
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
                    let staff = self.staff.clone();
                    sends.spawn(resolve_reply(replier, store, ui, request, staff));
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
                        None
                    });
                }
                Effect::Notify { title, body } => {
                    let (notifier, ui) = (self.notifier.clone(), self.ui.clone());
                    sends.spawn(async move {
                        notify(notifier, ui, title, body).await;
                        None
                    });
                }
                Effect::SyncReadPosition => {
                    let (markers, store, ui) =
                        (self.markers.clone(), self.store.clone(), self.ui.clone());
                    sends.spawn(async move {
                        let synced = sync_read_position(markers, &store).await;
                        let _ = ui.send(Msg::ReadPositionSynced(synced));
                        None
                    });
                }
                other => self.perform(other, &mut held).await,
            }
        }
        while let Some(done) = sends.join_next().await {
            reaped(done, &mut held);
        }
        let unsaved = held.flush(&self.store).await;
        unsaved.into_iter().map(|w| w.what).collect()
    }

    async fn perform(&self, effect: Effect, held: &mut Held) {
        if let Some(write) = Write::of(&effect, &self.staff) {
            return held.write(write, &self.store).await;
        }
        let msg = match effect {
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
            Effect::LoadDrafts => {
                let staff = self.staff.clone();
                let seen = self
                    .store
                    .call(move |db| {
                        Ok(crate::domain::DraftsSeen {
                            mine: db.drafts(&staff)?,
                            team: db.team_drafts(&staff)?,
                        })
                    })
                    .await;
                let _ = self.ui.send(Msg::DraftsLoaded(seen.map_err(|e| e.to_string())));
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
                let staff = self.staff.clone();
                let gathered = self
                    .store
                    .call(move |db| crate::loader::gather_check_in(&*db, &staff, now))
                    .await;
                let _ = self
                    .ui
                    .send(Msg::CheckInGathered(gathered.map_err(|e| e.to_string())));
                return;
            }
            Effect::LoadTeam { me, since } => {
                let view = self.store.call(move |db| db.team_view(&me, since)).await;
                let _ = self
                    .ui
                    .send(Msg::TeamLoaded(view.map_err(|e| e.to_string())));
                return;
            }
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
            // Writes are held and tried again rather than failed (above).
            Effect::SaveDraft(_)
            | Effect::DeleteDraft(_)
            | Effect::LogAction(_)
            | Effect::ScheduleFollowUp(_)
            | Effect::CompleteFollowUp { .. }
            | Effect::MarkRead { .. }
            | Effect::MarkAllRead { .. }
            | Effect::SavePlace { .. }
            | Effect::Reopen { .. }
            | Effect::Dismiss { .. }
            | Effect::Undo(_)
            | Effect::CorrectCategory { .. }
            | Effect::SaveCheckIn(_)
            | Effect::SetAlwaysTellMe { .. }
            | Effect::Assign { .. }
            | Effect::Beat { .. }
            | Effect::SendReply { .. }
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
            tracing::error!(error = %e, "a store read failed");
            Some(Msg::TaskFailed {
                what: "reading".into(),
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
) -> Hold {
    let post = request.post.clone();
    let replier = match replier_for(replier, &post) {
        Ok(r) => r,
        Err(reason) => {
            let _ = ui.send(Msg::ReplyFailed {
                post: post.id,
                reason,
            });
            return None;
        }
    };
    let staff = claim_as.staff.clone();
    if let Some(refused) = claim(&store, &request, claim_as).await {
        let _ = ui.send(refused);
        return None;
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
                let write = Write::reply(&post, key, sent, true, &staff);
                return record(&store, &ui, write, &post).await;
            }
            Resolution::Unknown(why) => {
                let _ = ui.send(Msg::ReplyUnconfirmed {
                    post: post.id,
                    reason: format!(
                        "the last send may have gone out and {} cannot tell yet ({why}); not sent again",
                        post.reply_route()
                    ),
                });
                return None;
            }
        }
    }
    let msg = match replier.send(request).await {
        Ok(sent) => {
            let write = Write::reply(&post, key, sent, false, &staff);
            return record(&store, &ui, write, &post).await;
        }
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
    None
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
    staff: String,
) -> Hold {
    let post = request.post.clone();
    let unconfirmed = |reason| {
        let _ = ui.send(Msg::ReplyUnconfirmed {
            post: post.id,
            reason,
        });
        None
    };
    let replier = match replier_for(replier, &post) {
        Ok(r) => r,
        Err(reason) => return unconfirmed(reason),
    };
    let known = match known_replies(&store, post.id).await {
        Ok(known) => known,
        Err(reason) => return unconfirmed(reason),
    };
    let key = request.idempotency_key.clone();
    match replier.resolve(request, known).await {
        Resolution::Posted(sent) => {
            let write = Write::reply(&post, key, sent, true, &staff);
            record(&store, &ui, write, &post).await
        }
        Resolution::NotPosted => {
            let _ = ui.send(Msg::ReplyNotPosted { post: post.id });
            None
        }
        Resolution::Unknown(reason) => unconfirmed(reason),
    }
}

/// A reply whose record the database refused for now, for the runner to hold with the rest of staff's work.
type Hold = Option<(Write, StoreError)>;

/// Logs a reply the server has (once per key, however often it is written). A database that cannot take it now
/// gets it held, never dropped: the UI hears when it is logged.
async fn record(
    store: &Store,
    ui: &mpsc::UnboundedSender<Msg>,
    write: Write,
    post: &crate::domain::Post,
) -> Hold {
    let msg = match write.attempt(store).await {
        Ok(msg) => msg,
        Err(e) if e.is_transient() => return Some((write, e)),
        Err(e) => {
            tracing::error!(error = %e, "a sent reply could not be logged");
            Some(Msg::ReplyUnconfirmed {
                post: post.id,
                reason: format!(
                    "it went out but could not be logged ({e}); send again to log it: it cannot post twice"
                ),
            })
        }
    };
    if let Some(msg) = msg {
        let _ = ui.send(msg);
    }
    None
}

/// A send task ended: its held write joins the others; a panic is logged (its reply stays in the composer).
fn reaped(done: Result<Hold, tokio::task::JoinError>, held: &mut Held) {
    match done {
        Ok(Some((write, why))) => held.hold(write, &why),
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "a send task failed"),
    }
}
