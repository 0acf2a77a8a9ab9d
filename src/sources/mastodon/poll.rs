//! The Mastodon network for the shared poller: the REST calls behind every query (`Link` pagination, `min_id`
//! cursors, a look-back page below each cursor for late posts), account lookups, and the live side.

use std::collections::HashMap;

use chrono::Utc;
use reqwest::header::HeaderMap;
use tokio::time::{Duration, Instant};
use url::Url;

use super::api::{self, Account, Instance, Notification, SearchResults, Status};
use super::stream::Streaming;
use crate::domain::{IncomingPost, Network};
use crate::sources::http::{self, FetchError, RateLimit};
use crate::sources::poller::{self, Live, Out, Seen, Stop};
use crate::sources::secret::Secret;
use crate::sources::{Cursor, SourceEvent, Watch};

/// Statuses and notifications allow at most 40 per page.
const PAGE_LIMIT: &str = "40";
/// Pages followed per query and round; the rest comes next round (the cursor keeps the place).
const MAX_PAGES: usize = 25;
/// While streaming, every this many rounds is a full one (mentions and hashtags too).
const FULL_ROUND_EVERY: u32 = 5;
/// Parents and quoted posts fetched per page at most; the rest come with later pages or not at all.
const MAX_CONTEXT: usize = 10;
/// Account ids are looked up again at least this often (an account can move or be deleted and recreated).
const LOOKUP_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// The authenticated REST client for one instance.
pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: Url,
    pub token: Secret,
    /// The last rate-limit headers seen.
    pub rate: Option<RateLimit>,
    pub timeout: Option<std::time::Duration>,
}

impl Api {
    /// `base` with `segments` as its path (each segment percent-encoded).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.base.clone();
        u.set_query(None);
        u.set_fragment(None);
        if let Ok(mut path) = u.path_segments_mut() {
            path.clear().extend(segments);
        }
        u
    }

    pub async fn get(&mut self, url: Url) -> Result<reqwest::Response, FetchError> {
        let now = Utc::now();
        if let Some(rate) = &self.rate
            && rate.exhausted()
            && let Some(reset) = rate.reset
        {
            if reset > now {
                return Err(FetchError::RateLimited { until: reset });
            }
            self.rate = None;
        }
        let mut req = self.client.get(url).bearer_auth(self.token.expose());
        if let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        let result = http::send(req, now).await;
        if let Ok(resp) = &result
            && let Some(rate) = RateLimit::from_headers(resp.headers(), now)
        {
            self.rate = Some(rate);
        }
        result
    }

    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &mut self,
        url: Url,
    ) -> Result<T, FetchError> {
        http::json(self.get(url).await?).await
    }

    pub async fn instance(&mut self) -> Result<Instance, FetchError> {
        self.get_json(self.url(&["api", "v2", "instance"])).await
    }

    pub async fn verify_credentials(&mut self) -> Result<Account, FetchError> {
        self.get_json(self.url(&["api", "v1", "accounts", "verify_credentials"]))
            .await
    }

    pub async fn lookup(&mut self, acct: &str) -> Result<Account, FetchError> {
        let mut u = self.url(&["api", "v1", "accounts", "lookup"]);
        u.query_pairs_mut().append_pair("acct", acct);
        self.get_json(u).await
    }

    /// One page: the items (kept as JSON so one odd item cannot spoil the rest) and the headers.
    async fn page(&mut self, url: Url) -> Result<(Vec<serde_json::Value>, HeaderMap), FetchError> {
        let resp = self.get(url).await?;
        let headers = resp.headers().clone();
        Ok((http::json(resp).await?, headers))
    }

    /// A `Link` target, only if it stays on this instance (the token must never go elsewhere).
    fn same_origin(&self, link: Option<String>) -> Option<Url> {
        let u = Url::parse(&link?).ok()?;
        (u.origin() == self.base.origin()).then_some(u)
    }
}

/// What a query reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// `/api/v2/instance`, until read once: the handle domain, the post length limit, the streaming URL.
    Instance,
    /// A customer's statuses (`acct` as configured).
    Customer(String),
    Mentions,
    Tag(String),
    Search(String),
}

/// Item shape of a timeline.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Statuses,
    Notifications,
}

