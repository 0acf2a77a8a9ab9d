//! What a fake LinkedIn Community Management API answers with, and a source wired to it. Every mock here
//! insists on the versioned-API headers, so a request without them finds nothing (a 404).

use std::time::Duration;

use regulars::sources::linkedin::{LinkedinConfig, LinkedinOptions, LinkedinSource};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use super::files::write_private;

pub const TOKEN: &str = "li-SECRET-token-123";
pub const TOKEN_FILE: &str = "linkedin-token";
pub const VERSION: &str = "202610";
pub const ORG: &str = "urn:li:organization:42";
/// 2026-11-22 10:05 UTC in milliseconds.
pub const T0: i64 = 1_795_341_900_000;

pub fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join(TOKEN_FILE), &format!("{TOKEN}\n"));
        dir
    });
    dir.path().join(TOKEN_FILE)
}

pub fn config(server: &MockServer) -> LinkedinConfig {
    LinkedinConfig {
        organization: "42".into(),
        token_env: None,
        token_file: Some(token_file()),
        version: VERSION.into(),
        poll_seconds: 300,
        posts: 10,
        mentions: true,
        api: server.uri(),
    }
}

pub fn fast() -> LinkedinOptions {
    LinkedinOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
    }
}

pub fn source(server: &MockServer) -> LinkedinSource {
    LinkedinSource::new(
        "linkedin".into(),
        &config(server),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

/// A URN as Rest.li 2.0 wants it in a path.
pub fn enc(urn: &str) -> String {
    urn.replace(':', "%3A")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace(',', "%2C")
}

/// A GET of `p` carrying the versioned-API headers and the token.
pub fn get(p: impl Into<String>) -> MockBuilder {
    Mock::given(method("GET"))
        .and(path(p.into()))
        .and(header("linkedin-version", VERSION))
        .and(header("x-restli-protocol-version", "2.0.0"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
}

/// A collection answer.
pub fn list(elements: Vec<Value>) -> Value {
    let n = elements.len();
    json!({"paging": {"start": 0, "count": 10, "links": [], "total": n}, "elements": elements})
}

pub fn post(urn: &str, author: &str, ms: i64, commentary: &str) -> Value {
    json!({
        "id": urn, "author": author, "commentary": commentary, "visibility": "PUBLIC",
        "lifecycleState": "PUBLISHED", "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms,
        "distribution": {"feedDistribution": "MAIN_FEED"}, "isReshareDisabledByAuthor": false
    })
}

/// A comment on `object` (a post or, for a nested comment, with `parent`).
pub fn comment(object: &str, id: &str, actor: &str, ms: i64, text: &str) -> Value {
    json!({
        "actor": actor, "agent": actor, "id": id, "object": object,
        "commentUrn": format!("urn:li:comment:({object},{id})"),
        "created": {"actor": actor, "time": ms}, "lastModified": {"actor": actor, "time": ms},
        "message": {"text": text, "attributes": []},
        "commentsSummary": {"totalFirstLevelComments": 0, "aggregatedTotalComments": 0, "selectedComments": []}
    })
}

/// The page with no posts and no mentions (lowest priority: specific mocks win).
pub async fn mount_quiet(server: &MockServer) {
    get("/rest/posts")
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![])))
        .with_priority(10)
        .mount(server)
        .await;
    get("/rest/organizationalEntityNotifications")
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![])))
        .with_priority(10)
        .mount(server)
        .await;
}
