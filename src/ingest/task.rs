//! The ingest task: takes the sources' events in order, prepares each batch and has the store write it with its
//! cursors, then tells the UI. When batches queue up (a backlog), several go into one transaction, and the next
//! group is triaged while the store thread writes the last. When the database cannot be written for now (a full
//! disk, a read-only file), the group is written again until it goes in: the sources wait behind it (their
//! bounded queue fills) rather than anything fetched being dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio_util::sync::CancellationToken;

use super::Ingest;
use crate::app::{Msg, Writer};
use crate::domain::{IncomingPost, NewPost, PRESENT_FOR_ROUND_ROBIN, PostId};
use crate::sources::{Cursor, SourceEvent};
use crate::store::Store;

/// A backlog (batches already queued when one is taken) is written in groups of about this many posts, one
/// transaction each: a commit per source page is what bounds ingest speed, and a group this size keeps a
/// triage pass short for the runtime and the console's updates close together.
pub const MAX_GROUP_POSTS: usize = 1_000;

/// The first wait before writing an unwritable group again, doubled up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// One source batch: the source's name, its posts, the cursors that led to them.
type Batch<P> = (String, Vec<P>, Vec<Cursor>);

/// A group's write, handed to the store thread; it resolves to the messages for the UI.
type Write = Pin<Box<dyn Future<Output = Vec<Msg>> + Send>>;

