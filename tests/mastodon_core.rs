//! The Mastodon source's rules under the shared poller, against a local fake instance: late posts arrive
//! once, one failing query leaves the others on time, a refused token is read again and re-checked, a vanished
//! account is looked up again, local accounts are looked up without the instance's domain, and a stream that
//! refuses the token in the header gets it in the query string.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::fake_ws::{FakeWs, Step};
use common::files::write_private;
use common::mastodon::watch;
use common::run::{Run, requests_to};
use regulars::sources::mastodon::{MastodonConfig, MastodonOptions, MastodonSource};
use regulars::sources::{Health, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn options(poll_ms: u64) -> MastodonOptions {
    MastodonOptions {
        poll_interval: Some(Duration::from_millis(poll_ms)),
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_millis(2000),
        auth_recheck: Duration::from_secs(600),
        request_timeout: Some(Duration::from_secs(5)),
    }
}

/// A source on the fake instance whose token is read from `token_file`.
fn source(
    server: &MockServer,
    token_file: &std::path::Path,
    stream: bool,
    watch: Watch,
    poll_ms: u64,
) -> MastodonSource {
    let cfg = MastodonConfig {
        instance: server.uri(),
        token_env: None,
        token_file: Some(token_file.to_path_buf()),
        poll_seconds: 60,
        stream,
        keyword_search: true,
    };
    MastodonSource::new(
        "masto".into(),
        &cfg,
        watch,
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(options(poll_ms))
}

fn token(dir: &tempfile::TempDir, value: &str) -> std::path::PathBuf {
    let file = dir.path().join("token");
    write_private(&file, value);
    file
}

fn status(id: &str, acct: &str, at: &str, text: &str) -> Value {
    common::mastodon::status(id, acct, at, &format!("<p>{text}</p>"))
}

async fn instance(server: &MockServer, streaming: Option<String>) {
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "domain": "shop.test",
            "configuration": {"urls": {"streaming": streaming}}
        })))
        .mount(server)
        .await;
}

async fn answer(server: &MockServer, p: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

fn mention(id: &str, status_id: &str, text: &str) -> Value {
    json!({"id": id, "type": "mention",
        "status": status(status_id, "cu@far.example", "2026-11-22T10:00:00Z", text)})
}

#[tokio::test]
async fn a_status_numbered_below_the_cursor_arrives_once() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    answer(&server, "/api/v1/notifications", json!([])).await;
    let tag = "/api/v1/timelines/tag/shop";
    // Nothing newer than the cursor...
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param("min_id", "300"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    // ...but below it, a post federated late (its id follows its older date) beside ones delivered before.
    Mock::given(method("GET"))
        .and(path(tag))
        .and(query_param("max_id", "300"))
        .and(query_param_is_missing("min_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            status(
                "299",
                "a@far.example",
                "2026-11-22T09:58:00Z",
                "delivered before"
            ),
            status(
                "290",
                "late@far.example",
                "2026-11-22T09:50:00Z",
                "written offline, my order never came"
            ),
            status(
                "280",
                "b@far.example",
                "2026-11-22T09:40:00Z",
                "delivered before too"
            ),
        ])))
        .mount(&server)
        .await;
    let stored = HashMap::from([
        ("tag:shop".to_string(), "300".to_string()),
        (
            "seen:tag:shop".to_string(),
            json!(["300", "299", "280"]).to_string(),
        ),
    ]);
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&[], &["shop"], &[]),
        50,
    );
    let mut run = Run::start(src, stored);
    run.until("the late post", |s| s.has(&["290"])).await;
    // Several more rounds read the same page below the cursor: nothing twice.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = run.stop().await;
    assert_eq!(seen.ids(), vec!["290"]);
    assert_eq!(
        seen.cursors["tag:shop"], "300",
        "the cursor stays where it was"
    );
    assert!(
        requests_to(&server, tag).await >= 6,
        "looked below the cursor each round"
    );
}

