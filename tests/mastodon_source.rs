//! The Mastodon source against local fakes: wiremock for the REST API, a scripted WebSocket server for
//! streaming. Timings are shortened through `MastodonOptions`; nothing here waits real seconds except the
//! one-second Retry-After.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use common::fake_ws::{FakeWs, Step};
use common::files::write_private;
use common::mastodon::watch;
use common::run::{Run, Seen, requests_to};
use regulars::domain::IncomingPost;
use regulars::domain::Network;
use regulars::sources::mastodon::{MastodonConfig, MastodonOptions, MastodonSource};
use regulars::sources::{Health, Source, SourceEvent, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-123";
const TOKEN_FILE: &str = "mastodon-token";

/// The token lives in a 0600 file shared by every test of this binary.
fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join(TOKEN_FILE), &format!("{TOKEN}\n"));
        dir
    });
    dir.path().join(TOKEN_FILE)
}

fn config(server: &MockServer, stream: bool) -> MastodonConfig {
    MastodonConfig {
        instance: server.uri(),
        token_env: None,
        token_file: Some(token_file()),
        poll_seconds: 60,
        stream,
        keyword_search: true,
    }
}

fn fast() -> MastodonOptions {
    MastodonOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
        request_timeout: Some(Duration::from_secs(5)),
    }
}

/// The source under test against the fake instance, as the shop `shop@shop.test`.
fn source(
    server: &MockServer,
    stream: bool,
    watch: Watch,
    options: MastodonOptions,
) -> MastodonSource {
    MastodonSource::new(
        "masto".into(),
        &config(server, stream),
        watch,
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(options)
}

/// Every status here is from the same minute.
fn status(id: &str, acct: &str, html: &str) -> Value {
    common::mastodon::status(id, acct, "2026-11-22T10:00:00.000Z", html)
}

async fn instance(server: &MockServer, streaming: Option<String>) {
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "domain": "shop.test",
            "title": "Fake",
            "configuration": {
                "urls": {"streaming": streaming},
                "statuses": {"max_characters": 1000}
            }
        })))
        .mount(server)
        .await;
}

async fn empty(server: &MockServer, p: &str) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .with_priority(10)
        .mount(server)
        .await;
}

