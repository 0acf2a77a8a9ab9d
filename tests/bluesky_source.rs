//! Bluesky source against fake XRPC (wiremock) and Jetstream (a scripted WebSocket) servers on 127.0.0.1.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::bluesky::{Fixture, PASSWORD, at_uri, fixture, mount_handle, post_view};
use common::fake_ws::{FakeWs, Step};
use common::run::Run;
use regulars::domain::IncomingPost;
use regulars::sources::bluesky::BlueskySource;
use regulars::sources::bluesky::xrpc::Xrpc;
use regulars::sources::secret::Secret;
use regulars::sources::{Health, Source, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn watch(keywords: &[&str]) -> Watch {
    Watch {
        shop_handle: Some("shop.test".into()),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        hashtags: vec![],
        customer_handles: vec!["alice.test".into()],
    }
}

fn source(f: &Fixture, w: Watch) -> BlueskySource {
    BlueskySource::new("bsky".into(), &f.cfg, w, regulars::sources::http::client())
        .unwrap()
        .with_backoff(Duration::from_millis(10), Duration::from_millis(50))
        .with_poll_interval(Duration::from_millis(100))
}

fn alice(rkey: &str, at: &str) -> Value {
    json!({"post": post_view("did:plc:alice", "alice.test", "Alice A.", rkey, &format!("post {rkey}"), at)})
}

/// The shop logs in and customer alice.test resolves: what every run of the source needs first.
async fn mount_session(server: &MockServer) {
    common::bluesky::mount_session(server).await;
    mount_handle(server, "alice.test", "did:plc:alice").await;
}

async fn mount_json(server: &MockServer, nsid: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/xrpc/{nsid}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_quiet(server: &MockServer) {
    mount_json(
        server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;
    mount_json(server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
}

#[tokio::test]
async fn happy_path_maps_feed_notifications_and_search() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    let repost = json!({"post": post_view("did:plc:zed", "zed.test", "Zed", "rp", "someone else's", "2026-11-22T09:00:00Z"),
        "reason": {"$type": "app.bsky.feed.defs#reasonRepost"}});
    mount_json(
        &server,
        "app.bsky.feed.getAuthorFeed",
        json!({"feed": [
        repost, alice("a2", "2026-11-22T10:02:00Z"), alice("a1", "2026-11-22T10:01:00.5+00:00")]}),
    )
    .await;
    let reply_record = json!({"$type": "app.bsky.feed.post", "text": "@shop.test my parcel never came",
        "createdAt": "2026-11-22T10:03:00Z",
        "reply": {"root": {"uri": "at://did:plc:shop/app.bsky.feed.post/root", "cid": "cR"},
                  "parent": {"uri": "at://did:plc:shop/app.bsky.feed.post/par", "cid": "cP"}}});
    mount_json(&server, "app.bsky.notification.listNotifications", json!({"notifications": [
        {"uri": at_uri("did:plc:bob", "n1"), "cid": "cid-n1", "author": {"did": "did:plc:bob", "handle": "bob.test"},
         "reason": "reply", "record": reply_record, "isRead": false, "indexedAt": "2026-11-22T10:03:01Z"},
        {"uri": "at://did:plc:bob/app.bsky.feed.like/l1", "cid": "x", "author": {"did": "did:plc:bob", "handle": "bob.test"},
         "reason": "like", "record": {"$type": "app.bsky.feed.like", "createdAt": "2026-11-22T10:02:30Z"},
         "indexedAt": "2026-11-22T10:02:30Z"}]}))
    .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .and(query_param("q", "ricotta"))
        .and(query_param("sort", "latest"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"posts": [
            post_view("did:plc:carol", "carol.test", "Carol", "s1", "best ricotta in town", "2026-11-22T10:04:00Z")]})))
        .mount(&server)
        .await;

    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&["ricotta"])), HashMap::new());
    let events = run
        .until("the search hit and the reply, then polling", |s| {
            s.has(&[at_uri("did:plc:carol", "s1"), at_uri("did:plc:bob", "n1")])
                && s.healths.contains(&Health::Polling)
        })
        .await;
    run.stop().await;

    let all = &events.posts;
    assert_eq!(all.len(), 4, "{all:#?}");
    let a: Vec<&IncomingPost> = all
        .iter()
        .filter(|p| p.author.handle == "alice.test")
        .collect();
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].native_id,
        at_uri("did:plc:alice", "a1"),
        "oldest first"
    );
    assert_eq!(
        a[1].url.as_deref(),
        Some("https://bsky.app/profile/alice.test/post/a2")
    );
    assert_eq!(a[1].author.display_name, "Alice A.");
    assert!(!a[0].addressed_to_shop);
    let n = all.iter().find(|p| p.author.handle == "bob.test").unwrap();
    assert!(n.addressed_to_shop);
    assert_eq!(
        n.in_reply_to.as_deref(),
        Some("at://did:plc:shop/app.bsky.feed.post/par")
    );
    assert_eq!(
        n.reply_ref.as_ref().unwrap()["root"],
        json!({"uri": "at://did:plc:shop/app.bsky.feed.post/root", "cid": "cR"})
    );
    let s = all
        .iter()
        .find(|p| p.author.handle == "carol.test")
        .unwrap();
    assert_eq!(s.text, "best ricotta in town");
    let c = &events.cursors;
    assert_eq!(
        c.get("did:alice.test").map(String::as_str),
        Some("did:plc:alice")
    );
    assert!(c["author:did:plc:alice"].ends_with(&at_uri("did:plc:alice", "a2")));
    assert!(c["notifications"].starts_with("2026-11-22T10:03:01"));
    assert!(c.contains_key("search:ricotta"));
    assert!(events.healths.contains(&Health::Polling));
    // Secrets never appear in any event.
    assert!(!format!("{:?}", events.events).contains(PASSWORD));
    assert!(!format!("{:?}", events.events).contains("acc1"));
}

