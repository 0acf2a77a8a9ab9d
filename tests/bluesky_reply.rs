//! Bluesky replies against a fake PDS: reply refs, facets with UTF-8 byte offsets, and exactly-once posting.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::bluesky::{Fixture, fixture, mount_handle, mount_session};
use common::console::Console;
use regulars::app::{Command, Effect, Msg};
use regulars::domain::{Author, Category, Network, Post, PostId, Triage};
use regulars::sources::bluesky::BlueskySource;
use regulars::sources::bluesky::reply::rkey_for;
use regulars::sources::{Replier, ReplyRequest, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The source whose replier is under test; the fixture holds its password file.
fn source(server: &str, client: reqwest::Client) -> (Fixture, BlueskySource) {
    let f = fixture(server, None);
    let src = BlueskySource::new("bsky".into(), &f.cfg, Watch::default(), client)
        .unwrap()
        .with_backoff(Duration::from_millis(10), Duration::from_millis(50));
    (f, src)
}

fn post(reply_ref: Value) -> Post {
    let now = chrono::Utc::now();
    Post {
        id: PostId(7),
        network: Network::Bluesky,
        native_id: reply_ref["uri"].as_str().unwrap().to_string(),
        url: None,
        author: Author {
            handle: "bob.test".into(),
            display_name: "Bob".into(),
        },
        text: "where is my order".into(),
        created_at: now,
        ingested_at: now,
        in_reply_to: None,
        reply_ref: Some(reply_ref),
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

#[tokio::test]
async fn reply_to_a_reply_takes_root_from_the_parent_and_facets_count_bytes() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_handle(&server, "alice.bsky.social", "did:plc:alice").await;
    let key = "draft-7-1";
    let rkey = rkey_for(key);
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uri": format!("at://did:plc:shop/app.bsky.feed.post/{rkey}"), "cid": "bafyReply"})))
        .expect(1)
        .mount(&server)
        .await;
    let (_dir, src) = source(&server.uri(), regulars::sources::http::client());
    let replier = src.replier();
    // Bob's post is itself a reply in a thread rooted at the shop's post.
    let parent = json!({"uri": "at://did:plc:bob/app.bsky.feed.post/p2", "cid": "cidP",
        "root": {"uri": "at://did:plc:shop/app.bsky.feed.post/r1", "cid": "cidR"}});
    let text = "Café ☕ merci @alice.bsky.social 👋 https://example.com/x";
    let sent = replier
        .send(ReplyRequest {
            post: post(parent),
            text: text.into(),
            idempotency_key: key.into(),
        })
        .await
        .unwrap();
    assert_eq!(
        sent.remote_id.as_deref(),
        Some(format!("at://did:plc:shop/app.bsky.feed.post/{rkey}").as_str())
    );
    assert_eq!(
        sent.url.as_deref(),
        Some(format!("https://bsky.app/profile/shop.test/post/{rkey}").as_str())
    );

    let reqs = server.received_requests().await.unwrap();
    let create = reqs
        .iter()
        .find(|r| r.url.path().ends_with("createRecord"))
        .unwrap();
    assert_eq!(create.headers.get("authorization").unwrap(), "Bearer acc1");
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(body["repo"], "did:plc:shop");
    assert_eq!(body["collection"], "app.bsky.feed.post");
    assert_eq!(body["rkey"], rkey.as_str());
    let record = &body["record"];
    assert_eq!(record["$type"], "app.bsky.feed.post");
    assert_eq!(record["text"], text);
    assert!(record["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        record["reply"]["root"],
        json!({"uri": "at://did:plc:shop/app.bsky.feed.post/r1", "cid": "cidR"})
    );
    assert_eq!(
        record["reply"]["parent"],
        json!({"uri": "at://did:plc:bob/app.bsky.feed.post/p2", "cid": "cidP"})
    );
    let facets = record["facets"].as_array().unwrap();
    assert_eq!(facets.len(), 2);
    let bytes = text.as_bytes();
    let slice = |f: &Value| {
        let s = f["index"]["byteStart"].as_u64().unwrap() as usize;
        let e = f["index"]["byteEnd"].as_u64().unwrap() as usize;
        String::from_utf8(bytes[s..e].to_vec()).unwrap()
    };
    assert_eq!(facets[0]["index"], json!({"byteStart": 16, "byteEnd": 34}));
    assert_eq!(slice(&facets[0]), "@alice.bsky.social");
    assert_eq!(
        facets[0]["features"][0],
        json!({"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"})
    );
    assert_eq!(facets[1]["index"], json!({"byteStart": 40, "byteEnd": 61}));
    assert_eq!(slice(&facets[1]), "https://example.com/x");
    assert_eq!(
        facets[1]["features"][0],
        json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"})
    );
    server.verify().await;
}

#[tokio::test]
async fn reply_to_a_top_level_post_uses_it_as_root() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"uri": "at://did:plc:shop/app.bsky.feed.post/x", "cid": "c"}),
            ),
        )
        .mount(&server)
        .await;
    let (_dir, src) = source(&server.uri(), regulars::sources::http::client());
    let top = json!({"uri": "at://did:plc:bob/app.bsky.feed.post/p1", "cid": "cid1",
        "root": {"uri": "at://did:plc:bob/app.bsky.feed.post/p1", "cid": "cid1"}});
    src.replier()
        .send(ReplyRequest {
            post: post(top),
            text: "Thanks Bob!".into(),
            idempotency_key: "k".into(),
        })
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&reqs.last().unwrap().body).unwrap();
    let reply = &body["record"]["reply"];
    assert_eq!(reply["root"], reply["parent"]);
    assert_eq!(
        reply["parent"]["uri"],
        "at://did:plc:bob/app.bsky.feed.post/p1"
    );
    assert!(body["record"].get("facets").is_none());
}