/// Runs until every source's sender is gone: stores batches, forwards health, reports failures, in the order the
/// events came. `cancel` ends a wait for an unwritable database (its group is then left unstored, cursors
/// included: the next start fetches it again).
pub async fn run(
    mut rx: mpsc::Receiver<SourceEvent>,
    store: Store,
    mut ingest: Ingest,
    ui: mpsc::UnboundedSender<Msg>,
    cancel: CancellationToken,
) {
    // An event taken from the queue while grouping a backlog, to handle next.
    let mut held = None;
    let mut writing: Option<Write> = None;
    loop {
        let event = match held.take() {
            Some(event) => event,
            None => match rx.try_recv() {
                Ok(event) => event,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    // Nothing queued: finish the write in flight before waiting.
                    if !finish(&mut writing, &ui).await {
                        return;
                    }
                    match rx.recv().await {
                        Some(event) => event,
                        None => break,
                    }
                }
            },
        };
        let msg = match event {
            SourceEvent::Health { source, health } => Msg::SourceHealth { source, health },
            SourceEvent::ReplyLimit { network, max } => Msg::ReplyLimit { network, max },
            SourceEvent::Usage { source, usage } => Msg::SourceUsage { source, usage },
            SourceEvent::Batch {
                source,
                posts,
                cursors,
            } => {
                let mut size = posts.len();
                let mut group = vec![(source, posts, cursors)];
                while size < MAX_GROUP_POSTS {
                    match rx.try_recv() {
                        Ok(SourceEvent::Batch {
                            source,
                            posts,
                            cursors,
                        }) => {
                            size += posts.len();
                            group.push((source, posts, cursors));
                        }
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                // Triaged while the store writes the previous group; written after it.
                ingest.refresh();
                let prepared = prepare(&ingest, group);
                if !finish(&mut writing, &ui).await {
                    return;
                }
                let mut write: Write = Box::pin(write(
                    store.clone(),
                    prepared,
                    ui.clone(),
                    cancel.clone(),
                    ingest.round_robin,
                ));
                // Polled once, the write is on the store thread's queue; its answer is taken when the next
                // event needs the store or the queue runs dry.
                if let Poll::Ready(msgs) = futures::poll!(write.as_mut()) {
                    if !send(&ui, msgs) {
                        return;
                    }
                } else {
                    writing = Some(write);
                }
                continue;
            }
        };
        if !finish(&mut writing, &ui).await || !send(&ui, vec![msg]) {
            return;
        }
    }
    finish(&mut writing, &ui).await;
}

/// Waits for the write in flight, if any, and sends its messages; `false` once the UI is gone.
async fn finish(writing: &mut Option<Write>, ui: &mpsc::UnboundedSender<Msg>) -> bool {
    match writing.take() {
        Some(write) => send(ui, write.await),
        None => true,
    }
}

fn send(ui: &mpsc::UnboundedSender<Msg>, msgs: Vec<Msg>) -> bool {
    msgs.into_iter().all(|m| ui.send(m).is_ok())
}

fn prepare(ingest: &Ingest, group: Vec<Batch<IncomingPost>>) -> Vec<Batch<NewPost>> {
    let now = Utc::now();
    group
        .into_iter()
        .map(|(source, posts, cursors)| {
            let posts = posts.into_iter().map(|p| ingest.prepare(p, now)).collect();
            (source, posts, cursors)
        })
        .collect()
}

/// Stores a group of batches in one transaction, each with its cursors; if that fails, each batch alone, so one
/// bad batch costs only its own posts (as when batches were written one by one). A database that cannot be
/// written for now is waited for (the UI told once, and again when it takes writes). One message per source:
/// its new posts, or the failure. With `deal`, the new urgent posts are then dealt out (the round robin).
async fn write(
    store: Store,
    group: Vec<Batch<NewPost>>,
    ui: mpsc::UnboundedSender<Msg>,
    cancel: CancellationToken,
    deal: bool,
) -> Vec<Msg> {
    let group = Arc::new(group);
    let mut wait = RETRY_FIRST;
    let mut waited = false;
    let attempt = loop {
        let all = group.clone();
        let attempt = store
            .call(move |db| {
                let refs: Vec<_> = all
                    .iter()
                    .map(|(s, p, c)| (s.as_str(), p.as_slice(), c.as_slice()))
                    .collect();
                db.insert_batches(&refs)
            })
            .await;
        match attempt {
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "the database cannot be written; fetched posts wait");
                if !waited {
                    let _ = ui.send(Msg::StoreWritable {
                        writer: Writer::Ingest,
                        why: Some(e.to_string()),
                    });
                    waited = true;
                }
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = cancel.cancelled() => break Err(e),
                }
                wait = (wait * 2).min(RETRY_MAX);
            }
            attempt => break attempt,
        }
    };
    if waited && attempt.is_ok() {
        let _ = ui.send(Msg::StoreWritable {
            writer: Writer::Ingest,
            why: None,
        });
    }
    let results = match attempt {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        Err(e) if !e.is_transient() && group.len() > 1 => {
            let mut one_by_one = Vec::with_capacity(group.len());
            for i in 0..group.len() {
                let all = group.clone();
                one_by_one.push(
                    store
                        .call(move |db| {
                            let (source, posts, cursors) = &all[i];
                            db.insert_batch(source, posts, cursors)
                        })
                        .await,
                );
            }
            one_by_one
        }
        Err(e) => vec![Err(e)],
    };
    let mut msgs: Vec<Msg> = Vec::new();
    for ((source, _, _), result) in group.iter().zip(results) {
        match result {
            Ok(mut posts) => {
                let earlier = msgs.iter_mut().find_map(|m| match m {
                    Msg::Ingested { source: s, posts } if s == source => Some(posts),
                    _ => None,
                });
                match earlier {
                    Some(earlier) => earlier.append(&mut posts),
                    None => msgs.push(Msg::Ingested {
                        source: source.clone(),
                        posts,
                    }),
                }
            }
            Err(e) => {
                tracing::error!(source, error = %e, "storing a batch failed");
                msgs.push(Msg::TaskFailed {
                    what: format!("storing posts from {source}"),
                    error: e.to_string(),
                });
            }
        }
    }
    if deal {
        msgs.extend(deal_urgent(&store, &msgs).await);
    }
    msgs
}

/// The round robin (`[team] round_robin`): the new urgent posts (those Attention lists) go to the teammates
/// present, in turn. Only the fetcher ingests, so only it deals; the consoles see the assignments through
/// their live link. A failure is said; the posts stay unassigned.
async fn deal_urgent(store: &Store, msgs: &[Msg]) -> Option<Msg> {
    let urgent: Vec<PostId> = msgs
        .iter()
        .flat_map(|m| match m {
            Msg::Ingested { posts, .. } => posts.as_slice(),
            _ => [].as_slice(),
        })
        .filter(|p| p.in_attention())
        .map(|p| p.id)
        .collect();
    if urgent.is_empty() {
        return None;
    }
    let now = Utc::now();
    let dealt = store
        .call(move |db| db.deal(&urgent, now - PRESENT_FOR_ROUND_ROBIN, now))
        .await;
    let e = dealt.err()?;
    tracing::warn!(error = %e, "the round robin could not assign new urgent posts");
    Some(Msg::TaskFailed {
        what: "the round robin".into(),
        error: e.to_string(),
    })
}

#[cfg(test)]
mod tests;
