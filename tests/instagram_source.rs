//! The Instagram source and replier against a fake Graph API (wiremock): comments and replies on the shop's
//! media, media tagging it, hashtag search within the weekly budget, throttling, tokens, restarts and replies.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use common::graph::{
    IG_ID, TOKEN, TOKEN_FILE, error, fast, ig_comment, ig_config, ig_media, p, page,
};
use common::run::{Run, requests_to};
use regulars::domain::Network;
use regulars::sources::instagram::map::{self, Found};
use regulars::sources::instagram::{InstagramReplier, InstagramSource};
use regulars::sources::{Health, Replier, ReplyRequest, Resolution, SendError, Watch};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SHOP: &str = "marlowfinch";

fn watch(tags: &[&str]) -> Watch {
    Watch {
        shop_handle: Some(SHOP.into()),
        hashtags: tags.iter().map(|t| t.to_string()).collect(),
        ..Watch::default()
    }
}

fn source(server: &MockServer, tags: &[&str]) -> InstagramSource {
    InstagramSource::new(
        "ig".into(),
        &ig_config(server),
        watch(tags),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

async fn basics(server: &MockServer) {
    common::graph::ig_basics(server, SHOP).await;
}

async fn own_media(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/media"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![ig_media(
            "m1",
            SHOP,
            "2026-12-01T09:00:00+0000",
            "Winter rings",
            3,
        )])))
        .mount(server)
        .await;
}

#[tokio::test]
async fn happy_path_reads_comments_with_replies_tags_and_hashtags() {
    let server = MockServer::start().await;
    basics(&server).await;
    own_media(&server).await;
    Mock::given(method("GET"))
        .and(path(p("m1/comments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            ig_comment(
                "c1",
                "Ann.Lee",
                "2026-12-01T10:00:00+0000",
                "My ring turned green",
                vec![ig_comment(
                    "r1",
                    SHOP,
                    "2026-12-01T10:05:00+0000",
                    "So sorry, DM us",
                    vec![],
                )],
            ),
            ig_comment("c2", "bo", "2026-12-01T10:01:00+0000", "Gorgeous", vec![]),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/tags"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![ig_media(
            "t1",
            "cy",
            "2026-12-01T08:00:00+0000",
            "New ring from @marlowfinch",
            0,
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("ig_hashtag_search")))
        .and(query_param("user_id", IG_ID))
        .and(query_param("q", "marlowfinch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "h1"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("h1/recent_media")))
        .and(query_param("user_id", IG_ID))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![json!({
            "id": "hm1", "caption": "#marlowfinch broke on day two", "media_type": "IMAGE",
            "timestamp": "2026-12-01T07:00:00+0000", "permalink": "https://www.instagram.com/p/hm1/"
        })])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, &["#MarlowFinch"]), HashMap::new());
    let seen = run
        .until("every kind of post", |s| {
            s.has(&["c1", "c2", "r1", "m1", "t1", "hm1"])
        })
        .await;
    run.until("polling", |s| s.healths.last() == Some(&Health::Polling))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let end = run.stop().await;
    let get = |id: &str| {
        seen.posts
            .iter()
            .find(|p| p.native_id == id)
            .unwrap()
            .clone()
    };
    let c1 = get("c1");
    assert_eq!(c1.network, Network::Instagram);
    assert_eq!(
        (c1.author.handle.as_str(), c1.in_reply_to.as_deref()),
        ("ann.lee", Some("m1"))
    );
    assert_eq!(c1.url.as_deref(), Some("https://www.instagram.com/p/m1/"));
    let r1 = get("r1");
    assert_eq!(r1.in_reply_to.as_deref(), Some("c1"));
    assert!(r1.context, "the shop's own reply is kept for the thread");
    assert!(get("m1").context);
    assert!(get("t1").addressed_to_shop);
    assert_eq!(get("hm1").reply_ref.unwrap()["kind"], "hashtag");
    assert_eq!(end.cursors["hashtag:marlowfinch"], "h1");
    assert!(end.cursors.contains_key("hashtag-searched:marlowfinch"));
    assert_eq!(
        end.ids().iter().filter(|i| *i == "c1").count(),
        1,
        "each once across rounds"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| !r.url.as_str().contains(TOKEN)));
    let comments = requests
        .iter()
        .find(|r| r.url.path().ends_with("m1/comments"))
        .unwrap();
    let fields = comments
        .url
        .query_pairs()
        .find(|(k, _)| k == "fields")
        .unwrap()
        .1
        .to_string();
    assert!(
        fields.contains("replies{id,text,timestamp,username,from,parent_id}"),
        "{fields}"
    );
}