/// A PDS that keeps records: createRecord stores (the first answer arrives too late), a second create of the
/// same rkey fails as the real PDS does, getRecord reads back.
#[derive(Clone, Default)]
struct Repo {
    records: Arc<Mutex<HashMap<String, Value>>>,
    creates: Arc<Mutex<Vec<String>>>,
}

struct Create(Repo);
impl Respond for Create {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let rkey = body["rkey"].as_str().unwrap().to_string();
        self.0.creates.lock().unwrap().push(rkey.clone());
        let mut records = self.0.records.lock().unwrap();
        if records.contains_key(&rkey) {
            return ResponseTemplate::new(500)
                .set_body_json(json!({"error": "InternalServerError"}));
        }
        records.insert(rkey.clone(), body["record"].clone());
        let answer = ResponseTemplate::new(200).set_body_json(
            json!({"uri": format!("at://did:plc:shop/app.bsky.feed.post/{rkey}"), "cid": "bafy1"}),
        );
        if records.len() == 1 {
            answer.set_delay(Duration::from_millis(1500))
        } else {
            answer
        }
    }
}

struct Get(Repo);
impl Respond for Get {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let rkey = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "rkey")
            .map(|(_, v)| v.to_string())
            .unwrap();
        match self.0.records.lock().unwrap().get(&rkey) {
            Some(v) => ResponseTemplate::new(200).set_body_json(json!({
                "uri": format!("at://did:plc:shop/app.bsky.feed.post/{rkey}"), "cid": "bafy1", "value": v})),
            None => ResponseTemplate::new(400).set_body_json(json!({"error": "RecordNotFound"})),
        }
    }
}

