//! Bluesky replies against a fake PDS: reply refs, facets with UTF-8 byte offsets, and exactly-once posting.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::bluesky::{Fixture, fixture, mount_handle, mount_session};
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
        first_response_at: None,
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
