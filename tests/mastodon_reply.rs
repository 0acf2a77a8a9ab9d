//! Replying on Mastodon against a fake that honours `Idempotency-Key` as Mastodon does: a retry with the
//! same key gets the first status back instead of a second post.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use common::files::write_private;
use regulars::domain::{Author, Network, Post, PostId, Triage};
use regulars::sources::mastodon::{MastodonConfig, MastodonReplier};
use regulars::sources::{Replier, ReplyRequest};
use regulars::triage::Category;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "reply-SECRET-tok";

fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join("token"), TOKEN);
        dir
    });
    dir.path().join("token")
}

fn replier(server: &MockServer, timeout: Duration) -> MastodonReplier {
    let cfg = MastodonConfig {
        instance: server.uri(),
        token_env: None,
        token_file: Some(token_file()),
        poll_seconds: 60,
        stream: false,
        keyword_search: false,
    };
    MastodonReplier::new(
        "masto",
        &cfg,
        Some("shop@shop.test".into()),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_timing(timeout, Duration::from_millis(20))
}

fn post(visibility: &str) -> Post {
    Post {
        id: PostId(1),
        network: Network::Mastodon,
        native_id: "109".into(),
        url: Some("https://far.example/@cu/109".into()),
        author: Author {
            handle: "cu@far.example".into(),
            display_name: "Cu".into(),
        },
        text: "my parcel is late".into(),
        created_at: Utc::now(),
        ingested_at: Utc::now(),
        in_reply_to: None,
        reply_ref: Some(json!({"visibility": visibility, "acct": "cu@far.example"})),
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage {
            category: Category::Complaint,
            score: 0.9,
            reasons: vec![],
        },
        handled_at: None,
        first_response_at: None,
    }
}

/// Mastodon's idempotency: the first request with a key creates a status (slowly, here: longer than the
/// client waits); any later request with that key answers with the same status at once.
#[derive(Clone, Default)]
struct Idempotent {
    created: Arc<Mutex<HashMap<String, Value>>>,
    slow_first: Duration,
}

impl Respond for Idempotent {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let key = req
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let mut created = self.created.lock().unwrap();
        if let Some(status) = created.get(&key) {
            return ResponseTemplate::new(200).set_body_json(status.clone());
        }
        let id = format!("{}", 500 + created.len());
        let status = json!({"id": id, "url": format!("https://shop.test/@shop/{id}"), "uri": "x"});
        created.insert(key, status.clone());
        ResponseTemplate::new(200)
            .set_body_json(status)
            .set_delay(self.slow_first)
    }
}

#[tokio::test]
async fn timed_out_post_is_retried_with_the_same_key_and_posts_once() {
    let server = MockServer::start().await;
    let fake = Idempotent {
        slow_first: Duration::from_millis(600),
        ..Default::default()
    };
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let replier = replier(&server, Duration::from_millis(200));
    assert_eq!(replier.account(), "@shop@shop.test");
    let sent = replier
        .send(ReplyRequest {
            post: post("direct"),
            text: "So sorry, it ships today.".into(),
            idempotency_key: "draft-42-v1".into(),
        })
        .await
        .unwrap();
    assert_eq!(sent.remote_id.as_deref(), Some("500"));
    assert_eq!(sent.url.as_deref(), Some("https://shop.test/@shop/500"));
    assert_eq!(
        fake.created.lock().unwrap().len(),
        1,
        "exactly one reply exists"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the timed-out attempt and one retry");
    for r in &requests {
        assert_eq!(r.headers.get("idempotency-key").unwrap(), "draft-42-v1");
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {TOKEN}")
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["in_reply_to_id"], "109");
        assert_eq!(
            body["visibility"], "direct",
            "a direct message stays direct"
        );
        assert_eq!(body["status"], "@cu@far.example So sorry, it ships today.");
    }
}

#[tokio::test]
async fn server_error_is_retried_and_mention_kept_when_present() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let fake = Idempotent::default();
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let sent = replier(&server, Duration::from_secs(5))
        .send(ReplyRequest {
            post: post("private"),
            text: "Hi @cu@far.example, on its way!".into(),
            idempotency_key: "k2".into(),
        })
        .await
        .unwrap();
    assert_eq!(sent.remote_id.as_deref(), Some("500"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body["status"], "Hi @cu@far.example, on its way!");
    assert_eq!(body["visibility"], "private");
}

#[tokio::test]
async fn refused_token_fails_at_once_with_a_fix_and_no_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let err = replier(&server, Duration::from_secs(5))
        .send(ReplyRequest {
            post: post("public"),
            text: "hello".into(),
            idempotency_key: "k3".into(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("write:statuses"), "{err}");
    assert!(!err.contains(TOKEN));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no retry on 401"
    );
}

#[tokio::test]
async fn gives_up_after_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = replier(&server, Duration::from_secs(5))
        .send(ReplyRequest {
            post: post("public"),
            text: "hello".into(),
            idempotency_key: "k4".into(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot post twice"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}
