//! One page of a Tumblr timeline: `/v2/tagged`, a blog's `/posts` or a post's `/notes`, newest first, each item
//! with its time and the `before` (or `before_timestamp`) of the next older page.

use serde_json::Value;

use super::api;
use super::client::Api;
use super::poll::Query;
use crate::sources::http::FetchError;

/// Tumblr pages hold at most 20 posts.
const PAGE_LIMIT: &str = "20";

/// One page, newest first: each item with its time, and the `before` of the next older page.
pub(super) struct Page {
    pub items: Vec<(i64, Value)>,
    pub next: Option<String>,
    /// Items left out for want of a time, named.
    pub untimed: Vec<String>,
}

/// One page of `query`, older than `before` (the newest page without it).
pub(super) async fn page(
    api: &mut Api,
    shop: &str,
    query: &Query,
    before: Option<&str>,
) -> Result<Page, FetchError> {
    let (mut url, before_param) = match query {
        Query::Tag(tag) => {
            let mut u = api.url(&["tagged"]);
            u.query_pairs_mut().append_pair("tag", tag);
            (u, "before")
        }
        Query::Customer(blog) => (api.url(&["blog", blog, "posts"]), "before"),
        Query::Notes(w) => {
            let mut u = api.url(&["blog", shop, "notes"]);
            u.query_pairs_mut()
                .append_pair("id", &w.id)
                .append_pair("mode", "conversation");
            (u, "before_timestamp")
        }
        Query::ShopPosts => (api.url(&["blog", shop, "posts"]), "before"),
    };
    if !matches!(query, Query::Notes(_)) {
        url.query_pairs_mut()
            .append_pair("npf", "true")
            .append_pair("limit", PAGE_LIMIT);
    }
    if let Some(b) = before {
        url.query_pairs_mut().append_pair(before_param, b);
    }
    let response = api.get(url).await?;
    // `/tagged` answers with the array itself; blog posts and notes with an object holding it.
    let list = match query {
        Query::Notes(_) => response.get("notes"),
        Query::Tag(_) => Some(&response).filter(|r| r.is_array()),
        _ => response.get("posts"),
    };
    let items: Vec<Value> = match list {
        Some(Value::Array(a)) => a.clone(),
        _ => {
            return Err(FetchError::Malformed(format!(
                "no list of {} in the answer",
                noun(query)
            )));
        }
    };
    let mut timed = Vec::new();
    let mut untimed = Vec::new();
    for item in items {
        // Featured tag pages are ordered, and paged, by the time the post was featured.
        let t = api::seconds(item.get("featured_timestamp"))
            .or_else(|| api::seconds(item.get("timestamp")));
        match t {
            Some(t) => timed.push((t, item)),
            None => untimed.push(match api::post_id(&item) {
                Some(id) => format!("post {id}: no timestamp"),
                None => "an item without a timestamp".into(),
            }),
        }
    }
    let oldest = timed.iter().map(|(t, _)| *t).min();
    let next = match query {
        Query::Notes(_) => response
            .pointer("/_links/next/query_params/before_timestamp")
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .or_else(|| oldest.map(|t| t.to_string())),
        // `before` is in whole seconds: the next page starts at the oldest second again (the seen set
        // drops repeats) unless that would not move at all.
        _ => oldest.map(|t| {
            let again = t + 1;
            let current = before.and_then(|b| b.parse::<i64>().ok());
            if current.is_some_and(|c| again >= c) {
                t
            } else {
                again
            }
            .to_string()
        }),
    };
    Ok(Page {
        items: timed,
        next,
        untimed,
    })
}

fn noun(query: &Query) -> &'static str {
    match query {
        Query::Notes(_) => "notes",
        _ => "posts",
    }
}