#[tokio::test]
async fn a_failing_search_leaves_mentions_on_time() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    answer(
        &server,
        "/api/v1/notifications",
        json!([mention("5", "50", "@shop hello")]),
    )
    .await;
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&[], &[], &["croissant"]),
        100,
    );
    let mut run = Run::start(src, HashMap::new());
    run.until("the mention", |s| s.has(&["50"])).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let seen = run.stop().await;
    let mentions = requests_to(&server, "/api/v1/notifications").await;
    let searches = requests_to(&server, "/api/v2/search").await;
    // Mentions every 100 ms for 1.5 s; the search backs off from 100 ms doubling.
    assert!(mentions >= 10, "mentions polled {mentions} times");
    assert!(searches <= 6, "search tried {searches} times");
    let degraded = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::Degraded(why) => Some(why.clone()),
            _ => None,
        })
        .expect("degraded");
    assert!(
        degraded.contains("search \"croissant\"") && degraded.contains("503"),
        "{degraded}"
    );
    assert!(
        !seen
            .healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { .. }))
    );
}

#[tokio::test]
async fn a_refused_token_is_read_again_and_the_new_one_used() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = token(&dir, "old-token");
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old-token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token was revoked"})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", "Bearer new-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1", "acct": "shop"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(header("authorization", "Bearer new-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([mention("7", "70", "@shop hi")])),
        )
        .mount(&server)
        .await;
    let src = source(&server, &file, false, watch(&[], &[], &[]), 100);
    // The user put a new token in the file after the console started.
    write_private(&file, "new-token");
    let mut run = Run::start(src, HashMap::new());
    let seen = run.until("the mention", |s| s.has(&["70"])).await;
    run.stop().await;
    assert!(
        !seen
            .healths
            .iter()
            .any(|h| matches!(h, Health::AuthFailed(_))),
        "{:?}",
        seen.healths
    );
}

#[tokio::test]
async fn a_vanished_account_is_looked_up_again() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    answer(&server, "/api/v1/notifications", json!([])).await;
    // The cached id answers 404: the account moved; a lookup finds its new id.
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/77/statuses"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": "Record not found"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "cu@far.example"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "88", "acct": "cu@far.example"})),
        )
        .mount(&server)
        .await;
    answer(
        &server,
        "/api/v1/accounts/88/statuses",
        json!([status(
            "900",
            "cu@far.example",
            "2026-11-22T10:00:00Z",
            "back again"
        )]),
    )
    .await;
    let stored = HashMap::from([("account-id:cu@far.example".to_string(), "77".to_string())]);
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&["cu@far.example"], &[], &[]),
        50,
    );
    let mut run = Run::start(src, stored);
    let seen = run
        .until("the post from the new id", |s| s.has(&["900"]))
        .await;
    run.stop().await;
    assert_eq!(seen.cursors["account-id:cu@far.example"], "88");
}

#[tokio::test]
async fn a_local_account_is_looked_up_without_the_domain() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    answer(&server, "/api/v1/notifications", json!([])).await;
    // This server knows its own users by their bare name only.
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "alice"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "5", "acct": "alice"})))
        .mount(&server)
        .await;
    answer(
        &server,
        "/api/v1/accounts/5/statuses",
        json!([status("901", "alice", "2026-11-22T10:00:00Z", "hello")]),
    )
    .await;
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&["alice@shop.test", "alice"], &[], &[]),
        50,
    );
    let mut run = Run::start(src, HashMap::new());
    let seen = run.until("alice's post", |s| s.has(&["901"])).await;
    run.stop().await;
    assert_eq!(seen.posts[0].author.handle, "alice@shop.test");
}

#[tokio::test]
async fn a_stream_refusing_the_header_gets_the_token_in_the_query() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let frame = json!({"stream": ["user"], "event": "notification",
        "payload": mention("8", "80", "@shop streamed").to_string()})
    .to_string();
    let ws = FakeWs::start(vec![
        vec![Step::Refuse(403)],
        vec![Step::Text(frame), Step::Hold],
    ])
    .await;
    instance(&server, Some(ws.url())).await;
    answer(&server, "/api/v1/notifications", json!([])).await;
    let src = source(
        &server,
        &token(&dir, "tok-Q"),
        true,
        watch(&[], &[], &[]),
        60_000,
    );
    let mut run = Run::start(src, HashMap::new());
    let seen = run
        .until("the streamed mention, live", |s| {
            s.has(&["80"]) && s.healths.contains(&Health::Live)
        })
        .await;
    run.stop().await;
    let hs = ws.handshakes();
    assert_eq!(hs.len(), 2, "{hs:?}");
    assert_eq!(hs[0].header("authorization"), Some("Bearer tok-Q"));
    assert!(!hs[0].uri.contains("access_token"), "{}", hs[0].uri);
    assert!(hs[1].uri.contains("access_token=tok-Q"), "{}", hs[1].uri);
    assert!(seen.healths.iter().all(|h| !h.label().contains("tok-Q")));
}