#[tokio::test]
async fn happy_path_maps_customers_mentions_tags_and_search() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    let auth = header("authorization", format!("Bearer {TOKEN}").as_str());
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "cu@far.example"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "77", "username": "cu", "acct": "cu@far.example", "display_name": "Cu"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/77/statuses"))
        .and(query_param_is_missing("min_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([status(
            "1001",
            "cu@far.example",
            "<p>Where is my <b>parcel</b>?</p>"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("types[]", "mention"))
        .and(auth)
        .and(query_param_is_missing("min_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "5000", "type": "mention", "status": status("1002", "local", "<p><span class=\"h-card\"><a href=\"https://shop.test/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> broken zip</p>")},
            {"id": "4999", "type": "favourite", "status": status("990", "fan", "<p>x</p>")}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/shop"))
        .and(query_param_is_missing("min_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([status(
            "1003",
            "tagger@else.example",
            "<p>Love it <a href=\"https://pics.example/1\" rel=\"nofollow\">https://pics.example/1</a> &lt;3</p>"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(query_param("type", "statuses"))
        .and(query_param("q", "croissant"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accounts": [], "hashtags": [],
            "statuses": [status("1004", "baker@b.example", "<p>croissant was stale</p>")]
        })))
        .mount(&server)
        .await;
    for p in [
        "/api/v1/accounts/77/statuses",
        "/api/v1/notifications",
        "/api/v1/timelines/tag/shop",
    ] {
        empty(&server, p).await;
    }

    let source = source(
        &server,
        false,
        watch(&["cu@far.example"], &["shop"], &["croissant"]),
        fast(),
    );
    let mut run = Run::start(source, HashMap::new());
    run.until("all four posts", |r| {
        r.has(&["1001", "1002", "1003", "1004"])
    })
    .await;
    run.until("polling", |r| r.healths.contains(&Health::Polling))
        .await;
    let Seen {
        posts,
        cursors,
        healths,
        events,
    } = run.stop().await;
    assert!(
        events.iter().any(|e| matches!(
            e,
            SourceEvent::ReplyLimit {
                network: Network::Mastodon,
                max: 1000
            }
        )),
        "the instance's limit is told: {events:?}"
    );
    assert!(!healths.iter().any(|h| h.is_problem()), "{healths:?}");
    let by_id: HashMap<&str, &IncomingPost> =
        posts.iter().map(|p| (p.native_id.as_str(), p)).collect();
    assert_eq!(
        posts.len(),
        4,
        "no duplicates, favourite skipped: {posts:?}"
    );

    let customer = by_id["1001"];
    assert_eq!(customer.author.handle, "cu@far.example");
    assert_eq!(customer.text, "Where is my parcel?");
    assert!(!customer.addressed_to_shop);
    assert_eq!(customer.url.as_deref(), Some("https://far.example/@x/1001"));

    let mention = by_id["1002"];
    assert!(mention.addressed_to_shop);
    assert_eq!(
        mention.author.handle, "local@shop.test",
        "local accounts get the instance domain"
    );
    assert_eq!(mention.text, "@shop broken zip");
    assert_eq!(
        mention.reply_ref,
        Some(json!({"visibility": "public", "acct": "local@shop.test"}))
    );

    assert_eq!(by_id["1003"].text, "Love it https://pics.example/1 <3");
    assert_eq!(by_id["1004"].text, "croissant was stale");

    assert_eq!(cursors["account-id:cu@far.example"], "77");
    assert_eq!(cursors["account:77"], "1001");
    assert_eq!(cursors["notifications"], "5000");
    assert_eq!(cursors["tag:shop"], "1003");
    assert_eq!(cursors["search:croissant"], "1004");
}

fn page(ids: &[&str]) -> Value {
    Value::Array(
        ids.iter()
            .map(|i| status(i, "t@t.example", "<p>t</p>"))
            .collect(),
    )
}

#[tokio::test]
async fn pagination_and_resume_across_restart_without_gap_or_duplicate() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    empty(&server, "/api/v1/notifications").await;
    let base = server.uri();
    let tag = "/api/v1/timelines/tag/shop";
    let link = |older: &str, newer: &str| {
        format!(
            "<{base}{tag}?limit=40&max_id={older}>; rel=\"next\", <{base}{tag}?limit=40&min_id={newer}>; rel=\"prev\""
        )
    };
    // First run, no cursor: only the newest page, never the older ones behind rel="next".
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param_is_missing("min_id"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(&["110", "109", "108"]))
                .insert_header("link", link("108", "110").as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param("min_id", "110"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(&["113", "112", "111"]))
                .insert_header("link", link("111", "113").as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param("min_id", "113"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(&["115", "114"]))
                .insert_header("link", link("114", "115").as_str()),
        )
        .mount(&server)
        .await;
    // A server that ignores min_id would repeat itself: the source must not take 115 twice.
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param("min_id", "115"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["115"])))
        .mount(&server)
        .await;

    let make = |poll: Duration| {
        let mut options = fast();
        options.poll_interval = Some(poll);
        source(&server, false, watch(&[], &["shop"], &[]), options)
    };
    // The first run stops after one round, as if the process were killed then.
    let mut first = Run::start(make(Duration::from_secs(60)), HashMap::new());
    first
        .until("first page", |r| {
            r.cursors.get("tag:shop").map(String::as_str) == Some("110")
        })
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let Seen {
        posts: first_posts,
        cursors: first_cursors,
        ..
    } = first.stop().await;
    let first_ids: Vec<String> = first_posts.iter().map(|p| p.native_id.clone()).collect();
    assert_eq!(
        first_ids,
        ["108", "109", "110"],
        "only the newest page, oldest first"
    );
    let max_id_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.query().unwrap_or("").contains("max_id"))
        .count();
    assert_eq!(max_id_requests, 0, "the first run must not crawl history");

    // Restart from the cursors the store holds: those of the last batch.
    let mut second = Run::start(make(Duration::from_millis(100)), first_cursors);
    second
        .until("pages up to 115", |r| {
            r.cursors.get("tag:shop").map(String::as_str) == Some("115")
        })
        .await;
    tokio::time::sleep(Duration::from_millis(250)).await; // a couple more rounds: nothing new
    let Seen {
        posts: second_posts,
        cursors,
        ..
    } = second.stop().await;
    let second_ids: Vec<String> = second_posts.iter().map(|p| p.native_id.clone()).collect();
    assert_eq!(
        second_ids,
        ["111", "112", "113", "114", "115"],
        "oldest page first, each once"
    );
    assert_eq!(cursors["tag:shop"], "115");
}

