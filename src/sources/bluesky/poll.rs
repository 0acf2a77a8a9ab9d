//! The Bluesky network for the shared poller: customers' author feeds (their handles resolved to DIDs and
//! cached), notifications and searches, read newest first back to the stored mark; and Jetstream as the live
//! side for customers' posts.
//!
//! A post can sort below the mark (a phone with a slow clock, a post written offline, a mention indexed a
//! moment after an item already read), so the page where the mark is reached is read whole and everything on
//! it not delivered before goes out; the recently delivered URIs are kept as cursor `seen:<key>`.
//! Pages are read in `pages.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::time::{Duration, Instant};

use super::api::{Mark, Resolved};
use super::jetstream::Jetstream;
use super::xrpc::Xrpc;
use crate::domain::IncomingPost;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Live, Out, Seen, Stop};
use crate::sources::{Cursor, Watch};

/// Handles are resolved again at least this often (a handle can move to another account).
const RESOLVE_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// A customer's author feed, by handle (resolved to a DID first).
    Author(String),
    Notifications,
    Search(String),
}

/// "Profile not found" and friends: the DID cached for a handle no longer answers.
fn profile_gone(e: &FetchError) -> bool {
    matches!(e, FetchError::Client { status: 400 | 404, detail }
        if detail.contains("Profile not found")
            || detail.contains("could not find")
            || detail.contains("NotFound"))
}

/// The customers' handles as the source reads them: no `@`, lower-case, each once.
pub(super) fn customer_handles(watch: &Watch) -> Vec<String> {
    let mut handles: Vec<String> = watch
        .customer_handles
        .iter()
        .map(|h| h.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    handles.sort();
    handles.dedup();
    handles
}

/// A running Bluesky source's state.
pub(crate) struct Feeds {
    pub xrpc: Arc<Xrpc>,
    pub watch: Watch,
    pub keyword_search: bool,
    pub max_pages: usize,
    pub jetstream: Option<Jetstream>,
    /// Customer handle → DID, and when it was resolved (`did:<handle>` cursors).
    dids: HashMap<String, (String, Instant)>,
    /// Feed cursor key → newest mark delivered.
    pub(super) marks: HashMap<String, Mark>,
    pub(super) seen: HashMap<String, Seen>,
    cursors: HashMap<String, String>,
    /// Posts fetched (or tried) as context lately: not fetched again.
    pub(super) context_seen: Seen,
}

impl Feeds {
    pub fn new(
        xrpc: Arc<Xrpc>,
        watch: Watch,
        keyword_search: bool,
        max_pages: usize,
        jetstream: Option<Jetstream>,
        cursors: HashMap<String, String>,
    ) -> Feeds {
        let mut dids = HashMap::new();
        let mut marks = HashMap::new();
        for (k, v) in &cursors {
            if let Some(handle) = k.strip_prefix("did:") {
                dids.insert(handle.to_string(), (v.clone(), Instant::now()));
            } else if let Some(m) = Mark::parse(v) {
                marks.insert(k.clone(), m);
            }
        }
        Feeds {
            xrpc,
            watch,
            keyword_search,
            max_pages,
            jetstream,
            dids,
            marks,
            seen: HashMap::new(),
            cursors,
            context_seen: Seen::default(),
        }
    }

    /// The DID of a customer's handle, resolved through the AppView and cached as cursor `did:<handle>`.
    async fn did(&mut self, handle: &str, out: &Out<'_>) -> Result<String, Stop> {
        if let Some((did, at)) = self.dids.get(handle)
            && at.elapsed() < RESOLVE_MAX_AGE
        {
            return Ok(did.clone());
        }
        let r: Resolved = self
            .xrpc
            .public_get(
                "com.atproto.identity.resolveHandle",
                &[("handle", handle.to_string())],
            )
            .await?;
        out.batch(
            Vec::new(),
            vec![Cursor {
                key: format!("did:{handle}"),
                value: r.did.clone(),
            }],
        )
        .await?;
        self.dids
            .insert(handle.to_string(), (r.did.clone(), Instant::now()));
        self.publish_dids();
        Ok(r.did)
    }

    /// Tells Jetstream whose posts to stream.
    fn publish_dids(&mut self) {
        if let Some(j) = &mut self.jetstream {
            j.follow(
                self.dids
                    .iter()
                    .map(|(handle, (did, _))| (did.clone(), handle.clone()))
                    .collect(),
            );
        }
    }

    pub(super) fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    fn streams_customers(&self, live: bool) -> bool {
        live && self.jetstream.is_some()
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, live: bool) -> Vec<Query> {
        let mut q: Vec<Query> = customer_handles(&self.watch)
            .into_iter()
            // While Jetstream is live it brings the customers' posts; a handle not resolved yet still needs
            // its lookup (and Jetstream its DID).
            .filter(|h| !self.streams_customers(live) || !self.dids.contains_key(h))
            .map(Query::Author)
            .collect();
        q.push(Query::Notifications);
        if self.keyword_search {
            let mut searches: Vec<String> = self
                .watch
                .keywords
                .iter()
                .map(|k| k.trim().to_string())
                .collect();
            searches.extend(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| format!("#{}", t.trim().trim_start_matches('#'))),
            );
            searches.retain(|s| !s.is_empty() && s != "#");
            searches.dedup();
            q.extend(searches.into_iter().map(Query::Search));
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Author(handle) => format!("feed of @{handle}"),
            Query::Notifications => "notifications".into(),
            Query::Search(s) => format!("search \"{s}\""),
        }
    }

    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Search(_))
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Author(handle) => {
                let did = self.did(handle, out).await?;
                let result = self
                    .read(query, &format!("author:{did}"), Some(&did), out)
                    .await;
                if let Err(Stop::Fetch(e)) = &result
                    && profile_gone(e)
                {
                    // The DID no longer answers for this handle: resolve it again next time.
                    self.dids.remove(handle);
                }
                result
            }
            Query::Notifications => self.read(query, "notifications", None, out).await,
            Query::Search(s) => self.read(query, &format!("search:{s}"), None, out).await,
        }
    }

    /// A new session: a restarted PDS may have lost the old one, or the app password was changed.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        self.xrpc.relogin().await
    }

    fn auth_fix(&self) -> String {
        "check `handle` and the app password (Bluesky: Settings → Privacy and security → App passwords)"
            .into()
    }

    async fn live(&mut self) -> Live {
        match &mut self.jetstream {
            Some(j) => j.next().await,
            None => std::future::pending().await,
        }
    }

    async fn context(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        self.context_for(posts).await
    }

    fn restart_live(&mut self) {
        if let Some(j) = &mut self.jetstream {
            j.restart();
        }
    }
}
