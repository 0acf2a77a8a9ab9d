//! The Instagram network for the shared poller: its queries and how each is read.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::Value;

use super::map::{self, Found};
use super::{InstagramConfig, edges, hashtags};
use crate::sources::graph::{Graph, Reader, TokenSource, Window, text_of};
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};
use crate::sources::{Cursor, Watch};

/// Every this many rounds, every watched medium's comments are read, changed count or not.
const FULL_ROUND_EVERY: u32 = 10;
/// Late items: how far below its position a query reads again.
const OVERLAP_HOURS: i64 = 6;
const PAGE_LIMIT: &str = "50";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// The shop's username, until read once (and the token's first check).
    Account,
    Comments,
    Tags,
    Hashtag(String),
}

pub struct Feeds {
    reader: Reader,
    user_id: String,
    username: Option<String>,
    watch_media: String,
    hashtags: Vec<String>,
    token: TokenSource,
    /// The `comments_count` at which each watched medium's comments were last read.
    read_at: HashMap<String, u64>,
    /// Media delivered (or tried) as context.
    context_seen: Seen,
    rounds: u32,
}

fn window(key: &str, max_pages: usize) -> Window<'_> {
    Window {
        key,
        time_field: "timestamp",
        // The API documents no order for these edges: every page up to the cap is read.
        newest_first: false,
        max_pages,
        id_of: Window::id,
        expand: Window::itself,
    }
}

