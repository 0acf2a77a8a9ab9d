//! One source task run against fakes, wired as the runtime wires it, and waiting on what it sends.

use std::collections::HashMap;
use std::time::Duration;

use regulars::domain::IncomingPost;
use regulars::sources::{Health, Source, SourceCtx, SourceEvent};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for an event, or for a source to stop, before it fails instead of hanging.
pub const WAIT: Duration = Duration::from_secs(10);

/// What a run has sent, folded as the store would keep it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Every event as sent, for checks that must hold across all of them (no secret anywhere).
    pub events: Vec<SourceEvent>,
    /// The posts of every batch, in arrival order.
    pub posts: Vec<IncomingPost>,
    /// The cursors the store would hold: those the run started from, updated by every batch.
    pub cursors: HashMap<String, String>,
    pub healths: Vec<Health>,
}

impl Seen {
    pub fn take(&mut self, event: SourceEvent) {
        match &event {
            SourceEvent::Batch { posts, cursors, .. } => {
                self.posts.extend(posts.iter().cloned());
                for c in cursors {
                    self.cursors.insert(c.key.clone(), c.value.clone());
                }
            }
            SourceEvent::Health { health, .. } => self.healths.push(health.clone()),
            SourceEvent::ReplyLimit { .. } | SourceEvent::Usage { .. } => {}
        }
        self.events.push(event);
    }

    /// The posts' native ids, in arrival order.
    pub fn ids(&self) -> Vec<String> {
        self.posts.iter().map(|p| p.native_id.clone()).collect()
    }

    /// Whether every one of `ids` has arrived.
    pub fn has(&self, ids: &[impl AsRef<str>]) -> bool {
        ids.iter()
            .all(|id| self.posts.iter().any(|p| p.native_id == id.as_ref()))
    }
}

/// A source task and the receiving end of its channel.
pub struct Run {
    pub rx: mpsc::Receiver<SourceEvent>,
    pub cancel: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    /// What `until` has taken so far (`next` hands events over without recording them).
    pub seen: Seen,
}

impl Run {
    /// Spawns `source` under its own name, resuming from `cursors` as if the store held them.
    pub fn start(source: impl Source + 'static, cursors: HashMap<String, String>) -> Run {
        let (tx, rx) = mpsc::channel(256);
        let cancel = CancellationToken::new();
        let ctx = SourceCtx {
            name: source.name().to_string(),
            tx,
            cancel: cancel.clone(),
            cursors: cursors.clone(),
        };
        let task = tokio::spawn(Box::new(source).run(ctx));
        Run {
            rx,
            cancel,
            task,
            seen: Seen {
                cursors,
                ..Seen::default()
            },
        }
    }

    /// The next event, not recorded in `seen`.
    pub async fn next(&mut self) -> SourceEvent {
        tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .expect("no event in time")
            .expect("source ended")
    }

    /// Records events in `seen` until `done` holds for everything seen since the start (it may already), and
    /// returns a copy of it.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Seen) -> bool) -> Seen {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(&self.seen) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.seen.take(event),
                Ok(None) => panic!("source ended before {what}; seen {:#?}", self.seen.events),
                Err(_) => panic!(
                    "timed out waiting for {what}; posts {:?}, healths {:?}",
                    self.seen.ids(),
                    self.seen.healths
                ),
            }
        }
        self.seen.clone()
    }

    /// Cancels the source, which must then stop cleanly; see `finish`.
    pub async fn stop(self) -> Seen {
        self.cancel.cancel();
        self.finish().await
    }

    /// Waits for the task to end (by itself, for a finite source), which must end in time and without error;
    /// what it sent before ending is recorded too.
    pub async fn finish(mut self) -> Seen {
        tokio::time::timeout(WAIT, &mut self.task)
            .await
            .expect("source did not stop in time")
            .expect("source task panicked")
            .unwrap_or_else(|e| panic!("source failed: {e:#}"));
        while let Ok(event) = self.rx.try_recv() {
            self.seen.take(event);
        }
        self.seen
    }
}

/// How many requests a fake server has had for `path` so far.
pub async fn requests_to(server: &wiremock::MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == path)
        .count()
}
