//! Reading one X timeline (a user's posts, mentions, recent search) for the poller: newest first, page after
//! page (`next_token`) down to the cursor's `since_id`, then one batch with the posts, their context (the
//! replied-to and quoted posts X includes) and the cursors. The position moves only when every page down to
//! it was read, so a stop anywhere resumes with no gap; the read count moves with every batch.
//!
//! `since_id` is taken a little below the position (`LAG`): a post X indexes late carries an id from its own,
//! earlier time. The seen set keeps those re-reads from being delivered twice.

use chrono::{Duration, Utc};

use super::api::{self, Page, cmp_ids, id_at, id_time};
use super::endpoints::{self, Endpoint, MAX_PAGE};
use super::poll::Feeds;
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::FetchError;
use crate::sources::poller::{Out, Stop};

/// How far below the position each read reaches, for posts indexed late.
const LAG_SECS: i64 = 30;
/// Posts read on a query's first run: the latest ones only, not its history.
const FIRST_PAGE: u64 = 20;
/// Pages per query and round; past them, older posts of a burst are skipped (logged).
const MAX_PAGES: usize = 10;
/// Recent search refuses a `since_id` older than seven days.
const SEARCH_DAYS: i64 = 7;

/// What one read gathered.
#[derive(Default)]
struct Gathered {
    posts: Vec<IncomingPost>,
    context: Vec<IncomingPost>,
    ids: Vec<String>,
    newest: Option<String>,
    skipped: Vec<String>,
}

impl Feeds {
    /// Recent search for `query`, positioned by the cursor `search`.
    pub(super) async fn search(&mut self, out: &Out<'_>, query: String) -> Result<(), Stop> {
        let params = [("query", query)];
        self.read(out, &endpoints::SEARCH_RECENT, "", "search", &params, false)
            .await
    }

    /// Reads `endpoint` (with `arg` as its `{id}`) from the position stored under `key`. `addressed`: every
    /// post addresses the shop (mentions).
    pub(super) async fn read(
        &mut self,
        out: &Out<'_>,
        endpoint: &Endpoint,
        arg: &str,
        key: &str,
        extra: &[(&str, String)],
        addressed: bool,
    ) -> Result<(), Stop> {
        let now = Utc::now();
        let search = endpoint.path == endpoints::SEARCH_RECENT.path;
        let since = self.cursors.get(key).map(|c| {
            let floor = id_at(now - Duration::seconds(LAG_SECS));
            std::cmp::min_by(floor, c.clone(), |a, b| cmp_ids(a, b))
        });
        let since = since.filter(|s| {
            !search
                || id_time(s)
                    .is_some_and(|t| now - t < Duration::days(SEARCH_DAYS) - Duration::hours(1))
        });
        let first = since.is_none();
        let page_param = if search {
            "next_token"
        } else {
            "pagination_token"
        };
        let args: Vec<&str> = if arg.is_empty() { vec![] } else { vec![arg] };
        let mut got = Gathered::default();
        let mut token: Option<String> = None;
        let mut complete = false;
        let mut failure = None;
        let mut pages = 0;
        while let Some(size) = self
            .budget
            .page(if first { FIRST_PAGE } else { MAX_PAGE }, endpoint.min_page)
        {
            let mut params: Vec<(&str, String)> = extra.to_vec();
            params.push(("max_results", size.to_string()));
            if let Some(s) = &since {
                params.push(("since_id", s.clone()));
            }
            if let Some(t) = &token {
                params.push((page_param, t.clone()));
            }
            let page = match self.api.page(endpoint, &args, &params).await {
                Ok(page) => page,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            self.budget.spend(page.reads());
            pages += 1;
            if page.user_gone() {
                failure = Some(FetchError::Client {
                    status: 404,
                    detail: format!("user {arg} no longer exists; looking the username up again"),
                });
                break;
            }
            self.take(&page, key, addressed, &mut got);
            match page.meta.next_token.filter(|t| !t.is_empty()) {
                Some(t) if !first && pages < MAX_PAGES => token = Some(t),
                Some(_) if !first => {
                    tracing::warn!(%key, "x: more than {MAX_PAGES} pages new; older ones skipped");
                    complete = true;
                    break;
                }
                _ => {
                    complete = true;
                    break;
                }
            }
        }
        if pages > 0 {
            self.deliver(out, key, &mut got, complete).await?;
        }
        if let Some(e) = failure {
            return Err(e.into());
        }
        if !got.skipped.is_empty() {
            return Err(FetchError::Malformed(format!(
                "malformed answer: {}",
                got.skipped.join("; ")
            ))
            .into());
        }
        Ok(())
    }

    /// Maps a page's new posts, and the included posts they reply to or quote as context.
    fn take(&mut self, page: &Page, key: &str, addressed: bool, got: &mut Gathered) {
        let shop = self.shop();
        let mut mapped = Vec::new();
        for post in &page.data {
            if got
                .newest
                .as_deref()
                .is_none_or(|n| cmp_ids(&post.id, n).is_gt())
            {
                got.newest = Some(post.id.clone());
            }
            if self.seen(key).contains(&post.id) || got.ids.contains(&post.id) {
                continue;
            }
            got.ids.push(post.id.clone());
            match api::to_post(post, &page.includes.users, &shop, addressed, false) {
                Ok(Some(p)) => mapped.push(p),
                Ok(None) => {}
                Err(why) => {
                    tracing::warn!(%key, %why, "x: post skipped");
                    got.skipped.push(why);
                }
            }
        }
        api::link_quotes(&mut mapped, &page.includes.posts, &shop);
        for inc in &page.includes.posts {
            let wanted = mapped.iter().any(|p| {
                p.in_reply_to.as_deref() == Some(inc.id.as_str())
                    || p.quotes.as_ref().is_some_and(|q| q.native_id == inc.id)
            });
            let here = page.data.iter().any(|d| d.id == inc.id)
                || got.context.iter().any(|c| c.native_id == inc.id);
            if wanted
                && !here
                && let Ok(Some(c)) = api::to_post(inc, &page.includes.users, &shop, false, true)
            {
                got.context.push(c);
            }
        }
        got.posts.extend(mapped);
    }

    /// Sends what a read gathered with the read count and, when every page was read, the new position.
    async fn deliver(
        &mut self,
        out: &Out<'_>,
        key: &str,
        got: &mut Gathered,
        complete: bool,
    ) -> Result<(), Stop> {
        let mut posts = std::mem::take(&mut got.posts);
        posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| cmp_ids(&a.native_id, &b.native_id))
        });
        let mut cursors = vec![self.budget.cursor()];
        let current = self.cursors.get(key).cloned();
        let moved = got
            .newest
            .clone()
            .filter(|n| complete && current.as_deref().is_none_or(|c| cmp_ids(n, c).is_gt()));
        if let Some(n) = &moved {
            cursors.push(Cursor {
                key: key.to_string(),
                value: n.clone(),
            });
        }
        if !got.ids.is_empty() {
            let seen = self.seen(key);
            for id in &got.ids {
                seen.insert(id);
            }
            cursors.push(Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            });
        }
        let context = std::mem::take(&mut got.context);
        out.batch([context, posts].concat(), cursors).await?;
        if let Some(n) = moved {
            self.cursors.insert(key.to_string(), n);
        }
        Ok(())
    }
}
