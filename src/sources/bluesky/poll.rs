//! The Bluesky network for the shared poller: customers' author feeds (their handles resolved to DIDs and
//! cached), notifications and searches, read newest first back to the stored mark; and Jetstream as the live
//! side for customers' posts.
//!
//! A post can sort below the mark (a phone with a slow clock, a post written offline, a mention indexed a
//! moment after an item already read), so the page where the mark is reached is read whole and everything on
//! it not delivered before goes out; the recently delivered URIs are kept as cursor `seen:<key>`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::api::{
    self, FeedItem, FeedPage, Mark, Notification, NotificationPage, PostView, PostsAnswer,
    Resolved, SearchPage,
};
use super::jetstream::Jetstream;
use super::oldest_first;
use super::xrpc::Xrpc;
use crate::domain::IncomingPost;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Live, Out, Seen, Stop};
use crate::sources::{Cursor, Watch};

/// Handles are resolved again at least this often (a handle can move to another account).
const RESOLVE_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// `getPosts` takes at most this many URIs; one call per page is enough for the parents and quotes it needs.
const MAX_CONTEXT: usize = 25;
/// Items this much older than the mark are never taken again, whatever the seen set says.
const OVERLAP: chrono::Duration = chrono::Duration::hours(48);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// A customer's author feed, by handle (resolved to a DID first).
    Author(String),
    Notifications,
    Search(String),
}

struct Item {
    at: DateTime<Utc>,
    uri: String,
    post: Option<IncomingPost>,
}

struct Page {
    cursor: Option<String>,
    items: Vec<Item>,
    bad: usize,
}

fn item_time(indexed_at: Option<&str>, post: Option<&IncomingPost>) -> Option<DateTime<Utc>> {
    indexed_at
        .and_then(api::parse_time)
        .or_else(|| post.map(|p| p.created_at))
}

fn parse_items<T: serde::de::DeserializeOwned>(
    raw: Vec<Value>,
    map: impl Fn(T) -> Option<Item>,
) -> (Vec<Item>, usize) {
    let mut bad = 0;
    let mut items = Vec::new();
    for v in raw {
        match serde_json::from_value::<T>(v) {
            Ok(t) => items.extend(map(t)),
            Err(_) => bad += 1,
        }
    }
    (items, bad)
}

fn view_item(p: PostView, addressed: bool) -> Option<Item> {
    let post = api::from_post_view(&p, addressed);
    Some(Item {
        at: item_time(p.indexed_at.as_deref(), post.as_ref())?,
        uri: p.uri,
        post,
    })
}

