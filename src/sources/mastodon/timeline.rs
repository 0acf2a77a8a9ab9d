//! Reading Mastodon timelines for the poller: `min_id` pages newer than the cursor (oldest first, `Link`
//! pagination), a look-back page below it for posts federated late, the seen set that keeps both exact, and the
//! parents and quoted statuses fetched as context.

use url::Url;

use super::api::{self, Notification, SearchResults, Status};
use super::poll::Feeds;
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::{self, FetchError};
use crate::sources::poller::{Out, Stop, missing_context, take_context};

/// Statuses and notifications allow at most 40 per page.
const PAGE_LIMIT: &str = "40";
/// Pages followed per query and round; the rest comes next round (the cursor keeps the place).
const MAX_PAGES: usize = 25;
/// Parents and quoted posts fetched per page at most; the rest come with later pages or not at all.
const MAX_CONTEXT: usize = 10;

/// Item shape of a timeline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

impl Feeds {
    /// Reads a timeline. No cursor: only the most recent page. A cursor: every page newer than it, oldest
    /// page first (`min_id` returns the page immediately newer; its `Link rel="prev"` the next newer one),
    /// each page sent with its newest id as the new cursor, so a stop at any point resumes exactly; then, for
    /// statuses, the page just below where the cursor stood, for posts that arrived late.
    pub(super) async fn crawl(
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
    pub(super) async fn context_for(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        let wanted = missing_context(
            posts,
            |id| self.context_seen.contains(id) || self.seen.values().any(|s| s.contains(id)),
            MAX_CONTEXT,
        );
        let mut found: Vec<IncomingPost> = Vec::new();
        for id in wanted {
            self.context_seen.insert(&id);
            let url = self.api.url(&["api", "v1", "statuses", &id]);
            match self.api.get_json::<Status>(url).await {
                Ok(status) => match api::status_to_post(&status, &self.local_domain, false) {
                    Ok(post) => found.push(post),
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
        take_context(posts, &mut found);
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
    pub(super) async fn search(&mut self, out: &Out<'_>, keyword: &str) -> Result<(), Stop> {
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
