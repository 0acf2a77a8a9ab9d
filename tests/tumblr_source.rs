//! The Tumblr source against a fake API v2 (wiremock) on 127.0.0.1, built to tumblr/docs api.md: tagged
//! posts, customers' blogs, notes on the shop's posts, the `{meta, response}` envelope, the per-key
//! `X-Ratelimit-Perhour-*` headers and 429s.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::run::{Run, Seen, requests_to};
use common::tumblr::{
    KEY, KEY_FILE, SHOP, T0, blog_posts, config, mount_blog, mount_quiet_shop, ok, post, source,
    watch,
};
use regulars::domain::IncomingPost;
use regulars::sources::tumblr::{TumblrConfig, TumblrSource};
use regulars::sources::{Health, Source, Watch};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn tagged(posts: Vec<Value>) -> Value {
    ok(Value::Array(posts))
}

async fn mount_tagged(server: &MockServer, tag: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .and(query_param("tag", tag))
        .and(query_param("api_key", KEY))
        .and(query_param("npf", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .with_priority(10)
        .mount(server)
        .await;
}

#[tokio::test]
async fn happy_path_maps_tags_customers_and_notes_on_the_shops_posts() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    // The shop's newest post: stored as context, and its notes read.
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP}/posts")))
        .and(query_param("npf", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts(
            SHOP,
            vec![post(SHOP, "500", T0 - 100, "New rings in store")],
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP}/notes")))
        .and(query_param("id", "500"))
        .and(query_param("mode", "conversation"))
        .and(query_param("api_key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(json!({
            "notes": [
                {"type": "reply", "timestamp": T0 - 40, "blog_name": "eve", "blog_uuid": "t:eve",
                 "reply_text": "does this come in silver?"},
                {"type": "reblog", "timestamp": T0 - 45, "blog_name": "fay", "post_id": "9001",
                 "reblog_parent_blog_name": SHOP, "added_text": "my ring from here went green"},
                {"type": "like", "timestamp": T0 - 50, "blog_name": "gus"}
            ],
            "rollup_notes": [], "total_notes": 3,
            "_links": {"next": {"type": "api", "href": "/v2/blog/marlowfinch/notes",
                       "query_params": {"id": "500", "mode": "conversation", "before_timestamp": "1795341855000000"}}}
        }))))
        .mount(&server)
        .await;
    mount_blog(
        &server,
        "alice-knits",
        blog_posts(
            "alice-knits",
            vec![post("alice-knits", "601", T0 - 30, "my ring arrived bent")],
        ),
    )
    .await;
    let mut by_zed = post("zed", "701", T0 - 20, "Loving my Marlow & Finch band");
    by_zed["tags"] = json!(["marlowfinch", "rings"]);
    mount_tagged(
        &server,
        "marlowfinch",
        tagged(vec![by_zed, post(SHOP, "502", T0 - 25, "our own post")]),
    )
    .await;

    let mut run = Run::start(
        source(
            &server,
            watch(&["Alice-Knits.tumblr.com"], &["#marlowfinch"]),
        ),
        HashMap::new(),
    );
    let seen = run
        .until("posts, tags and notes", |s| {
            s.has(&["500", "601", "701", "9001"])
                && s.posts.iter().any(|p| p.native_id.starts_with("reply:"))
        })
        .await;
    run.until("polling", |s| s.healths.contains(&Health::Polling))
        .await;
    let Seen {
        posts,
        cursors,
        healths,
        ..
    } = run.stop().await;
    assert!(!healths.iter().any(|h| h.is_problem()), "{healths:?}");
    let by_id: HashMap<&str, &IncomingPost> =
        posts.iter().map(|p| (p.native_id.as_str(), p)).collect();
    assert_eq!(
        posts.len(),
        5,
        "the like and the shop's own tagged post left out: {:?}",
        seen.ids()
    );
    assert!(by_id["500"].context, "the shop's post is context");
    let alice = by_id["601"];
    assert_eq!(alice.author.handle, "alice-knits");
    assert_eq!(alice.text, "my ring arrived bent");
    assert_eq!(
        alice.url.as_deref(),
        Some("https://alice-knits.tumblr.com/post/601")
    );
    assert_eq!(
        by_id["701"].text,
        "Loving my Marlow & Finch band\n#marlowfinch #rings"
    );
    let reply = posts
        .iter()
        .find(|p| p.native_id.starts_with("reply:"))
        .unwrap();
    assert_eq!(reply.native_id, format!("reply:500:eve:{}", T0 - 40));
    assert_eq!(reply.in_reply_to.as_deref(), Some("500"));
    assert!(reply.addressed_to_shop);
    assert_eq!(
        reply.url.as_deref(),
        Some("https://marlowfinch.tumblr.com/post/500")
    );
    let reblog = by_id["9001"];
    assert_eq!(reblog.text, "my ring from here went green");
    assert_eq!(reblog.quotes.as_ref().unwrap().native_id, "500");
    assert_eq!(
        reblog.url.as_deref(),
        Some("https://www.tumblr.com/fay/9001")
    );
    assert_eq!(cursors["tag:marlowfinch"], (T0 - 20).to_string());
    assert_eq!(cursors["blog:alice-knits"], (T0 - 30).to_string());
    assert_eq!(cursors["notes:500"], (T0 - 40).to_string());
    assert!(cursors["watching"].contains("\"500\""));
}