#[tokio::test]
async fn pagination_resumes_after_restart_without_gap_or_duplicate() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_json(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;
    mount_json(
        &server,
        "app.bsky.feed.getAuthorFeed",
        json!({"feed": [
        alice("p2", "2026-11-22T10:02:00Z"), alice("p1", "2026-11-22T10:01:00Z")]}),
    )
    .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[])), HashMap::new());
    let first = run
        .until("the first page", |s| {
            s.has(&[at_uri("did:plc:alice", "p2")])
        })
        .await;
    run.stop().await;
    let stored = first.cursors;
    assert_eq!(first.posts.len(), 2);

    // While we were away alice wrote three more; the feed now has three pages.
    server.reset().await;
    mount_session(&server).await;
    mount_json(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;
    let feed = |cursor: Option<&str>, body: Value| {
        let m = Mock::given(method("GET")).and(path("/xrpc/app.bsky.feed.getAuthorFeed"));
        let m = match cursor {
            Some(c) => m.and(query_param("cursor", c)),
            None => m.and(query_param_is_missing("cursor")),
        };
        m.respond_with(ResponseTemplate::new(200).set_body_json(body))
    };
    feed(None, json!({"cursor": "c2", "feed": [alice("p5", "2026-11-22T10:05:00Z"), alice("p4", "2026-11-22T10:04:00Z")]}))
        .mount(&server)
        .await;
    feed(Some("c2"), json!({"cursor": "c3", "feed": [alice("p3", "2026-11-22T10:03:00Z"), alice("p2", "2026-11-22T10:02:00Z")]}))
        .mount(&server)
        .await;
    feed(
        Some("c3"),
        json!({"feed": [alice("p1", "2026-11-22T10:01:00Z")]}),
    )
    .expect(0)
    .mount(&server)
    .await;

    let mut run = Run::start(source(&f, watch(&[])), stored);
    run.until("the newest page", |s| {
        s.has(&[at_uri("did:plc:alice", "p5")])
    })
    .await;
    // One more poll: nothing new may arrive twice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = run.stop().await;
    assert_eq!(
        second.ids(),
        vec![
            at_uri("did:plc:alice", "p3"),
            at_uri("did:plc:alice", "p4"),
            at_uri("did:plc:alice", "p5")
        ]
    );
    // The DID came from the cursor cache: no second resolveHandle... and page 3 was never read.
    server.verify().await;
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("ratelimit-limit", "3000")
                .insert_header("ratelimit-remaining", "0")
                .set_body_json(json!({"error": "RateLimitExceeded"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_json(
        &server,
        "app.bsky.feed.getAuthorFeed",
        json!({"feed": [alice("a1", "2026-11-22T10:01:00Z")]}),
    )
    .await;
    mount_json(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": []}),
    )
    .await;

    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[])), HashMap::new());
    let began = chrono::Utc::now();
    let events = run
        .until("the post after the wait", |s| {
            s.has(&[at_uri("did:plc:alice", "a1")])
        })
        .await;
    let waited = chrono::Utc::now() - began;
    run.stop().await;
    let backoff = events
        .healths
        .into_iter()
        .find_map(|h| match h {
            Health::BackingOff { until, reason } => Some((until, reason)),
            _ => None,
        })
        .expect("a BackingOff health");
    assert!(backoff.1.contains("rate limited"), "{}", backoff.1);
    let ahead = backoff.0 - began;
    assert!(
        ahead > chrono::Duration::milliseconds(500) && ahead < chrono::Duration::seconds(3),
        "{ahead}"
    );
    assert!(
        waited >= chrono::Duration::milliseconds(900),
        "retried too early: {waited}"
    );
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_json(&server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    mount_json(&server, "app.bsky.notification.listNotifications", json!({"notifications": [
        {"uri": at_uri("did:plc:bob", "m1"), "cid": "c", "author": {"did": "did:plc:bob", "handle": "bob.test"},
         "reason": "mention", "record": {"text": "hi @shop.test", "createdAt": "2026-11-22T10:00:00Z"},
         "indexedAt": "2026-11-22T10:00:00Z"}]}))
    .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[])), HashMap::new());
    let events = run
        .until("the mention, then polling", |s| {
            s.has(&[at_uri("did:plc:bob", "m1")]) && s.healths.last() == Some(&Health::Polling)
        })
        .await;
    run.stop().await;
    // One query failing degrades that query only (the customer's feed kept its pace).
    let failures: Vec<String> = events
        .healths
        .iter()
        .filter_map(|h| match h {
            Health::Degraded(reason) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 1, "reported once: {failures:?}");
    assert!(
        failures[0].contains("notifications: server error (503)"),
        "{failures:?}"
    );
    assert_eq!(events.healths.last(), Some(&Health::Polling));
}

