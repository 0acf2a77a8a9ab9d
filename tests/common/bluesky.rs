//! A fake Bluesky PDS and AppView: the shop's account, its configuration, and the records they answer with.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use regulars::sources::bluesky::BlueskyConfig;

use super::files::write_private;

/// The shop's app password; tests assert it never shows up in events, errors or checks.
pub const PASSWORD: &str = "abcd-efgh-ijkl-mnop";

/// A source configuration for `shop.test` against one fake server; the password file lives as long as this.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub cfg: BlueskyConfig,
}

/// `jetstream`: the Jetstream URL, or `None` to poll only.
pub fn fixture(server: &str, jetstream: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app-password");
    write_private(&file, PASSWORD);
    let text = format!(
        "handle = \"shop.test\"\npassword_file = \"{}\"\npds = \"{server}\"\nappview = \"{server}\"\njetstream = {}\n",
        file.display(),
        jetstream.map_or("false".to_string(), |j| format!("\"{j}\""))
    );
    Fixture {
        cfg: toml::from_str(&text).unwrap(),
        _dir: dir,
    }
}

pub fn at_uri(did: &str, rkey: &str) -> String {
    format!("at://{did}/app.bsky.feed.post/{rkey}")
}

/// A post as feeds and searches return it.
pub fn post_view(
    did: &str,
    handle: &str,
    display_name: &str,
    rkey: &str,
    text: &str,
    at: &str,
) -> Value {
    json!({
        "uri": at_uri(did, rkey), "cid": format!("cid-{rkey}"),
        "author": {"did": did, "handle": handle, "displayName": display_name},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at},
        "indexedAt": at,
    })
}

/// Logging in as `shop.test` works and hands out the access token `acc1`.
pub async fn mount_session(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "acc1", "refreshJwt": "ref1", "did": "did:plc:shop", "handle": "shop.test"})))
        .mount(server)
        .await;
}

/// `handle` resolves to `did`.
pub async fn mount_handle(server: &MockServer, handle: &str, did: &str) {
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", handle))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"did": did})))
        .mount(server)
        .await;
}