/// The newest page of `#shop`: two posts above the cursor.
async fn newest_page(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .and(query_param_is_missing("before"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tagged(vec![
            post("t", "104", T0 + 400, "four"),
            post("t", "103", T0 + 300, "three"),
        ])))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_walk_stopped_mid_way_resumes_after_restart_without_gap_or_duplicate() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    newest_page(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .and(query_param("before", (T0 + 301).to_string()))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let start = HashMap::from([
        ("tag:shop".to_string(), T0.to_string()),
        ("seen:tag:shop".to_string(), "[\"100\"]".to_string()),
    ]);
    let mut run = Run::start(source(&server, watch(&[], &["shop"])), start);
    run.until("the newest page", |s| s.has(&["103", "104"]))
        .await;
    run.until("page two failing", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("503")))
    })
    .await;
    let first = run.stop().await;
    assert_eq!(
        first.cursors["tag:shop"],
        T0.to_string(),
        "not moved mid-walk"
    );
    assert_eq!(
        first.cursors["walk:tag:shop"],
        format!("{} {}", T0 + 400, T0 + 301)
    );

    // Restarted with what the store kept; page two answers now.
    server.reset().await;
    mount_quiet_shop(&server).await;
    newest_page(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .and(query_param("before", (T0 + 301).to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(tagged(vec![
            post("t", "102", T0 + 200, "two"),
            post("t", "101", T0 + 100, "one"),
            post("t", "100", T0, "zero, delivered long ago"),
            post("t", "99", T0 - 4000, "older than the look-back"),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(
        source(&server, watch(&[], &["shop"])),
        first.cursors.clone(),
    );
    run.until("page two", |s| s.has(&["101", "102"])).await;
    // A few more rounds: nothing delivered twice.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let second = run.stop().await;
    assert_eq!(second.ids(), ["101", "102"], "the rest of the walk, once");
    assert_eq!(second.cursors["tag:shop"], (T0 + 400).to_string());
    assert_eq!(second.cursors["walk:tag:shop"], "");
    let all: Vec<String> = [first.ids(), second.ids()].concat();
    assert_eq!(all.len(), 4, "no duplicate across the restart: {all:?}");
}

#[tokio::test]
async fn a_backdated_post_arrives_once() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/blog/alice/posts"))
        .and(query_param_is_missing("before"))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts(
            "alice",
            vec![post("alice", "200", T0, "read already")],
        )))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/blog/alice/posts"))
        .and(query_param_is_missing("before"))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts(
            "alice",
            vec![
                post("alice", "200", T0, "read already"),
                post("alice", "150", T0 - 600, "backdated ten minutes"),
            ],
        )))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/blog/alice/posts"))
        .and(query_param("before", (T0 + 1).to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts("alice", vec![])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/blog/alice/posts"))
        .and(query_param("before", (T0 - 599).to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts("alice", vec![])))
        .mount(&server)
        .await;
    let start = HashMap::from([
        ("blog:alice".to_string(), T0.to_string()),
        ("seen:blog:alice".to_string(), "[\"200\"]".to_string()),
    ]);
    let mut run = Run::start(source(&server, watch(&["alice"], &[])), start);
    run.until("the backdated post", |s| s.has(&["150"])).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = run.stop().await;
    assert_eq!(seen.ids(), ["150"], "once, and the old one not again");
    assert_eq!(seen.cursors["blog:alice"], T0.to_string());
}

#[tokio::test]
async fn a_spent_hourly_limit_pauses_until_its_reset() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(
                    json!({"meta": {"status": 429, "msg": "Limit Exceeded"}, "response": []}),
                )
                .insert_header("x-ratelimit-perhour-limit", "1000")
                .insert_header("x-ratelimit-perhour-remaining", "0")
                .insert_header("x-ratelimit-perhour-reset", "1"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_tagged(
        &server,
        "shop",
        tagged(vec![post("t", "300", T0, "after the wait")]),
    )
    .await;
    let started = Utc::now();
    let mut run = Run::start(source(&server, watch(&[], &["shop"])), HashMap::new());
    run.until("backing off", |s| {
        s.healths
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
    assert!((500..=2500).contains(&ahead), "until the reset: {ahead} ms");
    run.until("the post after the reset", |s| s.has(&["300"]))
        .await;
    assert!(Utc::now() >= until - chrono::Duration::milliseconds(50));
    run.stop().await;
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_tagged(&server, "shop", tagged(vec![post("t", "301", T0, "back")])).await;
    let mut run = Run::start(source(&server, watch(&[], &["shop"])), HashMap::new());
    run.until("recovered", |s| s.has(&["301"])).await;
    let Seen { healths, .. } = run.stop().await;
    assert!(
        healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("503"))
                || matches!(h, Health::BackingOff { reason, .. } if reason.contains("503"))),
        "{healths:?}"
    );
    assert!(requests_to(&server, "/v2/tagged").await >= 3);
}

#[tokio::test]
async fn malformed_body_degrades_that_query_and_the_rest_goes_on() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    mount_blog(
        &server,
        "alice",
        blog_posts(
            "alice",
            vec![
                json!({"blog_name": "alice", "id": 1}),
                post("alice", "401", T0, "fine"),
            ],
        ),
    )
    .await;
    let mut run = Run::start(
        source(&server, watch(&["alice"], &["shop"])),
        HashMap::new(),
    );
    run.until("the good post", |s| s.has(&["401"])).await;
    run.until("degraded", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("#shop")))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let Seen { posts, healths, .. } = run.stop().await;
    let why: String = healths
        .iter()
        .filter_map(|h| match h {
            Health::Degraded(w) => Some(w.clone()),
            _ => None,
        })
        .collect();
    assert!(why.contains("not JSON"), "{why}");
    assert!(
        why.contains("customer alice") && why.contains("post 1"),
        "{why}"
    );
    assert_eq!(posts.len(), 1);
    assert!(requests_to(&server, "/v2/tagged").await >= 2, "kept trying");
}

