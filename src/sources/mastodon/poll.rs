//! Polling: the REST calls (with `Link` pagination and `min_id` cursors) behind every Mastodon query.

use std::collections::HashMap;

use chrono::Utc;
use reqwest::header::HeaderMap;
use url::Url;

use super::api::{self, Account, Instance, Notification, SearchResults, Status};
use crate::domain::IncomingPost;
use crate::sources::http::{self, FetchError, RateLimit};
use crate::sources::secret::Secret;
use crate::sources::{Cursor, SourceCtx};

/// Statuses and notifications allow at most 40 per page.
const PAGE_LIMIT: &str = "40";
/// Pages followed per query and round; the rest comes next round (the cursor keeps the place).
const MAX_PAGES: usize = 25;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Query {
    /// A customer's statuses (`acct` as configured).
    Customer(String),
    Mentions,
    Tag(String),
    Search(String),
}

impl Query {
    pub fn label(&self) -> String {
        match self {
            Query::Customer(a) => format!("customer @{a}"),
            Query::Mentions => "mentions".into(),
            Query::Tag(t) => format!("#{t}"),
            Query::Search(k) => format!("search \"{k}\""),
        }
    }
}

/// Item shape of a timeline.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Statuses,
    Notifications,
}

/// A query's outcome the round acts on: stop the round (`Err`), or carry on with a problem noted.
pub(crate) type Problems = Vec<String>;

/// Polling state: the API, the cursors as they advance, and what to read.
pub(crate) struct Poller {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    /// The domain in local handles.
    pub local_domain: String,
}

impl Poller {
    /// Runs one query; returns `Ok(false)` when the receiver is gone. Errors the query alone can absorb
    /// (a refused search, an unknown customer, a malformed page) are pushed to `problems`.
    pub async fn run_query(
        &mut self,
        ctx: &SourceCtx,
        query: &Query,
        problems: &mut Problems,
    ) -> Result<bool, FetchError> {
        let result = match query {
            Query::Customer(acct) => self.customer(ctx, acct, problems).await,
            Query::Mentions => {
                let mut u = self.api.url(&["api", "v1", "notifications"]);
                u.query_pairs_mut().append_pair("types[]", "mention");
                self.crawl(ctx, u, "notifications", Kind::Notifications, problems)
                    .await
            }
            Query::Tag(tag) => {
                let u = self.api.url(&["api", "v1", "timelines", "tag", tag]);
                self.crawl(ctx, u, &format!("tag:{tag}"), Kind::Statuses, problems)
                    .await
            }
            Query::Search(kw) => self.search(ctx, kw, problems).await,
        };
        match result {
            Err(FetchError::Malformed(why)) => {
                tracing::warn!(query = %query.label(), %why, "mastodon: malformed answer");
                problems.push(format!("{}: malformed answer ({why})", query.label()));
                Ok(true)
            }
            Err(FetchError::Client { status, detail }) => {
                tracing::warn!(query = %query.label(), status, %detail, "mastodon: query refused");
                let hint = match (query, status) {
                    (Query::Customer(_), 404) => {
                        "; check the handle (the instance may not know this account yet)"
                    }
                    (Query::Search(_), _) => "; search may be disabled on this instance",
                    _ => "",
                };
                problems.push(format!(
                    "{} refused ({status}: {detail}){hint}",
                    query.label()
                ));
                Ok(true)
            }
            // Search is best effort: a refusal there degrades that query only.
            Err(FetchError::Auth { status, detail }) if matches!(query, Query::Search(_)) => {
                problems.push(format!("{} refused ({status}: {detail})", query.label()));
                Ok(true)
            }
            other => other,
        }
    }

    async fn customer(
        &mut self,
        ctx: &SourceCtx,
        acct: &str,
        problems: &mut Problems,
    ) -> Result<bool, FetchError> {
        let id_key = format!("account-id:{acct}");
        let id = match self.cursors.get(&id_key) {
            Some(id) => id.clone(),
            None => {
                let account = self.api.lookup(acct).await?;
                let cursor = Cursor {
                    key: id_key.clone(),
                    value: account.id.clone(),
                };
                if !ctx.batch(Vec::new(), vec![cursor]).await {
                    return Ok(false);
                }
                self.cursors.insert(id_key, account.id.clone());
                account.id
            }
        };
        let u = self.api.url(&["api", "v1", "accounts", &id, "statuses"]);
        self.crawl(ctx, u, &format!("account:{id}"), Kind::Statuses, problems)
            .await
    }

