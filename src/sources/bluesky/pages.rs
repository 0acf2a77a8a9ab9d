//! Reading Bluesky feeds for the poller: newest-first pages back to the stored mark (the whole page where it is
//! reached, for posts sorted below it), the seen set, and the parents and quoted posts fetched as context.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::api::{
    self, FeedItem, FeedPage, Mark, Notification, NotificationPage, PostView, PostsAnswer,
    SearchPage,
};
use super::oldest_first;
use super::poll::{Feeds, Query};
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::FetchError;
use crate::sources::poller::{Out, Stop, missing_context, take_context};

/// `getPosts` takes at most this many URIs; one call per page is enough for the parents and quotes it needs.
const MAX_CONTEXT: usize = 25;
/// Items this much older than the mark are never taken again, whatever the seen set says.
const OVERLAP: chrono::Duration = chrono::Duration::hours(48);

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

impl Feeds {
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
    pub(super) async fn read(
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
    pub(super) async fn context_for(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        let wanted = missing_context(
            posts,
            |uri| self.context_seen.contains(uri) || self.seen.values().any(|s| s.contains(uri)),
            MAX_CONTEXT,
        );
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
        let mut found: Vec<IncomingPost> = answer
            .posts
            .into_iter()
            .filter_map(|v| serde_json::from_value::<PostView>(v).ok())
            .filter_map(|p| api::from_post_view(&p, false))
            .collect();
        take_context(posts, &mut found);
        found
    }
}