/// "Profile not found" and friends: the DID cached for a handle no longer answers.
fn profile_gone(e: &FetchError) -> bool {
    matches!(e, FetchError::Client { status: 400 | 404, detail }
        if detail.contains("Profile not found")
            || detail.contains("could not find")
            || detail.contains("NotFound"))
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
    marks: HashMap<String, Mark>,
    seen: HashMap<String, Seen>,
    cursors: HashMap<String, String>,
    /// Posts fetched (or tried) as context lately: not fetched again.
    context_seen: Seen,
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

    fn customer_handles(&self) -> Vec<String> {
        let mut handles: Vec<String> = self
            .watch
            .customer_handles
            .iter()
            .map(|h| h.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        handles.sort();
        handles.dedup();
        handles
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

    fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    async fn fetch_page(
        &self,
        query: &Query,
        did: Option<&str>,
        page_cursor: Option<String>,
        mark: Option<&Mark>,
    ) -> Result<Page, FetchError> {
        let mut q: Vec<(&str, String)> = vec![("limit", "50".into())];
        if let Some(c) = page_cursor {
            q.push(("cursor", c));
        }
        match query {
            Query::Author(_) => {
                q.push(("actor", did.unwrap_or_default().to_string()));
                q.push(("filter", "posts_with_replies".into()));
                let page: FeedPage = self
                    .xrpc
                    .public_get("app.bsky.feed.getAuthorFeed", &q)
                    .await?;
                // Reposts and pins carry a reason: they are not the customer's new posts.
                let (items, bad) = parse_items::<FeedItem>(page.feed, |f| {
                    if f.reason.is_some() {
                        None
                    } else {
                        view_item(f.post, false)
                    }
                });
                Ok(Page {
                    cursor: page.cursor,
                    items,
                    bad,
                })
            }
            Query::Notifications => {
                let page: NotificationPage = self
                    .xrpc
                    .authed_get("app.bsky.notification.listNotifications", &q)
                    .await?;
                let (items, bad) = parse_items::<Notification>(page.notifications, |n| {
                    let post = api::from_notification(&n);
                    Some(Item {
                        at: item_time(n.indexed_at.as_deref(), post.as_ref())?,
                        uri: n.uri,
                        post,
                    })
                });
                Ok(Page {
                    cursor: page.cursor,
                    items,
                    bad,
                })
            }
            Query::Search(text) => {
                q.push(("q", text.clone()));
                q.push(("sort", "latest".into()));
                if let Some(m) = mark {
                    // Posts sort by their own dates: ask from well before the mark, the seen set sorts it out.
                    let since = m.at - OVERLAP;
                    q.push((
                        "since",
                        since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ));
                }
                let page: SearchPage = self
                    .xrpc
                    .authed_get("app.bsky.feed.searchPosts", &q)
                    .await?;
                let (items, bad) = parse_items::<PostView>(page.posts, |p| view_item(p, false));
                Ok(Page {
                    cursor: page.cursor,
                    items,
                    bad,
                })
            }
        }
    }

    /// Reads newest-first pages back to the mark (only the first page when there is none yet) and sends what
    /// was not delivered before, oldest first, with the new mark and seen set.
    async fn read(
        &mut self,
        query: &Query,
        key: &str,
        did: Option<&str>,
        out: &Out<'_>,
    ) -> Result<(), Stop> {
        let mark = self.marks.get(key).cloned();
        let mut posts = Vec::new();
        let mut taken = Vec::new();
        let mut newest = mark.clone();
        let mut page_cursor = None;
        let mut bad = 0;
        for _ in 0..self.max_pages {
            let page = self
                .fetch_page(query, did, page_cursor.take(), mark.as_ref())
                .await?;
            bad += page.bad;
            let mut reached = false;
            for item in page.items {
                if let Some(m) = &mark {
                    reached |= m.reached(item.at, &item.uri);
                    let delivered = item.uri == m.uri
                        || item.at < m.at - OVERLAP
                        || self.seen(key).contains(&item.uri);
                    if delivered {
                        continue;
                    }
                }
                newest = Mark::newer(newest, item.at, &item.uri);
                taken.push(item.uri);
                posts.extend(item.post);
            }
            if reached || mark.is_none() || page.cursor.is_none() {
                break;
            }
            page_cursor = page.cursor;
        }
        let moved = newest.is_some() && newest != mark;
        if !taken.is_empty() || moved {
            let mut cursors: Vec<Cursor> = newest
                .iter()
                .map(|m| Cursor {
                    key: key.to_string(),
                    value: m.encode(),
                })
                .collect();
            let seen = self.seen(key);
            for uri in &taken {
                seen.insert(uri);
            }
            cursors.push(Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            });
            let mut posts = oldest_first(posts);
            let context = self.context_for(&mut posts).await;
            out.batch([context, posts].concat(), cursors).await?;
            if let Some(m) = newest {
                self.marks.insert(key.to_string(), m);
            }
        }
        if bad > 0 {
            return Err(FetchError::Malformed(format!("{bad} unreadable item(s) skipped")).into());
        }
        Ok(())
    }

    /// The posts `posts` reply to or quote that nobody delivered yet, fetched with one `getPosts` as context
    /// (best effort: a deleted parent is simply not there); quoted texts are filled in from them.
    async fn context_for(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        let mut wanted: Vec<String> = Vec::new();
        for p in posts.iter() {
            let quoted = p.quotes.iter().filter(|q| q.text.is_none());
            for uri in p.in_reply_to.iter().chain(quoted.map(|q| &q.native_id)) {
                let known = self.context_seen.contains(uri)
                    || posts.iter().any(|o| &o.native_id == uri)
                    || self.seen.values().any(|s| s.contains(uri));
                if !known && !wanted.contains(uri) && wanted.len() < MAX_CONTEXT {
                    wanted.push(uri.clone());
                }
            }
        }
        if wanted.is_empty() {
            return Vec::new();
        }
        for uri in &wanted {
            self.context_seen.insert(uri);
        }
        let query: Vec<(&str, String)> = wanted.into_iter().map(|u| ("uris", u)).collect();
        let answer: PostsAnswer = match self.xrpc.public_get("app.bsky.feed.getPosts", &query).await
        {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(error = %e, "bluesky: context not fetched");
                return Vec::new();
            }
        };
        let found: Vec<IncomingPost> = answer
            .posts
            .into_iter()
            .filter_map(|v| serde_json::from_value::<PostView>(v).ok())
            .filter_map(|p| api::from_post_view(&p, false))
            .map(|mut p| {
                p.context = true;
                p
            })
            .collect();
        for p in posts.iter_mut() {
            if let Some(q) = &mut p.quotes
                && q.text.is_none()
            {
                q.text = found
                    .iter()
                    .find(|f| f.native_id == q.native_id)
                    .map(|f| f.text.clone());
            }
        }
        found
    }

    fn streams_customers(&self, live: bool) -> bool {
        live && self.jetstream.is_some()
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, live: bool) -> Vec<Query> {
        let mut q: Vec<Query> = self
            .customer_handles()
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

    fn restart_live(&mut self) {
        if let Some(j) = &mut self.jetstream {
            j.restart();
        }
    }
}
