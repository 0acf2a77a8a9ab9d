//! What a fake X API answers with, in either naming X uses (`posts`, or the older `tweets`).

use regulars::sources::Watch;
use serde_json::{Value, json};

/// Which names an answer uses for posts.
#[derive(Clone, Copy, Debug)]
pub enum Naming {
    Posts,
    Tweets,
}

impl Naming {
    fn includes(self) -> &'static str {
        match self {
            Naming::Posts => "posts",
            Naming::Tweets => "tweets",
        }
    }

    fn references(self) -> &'static str {
        match self {
            Naming::Posts => "referenced_posts",
            Naming::Tweets => "referenced_tweets",
        }
    }
}

/// A snowflake id made at `secs` seconds after 2026-12-01T00:00:00Z, plus `n` (to tell posts of one second
/// apart): ids in tests are as X makes them, so their order is their time order.
pub fn id(secs: i64, n: u64) -> String {
    let ms = 1_796_083_200_000i64 + secs * 1000 - 1_288_834_974_657;
    (((ms as u64) << 22) + n).to_string()
}

/// A post by `author_id`; `refs` are (kind, id) pairs: `replied_to`, `quoted`, `retweeted`.
pub fn post(naming: Naming, id: &str, author_id: &str, text: &str, refs: &[(&str, &str)]) -> Value {
    let mut p = json!({
        "id": id,
        "text": text,
        "author_id": author_id,
        "created_at": "2026-12-01T10:00:00.000Z",
        "conversation_id": id,
    });
    if !refs.is_empty() {
        p[naming.references()] = refs
            .iter()
            .map(|(kind, id)| json!({"type": kind, "id": id}))
            .collect();
    }
    p
}

pub fn user(id: &str, username: &str) -> Value {
    json!({"id": id, "username": username, "name": format!("{username} (name)")})
}

/// A page of posts with its included posts and users, and a `next_token` when there is more.
pub fn page(
    naming: Naming,
    data: Vec<Value>,
    included: Vec<Value>,
    users: Vec<Value>,
    next: Option<&str>,
) -> Value {
    let mut meta = json!({"result_count": data.len()});
    if let (Some(first), Some(last)) = (data.first(), data.last()) {
        meta["newest_id"] = first["id"].clone();
        meta["oldest_id"] = last["id"].clone();
    }
    if let Some(t) = next {
        meta["next_token"] = json!(t);
    }
    let mut body = json!({"meta": meta, "includes": {naming.includes(): included, "users": users}});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    body
}

/// The shop `@shop` with these customers, hashtags and keywords.
pub fn watch(customers: &[&str], hashtags: &[&str], keywords: &[&str]) -> Watch {
    Watch {
        shop_handle: Some("shop".into()),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        hashtags: hashtags.iter().map(|s| s.to_string()).collect(),
        customer_handles: customers.iter().map(|s| s.to_string()).collect(),
    }
}

/// The shop's user id in every fake.
pub const SHOP_ID: &str = "100";