#[tokio::test]
async fn a_stream_refused_every_way_says_so_and_polls() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ws = FakeWs::start(vec![vec![Step::Refuse(403)]]).await;
    instance(&server, Some(ws.url())).await;
    answer(&server, "/api/v1/notifications", json!([])).await;
    let src = source(
        &server,
        &token(&dir, "tok"),
        true,
        watch(&[], &[], &[]),
        100,
    );
    let mut run = Run::start(src, HashMap::new());
    let seen = run
        .until("streaming off", |s| {
            s.healths
                .iter()
                .any(|h| matches!(h, Health::StreamingOff(_)))
        })
        .await;
    run.stop().await;
    let why = seen
        .healths
        .iter()
        .find(|h| matches!(h, Health::StreamingOff(_)))
        .unwrap()
        .label();
    assert!(why.contains("403") && why.contains("polling"), "{why}");
    assert!(ws.connections() >= 2, "header first, then the query string");
}

#[tokio::test]
async fn a_missing_parent_and_a_quoted_status_are_fetched_as_context() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    let mut quoting = status(
        "60",
        "cu@far.example",
        "2026-11-22T10:00:00Z",
        "Same experience here with @shop, avoid for now",
    );
    quoting["in_reply_to_id"] = json!("55");
    quoting["quote"] = json!({"state": "accepted", "quoted_status_id": "44"});
    answer(
        &server,
        "/api/v1/notifications",
        json!([{"id": "6", "type": "mention", "status": quoting}]),
    )
    .await;
    answer(
        &server,
        "/api/v1/statuses/55",
        status(
            "55",
            "shop",
            "2026-11-22T09:00:00Z",
            "New opening hours from Monday",
        ),
    )
    .await;
    answer(
        &server,
        "/api/v1/statuses/44",
        status(
            "44",
            "ann@far.example",
            "2026-11-22T08:00:00Z",
            "My order never arrived and nobody answers",
        ),
    )
    .await;
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&[], &[], &[]),
        100,
    );
    let mut run = Run::start(src, HashMap::new());
    run.until("the post and its context", |s| s.has(&["60", "55", "44"]))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = run.stop().await;
    let post = |id: &str| seen.posts.iter().find(|p| p.native_id == id).unwrap();
    assert!(!post("60").context && post("55").context && post("44").context);
    let quote = post("60").quotes.clone().unwrap();
    assert_eq!(quote.native_id, "44");
    assert_eq!(
        quote.text.as_deref(),
        Some("My order never arrived and nobody answers")
    );
    // Fetched once, however many rounds follow.
    assert_eq!(requests_to(&server, "/api/v1/statuses/55").await, 1);
    assert_eq!(requests_to(&server, "/api/v1/statuses/44").await, 1);
}

#[tokio::test]
async fn doctor_looks_up_each_customer_as_the_source_does() {
    use regulars::sources::Source as _;
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    instance(&server, None).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "cu@far.example"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "77", "acct": "cu@far.example"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/lookup"))
        .and(query_param("acct", "gone@far.example"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": "Record not found"})),
        )
        .mount(&server)
        .await;
    let src = source(
        &server,
        &token(&dir, "tok"),
        false,
        watch(&["cu@far.example", "gone@far.example"], &[], &[]),
        100,
    );
    let checks = src.doctor(&HashMap::new()).await;
    let found = checks
        .iter()
        .find(|c| c.what.contains("customers found"))
        .expect("a check of the customers");
    assert!(!found.ok, "{found:?}");
    assert!(
        found.detail.contains("@gone@far.example") && found.detail.contains("404"),
        "{found:?}"
    );
    assert!(!found.detail.contains("@cu@"), "{found:?}");
}
