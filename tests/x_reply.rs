//! Replying on X against a fake that posts whatever reaches it, as X does: no idempotency key, so a send
//! that timed out may have gone out, and only looking among the shop's posts tells.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use common::console::Console;
use common::files::write_private;
use common::x::{Naming, SHOP_ID, page, post as x_post, user};
use regulars::app::Msg;
use regulars::domain::{Author, IncomingPost, Network, NewPost, Post, PostId, Triage};
use regulars::sources::x::{XConfig, XReplier};
use regulars::sources::{Replier, ReplyRequest, Resolution, SendError};
use regulars::triage::Category;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "x-user-SECRET-tok";
const TARGET: &str = "1863000000000000001";

fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join("token"), TOKEN);
        dir
    });
    dir.path().join("token")
}

fn replier(server: &MockServer, timeout: Duration) -> XReplier {
    let cfg = XConfig {
        api: server.uri(),
        token_env: None,
        token_file: None,
        reply_token_env: None,
        reply_token_file: Some(token_file()),
        poll_seconds: 300,
        monthly_read_budget: None,
        mentions: true,
        search: true,
    };
    XReplier::new(
        "x",
        &cfg,
        Some("@Shop".into()),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_timing(timeout, Duration::from_millis(20))
}

fn post(text: &str, mentions_shop: bool) -> Post {
    Post {
        id: PostId(1),
        network: Network::X,
        native_id: TARGET.into(),
        url: Some(format!("https://x.com/cu/status/{TARGET}")),
        author: Author {
            handle: "cu".into(),
            display_name: "Cu".into(),
        },
        text: text.into(),
        created_at: Utc::now(),
        ingested_at: Utc::now(),
        in_reply_to: None,
        reply_ref: Some(json!({"mentions_shop": mentions_shop})),
        customer: None,
        is_mention: mentions_shop,
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

fn request(text: &str) -> ReplyRequest {
    ReplyRequest {
        post: post("@shop my parcel is late", true),
        text: text.into(),
        idempotency_key: "draft-1".into(),
    }
}

/// X as far as replies go: every POST that arrives is posted (and listed in the shop's timeline), answered
/// slowly while `slow` lasts, or with a 503 after posting while `fail_after_posting` lasts.
#[derive(Clone, Default)]
struct FakeX {
    posted: Arc<Mutex<Vec<(String, String)>>>,
    bodies: Arc<Mutex<Vec<Value>>>,
    slow: Arc<Mutex<u32>>,
}

impl Respond for FakeX {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        self.bodies.lock().unwrap().push(body.clone());
        let mut posted = self.posted.lock().unwrap();
        let id = format!("18630000000000001{:02}", posted.len());
        let text = body["text"].as_str().unwrap().to_string();
        posted.push((id.clone(), text.clone()));
        let answer = ResponseTemplate::new(201).set_body_json(json!({"data": {
            "id": id, "text": text.replace('&', "&amp;"), "edit_history_tweet_ids": [id]
        }}));
        let mut slow = self.slow.lock().unwrap();
        if *slow > 0 {
            *slow -= 1;
            return answer.set_delay(Duration::from_secs(2));
        }
        answer
    }
}

impl FakeX {
    async fn mount(&self, server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/2/tweets"))
            .respond_with(self.clone())
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/2/users/me"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": user(SHOP_ID, "Shop")})),
            )
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/2/users/{SHOP_ID}/tweets")))
            .respond_with(Timeline(self.posted.clone()))
            .mount(server)
            .await;
    }

    fn posts(&self) -> usize {
        self.posted.lock().unwrap().len()
    }
}

/// The shop's timeline: what was posted, newest first, as replies to the target (X escapes `&`).
struct Timeline(Arc<Mutex<Vec<(String, String)>>>);

