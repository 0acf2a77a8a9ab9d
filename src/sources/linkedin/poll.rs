//! The LinkedIn network for the shared poller:
//! - the page's newest posts: `GET /rest/posts?author={org}&q=author` (stored as context; the ones whose
//!   comments are read kept as cursor `watching`);
//! - comments on each: `GET /rest/socialActions/{post}/comments` paged with `start`/`count`, and the replies
//!   under a comment (`/rest/socialActions/{comment}/comments`) when its reply count changed (cursor
//!   `threads:<post>`); cursor `comments:<post>` is the newest comment's time;
//! - mentions: `GET /rest/organizationalEntityNotifications?q=criteria&actions=List(SHARE_MENTION,
//!   COMMENT_MENTION)` over a `timeRange` from the cursor `mentions` (minus an hour for late notifications) to
//!   now, each mention's post or comment fetched.
//!
//! A query's round goes out as one batch with its cursors; the ids delivered lately (`seen:<key>`) keep the
//! overlap from delivering twice.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::Value;

use super::api;
use super::client::Api;
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};

/// Comments per page (LinkedIn's documented maximum is 100).
const PAGE: usize = 100;
/// Pages per query and round.
const MAX_PAGES: usize = 5;
/// How far below its cursor a query still reads (an edit or a late notification), in milliseconds.
const LOOKBACK_MS: i64 = 3_600_000;
/// Mentions read back on the first run.
const FIRST_RUN_MS: i64 = 24 * 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    OrgPosts,
    Comments(String),
    Mentions,
}

impl Query {
    fn key(&self) -> String {
        match self {
            Query::OrgPosts => "org-posts".into(),
            Query::Comments(urn) => format!("comments:{urn}"),
            Query::Mentions => "mentions".into(),
        }
    }
}

pub(crate) struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<std::path::PathBuf>,
    pub hint: String,
}

pub(crate) struct Page {
    pub api: Api,
    pub org: String,
    pub cursors: HashMap<String, String>,
    pub posts: usize,
    pub mentions: bool,
    pub token: TokenSource,
    seen: HashMap<String, Seen>,
    watching: Vec<String>,
}

fn elements(v: &Value) -> Result<Vec<Value>, FetchError> {
    match v.get("elements") {
        Some(Value::Array(a)) => Ok(a.clone()),
        _ => Err(FetchError::Malformed(
            "no `elements` list in the answer".into(),
        )),
    }
}

