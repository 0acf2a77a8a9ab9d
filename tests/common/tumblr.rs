//! What a fake Tumblr API answers with, and a source wired to it.

use std::time::Duration;

use regulars::sources::Watch;
use regulars::sources::tumblr::{TumblrConfig, TumblrOptions, TumblrSource};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::files::write_private;

pub const KEY: &str = "tumblr-KEY-SECRET-123";
pub const KEY_FILE: &str = "tumblr-api-key";
/// The shop's blog.
pub const SHOP: &str = "marlowfinch";
/// A time every fixture counts from (2026-11-22 10:05 UTC).
pub const T0: i64 = 1_795_341_900;

/// The API key in a 0600 file shared by every test of a binary.
pub fn key_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join(KEY_FILE), &format!("{KEY}\n"));
        dir
    });
    dir.path().join(KEY_FILE)
}

pub fn config(server: &MockServer) -> TumblrConfig {
    TumblrConfig {
        blog: Some(SHOP.into()),
        api_key_env: None,
        api_key_file: Some(key_file()),
        poll_seconds: 600,
        notes_posts: 5,
        api: server.uri(),
    }
}

pub fn fast() -> TumblrOptions {
    TumblrOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
    }
}

/// What the shop listens for on Tumblr.
pub fn watch(customers: &[&str], hashtags: &[&str]) -> Watch {
    Watch {
        shop_handle: Some(SHOP.into()),
        keywords: vec![],
        hashtags: hashtags.iter().map(|s| s.to_string()).collect(),
        customer_handles: customers.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn source(server: &MockServer, watch: Watch) -> TumblrSource {
    TumblrSource::new(
        "tumblr".into(),
        &config(server),
        watch,
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

/// A post in the Neue Post Format, as `/posts` and `/tagged` return it with `npf=true`.
pub fn post(blog: &str, id: &str, timestamp: i64, text: &str) -> Value {
    json!({
        "object_type": "post", "type": "blocks", "is_blocks_post_format": true,
        "blog_name": blog, "blog": {"name": blog, "title": format!("{blog}'s blog"), "uuid": format!("t:{blog}")},
        "id": id.parse::<u64>().unwrap(), "id_string": id,
        "post_url": format!("https://{blog}.tumblr.com/post/{id}"),
        "timestamp": timestamp, "date": "2026-11-22 10:00:00 GMT", "state": "published",
        "tags": [], "content": [{"type": "text", "text": text}], "layout": [], "trail": []
    })
}

/// The `{meta, response}` envelope of a 200.
pub fn ok(response: Value) -> Value {
    json!({"meta": {"status": 200, "msg": "OK"}, "response": response})
}

/// A blog's posts, as `/v2/blog/{blog}/posts` answers.
pub fn blog_posts(blog: &str, posts: Vec<Value>) -> Value {
    let n = posts.len();
    ok(json!({"blog": {"name": blog, "title": blog}, "posts": posts, "total_posts": n}))
}

/// `/v2/blog/{blog}/posts` answering `body` (lowest priority: specific mocks win).
pub async fn mount_blog(server: &MockServer, blog: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{blog}/posts")))
        .and(query_param("api_key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .with_priority(10)
        .mount(server)
        .await;
}

/// The shop's blog with no posts, and its info: a quiet shop.
pub async fn mount_quiet_shop(server: &MockServer) {
    mount_blog(server, SHOP, blog_posts(SHOP, vec![])).await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP}/info")))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(
            json!({"blog": {"name": SHOP, "title": "Marlow & Finch", "posts": 12}}),
        )))
        .with_priority(10)
        .mount(server)
        .await;
}
