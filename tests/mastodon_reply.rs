//! Replying on Mastodon against a fake that honours `Idempotency-Key` as Mastodon does: a retry with the
//! same key gets the first status back instead of a second post.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use common::console::Console;
use common::files::write_private;
use regulars::app::{Command, Effect, Msg};
use regulars::domain::{Author, DraftState, Network, Post, PostId, Triage};
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
        dismissed_at: None,
        first_response_at: None,
        read_at: None,
        context: false,
        quotes: None,
        rating: None,
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

/// A Mastodon instance that keeps what it posts: statuses are created once per `Idempotency-Key` and rendered
/// as Mastodon renders them (the mention becomes a link showing `@cu`), and the shop's statuses can be listed.
/// Requests with the first key it sees can stall past the client's timeout, recorded or lost.
#[derive(Clone, Default)]
struct Instance {
    /// (key, status), oldest first.
    statuses: Arc<Mutex<Vec<(String, Value)>>>,
    first_key: Arc<Mutex<Option<String>>>,
    /// `Some(recorded)`: requests with the first key stall; `recorded` says whether they still post.
    stall_first: Option<bool>,
}

impl Respond for Instance {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let key = req.headers["idempotency-key"].to_str().unwrap().to_string();
        let first = self
            .first_key
            .lock()
            .unwrap()
            .get_or_insert(key.clone())
            .clone();
        let stall = (key == first).then_some(self.stall_first).flatten();
        let mut statuses = self.statuses.lock().unwrap();
        let existing = statuses
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s.clone());
        let status = match existing {
            Some(s) => s,
            None if stall == Some(false) => {
                return ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
            }
            None => {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let text = body["status"].as_str().unwrap();
                let html = text.replacen(
                    "@cu@far.example",
                    r#"<span class="h-card"><a href="https://far.example/@cu" class="u-url mention">@<span>cu</span></a></span>"#,
                    1,
                );
                let id = format!("{}", 500 + statuses.len());
                let status = json!({"id": id, "url": format!("https://shop.test/@shop/{id}"),
                    "in_reply_to_id": body["in_reply_to_id"], "content": format!("<p>{html}</p>")});
                statuses.push((key, status.clone()));
                status
            }
        };
        let answer = ResponseTemplate::new(200).set_body_json(status);
        if stall.is_some() {
            answer.set_delay(Duration::from_secs(2))
        } else {
            answer
        }
    }
}