impl Page {
    pub fn new(
        api: Api,
        org: String,
        cursors: HashMap<String, String>,
        posts: usize,
        mentions: bool,
        token: TokenSource,
    ) -> Page {
        let watching = cursors
            .get("watching")
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        Page {
            api,
            org,
            cursors,
            posts,
            mentions,
            token,
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

    /// The Posts API finder for the page's posts (also what `reauth` and `doctor` call).
    pub fn posts_url(api: &Api, org: &str, count: usize) -> Result<url::Url, FetchError> {
        api.url(
            "posts",
            &format!(
                "author={}&q=author&count={count}&sortBy=CREATED",
                api::encode(org)
            ),
        )
    }

    /// Delivers `posts` (those not seen under `key`) with `extra` cursors; items that could not be mapped
    /// are reported after.
    async fn deliver(
        &mut self,
        out: &Out<'_>,
        key: &str,
        mapped: Vec<IncomingPost>,
        mut cursors: Vec<Cursor>,
        skipped: Vec<String>,
    ) -> Result<(), Stop> {
        let seen = self.seen(key);
        let mut posts: Vec<IncomingPost> = mapped
            .into_iter()
            .filter(|p| seen.insert(&p.native_id))
            .collect();
        posts.sort_by_key(|p| p.created_at);
        cursors.push(Cursor {
            key: format!("seen:{key}"),
            value: seen.encode(),
        });
        out.batch(posts, cursors.clone()).await?;
        for c in cursors {
            self.cursors.insert(c.key, c.value);
        }
        if skipped.is_empty() {
            Ok(())
        } else {
            Err(FetchError::Malformed(format!("malformed answer: {}", skipped.join("; "))).into())
        }
    }

    async fn org_posts(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let url = Page::posts_url(&self.api, &self.org, self.posts)?;
        let resp = self
            .api
            .request(reqwest::Method::GET, url)
            .header("X-RestLi-Method", "FINDER")
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        let resp = super::client::check(resp, Utc::now()).await?;
        let list = elements(&crate::sources::http::json(resp).await?)?;
        let (mut posts, mut skipped) = (Vec::new(), Vec::new());
        for p in &list {
            match api::post_to_incoming(p, false) {
                Ok(mut post) => {
                    post.context = true;
                    posts.push(post);
                }
                Err(why) => skipped.push(why),
            }
        }
        self.watching = posts.iter().map(|p| p.native_id.clone()).collect();
        let watching = Cursor {
            key: "watching".into(),
            value: serde_json::to_string(&self.watching).unwrap_or_else(|_| "[]".into()),
        };
        self.deliver(out, "org-posts", posts, vec![watching], skipped)
            .await
    }

    /// Every comment under `urn` (a post or a comment), up to the page cap.
    async fn all_comments(&self, urn: &str) -> Result<Vec<Value>, FetchError> {
        let mut all = Vec::new();
        for page in 0..MAX_PAGES {
            let url = self.api.url(
                &format!("socialActions/{}/comments", api::encode(urn)),
                &format!("start={}&count={PAGE}", page * PAGE),
            )?;
            let list = elements(&self.api.get(url).await?)?;
            let full = list.len() >= PAGE;
            all.extend(list);
            if !full {
                break;
            }
        }
        Ok(all)
    }

    async fn comments(&mut self, out: &Out<'_>, post: &str) -> Result<(), Stop> {
        let key = Query::Comments(post.to_string()).key();
        let threads_key = format!("threads:{post}");
        let floor = self
            .cursors
            .get(&key)
            .and_then(|v| v.parse::<i64>().ok())
            .map(|c| c - LOOKBACK_MS);
        let mut threads: HashMap<String, u64> = self
            .cursors
            .get(&threads_key)
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        let mut items = self.all_comments(post).await?;
        // Replies under a comment are read when their count moved since the last round.
        let mut nested = Vec::new();
        for c in &items {
            let replies = c
                .pointer("/commentsSummary/totalFirstLevelComments")
                .or_else(|| c.pointer("/commentsSummary/aggregatedTotalComments"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let Some(urn) = c.get("commentUrn").and_then(Value::as_str) else {
                continue;
            };
            if replies > 0 && threads.get(urn) != Some(&replies) {
                nested.push((urn.to_string(), replies));
            }
        }
        for (urn, replies) in nested {
            items.extend(self.all_comments(&urn).await?);
            threads.insert(urn, replies);
        }
        let (mut posts, mut skipped, mut newest) = (Vec::new(), Vec::new(), None::<i64>);
        for c in &items {
            let t = api::millis(c.pointer("/created/time"));
            newest = newest.max(t);
            if floor.is_some_and(|f| t.is_some_and(|t| t < f)) {
                continue;
            }
            let by_shop = c.get("actor").and_then(Value::as_str) == Some(self.org.as_str());
            match api::comment_to_incoming(c, !by_shop) {
                Ok(p) => posts.push(p),
                Err(why) => skipped.push(why),
            }
        }
        let mut cursors = vec![Cursor {
            key: threads_key,
            value: serde_json::to_string(&threads).unwrap_or_else(|_| "{}".into()),
        }];
        let previous = self.cursors.get(&key).and_then(|v| v.parse::<i64>().ok());
        if let Some(n) = newest.max(previous) {
            cursors.push(Cursor {
                key: key.clone(),
                value: n.to_string(),
            });
        }
        self.deliver(out, &key, posts, cursors, skipped).await
    }

    async fn mentions(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let now = Utc::now().timestamp_millis();
        let start = match self
            .cursors
            .get("mentions")
            .and_then(|v| v.parse::<i64>().ok())
        {
            Some(c) => c - LOOKBACK_MS,
            None => now - FIRST_RUN_MS,
        };
        let mut found = Vec::new();
        for page in 0..MAX_PAGES {
            let url = self.api.url(
                "organizationalEntityNotifications",
                &format!(
                    "q=criteria&actions=List(SHARE_MENTION,COMMENT_MENTION)&organizationalEntity={}\
                     &timeRange=(start:{start},end:{now})&start={}&count=50",
                    api::encode(&self.org),
                    page * 50
                ),
            )?;
            let list = elements(&self.api.get(url).await?)?;
            let full = list.len() >= 50;
            found.extend(list);
            if !full {
                break;
            }
        }
        let (mut posts, mut skipped) = (Vec::new(), Vec::new());
        for n in found {
            let Some(activity) = n.get("generatedActivity").and_then(Value::as_str) else {
                skipped.push("a notification without generatedActivity".into());
                continue;
            };
            if self.seen("mentions").contains(activity) {
                continue;
            }
            let action = n.get("action").and_then(Value::as_str).unwrap_or("");
            let fetched = match (action, api::comment_parts(activity)) {
                ("COMMENT_MENTION", Some((object, id))) => {
                    let url = self.api.url(
                        &format!(
                            "socialActions/{}/comments/{}",
                            api::encode(object),
                            api::encode(id)
                        ),
                        "",
                    )?;
                    self.api
                        .get(url)
                        .await
                        .map(|c| api::comment_to_incoming(&c, true))
                }
                ("SHARE_MENTION", _) => {
                    let url = self
                        .api
                        .url(&format!("posts/{}", api::encode(activity)), "")?;
                    self.api
                        .get(url)
                        .await
                        .map(|p| api::post_to_incoming(&p, true))
                }
                _ => continue,
            };
            match fetched {
                Ok(Ok(post)) => posts.push(post),
                Ok(Err(why)) => skipped.push(why),
                // Deleted since, or not visible to the page: nothing to read.
                Err(FetchError::Client { status: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let cursor = Cursor {
            key: "mentions".into(),
            value: now.to_string(),
        };
        self.deliver(out, "mentions", posts, vec![cursor], skipped)
            .await
    }
}

impl poller::Network for Page {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if self.posts > 0 {
            q.push(Query::OrgPosts);
            q.extend(self.watching.iter().cloned().map(Query::Comments));
        }
        if self.mentions {
            q.push(Query::Mentions);
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::OrgPosts => "the page's posts".into(),
            Query::Comments(urn) => format!("comments on {urn}"),
            Query::Mentions => "mentions".into(),
        }
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::OrgPosts => self.org_posts(out).await,
            Query::Comments(urn) => self.comments(out, urn).await,
            Query::Mentions => self.mentions(out).await,
        }
    }

    /// Reads the token again (the user may have put a new one there) and checks it.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        let t = &self.token;
        if let Ok(token) =
            crate::sources::secret::load(&t.what, t.env.as_deref(), t.file.as_deref())
        {
            self.api.token = token;
        }
        let url = Page::posts_url(&self.api, &self.org, 1)?;
        self.api.get(url).await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        super::config::auth_fix(&self.token.hint)
    }
}
