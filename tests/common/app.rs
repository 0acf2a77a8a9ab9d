//! What the UI of a whole app (sources, ingest, store, wired from a config) would have seen: the whole-app
//! tests collect the messages here and wait on them.

use std::collections::{BTreeMap, HashMap};

use regulars::app::Msg;
use regulars::domain::{Network, Post};
use regulars::sources::Health;
use tokio::sync::mpsc;
use wiremock::{MockServer, Request};

#[derive(Default)]
pub struct Seen {
    pub ingested: Vec<Post>,
    pub healths: BTreeMap<String, Vec<Health>>,
    pub failures: Vec<String>,
}

impl Seen {
    pub fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Ingested { posts, .. } => self.ingested.extend(posts),
            Msg::SourceHealth { source, health } => {
                self.healths.entry(source).or_default().push(health)
            }
            Msg::TaskFailed { what, error } => self.failures.push(format!("{what}: {error}")),
            _ => {}
        }
    }

    /// Every post announced, in order (a post announced twice is here twice).
    pub fn keys(&self) -> Vec<(Network, String)> {
        self.ingested
            .iter()
            .map(|p| (p.network, p.native_id.clone()))
            .collect()
    }

    pub fn has_health(&self, source: &str, health: &Health) -> bool {
        self.healths.get(source).is_some_and(|h| h.contains(health))
    }

    /// Takes messages until `done` holds; panics with what was seen after the deadline.
    pub async fn until(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Msg>,
        what: &str,
        deadline: tokio::time::Instant,
        done: impl Fn(&Seen) -> bool,
    ) {
        while !done(self) {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(msg)) => self.take(msg),
                Ok(None) => panic!("the app stopped before {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; ingested {:?}; healths {:?}; failures {:?}",
                    self.keys(),
                    self.healths,
                    self.failures
                ),
            }
        }
    }

    /// Failed tasks, and every health that was a problem or a source switched off.
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.failures.clone();
        for (source, healths) in &self.healths {
            out.extend(
                healths
                    .iter()
                    .filter(|h| h.is_problem() || matches!(h, Health::Disabled(_)))
                    .map(|h| format!("{source}: {h:?}")),
            );
        }
        out
    }

    /// Each post announced once.
    pub fn assert_once(&self, what: &str) {
        let mut announced: HashMap<(Network, String), usize> = HashMap::new();
        for key in self.keys() {
            *announced.entry(key).or_default() += 1;
        }
        let twice: Vec<_> = announced.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{what}: announced twice: {twice:?}");
    }
}

pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The value of query parameter `key` in a request.
pub fn query(req: &Request, key: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
