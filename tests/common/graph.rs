//! What a fake Graph API (graph.facebook.com) answers with, for the Facebook and Instagram sources.

use std::time::Duration;

use chrono::Utc;
use regulars::domain::{Author, Category, IncomingPost, Post, PostId, Triage};
use regulars::sources::facebook::FacebookConfig;
use regulars::sources::graph::{API_VERSION, GraphOptions};
use regulars::sources::instagram::InstagramConfig;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "EAAG-graph-SECRET-42";
pub const TOKEN_FILE: &str = "graph-token";
pub const PAGE_ID: &str = "100";
pub const PAGE_NAME: &str = "Marlow & Finch";
pub const IG_ID: &str = "17841400000000001";

/// `/v25.0/<rest>`: a path as the clients build it, at the default API version.
pub fn p(rest: &str) -> String {
    format!("/{API_VERSION}/{rest}")
}

/// The token lives in a 0600 file shared by every test of the binary.
pub fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        super::files::write_private(&dir.path().join(TOKEN_FILE), &format!("{TOKEN}\n"));
        dir
    });
    dir.path().join(TOKEN_FILE)
}

pub fn fast() -> GraphOptions {
    GraphOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
        slow_pause: Duration::from_secs(60),
        request_timeout: Some(Duration::from_secs(5)),
    }
}

pub fn fb_config(server: &MockServer) -> FacebookConfig {
    FacebookConfig {
        page_id: PAGE_ID.into(),
        token_env: None,
        token_file: Some(token_file()),
        api_version: API_VERSION.into(),
        graph_url: server.uri(),
        poll_seconds: 60,
        watch_posts: 25,
        tagged: true,
        ratings: true,
    }
}

pub fn ig_config(server: &MockServer) -> InstagramConfig {
    InstagramConfig {
        ig_user_id: IG_ID.into(),
        token_env: None,
        token_file: Some(token_file()),
        api_version: API_VERSION.into(),
        graph_url: server.uri(),
        poll_seconds: 60,
        watch_media: 25,
        hashtag_search: true,
    }
}

/// A list answer, without a next page.
pub fn page(items: Vec<Value>) -> Value {
    json!({"data": items, "paging": {"cursors": {"before": "b", "after": "a"}}})
}

/// A Graph error object.
pub fn error(code: i64, subcode: Option<i64>, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code,
                     "error_subcode": subcode, "fbtrace_id": "Fake123"}})
}

pub fn fb_post(id: &str, from: (&str, &str), time: &str, message: &str) -> Value {
    json!({"id": id, "message": message, "created_time": time,
           "from": {"id": from.0, "name": from.1},
           "permalink_url": format!("https://www.facebook.com/{id}")})
}

pub fn fb_comment(
    id: &str,
    from: (&str, &str),
    time: &str,
    message: &str,
    parent: Option<&str>,
) -> Value {
    let mut c = json!({"id": id, "message": message, "created_time": time,
                       "from": {"id": from.0, "name": from.1},
                       "permalink_url": format!("https://www.facebook.com/{id}")});
    if let Some(parent) = parent {
        c["parent"] = json!({"id": parent});
    }
    c
}

pub fn ig_comment(id: &str, username: &str, time: &str, text: &str, replies: Vec<Value>) -> Value {
    let mut c = json!({"id": id, "text": text, "timestamp": time, "username": username,
                       "from": {"id": format!("u-{username}"), "username": username}});
    if !replies.is_empty() {
        c["replies"] = json!({"data": replies});
    }
    c
}

pub fn ig_media(id: &str, username: &str, time: &str, caption: &str, comments: u64) -> Value {
    json!({"id": id, "caption": caption, "timestamp": time, "username": username,
           "media_type": "IMAGE", "comments_count": comments,
           "permalink": format!("https://www.instagram.com/p/{id}/")})
}

/// A stored post as the composer hands it to a replier.
pub fn stored(incoming: &IncomingPost) -> Post {
    Post {
        id: PostId(1),
        network: incoming.network,
        native_id: incoming.native_id.clone(),
        url: incoming.url.clone(),
        author: Author {
            handle: incoming.author.handle.clone(),
            display_name: incoming.author.display_name.clone(),
        },
        text: incoming.text.clone(),
        created_at: incoming.created_at,
        ingested_at: Utc::now(),
        in_reply_to: incoming.in_reply_to.clone(),
        reply_ref: incoming.reply_ref.clone(),
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage {
            category: Category::Complaint,
            score: 0.9,
            reasons: vec![],
        },
        handled_at: None,
        dismissed_at: None,
        first_response_at: None,
        read_at: None,
        context: false,
        quotes: None,
        rating: incoming.rating,
    }
}

/// A fake page: its name, and an empty list for every edge the Facebook source reads that a test does not
/// mount itself (mounted at a low priority).
pub async fn fb_basics(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(p(PAGE_ID)))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": PAGE_ID, "name": PAGE_NAME})),
        )
        .mount(server)
        .await;
    for edge in ["feed", "posts", "tagged", "ratings"] {
        Mock::given(method("GET"))
            .and(path(p(&format!("{PAGE_ID}/{edge}"))))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![])))
            .with_priority(10)
            .mount(server)
            .await;
    }
}

/// A fake Instagram account `username`, with empty media and tags unless a test mounts its own.
pub async fn ig_basics(server: &MockServer, username: &str) {
    Mock::given(method("GET"))
        .and(path(p(IG_ID)))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": IG_ID, "username": username})),
        )
        .mount(server)
        .await;
    for edge in ["media", "tags"] {
        Mock::given(method("GET"))
            .and(path(p(&format!("{IG_ID}/{edge}"))))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![])))
            .with_priority(10)
            .mount(server)
            .await;
    }
}