/// Where a page stands relative to the query's cursor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Newer than the cursor: moves it.
    Ahead,
    /// The page just below the cursor: only what was never delivered (a late-federated post numbered by its
    /// older date), leaving the cursor where it is.
    LookBack,
}

/// Where the token comes from, so a re-login reads it again (the user may have put a new one there).
pub(crate) struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<std::path::PathBuf>,
    /// For fixes: "the environment variable X" or the file's path.
    pub hint: String,
}

/// A running Mastodon source's state: the API, the cursors as they advance, what to read.
pub(crate) struct Feeds {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    /// The domain in local handles (`alice` on this instance is `alice@<local_domain>`).
    pub local_domain: String,
    pub watch: Watch,
    pub keyword_search: bool,
    pub token: TokenSource,
    pub stream: Option<Streaming>,
    instance_read: bool,
    /// Recently delivered ids per cursor key (stored as cursor `seen:<key>`).
    seen: HashMap<String, Seen>,
    /// When each customer's account id was looked up.
    looked_up: HashMap<String, Instant>,
    /// Statuses fetched (or tried) as context lately: not fetched again.
    context_seen: Seen,
    rounds: u32,
}

impl Feeds {
    pub fn new(
        api: Api,
        cursors: HashMap<String, String>,
        watch: Watch,
        keyword_search: bool,
        token: TokenSource,
        stream: Option<Streaming>,
    ) -> Feeds {
        let local_domain = api.base.host_str().unwrap_or_default().to_ascii_lowercase();
        // Ids cached by an earlier run count as fresh: a vanished account is looked up again when it 404s.
        let looked_up = cursors
            .keys()
            .filter_map(|k| k.strip_prefix("account-id:"))
            .map(|acct| (acct.to_string(), Instant::now()))
            .collect();
        Feeds {
            api,
            cursors,
            local_domain,
            watch,
            keyword_search,
            token,
            stream,
            instance_read: false,
            seen: HashMap::new(),
            looked_up,
            context_seen: Seen::default(),
            rounds: 0,
        }
    }

    fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    /// Reads `/api/v2/instance`: the handle domain, the character limit and the streaming URL.
    async fn read_instance(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        match self.api.instance().await {
            Ok(instance) => {
                if let Some(max) = instance.configuration.statuses.max_characters {
                    out.event(SourceEvent::ReplyLimit {
                        network: Network::Mastodon,
                        max,
                    })
                    .await?;
                }
                if let Some(domain) = instance.domain.filter(|d| !d.trim().is_empty()) {
                    self.local_domain = domain.trim().to_ascii_lowercase();
                }
                if let Some(stream) = &mut self.stream {
                    let url = super::stream::streaming_url(
                        instance.configuration.urls.streaming.as_deref(),
                        &self.api.base,
                    )
                    .map_err(FetchError::Malformed)?;
                    stream.url = Some(url);
                }
            }
            // An older server without /api/v2/instance: defaults, and stream from the instance URL.
            Err(FetchError::Client { .. } | FetchError::Malformed(_)) => {
                if let Some(stream) = &mut self.stream {
                    stream.url = super::stream::streaming_url(None, &self.api.base).ok();
                }
            }
            Err(e) => return Err(e.into()),
        }
        self.instance_read = true;
        Ok(())
    }

    /// The account id of a customer: cached as cursor `account-id:<acct>`, looked up again when stale.
    async fn account_id(&mut self, acct: &str, out: &Out<'_>) -> Result<String, Stop> {
        let key = format!("account-id:{acct}");
        let fresh = self
            .looked_up
            .get(acct)
            .is_some_and(|at| at.elapsed() < LOOKUP_MAX_AGE);
        if let Some(id) = self.cursors.get(&key)
            && fresh
        {
            return Ok(id.clone());
        }
        let account = self.api.lookup(&self.lookup_form(acct)).await?;
        out.batch(
            Vec::new(),
            vec![Cursor {
                key: key.clone(),
                value: account.id.clone(),
            }],
        )
        .await?;
        self.cursors.insert(key, account.id.clone());
        self.looked_up.insert(acct.to_string(), Instant::now());
        Ok(account.id)
    }

