//! The whole app without a terminal: the configured sources (a fake Mastodon instance, a fake Bluesky PDS and
//! AppView, a JSONL file) wired from a config file exactly as the console and `regulars sync` do, with the
//! ingest task and the SQLite store. Posts from all three must land in the store once each, sanitized, matched
//! to customers and triaged; a restart must resume from the cursors stored with the batches (no duplicate, no
//! gap).

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use common::app::{Seen, query, received};
use common::bluesky::{
    PASSWORD as BLUESKY_PASSWORD, at_uri, mount_handle, mount_session, post_view,
};
use common::files::{append, write_private};
use common::mastodon::status;
use regulars::config;
use regulars::domain::{Network, Post};
use regulars::runtime;
use regulars::sources::Health;
use regulars::workspace::Workspace;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const MASTODON_TOKEN: &str = "masto-SECRET-token";
const DEADLINE: Duration = Duration::from_secs(15);

// ---- fixtures ------------------------------------------------------------------------------------------------

fn write_config(dir: &Path, mastodon: &str, bluesky: &str, jsonl: &Path) -> std::path::PathBuf {
    std::fs::write(
        dir.join("customers.csv"),
        "external_id,name,lifetime_spend,mastodon,bluesky,note\n\
         C1,Priya Raman,1250.00,@Priya@far.example,,ring buyer\n\
         C2,Alice Ng,900,,alice.test,\n",
    )
    .unwrap();
    let token = dir.join("mastodon-token");
    write_private(&token, &format!("{MASTODON_TOKEN}\n"));
    let password = dir.join("bluesky-password");
    write_private(&password, BLUESKY_PASSWORD);
    let text = format!(
        r#"
[shop]
name = "Finch & Co"
keywords = ["Finch & Co"]
hashtags = ["finchco"]
customers = "customers.csv"

[shop.handles]
mastodon = "shop@masto.test"
bluesky = "shop.test"

[notifications]
enabled = false

[sources.m]
kind = "mastodon"
instance = "{mastodon}"
token_file = '{token}'
poll_seconds = 1
stream = false

[sources.b]
kind = "bluesky"
handle = "shop.test"
password_file = '{password}'
pds = "{bluesky}"
appview = "{bluesky}"
jetstream = false
poll_seconds = 10

[sources.j]
kind = "jsonl"
path = '{jsonl}'
"#,
        token = token.display(),
        password = password.display(),
        jsonl = jsonl.display(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A Mastodon instance (`masto.test`) where customer Priya has two statuses (one also a mention), a local
/// account mentions the shop, and one status carries the shop's hashtag. Every call needs the token; the
/// data answers only first reads (no `min_id`); reads with a cursor find nothing newer.
async fn fake_mastodon() -> MockServer {
    let server = MockServer::start().await;
    let auth = || header("authorization", format!("Bearer {MASTODON_TOKEN}").as_str());
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "domain": "masto.test",
            "title": "Fake",
            "configuration": {"urls": {"streaming": null}, "statuses": {"max_characters": 500}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "priya@far.example"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "77", "username": "priya", "acct": "priya@far.example", "display_name": "Priya"}),
        ))
        .mount(&server)
        .await;
    let complaint = status(
        "1001",
        "priya@far.example",
        "2026-11-22T10:01:00.000Z",
        "<p><span class=\"h-card\"><a href=\"https://masto.test/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> still waiting for my refund, 3 weeks now</p>",
    );
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/77/statuses"))
        .and(query_param_is_missing("min_id"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            status(
                "1002",
                "priya@far.example",
                "2026-11-22T10:02:00.000Z",
                "<p>Lovely walk along the river this morning</p>"
            ),
            complaint.clone(),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("types[]", "mention"))
        .and(query_param_is_missing("min_id"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "5001", "type": "mention", "status": complaint},
            {"id": "5000", "type": "mention", "status": status(
                "1003",
                "local",
                "2026-11-22T09:59:00.000Z",
                "<p><span class=\"h-card\"><a href=\"https://masto.test/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> the ring I ordered arrived broken and nobody answers my emails</p>"
            )},
            {"id": "4999", "type": "favourite", "status": status("990", "fan", "2026-11-22T09:00:00.000Z", "<p>x</p>")}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/finchco"))
        .and(query_param_is_missing("min_id"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([status(
            "1004",
            "tagger@else.example",
            "2026-11-22T10:04:00.000Z",
            "<p>Picked up a gift card <a href=\"https://masto.test/tags/finchco\" class=\"mention hashtag\">#<span>finchco</span></a></p>"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(query_param("type", "statuses"))
        .and(query_param("q", "Finch & Co"))
        .and(auth())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accounts": [], "hashtags": [], "statuses": []})),
        )
        .mount(&server)
        .await;
    for p in [
        "/api/v1/accounts/77/statuses",
        "/api/v1/notifications",
        "/api/v1/timelines/tag/finchco",
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(auth())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .with_priority(10)
            .mount(&server)
            .await;
    }
    server
}

/// A Bluesky PDS + AppView: customer Alice's feed (one post also a mention), Bob's mention, and Carol's post
/// found by the keyword and hashtag searches alike. It answers the same whatever the cursor: the source's
/// stored marks must keep old posts out.
async fn fake_bluesky() -> MockServer {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_handle(&server, "alice.test", "did:plc:alice").await;
    let complaint = "@shop.test my parcel never came and support ignores me";
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .and(query_param("actor", "did:plc:alice"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feed": [
            {"post": post_view("did:plc:alice", "alice.test", "alice.test", "b2", "Baking bread this weekend, wish me luck", "2026-11-22T10:02:00Z")},
            {"post": post_view("did:plc:alice", "alice.test", "alice.test", "b1", complaint, "2026-11-22T10:01:00Z")},
        ]})))
        .mount(&server)
        .await;
    let record = |text: &str, at: &str| json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": at});
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notifications": [
            {"uri": at_uri("did:plc:bob", "n1"), "cid": "cid-n1", "author": {"did": "did:plc:bob", "handle": "bob.test"},
             "reason": "mention", "record": record("@shop.test still waiting for my refund, 3 weeks now", "2026-11-22T10:03:00Z"),
             "isRead": false, "indexedAt": "2026-11-22T10:03:00Z"},
            {"uri": at_uri("did:plc:alice", "b1"), "cid": "cid-b1", "author": {"did": "did:plc:alice", "handle": "alice.test"},
             "reason": "mention", "record": record(complaint, "2026-11-22T10:01:00Z"),
             "isRead": false, "indexedAt": "2026-11-22T10:01:00Z"},
            {"uri": "at://did:plc:bob/app.bsky.feed.like/l1", "cid": "x", "author": {"did": "did:plc:bob", "handle": "bob.test"},
             "reason": "like", "record": {"$type": "app.bsky.feed.like", "createdAt": "2026-11-22T10:00:30Z"},
             "indexedAt": "2026-11-22T10:00:30Z"}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer acc1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"posts": [
            post_view("did:plc:carol", "carol.test", "carol.test", "s1", "Picked up flowers at Finch & Co today #finchco", "2026-11-22T10:04:00Z")
        ]})))
        .mount(&server)
        .await;
    server
}