#[tokio::test]
async fn rate_limit_429_backs_off_until_retry_after_then_recovers() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "7", "type": "mention", "status": status("70", "a@b.example", "<p>hi</p>")}
        ])))
        .mount(&server)
        .await;
    let source = source(&server, false, watch(&[], &[], &[]), fast());
    let started = Utc::now();
    let mut run = Run::start(source, HashMap::new());
    run.until("backing off", |r| {
        r.healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { .. }))
    })
    .await;
    let until = run
        .seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::BackingOff { until, reason } => {
                assert!(reason.contains("rate limit"), "{reason}");
                Some(*until)
            }
            _ => None,
        })
        .unwrap();
    let ahead = (until - started).num_milliseconds();
    assert!(
        (500..=2500).contains(&ahead),
        "until is Retry-After from now: {ahead} ms"
    );
    run.until("the mention after the wait", |r| r.has(&["70"]))
        .await;
    assert!(
        Utc::now() >= until - chrono::Duration::milliseconds(50),
        "waited for Retry-After"
    );
    run.until("polling again", |r| {
        r.healths.last() == Some(&Health::Polling)
    })
    .await;
    run.stop().await;
}

#[tokio::test]
async fn spent_x_ratelimit_headers_pause_before_the_next_request() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    let reset = (Utc::now() + chrono::Duration::milliseconds(800))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .insert_header("x-ratelimit-limit", "300")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.as_str()),
        )
        .mount(&server)
        .await;
    let source = source(&server, false, watch(&[], &[], &[]), fast());
    let mut run = Run::start(source, HashMap::new());
    run.until("backing off on the spent limit", |r| {
        r.healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { .. }))
    })
    .await;
    let before = server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = server.received_requests().await.unwrap().len();
    assert_eq!(before, after, "no requests while the limit is spent");
    run.stop().await;
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "8", "type": "mention", "status": status("80", "a@b.example", "<p>ok</p>")}
        ])))
        .mount(&server)
        .await;
    let source = source(&server, false, watch(&[], &[], &[]), fast());
    let mut run = Run::start(source, HashMap::new());
    run.until("recovered", |r| r.has(&["80"])).await;
    run.until("polling", |r| r.healths.last() == Some(&Health::Polling))
        .await;
    let Seen { healths, .. } = run.stop().await;
    let backoffs: Vec<&Health> = healths
        .iter()
        .filter(|h| matches!(h, Health::BackingOff { reason, .. } if reason.contains("503")))
        .collect();
    assert!(!backoffs.is_empty(), "{healths:?}");
    let notif_requests = requests_to(&server, "/api/v1/notifications").await;
    assert!(notif_requests >= 3, "retried after each 503");
}