    /// `acct` as this instance's lookup wants it: its own users without the domain (`alice@<here>` is
    /// `alice`; some servers answer 404 to the long form of a local account).
    fn lookup_form(&self, acct: &str) -> String {
        let acct = acct.trim().trim_start_matches('@');
        let host = self.api.base.host_str().unwrap_or_default();
        match acct.rsplit_once('@') {
            Some((user, domain))
                if domain.eq_ignore_ascii_case(&self.local_domain)
                    || domain.eq_ignore_ascii_case(host) =>
            {
                user.to_string()
            }
            _ => acct.to_string(),
        }
    }

    /// A customer's statuses; `raw` as configured (`alice` on this instance is `alice@<its domain>`).
    async fn customer(&mut self, raw: &str, out: &Out<'_>) -> Result<(), Stop> {
        let acct = api::normalize_acct(raw, &self.local_domain);
        let acct = acct.as_str();
        let id = self.account_id(acct, out).await?;
        let u = self.api.url(&["api", "v1", "accounts", &id, "statuses"]);
        let result = self
            .crawl(out, u, &format!("account:{id}"), Kind::Statuses)
            .await;
        if let Err(Stop::Fetch(FetchError::Client { status: 404, .. })) = &result {
            // The account is gone or moved: the next attempt looks it up again.
            self.looked_up.remove(acct);
        }
        result
    }

    /// Reads a timeline. No cursor: only the most recent page. A cursor: every page newer than it, oldest
    /// page first (`min_id` returns the page immediately newer; its `Link rel="prev"` the next newer one),
    /// each page sent with its newest id as the new cursor, so a stop at any point resumes exactly; then, for
    /// statuses, the page just below where the cursor stood, for posts that arrived late.
    async fn crawl(
        &mut self,
        out: &Out<'_>,
        mut url: Url,
        key: &str,
        kind: Kind,
    ) -> Result<(), Stop> {
        let start = self.cursors.get(key).cloned();
        let plain = url.clone();
        url.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        if let Some(c) = &start {
            url.query_pairs_mut().append_pair("min_id", c);
        }
        for _ in 0..MAX_PAGES {
            let (items, headers) = self.api.page(url.clone()).await?;
            let Some(newest) = self
                .take_page(out, items, key, kind, Reading::Ahead)
                .await?
            else {
                break;
            };
            if start.is_none() {
                break;
            }
            url = match self.api.same_origin(http::link_rel(&headers, "prev")) {
                Some(u) => u,
                None => with_position(&url, "min_id", &newest),
            };
        }
        match (&start, kind) {
            (Some(c), Kind::Statuses) => self.look_back(out, &plain, c, key).await,
            _ => Ok(()),
        }
    }

    /// The page just below `position`: status ids follow the posts' own dates, so a post federated late
    /// gets an id below posts already read.
    async fn look_back(
        &mut self,
        out: &Out<'_>,
        url: &Url,
        position: &str,
        key: &str,
    ) -> Result<(), Stop> {
        let mut u = url.clone();
        u.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        let u = with_position(&u, "max_id", position);
        let (items, _) = self.api.page(u).await?;
        self.take_page(out, items, key, Kind::Statuses, Reading::LookBack)
            .await
            .map(|_| ())
    }

