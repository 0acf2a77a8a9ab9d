//! The Bluesky source's rules under the shared poller, against a fake PDS/AppView: a post sorted below the
//! stored mark arrives once, a run of server errors logs in afresh, a DID that no longer answers is resolved
//! again, and a failing search leaves notifications on time.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::bluesky::{Fixture, at_uri, fixture, mount_handle, post_view};
use common::run::{Run, requests_to};
use regulars::sources::bluesky::BlueskySource;
use regulars::sources::{Health, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn watch(customers: &[&str], keywords: &[&str]) -> Watch {
    Watch {
        shop_handle: Some("shop.test".into()),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        hashtags: vec![],
        customer_handles: customers.iter().map(|s| s.to_string()).collect(),
    }
}

fn source(f: &Fixture, w: Watch, poll_ms: u64) -> BlueskySource {
    BlueskySource::new("bsky".into(), &f.cfg, w, regulars::sources::http::client())
        .unwrap()
        .with_backoff(Duration::from_millis(50), Duration::from_millis(1000))
        .with_poll_interval(Duration::from_millis(poll_ms))
}

fn mention(rkey: &str, at: &str, text: &str) -> Value {
    json!({"uri": at_uri("did:plc:bob", rkey), "cid": format!("cid-{rkey}"),
        "author": {"did": "did:plc:bob", "handle": "bob.test"}, "reason": "mention",
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at}, "indexedAt": at})
}

async fn session(server: &MockServer, access: &str, times: Option<u64>) {
    let m = Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": access, "refreshJwt": format!("ref-{access}"), "did": "did:plc:shop",
            "handle": "shop.test"})));
    match times {
        Some(n) => m.up_to_n_times(n).with_priority(1).mount(server).await,
        None => m.mount(server).await,
    }
}

async fn answer(server: &MockServer, nsid: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/xrpc/{nsid}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_mention_sorted_below_the_mark_arrives_once() {
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    // A mention indexed a moment after items already read sorts below the stored mark.
    answer(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": [
            mention("n6", "2026-11-22T10:06:00Z", "@shop.test new"),
            mention("n5", "2026-11-22T10:05:00Z", "@shop.test read before"),
            mention("n4", "2026-11-22T10:04:30Z", "@shop.test late, my order is missing"),
            mention("n3", "2026-11-22T10:03:00Z", "@shop.test read before too"),
        ]}),
    )
    .await;
    let f = fixture(&server.uri(), None);
    let stored = HashMap::from([
        (
            "notifications".to_string(),
            format!(
                "2026-11-22T10:05:00.000000Z {}",
                at_uri("did:plc:bob", "n5")
            ),
        ),
        (
            "seen:notifications".to_string(),
            json!([at_uri("did:plc:bob", "n3"), at_uri("did:plc:bob", "n5")]).to_string(),
        ),
    ]);
    let mut run = Run::start(source(&f, watch(&[], &[]), 50), stored);
    run.until("the late mention", |s| {
        s.has(&[at_uri("did:plc:bob", "n4")])
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = run.stop().await;
    assert_eq!(
        seen.ids(),
        vec![at_uri("did:plc:bob", "n4"), at_uri("did:plc:bob", "n6")],
        "each once, oldest first"
    );
    assert!(seen.cursors["notifications"].starts_with("2026-11-22T10:06:00"));
}

#[tokio::test]
async fn server_errors_in_a_row_log_in_afresh() {
    let server = MockServer::start().await;
    // The PDS came back with a new session store: the old token gets 500s until a new login.
    session(&server, "acc1", Some(1)).await;
    session(&server, "acc2", None).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"notifications": [
            mention("m1", "2026-11-22T10:00:00Z", "@shop.test hello")]})),
        )
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[], &[]), 50), HashMap::new());
    let seen = run
        .until("the mention after a new login", |s| {
            s.has(&[at_uri("did:plc:bob", "m1")]) && s.healths.last() == Some(&Health::Polling)
        })
        .await;
    run.stop().await;
    assert_eq!(
        requests_to(&server, "/xrpc/com.atproto.server.createSession").await,
        2
    );
    assert!(
        seen.healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { reason, .. } if reason.contains("500"))),
        "{:?}",
        seen.healths
    );
}

#[tokio::test]
async fn a_did_that_no_longer_answers_is_resolved_again() {
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    answer(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .and(query_param("actor", "did:plc:old"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "InvalidRequest", "message": "Profile not found"})),
        )
        .mount(&server)
        .await;
    mount_handle(&server, "alice.test", "did:plc:new").await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .and(query_param("actor", "did:plc:new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feed": [
            {"post": post_view("did:plc:new", "alice.test", "Alice", "a1", "hello again", "2026-11-22T10:00:00Z")}]})))
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    // A cursor cache from an earlier run, before alice's account moved.
    let stored = HashMap::from([("did:alice.test".to_string(), "did:plc:old".to_string())]);
    let mut run = Run::start(source(&f, watch(&["alice.test"], &[]), 50), stored);
    let seen = run
        .until("alice's post under her new DID", |s| {
            s.has(&[at_uri("did:plc:new", "a1")])
        })
        .await;
    run.stop().await;
    assert_eq!(seen.cursors["did:alice.test"], "did:plc:new");
}