impl Instance {
    async fn mount(&self, server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/api/v1/statuses"))
            .respond_with(self.clone())
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/verify_credentials"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "42", "acct": "shop"})),
            )
            .mount(server)
            .await;
        let statuses = self.statuses.clone();
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/42/statuses"))
            .respond_with(move |_: &Request| {
                let newest_first: Vec<Value> = statuses
                    .lock()
                    .unwrap()
                    .iter()
                    .rev()
                    .map(|(_, s)| s.clone())
                    .collect();
                ResponseTemplate::new(200).set_body_json(newest_first)
            })
            .mount(server)
            .await;
    }

    fn texts(&self) -> Vec<String> {
        self.statuses
            .lock()
            .unwrap()
            .iter()
            .map(|(_, s)| s["content"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Cu's late-parcel mention, as ingest stores it.
fn mention() -> regulars::domain::NewPost {
    let p = post("public");
    regulars::domain::NewPost {
        incoming: regulars::domain::IncomingPost {
            network: Network::Mastodon,
            native_id: p.native_id,
            url: p.url,
            author: p.author,
            text: p.text,
            created_at: p.created_at,
            in_reply_to: None,
            reply_ref: p.reply_ref,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        },
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: p.triage,
        ingested_at: Utc::now(),
    }
}

async fn console(server: &MockServer) -> Console {
    Console::start(
        mention(),
        Arc::new(replier(server, Duration::from_millis(200))),
    )
    .await
}

#[tokio::test]
async fn a_resend_of_a_logged_key_leaves_one_reply_and_one_action_with_the_servers_text() {
    let server = MockServer::start().await;
    let fake = Instance::default();
    fake.mount(&server).await;
    let mut c = console(&server).await;
    c.compose("So sorry, it ships today.");
    let key = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    c.send();
    c.until("the reply sent", |m| matches!(m, Msg::ReplySent { .. }))
        .await;
    // A retry of the same key (answered by Mastodon with the first status) is logged once.
    c.effect(Effect::SendReply {
        post: Box::new(c.post.clone()),
        text: "So sorry, it ships today.".into(),
        idempotency_key: key.clone(),
        unconfirmed: false,
        anyway: false,
    });
    c.until("the resend's answer", |m| {
        matches!(m, Msg::ReplySent { .. })
    })
    .await;
    let (replies, actions) = c.logged().await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(fake.texts().len(), 1);
    // What the server shows, not the draft: Mastodon rendered the mention as `@cu`.
    assert_eq!(replies[0].text, "@cu So sorry, it ships today.");
    assert_eq!(replies[0].idempotency_key.as_deref(), Some(key.as_str()));
    assert_eq!(actions[0].note, "@cu So sorry, it ships today.");
    assert_eq!(c.state.log.window.rows.len(), 1, "the Log shows it once");
}

#[tokio::test]
async fn an_edit_after_an_unconfirmed_send_that_went_out_is_never_logged() {
    let server = MockServer::start().await;
    let fake = Instance {
        stall_first: Some(true),
        ..Default::default()
    };
    fake.mount(&server).await;
    let mut c = console(&server).await;
    c.compose("So sorry, it ships today.");
    c.send();
    c.until("the unconfirmed send", |m| {
        matches!(m, Msg::ReplyUnconfirmed { .. })
    })
    .await;
    // The text is locked: the edit does not happen.
    c.dispatch(Msg::Paste(" Tracking number AB123".into()));
    assert_eq!(c.text(), "So sorry, it ships today.");
    // Asking to edit first finds the status the server did post.
    c.command(Command::EditReply);
    c.until("the resolution", |m| matches!(m, Msg::ReplyFound { .. }))
        .await;
    let (replies, actions) = c.logged().await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].text, "@cu So sorry, it ships today.");
    assert_eq!(replies[0].remote_id.as_deref(), Some("500"));
    assert_eq!(actions.len(), 1);
    assert!(c.state.composer.is_none(), "sent: nothing left to edit");
    assert_eq!(fake.texts().len(), 1);
    assert!(fake.texts().iter().all(|t| !t.contains("AB123")));
}

#[tokio::test]
async fn an_edit_after_an_unconfirmed_send_that_never_arrived_goes_out_under_a_new_key() {
    let server = MockServer::start().await;
    let fake = Instance {
        stall_first: Some(false),
        ..Default::default()
    };
    fake.mount(&server).await;
    let mut c = console(&server).await;
    c.compose("So sorry, it ships today.");
    let first = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    c.send();
    c.until("the unconfirmed send", |m| {
        matches!(m, Msg::ReplyUnconfirmed { .. })
    })
    .await;
    c.command(Command::EditReply);
    c.until("the resolution", |m| {
        matches!(m, Msg::ReplyNotPosted { .. })
    })
    .await;
    let second = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    assert_ne!(second, first);
    c.dispatch(Msg::Paste(" Tracking number AB123".into()));
    assert_eq!(c.text(), "So sorry, it ships today. Tracking number AB123");
    c.send();
    c.until("the reply sent", |m| matches!(m, Msg::ReplySent { .. }))
        .await;
    let (replies, actions) = c.logged().await;
    assert_eq!(replies.len(), 1);
    assert_eq!(
        replies[0].text,
        "@cu So sorry, it ships today. Tracking number AB123"
    );
    assert_eq!(replies[0].idempotency_key.as_deref(), Some(second.as_str()));
    assert_eq!(actions.len(), 1);
    let statuses = fake.statuses.lock().unwrap().clone();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].0, second);
}

#[tokio::test]
async fn a_refused_reply_keeps_the_draft_editable_with_its_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(
            ResponseTemplate::new(422).set_body_json(json!({"error": "Validation failed"})),
        )
        .mount(&server)
        .await;
    let mut c = console(&server).await;
    c.compose("So sorry");
    let key = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    c.send();
    c.until("the refusal", |m| matches!(m, Msg::ReplyFailed { .. }))
        .await;
    let composer = c.state.composer.as_ref().unwrap();
    assert!(matches!(composer.state, DraftState::Failed(_)) && !composer.locked());
    assert_eq!(composer.idempotency_key, key);
    c.dispatch(Msg::Paste("!".into()));
    assert_eq!(c.text(), "So sorry!");
    assert!(c.logged().await.0.is_empty());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no retry of a refusal"
    );
}
