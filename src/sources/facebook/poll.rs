//! The Facebook network for the shared poller: its queries and how each is read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{FacebookConfig, edges, map};
use crate::domain::IncomingPost;
use crate::sources::graph::{Graph, Reader, TokenSource, Window, parse_time, text_of};
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};

/// Every this many rounds, every watched post's comments are read, changed `updated_time` or not.
const FULL_ROUND_EVERY: u32 = 10;
/// Late items: how far below its position a query reads again.
const OVERLAP_HOURS: i64 = 6;
const PAGE_LIMIT: &str = "100";
const MAX_PAGES: usize = 10;
/// Parent comments fetched as context per post and round at most.
const MAX_CONTEXT: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// The page's name, until read once (and the token's first check).
    Page,
    Visitors,
    Comments,
    Tagged,
    Ratings,
}

pub struct Feeds {
    reader: Reader,
    page_id: String,
    page_name: Option<String>,
    watch_posts: String,
    tagged: bool,
    ratings: bool,
    token: TokenSource,
    /// The `updated_time` at which each watched post's comments were last read.
    read_at: HashMap<String, DateTime<Utc>>,
    /// Posts and comments fetched (or tried) as context: not fetched again.
    context_seen: Seen,
    rounds: u32,
}

fn window(key: &str) -> Window<'_> {
    Window {
        key,
        time_field: "created_time",
        newest_first: true,
        max_pages: MAX_PAGES,
        id_of: Window::id,
        expand: Window::itself,
    }
}

impl Feeds {
    pub fn new(
        graph: Graph,
        cursors: HashMap<String, String>,
        cfg: &FacebookConfig,
        shop_name: Option<String>,
        token: TokenSource,
    ) -> Feeds {
        Feeds {
            reader: Reader::new(graph, cursors, chrono::Duration::hours(OVERLAP_HOURS)),
            page_id: cfg.page_id.trim().to_string(),
            page_name: shop_name,
            watch_posts: cfg.watch_posts.clamp(1, 100).to_string(),
            tagged: cfg.tagged,
            ratings: cfg.ratings,
            token,
            read_at: HashMap::new(),
            context_seen: Seen::default(),
            rounds: 0,
        }
    }

    fn by_page(&self, v: &Value) -> bool {
        map::from_id(v).as_deref() == Some(self.page_id.as_str())
    }

    async fn read_page(&mut self) -> Result<(), Stop> {
        let url = self.reader.graph.url(&edges::PAGE, &self.page_id, &[]);
        let page = self.reader.graph.get(url).await?;
        let name = text_of(&page, "name")
            .ok_or_else(|| FetchError::Malformed("the page has no name".into()))?;
        self.page_name = Some(name.into_owned());
        Ok(())
    }

    /// Posts on the page's timeline by anyone but the page, or posts tagging it.
    async fn posts(&mut self, out: &Out<'_>, key: &str, url: url::Url) -> Result<(), Stop> {
        let mut fresh = self.reader.read(url, &window(key)).await?;
        let mut posts = Vec::new();
        for item in fresh.items.iter().filter(|v| !self.by_page(v)) {
            match map::post(item, true, false) {
                Ok(p) => posts.push(p),
                Err(why) => fresh.skipped.push(why),
            }
        }
        self.reader.commit(out, key, fresh, posts).await
    }

    async fn ratings(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let url = self.reader.graph.url(&edges::RATINGS, &self.page_id, &[]);
        let w = Window {
            id_of: map::rating_id,
            ..window("ratings")
        };
        let mut fresh = self.reader.read(url, &w).await?;
        let page = self.page_name.clone().unwrap_or_else(|| "the page".into());
        let mut posts = Vec::new();
        for item in &fresh.items {
            match map::rating(item, &page) {
                Ok(p) => posts.push(p),
                Err(why) => fresh.skipped.push(why),
            }
        }
        self.reader.commit(out, "ratings", fresh, posts).await
    }

    /// The comments on the page's newest posts: those whose `updated_time` moved since their comments were
    /// read (every post on a full round). A post that fails stops the query; the rest wait for the next round.
    async fn comments(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let url = self.reader.graph.url(
            &edges::POSTS,
            &self.page_id,
            &[("limit", self.watch_posts.as_str())],
        );
        let listing = self.reader.graph.get(url).await?;
        let Some(posts) = listing.get("data").and_then(Value::as_array) else {
            return Err(
                FetchError::Malformed("posts: the answer has no `data` list".into()).into(),
            );
        };
        let full = self.rounds.is_multiple_of(FULL_ROUND_EVERY);
        let mut malformed = None;
        for post in posts {
            let Some(id) = text_of(post, "id").map(|s| s.into_owned()) else {
                continue;
            };
            let updated = post.get("updated_time").and_then(parse_time);
            let unchanged = updated.is_some() && self.read_at.get(&id) == updated.as_ref();
            if unchanged && !full {
                continue;
            }
            match self.thread(out, &id, post).await {
                Ok(()) => {}
                Err(Stop::Fetch(e @ FetchError::Malformed(_))) => malformed = Some(e),
                Err(e) => return Err(e),
            }
            if let Some(t) = updated {
                self.read_at.insert(id, t);
            }
        }
        malformed.map_or(Ok(()), |e| Err(e.into()))
    }

