//! One poll: resolve customers' handles, read their author feeds (unless Jetstream is live), notifications and
//! searches. Newest-first pages are read back until the stored mark, so a restart resumes with no gap.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::api::{
    self, FeedItem, FeedPage, Mark, Notification, NotificationPage, PostView, Resolved, SearchPage,
};
use super::{BlueskySource, Shared, Step, cursor, oldest_first};
use crate::domain::IncomingPost;
use crate::sources::http::FetchError;
use crate::sources::{Cursor, SourceCtx};

pub(crate) struct PollState {
    /// Customer handle → DID (`did:<handle>` cursors).
    dids: HashMap<String, String>,
    /// Feed cursor key → newest mark delivered.
    marks: HashMap<String, Mark>,
}

impl PollState {
    pub(crate) fn from_cursors(cursors: &HashMap<String, String>) -> PollState {
        let mut dids = HashMap::new();
        let mut marks = HashMap::new();
        for (k, v) in cursors {
            if let Some(handle) = k.strip_prefix("did:") {
                dids.insert(handle.to_string(), v.clone());
            } else if let Some(m) = Mark::parse(v) {
                marks.insert(k.clone(), m);
            }
        }
        PollState { dids, marks }
    }
}

pub(crate) enum Feed {
    Author(String),
    Notifications,
    Search(String),
}

impl Feed {
    pub(crate) fn key(&self) -> String {
        match self {
            Feed::Author(did) => format!("author:{did}"),
            Feed::Notifications => "notifications".into(),
            Feed::Search(q) => format!("search:{q}"),
        }
    }
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

impl BlueskySource {
    async fn fetch_page(
        &self,
        feed: &Feed,
        page_cursor: Option<String>,
        mark: Option<&Mark>,
    ) -> Result<Page, FetchError> {
        let mut q: Vec<(&str, String)> = vec![("limit", "50".into())];
        if let Some(c) = page_cursor {
            q.push(("cursor", c));
        }
        match feed {
            Feed::Author(did) => {
                q.push(("actor", did.clone()));
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
            Feed::Notifications => {
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
            Feed::Search(query) => {
                q.push(("q", query.clone()));
                q.push(("sort", "latest".into()));
                if let Some(m) = mark {
                    q.push((
                        "since",
                        m.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
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

    /// Reads newest-first pages back to `mark` (only the first page when there is no mark yet).
    async fn read_feed(
        &self,
        feed: &Feed,
        mark: Option<&Mark>,
    ) -> Result<(Vec<IncomingPost>, Option<Mark>, usize), FetchError> {
        let mut posts = Vec::new();
        let mut newest: Option<Mark> = mark.cloned();
        let mut page_cursor = None;
        let mut bad = 0;
        for _ in 0..self.max_pages {
            let page = self.fetch_page(feed, page_cursor.take(), mark).await?;
            bad += page.bad;
            let mut reached = false;
            for item in page.items {
                if mark.is_some_and(|m| m.covers(item.at, &item.uri)) {
                    reached = true;
                    continue;
                }
                newest = Mark::newer(newest, item.at, &item.uri);
                posts.extend(item.post);
            }
            if reached || mark.is_none() || page.cursor.is_none() {
                break;
            }
            page_cursor = page.cursor;
        }
        Ok((oldest_first(posts), newest, bad))
    }

    pub(crate) async fn cycle(
        &self,
        shared: &Shared,
        ctx: &SourceCtx,
        state: &mut PollState,
    ) -> Step {
        let mut problems: BTreeMap<String, String> = BTreeMap::new();
        // Customers' handles → DIDs, cached as cursors.
        let mut resolved: Vec<Cursor> = Vec::new();
        for handle in &self.watch.customer_handles {
            let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
            if state.dids.contains_key(&handle) || handle.is_empty() {
                continue;
            }
            match self
                .xrpc
                .public_get::<Resolved>(
                    "com.atproto.identity.resolveHandle",
                    &[("handle", handle.clone())],
                )
                .await
            {
                Ok(r) => {
                    resolved.push(cursor(format!("did:{handle}"), r.did.clone()));
                    state.dids.insert(handle, r.did);
                }
                Err(e) => match self.judge(&format!("resolving @{handle}"), e) {
                    Ok((k, v)) => {
                        problems.insert(k, v);
                    }
                    Err(step) => return step,
                },
            }
        }
        if !resolved.is_empty() && !ctx.batch(Vec::new(), resolved).await {
            return Step::Cancelled;
        }
        let by_did: HashMap<String, String> = state
            .dids
            .iter()
            .map(|(h, d)| (d.clone(), h.clone()))
            .collect();
        shared.handles.send_if_modified(|m| {
            if *m == by_did {
                false
            } else {
                *m = by_did.clone();
                true
            }
        });

        let mut feeds: Vec<(Feed, String)> = Vec::new();
        if !shared.live.load(Ordering::Relaxed) {
            let mut dids: Vec<(&String, &String)> = state.dids.iter().collect();
            dids.sort();
            for (handle, did) in dids {
                feeds.push((Feed::Author(did.clone()), format!("feed of @{handle}")));
            }
        }
        feeds.push((Feed::Notifications, "notifications".into()));
        if self.keyword_search {
            let mut queries: Vec<String> = self
                .watch
                .keywords
                .iter()
                .map(|k| k.trim().to_string())
                .collect();
            queries.extend(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| format!("#{}", t.trim().trim_start_matches('#'))),
            );
            queries.retain(|q| !q.is_empty() && q != "#");
            queries.dedup();
            for q in queries {
                feeds.push((Feed::Search(q.clone()), format!("search \"{q}\"")));
            }
        }

        for (feed, what) in feeds {
            if ctx.cancel.is_cancelled() {
                return Step::Cancelled;
            }
            let key = feed.key();
            let mark = state.marks.get(&key).cloned();
            match self.read_feed(&feed, mark.as_ref()).await {
                Ok((posts, newest, bad)) => {
                    if bad > 0 {
                        tracing::warn!(source = %self.name, %what, bad, "bluesky: unreadable items skipped");
                        problems.insert(what.clone(), format!("{bad} unreadable item(s) skipped"));
                    }
                    let moved = newest.is_some() && newest != mark;
                    if posts.is_empty() && !moved {
                        continue;
                    }
                    let cursors = newest
                        .iter()
                        .map(|m| cursor(key.clone(), m.encode()))
                        .collect();
                    if !ctx.batch(posts, cursors).await {
                        return Step::Cancelled;
                    }
                    if let Some(m) = newest {
                        state.marks.insert(key, m);
                    }
                }
                Err(e) => match self.judge(&what, e) {
                    Ok((k, v)) => {
                        problems.insert(k, v);
                    }
                    Err(step) => return step,
                },
            }
        }
        Step::Done(problems)
    }
}
