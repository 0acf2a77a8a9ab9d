//! The Tumblr network for the shared poller. Every timeline Tumblr offers is read newest first and paged
//! backwards (`before`, `before_timestamp`), so each query walks down from the newest item to where it stood
//! (its cursor, a Unix time) and a little past it (posts can be backdated or published from a queue with an
//! earlier time). Each page goes out as its own batch with the walk's place (`walk:<key>` = "top before"),
//! so a stop mid-walk resumes at the next page; the cursor moves to the walk's top when it reaches the old
//! place. The ids delivered lately (`seen:<key>`) keep the overlap from delivering twice.

use std::collections::HashMap;

use serde_json::Value;

use super::api::{self, NoteKind, Watched};
use super::client::Api;
use super::pages;
use crate::domain::IncomingPost;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};
use crate::sources::{Cursor, Watch};

/// Pages per query and round (each is a call against the key's 1,000 an hour); the walk resumes next round.
const MAX_PAGES: usize = 5;
/// How far below its cursor a query still reads: a post backdated or published from the queue up to an hour
/// before the newest one read still arrives, once.
const LOOKBACK_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// The shop's newest posts: stored as context, and the ones whose notes are read.
    ShopPosts,
    /// Replies and reblogs with words on one of the shop's posts.
    Notes(Watched),
    /// A customer's blog.
    Customer(String),
    Tag(String),
}

impl Query {
    fn key(&self) -> String {
        match self {
            Query::ShopPosts => "shop-posts".into(),
            Query::Notes(w) => format!("notes:{}", w.id),
            Query::Customer(b) => format!("blog:{b}"),
            Query::Tag(t) => format!("tag:{t}"),
        }
    }
}

/// Where the token comes from, so a re-check reads it again (the user may have put a new key there).
pub(crate) struct KeySource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<std::path::PathBuf>,
    pub hint: String,
}

pub(crate) struct Blogs {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    pub shop: String,
    pub watch: Watch,
    pub notes_posts: usize,
    pub key: KeySource,
    seen: HashMap<String, Seen>,
    watching: Vec<Watched>,
}

impl Blogs {
    pub fn new(
        api: Api,
        cursors: HashMap<String, String>,
        shop: String,
        watch: Watch,
        notes_posts: usize,
        key: KeySource,
    ) -> Blogs {
        let watching = cursors
            .get("watching")
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        Blogs {
            api,
            cursors,
            shop,
            watch,
            notes_posts,
            key,
            seen: HashMap::new(),
            watching,
        }
    }

    fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    /// Maps a page's items; returns the posts and what could not be mapped.
    async fn map(
        &mut self,
        query: &Query,
        items: Vec<(i64, Value)>,
    ) -> (Vec<(i64, IncomingPost)>, Vec<String>) {
        let mut posts = Vec::new();
        let mut skipped = Vec::new();
        for (t, item) in items {
            let mapped = match query {
                Query::Notes(on) => match api::note_to_incoming(&item, on) {
                    Ok(NoteKind::Reply(p)) => Ok(Some(p)),
                    Ok(NoteKind::Reblog(p)) if p.text.is_empty() => Ok(self.reblog_words(p).await),
                    Ok(NoteKind::Reblog(p)) => Ok(Some(p)),
                    Ok(NoteKind::Other) => Ok(None),
                    Err(e) => Err(e),
                },
                Query::ShopPosts => api::post_to_incoming(&item, false).map(|mut p| {
                    p.context = true;
                    Some(p)
                }),
                // The shop's own posts under its tags are not mentions of it.
                Query::Tag(_) => api::post_to_incoming(&item, false)
                    .map(|p| (p.author.handle != self.shop).then_some(p)),
                Query::Customer(_) => api::post_to_incoming(&item, false).map(Some),
            };
            match mapped {
                Ok(Some(p)) => posts.push((t, p)),
                Ok(None) => {}
                Err(why) => {
                    tracing::warn!(query = %query.key(), %why, "tumblr: item skipped");
                    skipped.push(why);
                }
            }
        }
        (posts, skipped)
    }

    /// A reblog note without its words: the reblog post itself says them (best effort).
    async fn reblog_words(&mut self, mut note: IncomingPost) -> Option<IncomingPost> {
        let mut u = self.api.url(&["blog", &note.author.handle, "posts"]);
        u.query_pairs_mut()
            .append_pair("id", &note.native_id)
            .append_pair("npf", "true");
        let found = self.api.get(u).await.ok()?;
        let post = found.pointer("/posts/0")?;
        let text = post
            .get("content")
            .and_then(Value::as_array)
            .map(|b| api::npf_text(b))
            .filter(|t| !t.is_empty())?;
        note.text = text;
        Some(note)
    }