    /// Reads a timeline. No cursor: only the most recent page. A cursor: every page newer than it, oldest
    /// page first (`min_id` returns the page immediately newer; its `Link rel="prev"` the next newer one),
    /// each page sent with its newest id as the new cursor, so a stop at any point resumes exactly.
    async fn crawl(
        &mut self,
        ctx: &SourceCtx,
        mut url: Url,
        key: &str,
        kind: Kind,
        problems: &mut Problems,
    ) -> Result<bool, FetchError> {
        let first_run = !self.cursors.contains_key(key);
        url.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        if let Some(c) = self.cursors.get(key) {
            url.query_pairs_mut().append_pair("min_id", c);
        }
        for _ in 0..MAX_PAGES {
            let (items, headers) = self.api.page(url.clone()).await?;
            let Some(newest) = self.take_page(ctx, items, key, kind, problems).await? else {
                break;
            };
            if first_run {
                break;
            }
            url = match self.api.same_origin(http::link_rel(&headers, "prev")) {
                Some(u) => u,
                None => {
                    let mut u = url.clone();
                    let kept: Vec<(String, String)> = u
                        .query_pairs()
                        .filter(|(k, _)| k != "min_id" && k != "max_id" && k != "since_id")
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    u.query_pairs_mut()
                        .clear()
                        .extend_pairs(kept)
                        .append_pair("min_id", &newest);
                    u
                }
            };
        }
        Ok(true)
    }

    /// Maps and sends one page; returns its newest id, or `None` when it brought nothing newer (or the
    /// receiver is gone, which the next send reports again).
    async fn take_page(
        &mut self,
        ctx: &SourceCtx,
        items: Vec<serde_json::Value>,
        key: &str,
        kind: Kind,
        problems: &mut Problems,
    ) -> Result<Option<String>, FetchError> {
        let cursor = self.cursors.get(key).cloned();
        let mut ids = Vec::new();
        let mut posts = Vec::new();
        for item in items {
            let id = match item.get("id") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => {
                    problems.push(format!("{key}: an item without an id was skipped"));
                    continue;
                }
            };
            // Servers that ignore `min_id` send old items again: skip them.
            if !api::newer(&id, cursor.as_deref()) {
                continue;
            }
            ids.push(id.clone());
            match self.map_item(item, kind) {
                Ok(Some(post)) => posts.push(post),
                Ok(None) => {}
                Err(why) => {
                    tracing::warn!(%key, %why, "mastodon: item skipped");
                    problems.push(format!("{key}: item {id} skipped ({why})"));
                }
            }
        }
        let Some(newest) = api::max_id(ids.iter().map(String::as_str)).map(str::to_string) else {
            return Ok(None);
        };
        // Oldest first, as they were written.
        posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| api::cmp_ids(&a.native_id, &b.native_id))
        });
        let cursors = vec![Cursor {
            key: key.to_string(),
            value: newest.clone(),
        }];
        if !ctx.batch(posts, cursors).await {
            return Ok(None);
        }
        self.cursors.insert(key.to_string(), newest.clone());
        Ok(Some(newest))
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

    /// `/api/v2/search`: one page of statuses newer than the cursor per round. It only finds posts whose
    /// authors opted in to search (and full text only with a token, on instances with search enabled).
    async fn search(
        &mut self,
        ctx: &SourceCtx,
        keyword: &str,
        problems: &mut Problems,
    ) -> Result<bool, FetchError> {
        let key = format!("search:{keyword}");
        let mut u = self.api.url(&["api", "v2", "search"]);
        u.query_pairs_mut()
            .append_pair("q", keyword)
            .append_pair("type", "statuses")
            .append_pair("resolve", "false")
            .append_pair("limit", PAGE_LIMIT);
        if let Some(c) = self.cursors.get(&key) {
            u.query_pairs_mut().append_pair("min_id", c);
        }
        let results: SearchResults = self.api.get_json(u).await?;
        self.take_page(ctx, results.statuses, &key, Kind::Statuses, problems)
            .await?;
        Ok(!ctx.tx.is_closed())
    }
}