#[tokio::test]
async fn refused_key_is_auth_failed_with_the_fix_and_doctor_says_so() {
    let server = MockServer::start().await;
    let refused = ResponseTemplate::new(401).set_body_json(json!({
        "meta": {"status": 401, "msg": "Unauthorized"}, "response": [],
        "errors": [{"title": "Unauthorized", "code": 1016, "detail": "Unable to authorize"}]
    }));
    Mock::given(method("GET"))
        .respond_with(refused)
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, watch(&[], &["shop"])), HashMap::new());
    run.until("auth failed", |s| {
        s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Seen {
        healths, events, ..
    } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("Unable to authorize") && why.contains("oauth/apps") && why.contains(KEY_FILE),
        "{why}"
    );
    assert!(!format!("{events:?}").contains(KEY), "the key never shows");
    assert_eq!(
        requests_to(&server, &format!("/v2/blog/{SHOP}/posts")).await,
        1,
        "no retry until the recheck"
    );

    let checks = source(&server, watch(&[], &["shop"]))
        .doctor(&HashMap::new())
        .await;
    let key = checks.iter().find(|c| c.what.contains("API key")).unwrap();
    assert!(!key.ok);
    assert!(
        key.fix.contains("oauth/apps") && key.fix.contains(KEY_FILE),
        "{key:?}"
    );
    assert!(checks.iter().all(|c| !format!("{c:?}").contains(KEY)));
}

