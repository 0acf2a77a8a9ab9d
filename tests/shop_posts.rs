//! The shop's own posts, through the whole app: a fake Mastodon instance whose hashtag timeline carries the
//! shop's notice and whose keyword search finds the shop's reply to a customer, wired from a config file as the
//! console does. Neither may reach Attention or Mentions; the reply counts as the first response to the
//! complaint it answers, though it arrives in the same round as the complaint.

mod common;

use std::time::Duration;

use common::files::write_private;
use common::mastodon::status;
use regulars::app::Msg;
use regulars::config;
use regulars::domain::{Category, Post};
use regulars::runtime;
use regulars::state::Pane;
use regulars::workspace::Workspace;
use serde_json::json;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn fake_mastodon() -> MockServer {
    let server = MockServer::start().await;
    let ok = |body: serde_json::Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ok(json!({
            "domain": "masto.test",
            "configuration": {"urls": {"streaming": null}, "statuses": {"max_characters": 500}}
        })))
        .mount(&server)
        .await;
    let complaint = status(
        "2001",
        "cu@far.example",
        "2026-11-22T10:00:00.000Z",
        "<p>@shop still waiting for my refund, 3 weeks now and nobody answers</p>",
    );
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param_is_missing("min_id"))
        .respond_with(ok(
            json!([{"id": "9", "type": "mention", "status": complaint}]),
        ))
        .mount(&server)
        .await;
    // The shop's notice under its own hashtag, written from the shop's (local) account.
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/finchco"))
        .and(query_param_is_missing("min_id"))
        .respond_with(ok(json!([status(
            "2002",
            "shop",
            "2026-11-22T09:00:00.000Z",
            "<p>Heads up: some orders are delayed and we are sorry for the wait. #finchco</p>"
        )])))
        .mount(&server)
        .await;
    // The shop's reply to the complaint, sent from the Mastodon app, found by the keyword search.
    let mut reply = status(
        "2003",
        "Shop@masto.test",
        "2026-11-22T10:30:00.000Z",
        "<p>@cu so sorry for the wait at Finch &amp; Co, your refund was issued today</p>",
    );
    reply["in_reply_to_id"] = json!("2001");
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(query_param("q", "Finch & Co"))
        .respond_with(ok(
            json!({"accounts": [], "hashtags": [], "statuses": [reply]}),
        ))
        .mount(&server)
        .await;
    for p in ["/api/v1/notifications", "/api/v1/timelines/tag/finchco"] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ok(json!([])))
            .with_priority(10)
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shops_posts_never_reach_attention_and_its_reply_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = fake_mastodon().await;
    let token = dir.path().join("token");
    write_private(&token, "secret\n");
    let config_path = dir.path().join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "[shop]\nname = \"Finch & Co\"\nkeywords = [\"Finch & Co\"]\nhashtags = [\"finchco\"]\n\
             [shop.handles]\nmastodon = \"@shop@masto.test\"\n[notifications]\nenabled = false\n\
             [sources.m]\nkind = \"mastodon\"\ninstance = \"{}\"\ntoken_file = '{}'\npoll_seconds = 1\n\
             stream = false\n",
            server.uri(),
            token.display()
        ),
    )
    .unwrap();
    let settings = config::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
    let ws = Workspace::open(settings, dir.path().join("regulars.db"), false)
        .await
        .unwrap();
    let client = regulars::sources::http::client();
    let wiring =
        runtime::wire(&ws.settings, &ws.customers, &client).unwrap_or_else(|e| panic!("{e}"));
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel();
    let running = runtime::start(&ws.store, wiring.sources, ws.ingest(), ui_tx).await;
    let mut ingested: Vec<Post> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while ingested.len() < 3 {
        match tokio::time::timeout_at(deadline, ui_rx.recv()).await {
            Ok(Some(Msg::Ingested { posts, .. })) => ingested.extend(posts),
            Ok(Some(Msg::TaskFailed { what, error })) => panic!("{what}: {error}"),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("only {} posts arrived: {ingested:?}", ingested.len()),
        }
    }
    running.stop().await;

    let by_id = |id: &str| {
        ingested
            .iter()
            .find(|p| p.native_id == id)
            .unwrap_or_else(|| panic!("{id} arrived"))
    };
    for id in ["2002", "2003"] {
        let p = by_id(id);
        assert!(p.by_shop, "{id} is the shop's: {p:?}");
        assert!(!p.is_mention && p.customer.is_none(), "{p:?}");
        assert_eq!(p.triage.category, Category::Neutral, "{p:?}");
    }
    assert!(!by_id("2001").by_shop);

    // What the console shows after a restart: the complaint alone in Attention, answered by the shop's reply.
    let state = ws.initial_state(Default::default()).await.unwrap();
    let attention: Vec<&str> = state
        .rows(Pane::Attention)
        .iter()
        .map(|p| p.native_id.as_str())
        .collect();
    assert_eq!(attention, ["2001"]);
    let mentions: Vec<&str> = state
        .rows(Pane::Mentions)
        .iter()
        .map(|p| p.native_id.as_str())
        .collect();
    assert_eq!(mentions, ["2001"]);
    let complaint = state.rows(Pane::Attention)[0];
    assert_eq!(
        complaint.first_response_at.map(|t| t.to_rfc3339()),
        Some("2026-11-22T10:30:00+00:00".to_string())
    );
}