#[tokio::test]
async fn past_thirty_hashtags_a_week_the_tag_is_refused_here_with_the_reason() {
    let server = MockServer::start().await;
    basics(&server).await;
    let mut cursors = HashMap::new();
    let yesterday = (Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    for i in 0..30 {
        cursors.insert(format!("hashtag-searched:old{i}"), yesterday.clone());
    }
    let mut run = Run::start(source(&server, &["newtag"]), cursors);
    let seen = run
        .until("degraded", |s| {
            s.healths.iter().any(|h| matches!(h, Health::Degraded(_)))
        })
        .await;
    run.stop().await;
    let why = seen.healths.iter().find_map(|h| match h {
        Health::Degraded(w) => Some(w.clone()),
        _ => None,
    });
    let why = why.unwrap();
    assert!(
        why.contains("#newtag") && why.contains("30 unique hashtags per 7 days"),
        "{why}"
    );
    assert_eq!(requests_to(&server, &p("ig_hashtag_search")).await, 0);
}

#[tokio::test]
async fn instagram_throttling_waits_for_the_business_use_case_time() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/media"))))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(error(80002, None, "There have been too many calls to this Instagram account"))
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}"#,
                ),
        )
        .mount(&server)
        .await;
    let started = Utc::now();
    let mut run = Run::start(source(&server, &[]), HashMap::new());
    let seen = run
        .until("backing off", |s| {
            s.healths
                .iter()
                .any(|h| matches!(h, Health::BackingOff { .. }))
        })
        .await;
    run.stop().await;
    let until = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::BackingOff { until, .. } => Some(*until),
            _ => None,
        })
        .unwrap();
    let ahead = (until - started).num_seconds();
    assert!((175..=185).contains(&ahead), "{ahead} s");
}

#[tokio::test]
async fn revoked_token_fails_auth_with_the_fix_and_doctor_names_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p(IG_ID)))
        .respond_with(ResponseTemplate::new(400).set_body_json(error(
            190,
            Some(467),
            "Invalid OAuth access token.",
        )))
        .mount(&server)
        .await;
    let source = source(&server, &[]);
    let checks = regulars::sources::Source::doctor(&source, &HashMap::new()).await;
    let account = checks
        .iter()
        .find(|c| c.what.contains("account and token"))
        .unwrap();
    assert!(
        !account.ok && account.fix.contains("instagram_manage_comments"),
        "{account:?}"
    );
    let mut run = Run::start(source, HashMap::new());
    let seen = run
        .until("auth failed", |s| {
            s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
        })
        .await;
    run.stop().await;
    let why = seen.healths.iter().find_map(|h| match h {
        Health::AuthFailed(w) => Some(w.clone()),
        _ => None,
    });
    let why = why.unwrap();
    assert!(
        why.contains("190/467") && why.contains("revoked") && why.contains(TOKEN_FILE),
        "{why}"
    );
}