    /// Walks `query` down from its newest page to its cursor and a little past it (see the module doc).
    async fn walk(&mut self, out: &Out<'_>, query: &Query) -> Result<(), Stop> {
        let key = query.key();
        let walk_key = format!("walk:{key}");
        let pos: Option<i64> = self.cursors.get(&key).and_then(|v| v.parse().ok());
        let floor = pos.map(|p| p - LOOKBACK_SECS);
        let resumed = self
            .cursors
            .get(&walk_key)
            .and_then(|v| v.split_once(' '))
            .and_then(|(top, before)| Some((top.parse::<i64>().ok()?, before.to_string())));
        let (mut top, mut before) = match resumed {
            Some((t, b)) => (Some(t), Some(b)),
            None => (None, None),
        };
        let mut skipped = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = pages::page(&mut self.api, &self.shop, query, before.as_deref()).await?;
            top = page.items.iter().map(|(t, _)| *t).chain(top).max();
            let oldest = page.items.iter().map(|(t, _)| *t).min();
            let done = floor.is_none()
                || page.next.is_none()
                || oldest.is_none_or(|o| floor.is_some_and(|f| o < f));
            let (mapped, bad) = self.map(query, page.items).await;
            skipped.extend(page.untimed);
            skipped.extend(bad);
            let seen = self.seen(&key);
            let mut posts: Vec<IncomingPost> = Vec::new();
            for (t, p) in mapped {
                if floor.is_none_or(|f| t >= f) && seen.insert(&p.native_id) {
                    posts.push(p);
                }
            }
            posts.sort_by_key(|p| p.created_at);
            let mut cursors = vec![Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            }];
            let walk_value = match (&page.next, top) {
                (Some(next), Some(top)) if !done => format!("{top} {next}"),
                _ => String::new(),
            };
            cursors.push(Cursor {
                key: walk_key.clone(),
                value: walk_value.clone(),
            });
            if done && let Some(top) = top {
                cursors.push(Cursor {
                    key: key.clone(),
                    value: top.to_string(),
                });
            }
            if matches!(query, Query::ShopPosts) {
                cursors.extend(self.watch_newest(&posts));
            }
            out.batch(posts, cursors.clone()).await?;
            for c in cursors {
                self.cursors.insert(c.key, c.value);
            }
            if done {
                break;
            }
            before = page.next;
        }
        if !skipped.is_empty() {
            return Err(
                FetchError::Malformed(format!("malformed answer: {}", skipped.join("; "))).into(),
            );
        }
        Ok(())
    }

    /// The shop's newest posts become the ones whose notes are read (cursor `watching`).
    fn watch_newest(&mut self, fresh: &[IncomingPost]) -> Option<Cursor> {
        if fresh.is_empty() {
            return None;
        }
        let mut all: Vec<Watched> = fresh
            .iter()
            .rev()
            .map(|p| Watched {
                id: p.native_id.clone(),
                url: p
                    .url
                    .clone()
                    .unwrap_or_else(|| api::web_url(&self.shop, &p.native_id)),
            })
            .chain(self.watching.drain(..))
            .collect();
        let mut ids = std::collections::HashSet::new();
        all.retain(|w| ids.insert(w.id.clone()));
        // Newest first: ids grow with time on Tumblr.
        all.sort_by(|a, b| {
            let n = |s: &str| s.parse::<u128>().unwrap_or(0);
            n(&b.id).cmp(&n(&a.id))
        });
        all.truncate(self.notes_posts);
        self.watching = all;
        Some(Cursor {
            key: "watching".into(),
            value: serde_json::to_string(&self.watching).unwrap_or_else(|_| "[]".into()),
        })
    }
}

impl poller::Network for Blogs {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if self.notes_posts > 0 {
            q.push(Query::ShopPosts);
            q.extend(self.watching.iter().cloned().map(Query::Notes));
        }
        let mut customers: Vec<String> = self
            .watch
            .customer_handles
            .iter()
            .map(|h| api::blog_key(h))
            .collect();
        customers.sort();
        customers.dedup();
        q.extend(customers.into_iter().map(Query::Customer));
        q.extend(
            self.watch
                .hashtags
                .iter()
                .map(|t| Query::Tag(t.trim_start_matches('#').to_string())),
        );
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::ShopPosts => "the shop's posts".into(),
            Query::Notes(w) => format!("notes on post {}", w.id),
            Query::Customer(b) => format!("customer {b}"),
            Query::Tag(t) => format!("#{t}"),
        }
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        self.walk(out, query).await
    }

    /// Reads the key again (the user may have put a new one there) and checks it on the shop's blog.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        let k = &self.key;
        if let Ok(key) = crate::sources::secret::load(&k.what, k.env.as_deref(), k.file.as_deref())
        {
            self.api.key = key;
        }
        let url = self.api.url(&["blog", &self.shop, "info"]);
        self.api.get(url).await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        format!(
            "Tumblr refused the API key: copy the OAuth consumer key of your app at \
             https://www.tumblr.com/oauth/apps into {}",
            self.key.hint
        )
    }
}