#[tokio::test]
async fn malformed_body_is_reported_and_the_source_carries_on() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_json(
        &server,
        "app.bsky.feed.getAuthorFeed",
        json!({"feed": [
        alice("a1", "2026-11-22T10:01:00Z"), {"post": {"uri": "broken"}}]}),
    )
    .await;
    mount_json(&server, "app.bsky.notification.listNotifications", json!({"notifications": [
        {"uri": at_uri("did:plc:bob", "m1"), "cid": "c", "author": {"did": "did:plc:bob", "handle": "bob.test"},
         "reason": "mention", "record": {"text": "hi", "createdAt": "2026-11-22T10:00:00Z"}, "indexedAt": "2026-11-22T10:00:00Z"}]}))
    .await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[])), HashMap::new());
    let events = run
        .until("the recovered feed and its skipped item", |s| {
            s.has(&[at_uri("did:plc:alice", "a1")])
                && s.healths
                    .iter()
                    .any(|h| h.label().contains("unreadable item"))
        })
        .await;
    run.stop().await;
    let hs = &events.healths;
    let degraded: Vec<&Health> = hs
        .iter()
        .filter(|h| matches!(h, Health::Degraded(_)))
        .collect();
    assert!(
        degraded
            .iter()
            .any(|h| h.label().contains("feed of @alice.test")
                && h.label().contains("unexpected answer")),
        "{hs:?}"
    );
    // The notifications of the same poll still arrived, before the feed recovered.
    assert_eq!(
        events.ids(),
        vec![at_uri("did:plc:bob", "m1"), at_uri("did:plc:alice", "a1")]
    );
    // The broken item in the recovered page was skipped and said so.
    assert!(
        hs.iter().any(|h| h.label().contains("unreadable item")),
        "{hs:?}"
    );
}