    /// One post's new comments and replies, with the post and missing parents as context.
    async fn thread(&mut self, out: &Out<'_>, post_id: &str, post: &Value) -> Result<(), Stop> {
        let key = format!("comments:{post_id}");
        let since = self.reader.floor(&key).map(|t| t.timestamp().to_string());
        let mut params = vec![
            ("filter", "stream"),
            ("order", "reverse_chronological"),
            ("limit", PAGE_LIMIT),
        ];
        if let Some(s) = &since {
            params.push(("since", s.as_str()));
        }
        let url = self.reader.graph.url(&edges::COMMENTS, post_id, &params);
        let mut fresh = self.reader.read(url, &window(&key)).await?;
        let mut posts = Vec::new();
        for item in &fresh.items {
            match map::comment(item, post_id) {
                // The page's own replies are kept for the thread, never triaged.
                Ok(mut p) => {
                    p.context = self.by_page(item);
                    posts.push(p)
                }
                Err(why) => fresh.skipped.push(why),
            }
        }
        if !posts.is_empty() && self.context_seen.insert(post_id) {
            match map::post(post, false, true) {
                Ok(p) => posts.push(p),
                Err(why) => tracing::warn!(%post_id, %why, "facebook: post not kept as context"),
            }
        }
        let parents = self.parents(&mut posts, post_id).await;
        posts.extend(parents);
        self.reader.commit(out, &key, fresh, posts).await
    }

    /// The parents of replies that are neither here nor delivered (a reply to an old comment), as context.
    async fn parents(&mut self, posts: &mut [IncomingPost], post_id: &str) -> Vec<IncomingPost> {
        let wanted = poller::missing_context(
            posts,
            |id| self.context_seen.contains(id) || self.reader.delivered(id),
            MAX_CONTEXT,
        );
        let mut found = Vec::new();
        for id in wanted {
            self.context_seen.insert(&id);
            let url = self.reader.graph.url(&edges::COMMENT, &id, &[]);
            match self.reader.graph.get(url).await {
                Ok(v) => match map::comment(&v, post_id) {
                    Ok(p) => found.push(p),
                    Err(why) => tracing::warn!(%id, %why, "facebook: parent comment skipped"),
                },
                Err(FetchError::Client { .. }) => {}
                Err(e) => {
                    tracing::info!(%id, error = %e, "facebook: parent comment not fetched");
                    break;
                }
            }
        }
        poller::take_context(posts, &mut found);
        found
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if self.page_name.is_none() {
            q.push(Query::Page);
        }
        q.extend([Query::Visitors, Query::Comments]);
        if self.tagged {
            q.push(Query::Tagged);
        }
        if self.ratings {
            q.push(Query::Ratings);
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Page => "page".into(),
            Query::Visitors => "visitor posts".into(),
            Query::Comments => "comments".into(),
            Query::Tagged => "posts tagging the page".into(),
            Query::Ratings => "ratings".into(),
        }
    }

    /// Tagged posts and ratings need permissions (`pages_read_user_content`) a page may not have granted:
    /// their refusal degrades them alone.
    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Tagged | Query::Ratings)
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Page => self.read_page().await,
            Query::Visitors => {
                let url =
                    self.reader
                        .graph
                        .url(&edges::FEED, &self.page_id, &[("limit", PAGE_LIMIT)]);
                self.posts(out, "feed", url).await
            }
            Query::Comments => {
                let result = self.comments(out).await;
                self.rounds = self.rounds.wrapping_add(1);
                result
            }
            Query::Tagged => {
                let url = self.reader.graph.url(&edges::TAGGED, &self.page_id, &[]);
                self.posts(out, "tagged", url).await
            }
            Query::Ratings => self.ratings(out).await,
        }
    }

    /// Reads the token again (the user may have replaced it) and checks it on the page.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        if let Ok(token) = self.token.load() {
            self.reader.graph.token = token;
        }
        let url = self.reader.graph.url(&edges::PAGE, &self.page_id, &[]);
        self.reader.graph.get(url).await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        auth_fix(&self.page_id, &self.token.hint())
    }
}

/// The fix for a refused Page token.
pub(super) fn auth_fix(page_id: &str, hint: &str) -> String {
    format!(
        "create a Page access token for page {page_id} with the permissions {} (a system user's token \
         does not expire; one from a person expires with their session or password change) and put it in {hint}",
        super::PERMISSIONS.join(", ")
    )
}