impl Respond for Timeline {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let data: Vec<Value> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .rev()
            .map(|(id, text)| {
                x_post(
                    Naming::Tweets,
                    id,
                    SHOP_ID,
                    &text.replace('&', "&amp;"),
                    &[("replied_to", TARGET)],
                )
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(page(
            Naming::Tweets,
            data,
            vec![],
            vec![user(SHOP_ID, "Shop")],
            None,
        ))
    }
}

#[tokio::test]
async fn a_reply_posts_its_text_in_reply_to_the_post() {
    let server = MockServer::start().await;
    let fake = FakeX::default();
    fake.mount(&server).await;
    let r = replier(&server, Duration::from_secs(5));
    assert_eq!(r.account(), "@shop on X");
    let sent = r.send(request("So sorry & on it!")).await.unwrap();
    let body = fake.bodies.lock().unwrap()[0].clone();
    assert_eq!(
        body,
        json!({"text": "So sorry & on it!", "reply": {"in_reply_to_tweet_id": TARGET}}),
        "exactly X's fields"
    );
    assert_eq!(
        sent.text, "So sorry & on it!",
        "the server's text, unescaped"
    );
    let id = sent.remote_id.unwrap();
    assert_eq!(
        sent.url.as_deref(),
        Some(format!("https://x.com/shop/status/{id}").as_str())
    );
    let auth = server.received_requests().await.unwrap()[0].headers["authorization"].clone();
    assert_eq!(auth.to_str().unwrap(), format!("Bearer {TOKEN}"));
}

/// The mention as ingest stores it, for a console over a real store.
fn stored_mention() -> NewPost {
    let p = post("@shop my parcel is late", true);
    NewPost {
        incoming: IncomingPost {
            network: Network::X,
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

#[tokio::test]
async fn a_timed_out_reply_is_found_and_never_posted_twice() {
    let server = MockServer::start().await;
    let fake = FakeX::default();
    *fake.slow.lock().unwrap() = 1;
    fake.mount(&server).await;
    let r = Arc::new(replier(&server, Duration::from_millis(300)));
    let text = "Sorry! Details: https://shop.example/returns";
    // Through the console: the send times out, and the locked draft sent again is looked for first.
    let mut c = Console::start(stored_mention(), r.clone()).await;
    c.state.focus = regulars::state::Pane::Mentions;
    c.compose(text);
    c.send();
    c.until("the send unconfirmed", |m| {
        matches!(m, Msg::ReplyUnconfirmed { .. })
    })
    .await;
    assert_eq!(fake.posts(), 1, "it went out nonetheless");
    c.send();
    let found = c
        .until("the resend's answer", |m| {
            matches!(
                m,
                Msg::ReplyFound { .. } | Msg::ReplySent { .. } | Msg::ReplyUnconfirmed { .. }
            )
        })
        .await;
    assert!(matches!(found, Msg::ReplyFound { .. }), "{found:?}");
    assert_eq!(fake.posts(), 1, "not posted twice");
    let (replies, _) = c.logged().await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    // The replier on its own: the reply is found, with X's text; a reply already logged is not this one.
    let found = match r.resolve(request(text), vec![]).await {
        Resolution::Posted(sent) => sent,
        other => panic!("{other:?}"),
    };
    assert_eq!(found.remote_id, replies[0].remote_id);
    assert_eq!(found.text, text);
    let known = vec![found.remote_id.clone().unwrap()];
    assert_eq!(r.resolve(request(text), known).await, Resolution::NotPosted);
    assert_eq!(fake.posts(), 1);
}

#[tokio::test]
async fn a_reply_that_never_arrived_resolves_as_not_posted() {
    let server = MockServer::start().await;
    let fake = FakeX::default();
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": user(SHOP_ID, "Shop")})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{SHOP_ID}/tweets")))
        .respond_with(Timeline(fake.posted.clone()))
        .mount(&server)
        .await;
    let r = replier(&server, Duration::from_secs(5));
    let err = r.send(request("Sorry!")).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Unconfirmed(why) if why.contains("503")),
        "{err:?}"
    );
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|q| q.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 1, "a 5xx is not retried blindly");
    assert_eq!(
        r.resolve(request("Sorry!"), vec![]).await,
        Resolution::NotPosted
    );
}

#[tokio::test]
async fn a_refused_token_fails_at_once_with_the_portal_fix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
        ))
        .mount(&server)
        .await;
    let r = replier(&server, Duration::from_secs(5));
    let err = r.send(request("Sorry!")).await.unwrap_err();
    let SendError::NotPosted(why) = err else {
        panic!("{err:?}")
    };
    assert!(
        why.contains("developer portal") && why.contains("tweet.write"),
        "{why}"
    );
    assert!(!why.contains(TOKEN));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_reply_to_a_post_that_does_not_mention_the_shop_is_refused_with_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "title": "Forbidden", "type": "about:blank", "status": 403,
            "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to."
        })))
        .mount(&server)
        .await;
    let r = replier(&server, Duration::from_secs(5));
    let caution = r.prepare(&post("my ring broke", false), "Sorry!").caution;
    assert!(
        caution
            .as_deref()
            .is_some_and(|c| c.contains("self-serve X apps may only reply")),
        "the confirmation says so before sending: {caution:?}"
    );
    assert_eq!(
        r.prepare(&post("@shop my ring broke", true), "Sorry!")
            .caution,
        None
    );
    let req = ReplyRequest {
        post: post("my ring broke", false),
        text: "Sorry!".into(),
        idempotency_key: "k".into(),
    };
    let err = r.send(req).await.unwrap_err();
    let SendError::NotPosted(why) = err else {
        panic!("{err:?}")
    };
    assert!(why.contains("mention or quote the shop"), "{why}");
}