#[tokio::test]
async fn malformed_body_is_reported_and_the_source_carries_on() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/shop"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "9", "type": "mention", "status": {"id": "91", "account": "not an object"}},
            {"id": "10", "type": "mention", "status": status("92", "a@b.example", "<p>fine</p>")}
        ])))
        .mount(&server)
        .await;
    let source = source(&server, false, watch(&[], &["shop"], &[]), fast());
    let mut run = Run::start(source, HashMap::new());
    run.until("the good mention", |r| r.has(&["92"])).await;
    run.until("degraded", |r| {
        r.healths.iter().any(|h| matches!(h, Health::Degraded(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let Seen {
        posts,
        cursors,
        healths,
        ..
    } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::Degraded(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(why.contains("#shop") && why.contains("malformed"), "{why}");
    assert!(why.contains("item 9"), "{why}");
    assert_eq!(posts.len(), 1);
    assert_eq!(cursors["notifications"], "10");
    let polls = requests_to(&server, "/api/v1/timelines/tag/shop").await;
    assert!(polls >= 2, "kept polling after the malformed answer");
}

#[tokio::test]
async fn auth_failure_is_reported_once_without_a_hot_loop() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let source = source(&server, true, watch(&[], &["shop"], &[]), fast());
    assert!(
        !format!("{source:?}").contains(TOKEN),
        "Debug hides the token"
    );
    let mut run = Run::start(source, HashMap::new());
    run.until("auth failed", |r| {
        r.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let Seen { healths, .. } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("access token is invalid") && why.contains(TOKEN_FILE),
        "{why}"
    );
    assert!(!healths.iter().any(|h| h.label().contains(TOKEN)));
    let requests = server.received_requests().await.unwrap();
    let notif = requests_to(&server, "/api/v1/notifications").await;
    assert_eq!(notif, 1, "no retry until the recheck interval");
    assert!(
        requests.iter().all(|r| !r.url.as_str().contains(TOKEN)),
        "the token never goes in a URL"
    );
}

fn frame(stream: &[&str], event: &str, payload: Value) -> String {
    json!({"stream": stream, "event": event, "payload": payload.to_string()}).to_string()
}

#[tokio::test]
async fn streaming_drops_mid_stream_then_reconnects_and_fills_the_gap() {
    let server = MockServer::start().await;
    let ws = FakeWs::start(vec![
        vec![
            Step::Text(frame(&["hashtag", "shop"], "update", status("201", "s@s.example", "<p>live one</p>"))),
            Step::Text(frame(
                &["user"],
                "notification",
                json!({"id": "6001", "type": "mention", "status": status("202", "m@m.example", "<p>live mention</p>")}),
            )),
            Step::Text("{\"event\":\"delete\",\"payload\":\"5\"}".into()),
            Step::Sleep(Duration::from_millis(50)),
            Step::Drop,
        ],
        vec![Step::Hold],
    ])
    .await;
    instance(&server, Some(ws.url())).await;
    let tag = "/api/v1/timelines/tag/shop";
    let notes = "/api/v1/notifications";
    let mount = |p: &'static str, min: Option<&'static str>, body: Value| {
        let server = &server;
        async move {
            let m = Mock::given(method("GET")).and(path(p));
            let m = match min {
                Some(v) => m.and(query_param("min_id", v)),
                None => m.and(query_param_is_missing("min_id")),
            };
            m.respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(server)
                .await;
        }
    };
    mount(tag, None, page(&["200"])).await;
    mount(tag, Some("200"), json!([])).await;
    // Posted while the socket was down: only polling from the cursor finds it.
    mount(tag, Some("201"), page(&["203"])).await;
    mount(tag, Some("203"), json!([])).await;
    mount(
        notes,
        None,
        json!([{"id": "6000", "type": "mention", "status": status("199", "m@m.example", "<p>old</p>")}]),
    )
    .await;
    mount(notes, Some("6000"), json!([])).await;
    mount(
        notes,
        Some("6001"),
        json!([{"id": "6002", "type": "mention", "status": status("204", "m@m.example", "<p>gap</p>")}]),
    )
    .await;
    mount(notes, Some("6002"), json!([])).await;

    let mut options = fast();
    options.poll_interval = Some(Duration::from_secs(60));
    let source = source(&server, true, watch(&[], &["shop"], &[]), options);
    let mut run = Run::start(source, HashMap::new());
    run.until("every post", |r| {
        r.has(&["199", "200", "201", "202", "203", "204"])
    })
    .await;
    run.until("live again", |r| {
        r.healths.iter().filter(|h| **h == Health::Live).count() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let Seen {
        posts,
        cursors,
        healths,
        ..
    } = run.stop().await;
    let mut ids: Vec<String> = posts.iter().map(|p| p.native_id.clone()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(n, ids.len(), "no duplicates: {posts:?}");
    assert_eq!(n, 6);
    assert!(
        posts
            .iter()
            .find(|p| p.native_id == "202")
            .unwrap()
            .addressed_to_shop
    );
    assert_eq!(cursors["tag:shop"], "203");
    assert_eq!(cursors["notifications"], "6002");
    assert!(healths.contains(&Health::Polling), "{healths:?}");
    assert!(ws.connections() >= 2);
    let hs = &ws.handshakes()[0];
    assert!(hs.uri.contains("stream=user"), "{}", hs.uri);
    assert!(!hs.uri.contains(TOKEN));
    assert_eq!(
        hs.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let subscribed = ws.received();
    assert!(
        subscribed
            .iter()
            .any(|m| m.contains("\"hashtag\"") && m.contains("\"shop\"")),
        "{subscribed:?}"
    );
}

#[tokio::test]
async fn streaming_unavailable_falls_back_to_polling() {
    let server = MockServer::start().await;
    // Advertise a streaming server nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", dead.local_addr().unwrap());
    drop(dead);
    instance(&server, Some(url)).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "1", "type": "mention", "status": status("10", "a@b.example", "<p>polled</p>")}
        ])))
        .mount(&server)
        .await;
    let source = source(&server, true, watch(&[], &[], &[]), fast());
    let mut run = Run::start(source, HashMap::new());
    run.until("polled post", |r| r.has(&["10"])).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Seen { healths, .. } = run.stop().await;
    assert!(healths.contains(&Health::Polling), "{healths:?}");
    assert!(!healths.contains(&Health::Live));
}

#[tokio::test]
async fn doctor_reports_instance_token_rate_limit_and_cursors() {
    let server = MockServer::start().await;
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let source = MastodonSource::new(
        "masto".into(),
        &config(&server, false),
        watch(&[], &[], &[]),
        regulars::sources::http::client(),
    )
    .unwrap();
    let cursors = HashMap::from([(
        "notifications".to_string(),
        // A Mastodon snowflake: milliseconds << 16.
        ((Utc::now().timestamp_millis() as u64 - 3_600_000) << 16).to_string(),
    )]);
    let checks = source.doctor(&cursors).await;
    let find = |w: &str| checks.iter().find(|c| c.what.contains(w)).unwrap();
    assert!(find("instance").ok);
    assert!(find("instance").detail.contains("1000 characters"));
    let token = find("token");
    assert!(!token.ok);
    assert!(
        token.fix.contains(TOKEN_FILE) && token.fix.contains("write:statuses"),
        "{token:?}"
    );
    assert!(
        find("cursors").detail.contains("1 h ago"),
        "{:?}",
        find("cursors")
    );
    assert!(checks.iter().all(|c| !format!("{c:?}").contains(TOKEN)));
}

#[test]
fn config_rejects_unknown_fields_and_names_missing_token() {
    let err = toml::from_str::<MastodonConfig>("instance = \"https://m.example\"\ntoken = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
    let cfg: MastodonConfig = toml::from_str("instance = \"https://m.example\"\n").unwrap();
    assert_eq!(
        (cfg.poll_seconds, cfg.stream, cfg.keyword_search),
        (60, true, true)
    );
    let err = MastodonSource::new("m".into(), &cfg, Watch::default(), reqwest::Client::new())
        .unwrap_err();
    assert!(
        err.contains("sources.m.token") && err.contains("token_env"),
        "{err}"
    );
    let cfg = MastodonConfig {
        instance: "http://m.example".into(),
        ..cfg
    };
    let err = MastodonSource::new("m".into(), &cfg, Watch::default(), reqwest::Client::new())
        .unwrap_err();
    assert!(
        err.contains("sources.m.instance") && err.contains("https"),
        "{err}"
    );
}