fn jsonl_line(v: Value) -> String {
    format!("{v}\n")
}

/// A relay file: a review, a neutral post, and an export of Mastodon status 1001 (the same post the Mastodon
/// source reads, which must be stored once).
fn write_jsonl(path: &Path) {
    let text = [
        json!({"id": "j-1", "author": "ann@reviews.example", "name": "Ann",
               "text": "Order #1042 still hasn't arrived after two weeks, really disappointed",
               "created_at": "2026-11-22T09:15:00Z", "addressed_to_shop": true}),
        json!({"id": "j-2", "author": "@dan", "text": "Picked up some flowers at the market today\u{1b}[31m",
               "created_at": "2026-11-22T09:20:00Z"}),
        json!({"id": "1001", "network": "mastodon", "author": "priya@far.example",
               "text": "@shop still waiting for my refund, 3 weeks now", "created_at": "2026-11-22T10:01:00Z"}),
    ]
    .into_iter()
    .map(jsonl_line)
    .collect::<String>();
    std::fs::write(path, text).unwrap();
}

// ---- expectations ------------------------------------------------------------------------------------------

struct Expected {
    network: Network,
    native_id: String,
    attention: bool,
    /// The customer's external id.
    customer: Option<&'static str>,
    mention: bool,
}

fn expected() -> Vec<Expected> {
    let e = |network, native_id: &str, attention, customer, mention| Expected {
        network,
        native_id: native_id.to_string(),
        attention,
        customer,
        mention,
    };
    use Network::{Bluesky, Jsonl, Mastodon};
    vec![
        e(Mastodon, "1001", true, Some("C1"), true),
        e(Mastodon, "1002", false, Some("C1"), false),
        e(Mastodon, "1003", true, None, true),
        e(Mastodon, "1004", false, None, true),
        e(
            Bluesky,
            &at_uri("did:plc:alice", "b1"),
            true,
            Some("C2"),
            true,
        ),
        e(
            Bluesky,
            &at_uri("did:plc:alice", "b2"),
            false,
            Some("C2"),
            false,
        ),
        e(Bluesky, &at_uri("did:plc:bob", "n1"), true, None, true),
        e(Bluesky, &at_uri("did:plc:carol", "s1"), false, None, true),
        e(Jsonl, "j-1", true, None, true),
        e(Jsonl, "j-2", false, None, false),
    ]
}