#[tokio::test]
async fn wrong_password_is_auth_failed_without_leaking_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "AuthenticationRequired", "message": "Invalid identifier or password"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"did": "did:plc:alice"})))
        .mount(&server)
        .await;
    mount_json(&server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
    let f = fixture(&server.uri(), None);
    let mut run = Run::start(source(&f, watch(&[])), HashMap::new());
    let events = run
        .until("auth failed", |s| {
            s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
        })
        .await;
    run.stop().await;
    let label = events.healths.last().unwrap().label();
    assert!(label.contains("Invalid identifier or password"), "{label}");
    assert!(!format!("{:?}", events.events).contains(PASSWORD));
}

#[tokio::test]
async fn expired_token_refreshes_once_for_concurrent_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "acc1", "refreshJwt": "ref1", "did": "did:plc:shop", "handle": "shop.test"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.refreshSession"))
        .and(header("authorization", "Bearer ref1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accessJwt": "acc2", "refreshJwt": "ref2", "did": "did:plc:shop", "handle": "shop.test"}))
                .set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "ExpiredToken", "message": "Token has expired"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notifications": []})))
        .mount(&server)
        .await;
    let base = url::Url::parse(&server.uri()).unwrap();
    let xrpc = Arc::new(Xrpc::new(
        regulars::sources::http::client(),
        base.clone(),
        base,
        "shop.test".into(),
        Secret::new(PASSWORD),
    ));
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let x = xrpc.clone();
            tokio::spawn(async move {
                x.authed_get::<Value>("app.bsky.notification.listNotifications", &[])
                    .await
            })
        })
        .collect();
    for c in calls {
        let answer = c.await.unwrap().unwrap();
        assert_eq!(answer, json!({"notifications": []}));
    }
    server.verify().await;
}

#[tokio::test]
async fn failed_refresh_falls_back_to_a_new_session() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "acc1", "refreshJwt": "ref1", "did": "did:plc:shop"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "acc3", "refreshJwt": "ref3", "did": "did:plc:shop"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.refreshSession"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "ExpiredToken"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "ExpiredToken"})))
        .mount(&server)
        .await;
    mount_json(
        &server,
        "app.bsky.notification.listNotifications",
        json!({"notifications": [], "via": "acc3"}),
    )
    .await;
    let base = url::Url::parse(&server.uri()).unwrap();
    let xrpc = Xrpc::new(
        regulars::sources::http::client(),
        base.clone(),
        base,
        "shop.test".into(),
        Secret::new(PASSWORD),
    );
    let v: Value = xrpc
        .authed_get("app.bsky.notification.listNotifications", &[])
        .await
        .unwrap();
    assert_eq!(v["via"], "acc3");
    assert!(!xrpc.auth_failed());
    server.verify().await;
}

#[tokio::test]
async fn search_refused_degrades_only_that_query() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_quiet(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .and(query_param("q", "refused"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": "Forbidden", "message": "search unavailable"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .and(query_param("q", "#cheese"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"posts": [
            post_view("did:plc:dan", "dan.test", "Dan", "t1", "love the #cheese", "2026-11-22T10:00:00Z")]})))
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    let mut w = watch(&["refused"]);
    w.hashtags = vec!["cheese".into()];
    let mut run = Run::start(source(&f, w), HashMap::new());
    let events = run
        .until("the hashtag hit and the refused search", |s| {
            s.has(&[at_uri("did:plc:dan", "t1")])
                && s.healths.iter().any(|h| matches!(h, Health::Degraded(_)))
        })
        .await;
    run.stop().await;
    let hs = &events.healths;
    let label = hs
        .iter()
        .find(|h| matches!(h, Health::Degraded(_)))
        .unwrap()
        .label();
    assert!(
        label.contains("search \"refused\"") && label.contains("403"),
        "{label}"
    );
    assert!(!label.contains("cheese"), "{label}");
    assert!(
        !hs.iter().any(|h| matches!(h, Health::AuthFailed(_))),
        "{hs:?}"
    );
}