#[tokio::test]
async fn doctor_reports_the_blog_headroom_and_a_pace_too_fast_for_the_daily_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP}/info")))
        .and(query_param("api_key", KEY))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok(
                    json!({"blog": {"name": SHOP, "title": "Marlow & Finch", "posts": 12}}),
                ))
                .insert_header("x-ratelimit-perday-limit", "5000")
                .insert_header("x-ratelimit-perday-remaining", "4106")
                .insert_header("x-ratelimit-perday-reset", "7200")
                .insert_header("x-ratelimit-perhour-limit", "1000")
                .insert_header("x-ratelimit-perhour-remaining", "610")
                .insert_header("x-ratelimit-perhour-reset", "753"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/blog/ghost/info"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({"meta": {"status": 404, "msg": "Not Found"}, "response": []}),
            ),
        )
        .mount(&server)
        .await;
    let cfg = TumblrConfig {
        poll_seconds: 60,
        ..config(&server)
    };
    let source = TumblrSource::new(
        "tumblr".into(),
        &cfg,
        watch(&["ghost"], &["a", "b", "c"]),
        regulars::sources::http::client(),
    )
    .unwrap();
    let cursors = HashMap::from([(
        "tag:a".to_string(),
        (Utc::now().timestamp() - 7200).to_string(),
    )]);
    let checks = source.doctor(&cursors).await;
    let find = |w: &str| checks.iter().find(|c| c.what.contains(w)).unwrap();
    assert!(find("API key").ok && find("API key").detail.contains("Marlow & Finch"));
    let headroom = find("headroom");
    assert!(
        !headroom.ok,
        "10 calls a minute is 14,400 a day: {headroom:?}"
    );
    assert!(headroom.detail.contains("4106 of 5000"), "{headroom:?}");
    assert!(headroom.fix.contains("poll_seconds"), "{headroom:?}");
    let customers = find("customers");
    assert!(
        !customers.ok && customers.detail.contains("ghost"),
        "{customers:?}"
    );
    assert!(
        find("cursors").detail.contains("2 h ago"),
        "{:?}",
        find("cursors")
    );
}

#[tokio::test]
async fn hostile_post_text_arrives_sanitized_after_ingest() {
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2Jstill waiting for my refund \u{202e}gnp.exe\u{2066}";
    let mut p = post("mallory", "666", T0, evil);
    p["blog"]["title"] = json!("\u{202e}yrollam\u{1b}[31m");
    mount_blog(&server, "mallory", blog_posts("mallory", vec![p])).await;
    let mut run = Run::start(source(&server, watch(&["mallory"], &[])), HashMap::new());
    let seen = run.until("the post", |s| s.has(&["666"])).await;
    run.stop().await;
    let ingest = regulars::ingest::Ingest::new(
        Arc::new(regulars::triage::Classifier::english()),
        regulars::ingest::Matcher::default(),
    );
    let stored = ingest.prepare(seen.posts[0].clone(), Utc::now()).incoming;
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}'] {
        assert!(
            !stored.text.contains(c) && !stored.author.display_name.contains(c),
            "{c:?} kept"
        );
    }
    assert!(stored.text.contains("still waiting for my refund"));
}

#[test]
fn config_refuses_unknown_fields_and_names_a_missing_key() {
    let err = toml::from_str::<TumblrConfig>("blog = \"shop\"\napi_key = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
    let cfg: TumblrConfig = toml::from_str("blog = \"shop\"\n").unwrap();
    assert_eq!((cfg.poll_seconds, cfg.notes_posts), (600, 5));
    assert_eq!(cfg.api, "https://api.tumblr.com");
    let err =
        TumblrSource::new("t".into(), &cfg, Watch::default(), reqwest::Client::new()).unwrap_err();
    assert!(
        err.contains("sources.t") && err.contains("api_key_env"),
        "{err}"
    );
    let cfg = TumblrConfig {
        api_key_env: Some("REGULARS_TEST_TUMBLR_UNSET".into()),
        blog: None,
        ..cfg
    };
    let err =
        TumblrSource::new("t".into(), &cfg, Watch::default(), reqwest::Client::new()).unwrap_err();
    assert!(err.contains("REGULARS_TEST_TUMBLR_UNSET"), "{err}");
}
