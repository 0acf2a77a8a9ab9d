//! What a fake Mastodon instance answers with.

use regulars::sources::Watch;
use serde_json::{Value, json};

/// A status as the REST API and the streaming API return it.
pub fn status(id: &str, acct: &str, created_at: &str, html: &str) -> Value {
    json!({
        "id": id,
        "uri": format!("https://far.example/statuses/{id}"),
        "url": format!("https://far.example/@x/{id}"),
        "created_at": created_at,
        "account": {"id": "1", "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": "Someone"},
        "content": html,
        "spoiler_text": "",
        "visibility": "public",
        "in_reply_to_id": null,
        "tags": []
    })
}

/// What the shop `shop@shop.test` listens for: these customers, hashtags and keywords.
pub fn watch(customers: &[&str], hashtags: &[&str], keywords: &[&str]) -> Watch {
    Watch {
        shop_handle: Some("shop@shop.test".into()),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        hashtags: hashtags.iter().map(|s| s.to_string()).collect(),
        customer_handles: customers.iter().map(|s| s.to_string()).collect(),
    }
}