    /// Maps and sends one page; returns its newest id when it moved the cursor. Items the page could not
    /// map are skipped after the rest is sent, and reported as the query's failure.
    async fn take_page(
        &mut self,
        out: &Out<'_>,
        items: Vec<serde_json::Value>,
        key: &str,
        kind: Kind,
        reading: Reading,
    ) -> Result<Option<String>, Stop> {
        let cursor = self.cursors.get(key).cloned();
        let mut ids = Vec::new();
        let mut posts = Vec::new();
        let mut skipped = Vec::new();
        for item in items {
            let id = match item.get("id") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => {
                    skipped.push("an item without an id".to_string());
                    continue;
                }
            };
            // Servers that ignore `min_id` send old items again; a look-back page is mostly old items.
            let fresh = match reading {
                Reading::Ahead => api::newer(&id, cursor.as_deref()),
                Reading::LookBack => cursor.as_deref() != Some(id.as_str()),
            };
            if !fresh || self.seen(key).contains(&id) {
                continue;
            }
            ids.push(id.clone());
            match self.map_item(item, kind) {
                Ok(Some(post)) => posts.push(post),
                Ok(None) => {}
                Err(why) => {
                    tracing::warn!(%key, %why, "mastodon: item skipped");
                    skipped.push(format!("item {id} skipped ({why})"));
                }
            }
        }
        let mut posts = [self.context_for(&mut posts).await, posts].concat();
        // Oldest first, as they were written.
        posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| api::cmp_ids(&a.native_id, &b.native_id))
        });
        let newest = match reading {
            Reading::Ahead => api::max_id(ids.iter().map(String::as_str)).map(str::to_string),
            Reading::LookBack => None,
        };
        let mut cursors: Vec<Cursor> = newest
            .iter()
            .map(|n| Cursor {
                key: key.to_string(),
                value: n.clone(),
            })
            .collect();
        if !ids.is_empty() {
            let seen = self.seen(key);
            for id in &ids {
                seen.insert(id);
            }
            cursors.push(Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            });
            out.batch(posts, cursors).await?;
        }
        if let Some(n) = &newest {
            self.cursors.insert(key.to_string(), n.clone());
        }
        if !skipped.is_empty() {
            return Err(
                FetchError::Malformed(format!("malformed answer: {}", skipped.join("; "))).into(),
            );
        }
        Ok(newest)
    }

    /// The statuses `posts` reply to or quote that nobody delivered yet, fetched as context (best effort: a
    /// parent deleted or private is simply not there); quoted texts are filled in from them.
    async fn context_for(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        let mut wanted: Vec<String> = Vec::new();
        for p in posts.iter() {
            let quoted = p.quotes.iter().filter(|q| q.text.is_none());
            for id in p.in_reply_to.iter().chain(quoted.map(|q| &q.native_id)) {
                let known = self.context_seen.contains(id)
                    || posts.iter().any(|o| &o.native_id == id)
                    || self.seen.values().any(|s| s.contains(id));
                if !known && !wanted.contains(id) {
                    wanted.push(id.clone());
                }
            }
        }
        let mut found: Vec<IncomingPost> = Vec::new();
        for id in wanted.into_iter().take(MAX_CONTEXT) {
            self.context_seen.insert(&id);
            let url = self.api.url(&["api", "v1", "statuses", &id]);
            match self.api.get_json::<Status>(url).await {
                Ok(status) => match api::status_to_post(&status, &self.local_domain, false) {
                    Ok(mut post) => {
                        post.context = true;
                        found.push(post);
                    }
                    Err(why) => tracing::warn!(%id, %why, "mastodon: context status skipped"),
                },
                Err(FetchError::Client { .. }) => {}
                Err(e) => {
                    // The server is struggling: context can wait for a later page.
                    tracing::info!(%id, error = %e, "mastodon: context not fetched");
                    break;
                }
            }
        }
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

    fn map_item(
        &self,
        item: serde_json::Value,
        kind: Kind,
    ) -> Result<Option<IncomingPost>, String> {
        match kind {
            Kind::Statuses => {
                let status: Status = serde_json::from_value(item).map_err(|e| e.to_string())?;
                api::status_to_post(&status, &self.local_domain, false).map(Some)
            }
            Kind::Notifications => {
                let n: Notification = serde_json::from_value(item).map_err(|e| e.to_string())?;
                match (n.kind.as_str(), &n.status) {
                    // Servers that ignore `types[]` send every kind: keep mentions only.
                    ("mention", Some(status)) => {
                        api::status_to_post(status, &self.local_domain, true).map(Some)
                    }
                    _ => Ok(None),
                }
            }
        }
    }

    /// `/api/v2/search`: one page of statuses newer than the cursor per round, and the page below it. It only
    /// finds posts whose authors opted in to search (and full text only with a token, on instances with
    /// search enabled).
    async fn search(&mut self, out: &Out<'_>, keyword: &str) -> Result<(), Stop> {
        let key = format!("search:{keyword}");
        let mut u = self.api.url(&["api", "v2", "search"]);
        u.query_pairs_mut()
            .append_pair("q", keyword)
            .append_pair("type", "statuses")
            .append_pair("resolve", "false");
        let plain = u.clone();
        u.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        let start = self.cursors.get(&key).cloned();
        if let Some(c) = &start {
            u.query_pairs_mut().append_pair("min_id", c);
        }
        let results: SearchResults = self.api.get_json(u).await?;
        self.take_page(out, results.statuses, &key, Kind::Statuses, Reading::Ahead)
            .await?;
        let Some(c) = start else { return Ok(()) };
        let mut below = plain;
        below.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        let below = with_position(&below, "max_id", &c);
        let results: SearchResults = self.api.get_json(below).await?;
        self.take_page(
            out,
            results.statuses,
            &key,
            Kind::Statuses,
            Reading::LookBack,
        )
        .await
        .map(|_| ())
    }
}