// ---- running -----------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mastodon_bluesky_and_jsonl_land_in_the_store_once_each_triaged() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mastodon = fake_mastodon().await;
    let bluesky = fake_bluesky().await;
    let jsonl = dir.path().join("relay.jsonl");
    write_jsonl(&jsonl);
    let config_path = write_config(dir.path(), &mastodon.uri(), &bluesky.uri(), &jsonl);
    let settings = config::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
    let ws = Workspace::open(settings, dir.path().join("regulars.db"), false)
        .await
        .unwrap();
    let customer_id = |external: &str| {
        ws.customers
            .iter()
            .find(|c| c.external_id == external)
            .unwrap_or_else(|| panic!("customer {external} imported: {:?}", ws.customers))
            .id
    };
    let client = regulars::sources::http::client();

    // ---- first run: everything new ----
    let wiring =
        runtime::wire(&ws.settings, &ws.customers, &client).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wiring.sources.len(), 3);
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel();
    let running = runtime::start(&ws.store, wiring.sources, ws.ingest(), ui_tx).await;
    let want = expected();
    let want_keys: HashSet<(Network, String)> = want
        .iter()
        .map(|e| (e.network, e.native_id.clone()))
        .collect();
    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    seen.until(&mut ui_rx, "posts from all three sources", deadline, |s| {
        want_keys.is_subset(&s.keys().into_iter().collect())
    })
    .await;
    // Let every source finish its first round (and Mastodon a second, from its cursors) before stopping.
    seen.until(&mut ui_rx, "a settled first run", deadline, |s| {
        s.has_health("m", &Health::Polling)
            && s.has_health("b", &Health::Polling)
            && s.has_health("j", &Health::Live)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    running.stop().await;
    while let Ok(msg) = ui_rx.try_recv() {
        seen.take(msg);
    }
    let first_run = started.elapsed();
    assert!(
        seen.problems().is_empty(),
        "first run problems: {:?}",
        seen.problems()
    );

    // Each new post was announced once.
    let mut announced: HashMap<(Network, String), usize> = HashMap::new();
    for p in &seen.ingested {
        *announced
            .entry((p.network, p.native_id.clone()))
            .or_default() += 1;
    }
    assert!(
        announced.values().all(|n| *n == 1),
        "announced twice: {announced:?}"
    );
    assert_eq!(announced.len(), want.len(), "announced: {announced:?}");

    // ---- the store: once each, triaged, matched, flagged ----
    // What ingest announced is what it stored (the store tests check the two agree); the count is the store's.
    let posts = seen.ingested.clone();
    let (count, cursors) = ws
        .store
        .call(|db| {
            let cursors: HashMap<String, HashMap<String, String>> = ["m", "b", "j"]
                .into_iter()
                .map(|s| Ok((s.to_string(), db.cursors(s)?)))
                .collect::<Result<_, regulars::store::StoreError>>()?;
            Ok((db.post_count()?, cursors))
        })
        .await
        .unwrap();
    assert_eq!(
        count as usize,
        want.len(),
        "stored: {:?}",
        posts
            .iter()
            .map(|p| (&p.network, &p.native_id))
            .collect::<Vec<_>>()
    );
    let mut stored: HashMap<(Network, String), Vec<&Post>> = HashMap::new();
    for p in &posts {
        stored
            .entry((p.network, p.native_id.clone()))
            .or_default()
            .push(p);
    }
    for e in &want {
        let rows = stored
            .get(&(e.network, e.native_id.clone()))
            .unwrap_or_else(|| panic!("{} {} not stored", e.network, e.native_id));
        assert_eq!(
            rows.len(),
            1,
            "{} {} stored {} times",
            e.network,
            e.native_id,
            rows.len()
        );
        let p = rows[0];
        let what = format!("{} {} {:?}: {:?}", e.network, e.native_id, p.text, p.triage);
        assert_eq!(
            p.triage.category.needs_attention(),
            e.attention,
            "triage of {what}"
        );
        if e.attention {
            assert!(!p.triage.reasons.is_empty(), "reasons for {what}");
        }
        assert_eq!(
            p.customer,
            e.customer.map(customer_id),
            "customer of {what}"
        );
        assert_eq!(p.is_mention, e.mention, "mention flag of {what}");
    }
    // Ingest sanitized the file's text and handles.
    let j2 = stored[&(Network::Jsonl, "j-2".to_string())][0];
    assert_eq!(j2.author.handle, "dan");
    assert!(!j2.text.contains('\u{1b}'), "{:?}", j2.text);
    assert_eq!(
        stored[&(Network::Mastodon, "1003".to_string())][0]
            .author
            .handle,
        "local@masto.test",
        "local accounts get the instance's domain"
    );

    // The cursors were written with the batches.
    let m = &cursors["m"];
    assert_eq!(
        m.get("account-id:priya@far.example").map(String::as_str),
        Some("77"),
        "{m:?}"
    );
    assert_eq!(
        m.get("account:77").map(String::as_str),
        Some("1002"),
        "{m:?}"
    );
    assert_eq!(
        m.get("notifications").map(String::as_str),
        Some("5001"),
        "{m:?}"
    );
    assert_eq!(
        m.get("tag:finchco").map(String::as_str),
        Some("1004"),
        "{m:?}"
    );
    let b = &cursors["b"];
    assert_eq!(
        b.get("did:alice.test").map(String::as_str),
        Some("did:plc:alice"),
        "{b:?}"
    );
    for key in [
        "author:did:plc:alice",
        "notifications",
        "search:Finch & Co",
        "search:#finchco",
    ] {
        assert!(b.contains_key(key), "bluesky cursor {key}: {b:?}");
    }
    assert!(
        cursors["j"].contains_key(regulars::sources::jsonl::CURSOR_KEY),
        "{:?}",
        cursors["j"]
    );

    // ---- restart: the same store, new sources from the config ----
    let first_requests = received(&mastodon).await;
    assert!(
        first_requests
            .iter()
            .any(|r| r.url.path() == "/api/v1/notifications"
                && query(r, "min_id").as_deref() == Some("5001")),
        "Mastodon polled again from its cursor during the first run (and stored nothing twice)"
    );
    let (m_before, b_before) = (first_requests.len(), received(&bluesky).await.len());
    let wiring =
        runtime::wire(&ws.settings, &ws.customers, &client).unwrap_or_else(|e| panic!("{e}"));
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel();
    let running = runtime::start(&ws.store, wiring.sources, ws.ingest(), ui_tx).await;
    let mut again = Seen::default();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    again
        .until(&mut ui_rx, "every source polling again", deadline, |s| {
            s.has_health("m", &Health::Polling)
                && s.has_health("b", &Health::Polling)
                && s.has_health("j", &Health::Live)
        })
        .await;
    // A line written while the app runs arrives (the file is followed from its stored offset, not reread).
    append(
        &jsonl,
        jsonl_line(json!({"id": "j-3", "author": "eve", "text": "Is the shop open on Sunday?"})),
    );
    again
        .until(&mut ui_rx, "the appended line", deadline, |s| {
            s.keys().contains(&(Network::Jsonl, "j-3".to_string()))
        })
        .await;
    running.stop().await;
    while let Ok(msg) = ui_rx.try_recv() {
        again.take(msg);
    }
    assert!(
        again.problems().is_empty(),
        "second run problems: {:?}",
        again.problems()
    );
    let new: Vec<(Network, String)> = again
        .ingested
        .iter()
        .map(|p| (p.network, p.native_id.clone()))
        .collect();
    assert_eq!(
        new,
        vec![(Network::Jsonl, "j-3".to_string())],
        "only the new line is new"
    );
    let count_after = ws.store.call(|db| db.post_count()).await.unwrap();
    assert_eq!(count_after, count + 1, "no duplicate stored on restart");

    // The restarted sources asked from their stored cursors.
    let m_requests = received(&mastodon).await.split_off(m_before);
    // Forward reads ask from the cursor; a status timeline also reads the page just below it (`max_id`), for
    // posts federated late.
    let min_id = |p: &str| {
        m_requests
            .iter()
            .filter(|r| r.url.path() == p && query(r, "max_id").is_none())
            .map(|r| query(r, "min_id"))
            .collect::<Vec<_>>()
    };
    let below = |p: &str| {
        m_requests
            .iter()
            .filter(|r| r.url.path() == p)
            .filter_map(|r| query(r, "max_id"))
            .collect::<Vec<_>>()
    };
    assert!(
        m_requests
            .iter()
            .all(|r| r.url.path() != "/api/v1/accounts/lookup"),
        "account id was cached"
    );
    for (p, cursor) in [
        ("/api/v1/notifications", "5001"),
        ("/api/v1/accounts/77/statuses", "1002"),
        ("/api/v1/timelines/tag/finchco", "1004"),
    ] {
        let asked = min_id(p);
        assert!(
            !asked.is_empty() && asked.iter().all(|c| c.as_deref() == Some(cursor)),
            "{p}: {asked:?}"
        );
        if p != "/api/v1/notifications" {
            let below = below(p);
            assert!(below.iter().all(|c| c == cursor), "{p}: {below:?}");
        }
    }
    let b_requests = received(&bluesky).await.split_off(b_before);
    assert!(
        b_requests
            .iter()
            .all(|r| !r.url.path().ends_with("resolveHandle")),
        "the DID was cached"
    );
    let searches: Vec<&Request> = b_requests
        .iter()
        .filter(|r| r.url.path().ends_with("searchPosts"))
        .collect();
    assert!(
        !searches.is_empty() && searches.iter().all(|r| query(r, "since").is_some()),
        "searches resume from their marks: {:?}",
        searches.iter().map(|r| r.url.as_str()).collect::<Vec<_>>()
    );
    eprintln!(
        "first run {first_run:?}, whole test {:?}",
        started.elapsed()
    );
}