#[tokio::test]
async fn timed_out_reply_is_retried_and_posted_exactly_once() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    let repo = Repo::default();
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(Create(repo.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .respond_with(Get(repo.clone()))
        .mount(&server)
        .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let (_dir, src) = source(&server.uri(), client);
    let top = json!({"uri": "at://did:plc:bob/app.bsky.feed.post/p1", "cid": "cid1"});
    let req = ReplyRequest {
        post: post(top),
        text: "On its way!".into(),
        idempotency_key: "draft-7-2".into(),
    };
    let sent = src.replier().send(req.clone()).await.unwrap();
    let rkey = rkey_for("draft-7-2");
    assert_eq!(
        sent.remote_id,
        Some(format!("at://did:plc:shop/app.bsky.feed.post/{rkey}"))
    );
    // The user presses send again: still one record.
    let again = src.replier().send(req).await.unwrap();
    assert_eq!(again.remote_id, sent.remote_id);
    assert_eq!(repo.records.lock().unwrap().len(), 1);
    let creates = repo.creates.lock().unwrap().clone();
    assert!(creates.iter().all(|k| *k == rkey), "{creates:?}");
}

/// Bob's mention, as ingest stores it.
fn mention() -> regulars::domain::NewPost {
    let p = post(json!({"uri": "at://did:plc:bob/app.bsky.feed.post/p1", "cid": "cid1"}));
    regulars::domain::NewPost {
        incoming: regulars::domain::IncomingPost {
            network: Network::Bluesky,
            native_id: p.native_id,
            url: None,
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
        ingested_at: chrono::Utc::now(),
    }
}

/// A PDS whose createRecord either stores the record or (`lose_first`) never lets the first rkey through,
/// answering too late either way for that rkey; getRecord reads back what is stored.
async fn mount_repo(server: &MockServer, repo: &Repo, lose_first: bool) {
    let (records, creates) = (repo.records.clone(), repo.creates.clone());
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let rkey = body["rkey"].as_str().unwrap().to_string();
            let mut seen = creates.lock().unwrap();
            let first = seen.first().is_none_or(|k| *k == rkey);
            seen.push(rkey.clone());
            let mut records = records.lock().unwrap();
            if records.contains_key(&rkey) {
                return ResponseTemplate::new(400)
                    .set_body_json(json!({"error": "InvalidSwap", "message": "record already exists"}));
            }
            let answer = ResponseTemplate::new(200).set_body_json(
                json!({"uri": format!("at://did:plc:shop/app.bsky.feed.post/{rkey}"), "cid": "bafy1"}),
            );
            match (first, lose_first) {
                (true, true) => answer.set_delay(Duration::from_secs(2)),
                (true, false) => {
                    records.insert(rkey, body["record"].clone());
                    answer.set_delay(Duration::from_secs(2))
                }
                (false, _) => {
                    records.insert(rkey, body["record"].clone());
                    answer
                }
            }
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .respond_with(Get(repo.clone()))
        .mount(server)
        .await;
}

async fn console(server: &MockServer) -> (Fixture, Console) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (f, src) = source(&server.uri(), client);
    let c = Console::start(mention(), Arc::new(src.replier())).await;
    (f, c)
}

#[tokio::test]
async fn a_resend_of_a_logged_key_leaves_one_reply_and_one_action_with_the_records_text() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    let repo = Repo::default();
    mount_repo(&server, &repo, false).await;
    let (_f, mut c) = console(&server).await;
    c.compose("On its way!");
    let key = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    c.send();
    // The first answer is lost; the retry finds the record with getRecord.
    c.until("the reply sent", |m| matches!(m, Msg::ReplySent { .. }))
        .await;
    c.effect(Effect::SendReply {
        post: Box::new(c.post.clone()),
        text: "On its way!".into(),
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
    assert_eq!(replies[0].text, "On its way!");
    assert_eq!(
        replies[0].remote_id,
        Some(format!(
            "at://did:plc:shop/app.bsky.feed.post/{}",
            rkey_for(&key)
        ))
    );
    assert_eq!(repo.records.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_edit_after_an_unconfirmed_send_that_never_arrived_goes_out_under_a_new_record_key() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    let repo = Repo::default();
    mount_repo(&server, &repo, true).await;
    let (_f, mut c) = console(&server).await;
    c.compose("On its way!");
    let first = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    c.send();
    c.until("the unconfirmed send", |m| {
        matches!(m, Msg::ReplyUnconfirmed { .. })
    })
    .await;
    c.dispatch(Msg::Paste(" Tracking AB123".into()));
    assert_eq!(c.text(), "On its way!", "locked until the outcome is known");
    c.command(Command::EditReply);
    c.until("the resolution", |m| {
        matches!(m, Msg::ReplyNotPosted { .. })
    })
    .await;
    let second = c.state.composer.as_ref().unwrap().idempotency_key.clone();
    assert_ne!(rkey_for(&second), rkey_for(&first));
    c.dispatch(Msg::Paste(" Tracking AB123".into()));
    c.send();
    c.until("the reply sent", |m| matches!(m, Msg::ReplySent { .. }))
        .await;
    let (replies, actions) = c.logged().await;
    assert_eq!(replies.len(), 1);
    assert_eq!(actions.len(), 1);
    assert_eq!(replies[0].text, "On its way! Tracking AB123");
    let records = repo.records.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[&rkey_for(&second)]["text"],
        "On its way! Tracking AB123"
    );
}

#[tokio::test]
async fn a_record_found_after_an_unconfirmed_send_is_logged_with_its_stored_text() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    let repo = Repo::default();
    // The PDS holds the record already (an earlier send went through), but getRecord is down at first.
    let key = "draft-7-unconfirmed";
    repo.records.lock().unwrap().insert(
        rkey_for(key),
        json!({"$type": "app.bsky.feed.post", "text": "On its way! (as stored)"}),
    );
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_repo(&server, &repo, false).await;
    let (_f, mut c) = console(&server).await;
    c.effect(Effect::ResolveReply {
        post: Box::new(c.post.clone()),
        text: "On its way!".into(),
        idempotency_key: key.into(),
    });
    c.until("the first check", |m| {
        matches!(m, Msg::ReplyUnconfirmed { .. })
    })
    .await;
    c.effect(Effect::ResolveReply {
        post: Box::new(c.post.clone()),
        text: "On its way!".into(),
        idempotency_key: key.into(),
    });
    c.until("the resolution", |m| matches!(m, Msg::ReplyFound { .. }))
        .await;
    let (replies, actions) = c.logged().await;
    assert_eq!(replies.len(), 1);
    assert_eq!(actions.len(), 1);
    assert_eq!(replies[0].text, "On its way! (as stored)");
}