/// `url` with its position parameters replaced by `param=id`.
fn with_position(url: &Url, param: &str, id: &str) -> Url {
    let mut u = url.clone();
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != "min_id" && k != "max_id" && k != "since_id")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(param, id);
    u
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if !self.instance_read {
            q.push(Query::Instance);
        }
        // While live, mentions and hashtags come over the socket; a full round now and then still catches
        // what a silently stalled socket would miss (cursors keep it duplicate-free).
        let full = !live || self.rounds.is_multiple_of(FULL_ROUND_EVERY);
        self.rounds = self.rounds.wrapping_add(1);
        if full {
            q.push(Query::Mentions);
        }
        // Customers the shop does not follow are not on its stream: always polled. `alice` and
        // `alice@<this instance>` are one person.
        let mut customers: Vec<(String, String)> = self
            .watch
            .customer_handles
            .iter()
            .map(|h| {
                let raw = h.trim().trim_start_matches('@').to_lowercase();
                (api::normalize_acct(&raw, &self.local_domain), raw)
            })
            .collect();
        customers.sort();
        customers.dedup_by(|a, b| a.0 == b.0);
        q.extend(customers.into_iter().map(|(_, raw)| Query::Customer(raw)));
        if full {
            q.extend(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| Query::Tag(t.trim_start_matches('#').to_string())),
            );
        }
        if self.keyword_search {
            q.extend(self.watch.keywords.iter().map(|k| Query::Search(k.clone())));
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Instance => "instance".into(),
            Query::Customer(a) => format!("customer @{a}"),
            Query::Mentions => "mentions".into(),
            Query::Tag(t) => format!("#{t}"),
            Query::Search(k) => format!("search \"{k}\""),
        }
    }

    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Search(_))
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Instance => self.read_instance(out).await,
            Query::Customer(acct) => self.customer(acct, out).await,
            Query::Mentions => {
                let mut u = self.api.url(&["api", "v1", "notifications"]);
                u.query_pairs_mut().append_pair("types[]", "mention");
                self.crawl(out, u, "notifications", Kind::Notifications)
                    .await
            }
            Query::Tag(tag) => {
                let u = self.api.url(&["api", "v1", "timelines", "tag", tag]);
                self.crawl(out, u, &format!("tag:{tag}"), Kind::Statuses)
                    .await
            }
            Query::Search(kw) => self.search(out, kw).await,
        }
    }

    /// Reads the token again (the user may have replaced it) and checks it.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        let t = &self.token;
        if let Ok(token) =
            crate::sources::secret::load(&t.what, t.env.as_deref(), t.file.as_deref())
        {
            if let Some(stream) = &mut self.stream {
                stream.token = token.clone();
            }
            self.api.token = token;
        }
        self.api.verify_credentials().await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        format!(
            "create a new access token with scopes read and write:statuses and put it in {}",
            self.token.hint
        )
    }

    async fn live(&mut self) -> Live {
        let Some(stream) = &mut self.stream else {
            return std::future::pending().await;
        };
        if self.rounds == 0 {
            return std::future::pending().await;
        }
        let live = stream
            .next(&self.cursors, &self.local_domain, &self.watch, &self.seen)
            .await;
        if let Live::Batch(_, cursors) = &live {
            for c in cursors {
                self.seen(&c.key.clone()).insert(&c.value);
                self.cursors.insert(c.key.clone(), c.value.clone());
            }
        }
        live
    }

    fn restart_live(&mut self) {
        if let Some(stream) = &mut self.stream {
            stream.restart();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_replace_each_other() {
        let u = Url::parse("https://m.example/api/v1/timelines/tag/x?limit=40&min_id=5").unwrap();
        assert_eq!(
            with_position(&u, "max_id", "9").as_str(),
            "https://m.example/api/v1/timelines/tag/x?limit=40&max_id=9"
        );
    }
}