#[tokio::test]
async fn comments_resume_after_a_restart_and_a_new_reply_under_an_old_comment_arrives_once() {
    let server = MockServer::start().await;
    basics(&server).await;
    own_media(&server).await;
    Mock::given(method("GET"))
        .and(path(p("m1/comments")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![ig_comment(
                "c1",
                "ann",
                "2026-12-01T10:00:00+0000",
                "First",
                vec![],
            )])),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, &[]), HashMap::new());
    run.until("the first comment", |s| s.has(&["c1"])).await;
    let first = run.stop().await;
    Mock::given(method("GET"))
        .and(path(p("m1/comments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            ig_comment(
                "c1",
                "ann",
                "2026-12-01T10:00:00+0000",
                "First",
                vec![ig_comment(
                    "r2",
                    "bo",
                    "2026-12-01T12:00:00+0000",
                    "Same here",
                    vec![],
                )],
            ),
            ig_comment("c0", "cy", "2026-12-01T09:55:00+0000", "Late", vec![]),
            ig_comment(
                "c9",
                "cy",
                "2026-11-20T09:55:00+0000",
                "Long before",
                vec![],
            ),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, &[]), first.cursors.clone());
    run.until("the new reply and the late comment", |s| {
        s.has(&["r2", "c0"])
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let second = run.stop().await;
    let comments: Vec<String> = second.ids().into_iter().filter(|i| i != "m1").collect();
    assert_eq!(
        comments,
        ["c0", "r2"],
        "each once, nothing from before the window"
    );
}

fn request(post: regulars::domain::IncomingPost, text: &str) -> ReplyRequest {
    ReplyRequest {
        post: common::graph::stored(&post),
        text: text.into(),
        idempotency_key: "k".into(),
    }
}

#[tokio::test]
async fn replies_go_under_comments_or_tagged_media_never_hashtag_media_and_are_found_when_unconfirmed()
 {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p("c1/replies")))
        .and(body_string_contains("message=So+sorry"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("c1/replies")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            ig_comment("r5", "bo", "2026-12-01T10:09:00+0000", "me too", vec![]),
            ig_comment("r4", SHOP, "2026-12-01T10:08:00+0000", "So sorry", vec![]),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p("t1/comments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "k7"})))
        .expect(1)
        .mount(&server)
        .await;
    let r = InstagramReplier::new(
        "ig",
        &ig_config(&server),
        Some(SHOP.into()),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(&fast());
    let reply = map::comment(
        &ig_comment("r1", "bo", "2026-12-01T10:05:00+0000", "broke", vec![])
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.insert("parent_id".into(), json!("c1"));
                serde_json::Value::Object(o)
            })
            .unwrap(),
        "m1",
        None,
    )
    .unwrap();
    match r.send(request(reply.clone(), "So sorry")).await {
        Err(SendError::Unconfirmed(_)) => {}
        other => panic!("{other:?}"),
    }
    match r.resolve(request(reply, "So sorry"), vec![]).await {
        Resolution::Posted(sent) => assert_eq!(sent.remote_id.as_deref(), Some("r4")),
        other => panic!("{other:?}"),
    }
    let tagged = map::media(
        &ig_media("t1", "cy", "2026-12-01T08:00:00+0000", "hi", 0),
        Found::Tagged,
    )
    .unwrap();
    let sent = r.send(request(tagged, "Thank you!")).await.unwrap();
    assert_eq!(sent.remote_id.as_deref(), Some("k7"));
    let found = map::media(
        &json!({"id": "hm1", "timestamp": "2026-12-01T07:00:00+0000"}),
        Found::Hashtag,
    )
    .unwrap();
    let caution = r.prepare(&common::graph::stored(&found), "hi").caution;
    assert!(caution.is_some_and(|c| c.contains("hashtag")));
    match r.send(request(found, "hi")).await {
        Err(SendError::NotPosted(why)) => assert!(why.contains("hashtag"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn malformed_answers_and_server_errors_degrade_then_recover_and_hostile_captions_are_sanitized()
 {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/media"))))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/tags"))))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/tags"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![ig_media(
            "t66",
            "eve",
            "2026-12-01T08:00:00+0000",
            "\u{1b}[2Jrefund\u{202e} now\u{7}",
            0,
        )])))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, &[]), HashMap::new());
    run.until("the tagged post after the 502s", |s| s.has(&["t66"]))
        .await;
    let seen = run
        .until("comments degraded", |s| {
            s.healths
                .iter()
                .any(|h| matches!(h, Health::Degraded(w) if w.contains("comments")))
        })
        .await
        .clone();
    run.stop().await;
    assert!(
        seen.healths.iter().any(|h| h.label().contains("502")),
        "{:?}",
        seen.healths
    );
    assert!(requests_to(&server, &p(&format!("{IG_ID}/tags"))).await >= 3);
    let raw = seen
        .posts
        .iter()
        .find(|p| p.native_id == "t66")
        .unwrap()
        .clone();
    let ingest = regulars::ingest::Ingest::new(
        std::sync::Arc::new(regulars::triage::Classifier::english()),
        regulars::ingest::Matcher::default(),
    );
    let text = ingest.prepare(raw, Utc::now()).incoming.text;
    assert!(!text.contains(['\u{1b}', '\u{202e}', '\u{7}']), "{text:?}");
    assert!(text.contains("refund") && text.contains("now"), "{text}");
}