#[tokio::test]
async fn a_failing_search_leaves_notifications_on_time() {
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    answer(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": [mention("m1", "2026-11-22T10:00:00Z", "@shop.test hi")]}),
    )
    .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[], &["croissant"]), 100), HashMap::new());
    run.until("the mention", |s| s.has(&[at_uri("did:plc:bob", "m1")]))
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let seen = run.stop().await;
    let notifications = requests_to(&server, "/xrpc/app.bsky.notification.listNotifications").await;
    let searches = requests_to(&server, "/xrpc/app.bsky.feed.searchPosts").await;
    assert!(
        notifications >= 10,
        "notifications polled {notifications} times"
    );
    assert!(searches <= 7, "search tried {searches} times");
    assert!(
        seen.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(why)
            if why.contains("search \"croissant\"") && why.contains("503"))),
        "{:?}",
        seen.healths
    );
}

#[tokio::test]
async fn a_missing_parent_and_a_quoted_post_are_fetched_as_context() {
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    let parent = at_uri("did:plc:shop", "p0");
    let quoted = at_uri("did:plc:ann", "q0");
    answer(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": [{"uri": at_uri("did:plc:bob", "r1"), "cid": "c1",
            "author": {"did": "did:plc:bob", "handle": "bob.test"}, "reason": "reply",
            "record": {"$type": "app.bsky.feed.post", "text": "same here, avoid for now",
                "createdAt": "2026-11-22T10:00:00Z",
                "reply": {"root": {"uri": parent, "cid": "cp"}, "parent": {"uri": parent, "cid": "cp"}},
                "embed": {"$type": "app.bsky.embed.record", "record": {"uri": quoted, "cid": "cq"}}},
            "indexedAt": "2026-11-22T10:00:00Z"}]}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPosts"))
        .and(query_param("uris", parent.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"posts": [
            post_view("did:plc:shop", "shop.test", "Shop", "p0", "Our winter sale starts today", "2026-11-22T09:00:00Z"),
            post_view("did:plc:ann", "ann.test", "Ann", "q0", "My parcel never came and nobody answers", "2026-11-22T08:00:00Z"),
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[], &[]), 50), HashMap::new());
    run.until("the reply and its context", |s| {
        s.has(&[at_uri("did:plc:bob", "r1"), parent.clone(), quoted.clone()])
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = run.stop().await;
    let post = |id: &str| seen.posts.iter().find(|p| p.native_id == id).unwrap();
    assert!(post(&parent).context && post(&quoted).context);
    let reply = post(&at_uri("did:plc:bob", "r1"));
    assert!(!reply.context);
    assert_eq!(
        reply.quotes.as_ref().and_then(|q| q.text.as_deref()),
        Some("My parcel never came and nobody answers")
    );
    server.verify().await;
}

#[tokio::test]
async fn doctor_checks_each_customers_feed_as_the_source_reads_it() {
    use regulars::sources::Source as _;
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    mount_handle(&server, "alice.test", "did:plc:alice").await;
    answer(&server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "gone.test"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "InvalidRequest", "message": "Unable to resolve handle"}),
        ))
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    let src = source(&f, watch(&["alice.test", "gone.test"], &[]), 50);
    let checks = src.doctor(&HashMap::new()).await;
    let feeds = checks
        .iter()
        .find(|c| c.what.contains("customers' feeds"))
        .expect("a check of the customers' feeds");
    assert!(!feeds.ok, "{feeds:?}");
    assert!(
        feeds.detail.contains("@gone.test") && feeds.detail.contains("Unable to resolve handle"),
        "{feeds:?}"
    );
    assert!(!feeds.detail.contains("alice"), "{feeds:?}");
    assert!(feeds.fix.contains("customers file"), "{feeds:?}");
}

#[tokio::test]
async fn a_streamed_reply_gets_its_parent_as_context() {
    use common::fake_ws::{FakeWs, Step};
    let server = MockServer::start().await;
    session(&server, "acc1", None).await;
    mount_handle(&server, "alice.test", "did:plc:alice").await;
    answer(&server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
    answer(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;
    let parent = at_uri("did:plc:dan", "d0");
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPosts"))
        .and(query_param("uris", parent.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"posts": [
            post_view("did:plc:dan", "dan.test", "Dan", "d0", "Anyone else's ring come back scratched?", "2026-11-22T09:00:00Z")]})))
        .mount(&server)
        .await;
    let event = json!({"did": "did:plc:alice", "time_us": 1_795_341_600_000_000i64, "kind": "commit",
        "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post", "rkey": "j1",
            "cid": "cid-j1", "record": {"$type": "app.bsky.feed.post", "text": "mine too, twice",
            "createdAt": "2026-11-22T10:00:00Z",
            "reply": {"root": {"uri": parent, "cid": "c"}, "parent": {"uri": parent, "cid": "c"}}}}})
    .to_string();
    let ws = FakeWs::start(vec![vec![Step::Text(event), Step::Hold]]).await;
    let f = fixture(&server.uri(), Some(&ws.url()));
    let mut run = Run::start(
        source(&f, watch(&["alice.test"], &[]), 60_000),
        HashMap::new(),
    );
    let seen = run
        .until("the streamed reply and its parent", |s| {
            s.has(&[at_uri("did:plc:alice", "j1"), parent.clone()])
        })
        .await;
    run.stop().await;
    let p = seen.posts.iter().find(|p| p.native_id == parent).unwrap();
    assert!(p.context);
    assert_eq!(p.author.handle, "dan.test");
}