impl Feeds {
    pub fn new(
        graph: Graph,
        cursors: HashMap<String, String>,
        cfg: &InstagramConfig,
        watch: &Watch,
        token: TokenSource,
    ) -> Feeds {
        let mut tags: Vec<String> = if cfg.hashtag_search {
            watch
                .hashtags
                .iter()
                .map(|t| t.trim().trim_start_matches('#').to_lowercase())
                .filter(|t| !t.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        tags.dedup();
        Feeds {
            reader: Reader::new(graph, cursors, chrono::Duration::hours(OVERLAP_HOURS)),
            user_id: cfg.ig_user_id.trim().to_string(),
            username: None,
            watch_media: cfg.watch_media.clamp(1, 100).to_string(),
            hashtags: tags,
            token,
            read_at: HashMap::new(),
            context_seen: Seen::default(),
            rounds: 0,
        }
    }

    async fn account(&mut self) -> Result<(), Stop> {
        let url = self.reader.graph.url(&edges::USER, &self.user_id, &[]);
        let me = self.reader.graph.get(url).await?;
        let name = text_of(&me, "username")
            .ok_or_else(|| FetchError::Malformed("the account has no username".into()))?;
        self.username = Some(name.to_lowercase());
        Ok(())
    }

    /// Comments on the shop's newest media whose `comments_count` changed (all of them on a full round).
    async fn comments(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let url = self.reader.graph.url(
            &edges::MEDIA,
            &self.user_id,
            &[("limit", self.watch_media.as_str())],
        );
        let listing = self.reader.graph.get(url).await?;
        let Some(media) = listing.get("data").and_then(Value::as_array) else {
            return Err(
                FetchError::Malformed("media: the answer has no `data` list".into()).into(),
            );
        };
        let full = self.rounds.is_multiple_of(FULL_ROUND_EVERY);
        let mut malformed = None;
        for medium in media {
            let Some(id) = text_of(medium, "id").map(|s| s.into_owned()) else {
                continue;
            };
            let count = medium.get("comments_count").and_then(Value::as_u64);
            if count == Some(0)
                || (!full && count.is_some() && self.read_at.get(&id) == count.as_ref())
            {
                continue;
            }
            match self.thread(out, &id, medium).await {
                Ok(()) => {}
                Err(Stop::Fetch(e @ FetchError::Malformed(_))) => malformed = Some(e),
                Err(e) => return Err(e),
            }
            if let Some(n) = count {
                self.read_at.insert(id, n);
            }
        }
        malformed.map_or(Ok(()), |e| Err(e.into()))
    }

    async fn thread(&mut self, out: &Out<'_>, media_id: &str, medium: &Value) -> Result<(), Stop> {
        let key = format!("comments:{media_id}");
        let url = self
            .reader
            .graph
            .url(&edges::COMMENTS, media_id, &[("limit", PAGE_LIMIT)]);
        let w = Window {
            expand: map::with_replies,
            ..window(&key, 5)
        };
        let mut fresh = self.reader.read(url, &w).await?;
        let permalink = text_of(medium, "permalink").map(|s| s.into_owned());
        let mut posts = Vec::new();
        for item in &fresh.items {
            match map::comment(item, media_id, permalink.as_deref()) {
                Ok(mut p) => {
                    // The shop's own replies are kept for the thread, never triaged.
                    p.context = self.username.as_deref() == Some(p.author.handle.as_str());
                    posts.push(p)
                }
                Err(why) => fresh.skipped.push(why),
            }
        }
        if !posts.is_empty() && self.context_seen.insert(media_id) {
            match map::media(medium, Found::Own) {
                Ok(p) => posts.push(p),
                Err(why) => {
                    tracing::warn!(%media_id, %why, "instagram: medium not kept as context")
                }
            }
        }
        self.reader.commit(out, &key, fresh, posts).await
    }

    async fn media(
        &mut self,
        out: &Out<'_>,
        key: &str,
        url: url::Url,
        found: Found,
    ) -> Result<(), Stop> {
        let mut fresh = self.reader.read(url, &window(key, 2)).await?;
        let mut posts = Vec::new();
        for item in &fresh.items {
            match map::media(item, found) {
                Ok(p) => posts.push(p),
                Err(why) => fresh.skipped.push(why),
            }
        }
        self.reader.commit(out, key, fresh, posts).await
    }

    /// A hashtag's recent media, within the weekly budget of unique hashtags.
    async fn hashtag(&mut self, out: &Out<'_>, tag: &str) -> Result<(), Stop> {
        let now = Utc::now();
        hashtags::allowed(tag, &self.reader.cursors, now).map_err(|detail| FetchError::Client {
            status: 403,
            detail,
        })?;
        let id = match self.reader.cursors.get(&hashtags::id_key(tag)) {
            Some(id) => id.clone(),
            None => {
                let url = self.reader.graph.url(
                    &edges::HASHTAG_SEARCH,
                    "",
                    &[("user_id", self.user_id.as_str()), ("q", tag)],
                );
                let found = self.reader.graph.get(url).await?;
                let id = found
                    .get("data")
                    .and_then(Value::as_array)
                    .and_then(|d| d.first())
                    .and_then(|h| text_of(h, "id"))
                    .ok_or_else(|| FetchError::Client {
                        status: 404,
                        detail: format!("Instagram knows no hashtag #{tag}"),
                    })?
                    .into_owned();
                self.remember(out, hashtags::id_key(tag), id.clone())
                    .await?;
                id
            }
        };
        // A tag queried again after its 7 days counts anew from now.
        if !hashtags::recent(&self.reader.cursors, now)
            .iter()
            .any(|t| t == tag)
        {
            self.remember(out, hashtags::searched_key(tag), now.to_rfc3339())
                .await?;
        }
        let url = self.reader.graph.url(
            &edges::RECENT_MEDIA,
            &id,
            &[("user_id", self.user_id.as_str()), ("limit", PAGE_LIMIT)],
        );
        self.media(out, &format!("tag:{tag}"), url, Found::Hashtag)
            .await
    }

    async fn remember(&mut self, out: &Out<'_>, key: String, value: String) -> Result<(), Stop> {
        out.batch(
            Vec::new(),
            vec![Cursor {
                key: key.clone(),
                value: value.clone(),
            }],
        )
        .await?;
        self.reader.cursors.insert(key, value);
        Ok(())
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if self.username.is_none() {
            q.push(Query::Account);
        }
        q.extend([Query::Comments, Query::Tags]);
        q.extend(self.hashtags.iter().cloned().map(Query::Hashtag));
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Account => "account".into(),
            Query::Comments => "comments".into(),
            Query::Tags => "media tagging the shop".into(),
            Query::Hashtag(t) => format!("#{t}"),
        }
    }

    /// Hashtag search needs a feature (Instagram Public Content Access) an app may not have: its refusal
    /// degrades it alone.
    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Hashtag(_))
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Account => self.account().await,
            Query::Comments => {
                let result = self.comments(out).await;
                self.rounds = self.rounds.wrapping_add(1);
                result
            }
            Query::Tags => {
                let url =
                    self.reader
                        .graph
                        .url(&edges::TAGS, &self.user_id, &[("limit", PAGE_LIMIT)]);
                self.media(out, "tags", url, Found::Tagged).await
            }
            Query::Hashtag(tag) => self.hashtag(out, tag).await,
        }
    }

    async fn reauth(&mut self) -> Result<(), FetchError> {
        if let Ok(token) = self.token.load() {
            self.reader.graph.token = token;
        }
        let url = self.reader.graph.url(&edges::USER, &self.user_id, &[]);
        self.reader.graph.get(url).await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        super::auth_fix(&self.token.hint())
    }
}