fn jet_event(time_us: i64, rkey: &str, text: &str) -> String {
    json!({"did": "did:plc:alice", "time_us": time_us, "kind": "commit",
        "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey, "cid": format!("cid-{rkey}"),
                   "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-22T10:00:00Z"}}})
    .to_string()
}

#[tokio::test]
async fn jetstream_drop_reconnects_from_the_last_time_us() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_quiet(&server).await;
    let t0: i64 = 1_795_341_600_000_000;
    let delete = json!({"did": "did:plc:alice", "time_us": t0 + 15, "kind": "commit",
        "commit": {"rev": "r", "operation": "delete", "collection": "app.bsky.feed.post", "rkey": "j1"}})
    .to_string();
    let ws = FakeWs::start(vec![
        vec![
            Step::Text(jet_event(t0 + 10, "j1", "first")),
            Step::Text(jet_event(t0 + 20, "j2", "second")),
            Step::Text(delete),
            Step::Drop,
        ],
        vec![Step::Text(jet_event(t0 + 30, "j3", "third")), Step::Hold],
    ])
    .await;
    let f = fixture(&server.uri(), Some(&ws.url()));
    let stored = HashMap::from([("jetstream".to_string(), t0.to_string())]);
    let mut run = Run::start(source(&f, watch(&[])), stored);
    let events = run
        .until("the post after the reconnect", |s| {
            s.has(&[at_uri("did:plc:alice", "j3")])
        })
        .await;
    run.stop().await;

    assert_eq!(
        events.ids(),
        vec![
            at_uri("did:plc:alice", "j1"),
            at_uri("did:plc:alice", "j2"),
            at_uri("did:plc:alice", "j3")
        ]
    );
    let p = &events.posts[0];
    assert_eq!(p.author.handle, "alice.test");
    assert_eq!(
        p.url.as_deref(),
        Some("https://bsky.app/profile/alice.test/post/j1")
    );
    let hs = ws.handshakes();
    assert!(hs.len() >= 2, "{hs:?}");
    assert!(hs[0].uri.starts_with(
        "/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aalice"
    ));
    assert!(
        hs[0].uri.contains(&format!("cursor={}", t0 - 5_000_000)),
        "{}",
        hs[0].uri
    );
    // Reconnects from the last event seen (the delete), rewound a few seconds.
    assert!(
        hs[1]
            .uri
            .contains(&format!("cursor={}", t0 + 15 - 5_000_000)),
        "{}",
        hs[1].uri
    );
    let c = &events.cursors;
    assert_eq!(c["jetstream"], (t0 + 30).to_string());
    let health = &events.healths;
    assert!(health.contains(&Health::Live), "{health:?}");
    let live_at = health.iter().position(|h| *h == Health::Live).unwrap();
    assert!(
        health[live_at..].contains(&Health::Polling),
        "fell back to polling while down: {health:?}"
    );
}

#[tokio::test]
async fn doctor_reports_reachability_login_and_cursor_age() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.server.describeServer"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ratelimit-limit", "3000")
                .insert_header("ratelimit-remaining", "2990")
                .set_body_json(json!({"did": "did:web:pds.test", "availableUserDomains": []})),
        )
        .mount(&server)
        .await;
    // The customer's feed reads through the AppView, as the running source reads it.
    mount_json(&server, "app.bsky.feed.getAuthorFeed", json!({"feed": []})).await;
    let f = fixture(&server.uri(), None);
    let src = source(&f, watch(&[]));
    let stored = HashMap::from([(
        "notifications".to_string(),
        format!("{} at://x", chrono::Utc::now().to_rfc3339()),
    )]);
    let checks = src.doctor(&stored).await;
    assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
    assert!(
        checks
            .iter()
            .any(|c| c.detail.contains("logged in as @shop.test"))
    );
    assert!(
        checks
            .iter()
            .any(|c| c.what.contains("rate-limit") && c.detail.contains("2990 of 3000"))
    );
    assert!(!format!("{checks:?}").contains(PASSWORD));
}
