//! The Facebook Pages source against a fake Graph API (wiremock): what it reads, how it resumes, and how it
//! takes the Graph API's throttling, token and server errors.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::graph::{
    PAGE_ID, PAGE_NAME, TOKEN, TOKEN_FILE, error, fast, fb_comment, fb_config, fb_post, p, page,
};
use common::run::{Run, Seen, requests_to};
use regulars::domain::Network;
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::facebook::FacebookSource;
use regulars::sources::{Health, Source, Watch};
use regulars::triage::{Classifier, ShopContext};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: (&str, &str) = (PAGE_ID, PAGE_NAME);
const ANN: (&str, &str) = ("555", "Ann Lee");
const BO: (&str, &str) = ("556", "Bo Park");

fn source(server: &MockServer) -> FacebookSource {
    FacebookSource::new(
        "fb".into(),
        &fb_config(server),
        Watch::default(),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

async fn basics(server: &MockServer) {
    common::graph::fb_basics(server).await;
}

async fn own_post(server: &MockServer) {
    let mut post = fb_post(
        "100_1",
        PAGE,
        "2026-12-01T09:00:00+0000",
        "New rings in store",
    );
    post["updated_time"] = json!("2026-12-01T10:05:00+0000");
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/posts"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![post])))
        .mount(server)
        .await;
}

#[tokio::test]
async fn happy_path_reads_visitor_posts_comment_threads_tags_and_ratings() {
    let server = MockServer::start().await;
    basics(&server).await;
    own_post(&server).await;
    let auth = header("authorization", format!("Bearer {TOKEN}").as_str());
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .and(auth)
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            fb_post(
                "100_2",
                ANN,
                "2026-12-01T10:00:00+0000",
                "Where is my order?",
            ),
            fb_post(
                "100_1",
                PAGE,
                "2026-12-01T09:00:00+0000",
                "New rings in store",
            ),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("100_1/comments")))
        .and(query_param("filter", "stream"))
        .and(query_param("order", "reverse_chronological"))
        .and(query_param_is_missing("since"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            fb_comment(
                "1_c3",
                PAGE,
                "2026-12-01T10:04:00+0000",
                "Sorry Bo, DM us",
                Some("1_c1"),
            ),
            fb_comment(
                "1_c2",
                BO,
                "2026-12-01T10:03:00+0000",
                "Mine broke too",
                Some("1_c1"),
            ),
            fb_comment(
                "1_c1",
                ANN,
                "2026-12-01T10:01:00+0000",
                "The clasp broke",
                None,
            ),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/tagged"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![fb_post(
            "888_9",
            ("888", "Cy Dee"),
            "2026-12-01T08:00:00+0000",
            "Birthday ring from Marlow & Finch",
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/ratings"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"created_time": "2026-12-01T07:00:00+0000", "recommendation_type": "negative",
             "review_text": "Waited a month for a resize", "reviewer": {"id": "889", "name": "Di Ho"},
             "open_graph_story": {"id": "rs_1"}, "has_review": true}
        ]})))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    let seen = run
        .until("every kind of post", |s| {
            s.has(&["100_2", "1_c1", "1_c2", "1_c3", "100_1", "888_9", "rs_1"])
        })
        .await;
    run.until("polling", |s| s.healths.last() == Some(&Health::Polling))
        .await;
    let get = |id: &str| {
        seen.posts
            .iter()
            .find(|p| p.native_id == id)
            .unwrap()
            .clone()
    };
    let visitor = get("100_2");
    assert_eq!(visitor.network, Network::Facebook);
    assert_eq!(
        (
            visitor.author.handle.as_str(),
            visitor.author.display_name.as_str()
        ),
        ("ann lee", "Ann Lee")
    );
    assert!(visitor.addressed_to_shop && !visitor.context);
    assert_eq!(
        visitor.url.as_deref(),
        Some("https://www.facebook.com/100_2")
    );
    let own = seen
        .posts
        .iter()
        .filter(|p| p.native_id == "100_1")
        .collect::<Vec<_>>();
    assert_eq!(own.len(), 1, "the page's own post only as context");
    assert!(own[0].context);
    assert_eq!(get("1_c1").in_reply_to.as_deref(), Some("100_1"));
    assert_eq!(get("1_c2").in_reply_to.as_deref(), Some("1_c1"));
    assert!(
        get("1_c3").context,
        "the page's own reply is kept for the thread, never triaged"
    );
    assert!(get("888_9").addressed_to_shop);
    let rating = get("rs_1");
    assert_eq!(
        rating.text,
        format!("Does not recommend {PAGE_NAME}, not happy: Waited a month for a resize")
    );
    assert_eq!(rating.author.display_name, "Di Ho");
    // A negative recommendation triages as a complaint through its text.
    let triage = Classifier::english().classify_quoting(
        "facebook",
        &rating.text,
        None,
        ShopContext::Unknown,
    );
    assert!(triage.is_complaint(), "{triage:?}");
    let Seen { cursors, .. } = run.stop().await;
    assert_eq!(cursors["comments:100_1"], "2026-12-01T10:04:00+00:00");
    assert!(cursors.contains_key("seen:feed") && cursors.contains_key("ratings"));
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| !r.url.as_str().contains(TOKEN)),
        "the token never goes in a URL"
    );
    let feed = requests
        .iter()
        .find(|r| r.url.path().ends_with("/feed"))
        .unwrap();
    let fields = feed
        .url
        .query_pairs()
        .find(|(k, _)| k == "fields")
        .unwrap()
        .1
        .to_string();
    assert_eq!(fields, "id,message,created_time,from,permalink_url");
}

#[tokio::test]
async fn comments_resume_after_a_restart_without_gap_or_duplicate_and_late_ones_arrive_once() {
    let server = MockServer::start().await;
    basics(&server).await;
    own_post(&server).await;
    Mock::given(method("GET"))
        .and(path(p("100_1/comments")))
        .and(query_param_is_missing("since"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![fb_comment(
                "1_c1",
                ANN,
                "2026-12-01T10:00:00+0000",
                "First",
                None,
            )])),
        )
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("the first comment", |s| s.has(&["1_c1"])).await;
    let first = run.stop().await;
    assert_eq!(first.cursors["comments:100_1"], "2026-12-01T10:00:00+00:00");

    // After the restart: one newer comment, one dated before the position (held for review, say), and the
    // one already delivered; asked for since six hours before the position.
    let since = (chrono::DateTime::parse_from_rfc3339("2026-12-01T04:00:00Z").unwrap()).timestamp();
    Mock::given(method("GET"))
        .and(path(p("100_1/comments")))
        .and(query_param("since", since.to_string().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            fb_comment("1_c5", BO, "2026-12-01T10:30:00+0000", "Newer", None),
            fb_comment("1_c1", ANN, "2026-12-01T10:00:00+0000", "First", None),
            fb_comment("1_c4", BO, "2026-12-01T09:50:00+0000", "Late", None),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), first.cursors.clone());
    run.until("the new and the late comment", |s| s.has(&["1_c4", "1_c5"]))
        .await;
    // Several more rounds (full ones included) deliver nothing again.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let second = run.stop().await;
    let comments: Vec<String> = second
        .ids()
        .into_iter()
        .filter(|id| id.starts_with("1_c"))
        .collect();
    assert_eq!(
        comments,
        ["1_c4", "1_c5"],
        "oldest first, each once, nothing from the first run"
    );
    assert_eq!(
        second.cursors["comments:100_1"],
        "2026-12-01T10:30:00+00:00"
    );
}

#[tokio::test]
async fn throttling_error_waits_for_the_usage_headers_time_to_regain_access() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(error(32, None, "Page request limit reached"))
                .insert_header(
                    "x-page-usage",
                    r#"{"call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":7}"#,
                ),
        )
        .mount(&server)
        .await;
    let started = Utc::now();
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("backing off", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { .. }))
    })
    .await;
    let before = server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let after = server.received_requests().await.unwrap().len();
    let seen = run.stop().await;
    let until = seen
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
    let ahead = (until - started).num_seconds();
    assert!(
        (415..=425).contains(&ahead),
        "7 minutes from the header: {ahead} s"
    );
    assert_eq!(before, after, "no request while throttled");
}

#[tokio::test]
async fn app_throttling_without_a_time_waits_five_minutes_and_high_usage_slows_down_first() {
    for (status, body, header_name, usage, wait) in [
        (
            400,
            Some(error(4, None, "Application request limit reached")),
            "x-app-usage",
            r#"{"call_count":100,"total_time":10,"total_cputime":10}"#,
            300,
        ),
        (
            400,
            Some(error(
                80001,
                None,
                "There have been too many calls to this Page account",
            )),
            "x-business-use-case-usage",
            r#"{"100":[{"type":"pages","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}]}"#,
            300,
        ),
        // Not refused yet, but at 95%: the source pauses (`slow_pause`, 60 s here) before the API refuses it.
        (
            200,
            None,
            "x-business-use-case-usage",
            r#"{"100":[{"type":"pages","call_count":95,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}]}"#,
            60,
        ),
    ] {
        let server = MockServer::start().await;
        basics(&server).await;
        let answer = match &body {
            Some(b) => ResponseTemplate::new(status).set_body_json(b.clone()),
            None => ResponseTemplate::new(status)
                .set_body_json(json!({"id": PAGE_ID, "name": PAGE_NAME})),
        };
        Mock::given(method("GET"))
            .and(path(p(PAGE_ID)))
            .respond_with(answer.insert_header(header_name, usage))
            .with_priority(1)
            .mount(&server)
            .await;
        let started = Utc::now();
        let mut run = Run::start(source(&server), HashMap::new());
        run.until("backing off", |s| {
            s.healths
                .iter()
                .any(|h| matches!(h, Health::BackingOff { .. }))
        })
        .await;
        let seen = run.stop().await;
        let until = seen
            .healths
            .iter()
            .find_map(|h| match h {
                Health::BackingOff { until, .. } => Some(*until),
                _ => None,
            })
            .unwrap();
        let ahead = (until - started).num_seconds();
        assert!(
            (wait - 5..=wait + 5).contains(&ahead),
            "{header_name} {usage}: {ahead} s"
        );
    }
}

#[tokio::test]
async fn expired_token_fails_auth_once_with_the_fix_and_doctor_names_it() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(PAGE_ID)))
        .respond_with(ResponseTemplate::new(400).set_body_json(error(
            190,
            Some(463),
            "Error validating access token: Session has expired on Tuesday, 01-Dec-26.",
        )))
        .with_priority(1)
        .mount(&server)
        .await;
    let source = source(&server);
    assert!(
        !format!("{source:?}").contains(TOKEN),
        "Debug hides the token"
    );
    let checks = source.doctor(&HashMap::new()).await;
    let token = checks
        .iter()
        .find(|c| c.what.contains("page and token"))
        .unwrap();
    assert!(!token.ok);
    assert!(
        token.detail.contains("190/463") && token.detail.contains("expired"),
        "{}",
        token.detail
    );
    assert!(
        token.fix.contains("pages_read_user_content") && token.fix.contains(TOKEN_FILE),
        "{}",
        token.fix
    );
    let mut run = Run::start(source, HashMap::new());
    run.until("auth failed", |s| {
        s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = run.stop().await;
    let why = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("expired")
            && why.contains("pages_manage_engagement")
            && why.contains(TOKEN_FILE),
        "{why}"
    );
    assert!(!why.contains(TOKEN));
    // The first refusal and one re-check; then nothing until the recheck interval.
    let calls = requests_to(&server, &p(PAGE_ID)).await;
    assert!(calls <= 3, "no hot loop: {calls}");
}

#[tokio::test]
async fn doctor_names_missing_permissions_and_usage_headroom() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(p(PAGE_ID)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PAGE_ID, "name": PAGE_NAME}))
                .insert_header(
                    "x-app-usage",
                    r#"{"call_count":81,"total_time":10,"total_cputime":10}"#,
                ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("debug_token")))
        .and(query_param("input_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "app_id": "1", "type": "PAGE", "is_valid": true, "expires_at": 0,
            "scopes": ["pages_show_list", "pages_read_engagement", "pages_read_user_content"]
        }})))
        .mount(&server)
        .await;
    let checks = source(&server).doctor(&HashMap::new()).await;
    let find = |what: &str| {
        checks
            .iter()
            .find(|c| c.what.contains(what))
            .unwrap()
            .clone()
    };
    let page_check = find("page and token");
    assert!(
        page_check.ok && page_check.detail.contains(PAGE_NAME),
        "{page_check:?}"
    );
    let perms = find("permissions");
    assert!(
        !perms.ok && perms.detail.contains("pages_manage_engagement"),
        "{perms:?}"
    );
    assert!(
        perms.fix.contains("grant pages_manage_engagement"),
        "{}",
        perms.fix
    );
    let usage = find("rate-limit headroom");
    assert!(
        !usage.ok && usage.detail.contains("81%") && usage.detail.contains("X-App-Usage"),
        "{usage:?}"
    );
}

#[tokio::test]
async fn malformed_answers_degrade_the_query_and_the_rest_carries_on() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/tagged"))))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            json!({"id": "100_7", "message": "no time", "from": {"id": "1", "name": "X"}}),
            fb_post("100_8", ANN, "2026-12-01T10:00:00+0000", "fine"),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("the good post", |s| s.has(&["100_8"])).await;
    let seen = run
        .until("degraded", |s| {
            s.healths.iter().any(|h| matches!(h, Health::Degraded(_)))
        })
        .await;
    run.stop().await;
    let why = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::Degraded(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("not the JSON") || why.contains("100_7"),
        "{why}"
    );
    assert!(!seen.has(&["100_7"]));
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![fb_post(
            "100_9",
            ANN,
            "2026-12-01T10:00:00+0000",
            "ok now",
        )])))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("recovered", |s| s.has(&["100_9"])).await;
    let seen = run.stop().await;
    assert!(
        seen.healths.iter().any(|h| h.label().contains("503")),
        "{:?}",
        seen.healths
    );
    assert!(requests_to(&server, &p(&format!("{PAGE_ID}/feed"))).await >= 3);
}

#[tokio::test]
async fn hostile_text_arrives_sanitized() {
    let server = MockServer::start().await;
    basics(&server).await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![fb_post(
            "100_66",
            ("557", "Eve\u{202e}lyn\u{1b}[31m"),
            "2026-12-01T10:00:00+0000",
            "\u{1b}]52;c;ZXZpbA==\u{7}refund \u{1b}[2Jnow\u{2066} \u{9b}31m",
        )])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    let seen = run.until("the hostile post", |s| s.has(&["100_66"])).await;
    run.stop().await;
    let ingest = Ingest::new(Arc::new(Classifier::english()), Matcher::default());
    let raw = seen
        .posts
        .iter()
        .find(|p| p.native_id == "100_66")
        .unwrap()
        .clone();
    let stored = ingest.prepare(raw, Utc::now()).incoming;
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}'] {
        assert!(
            !stored.text.contains(bad) && !stored.author.display_name.contains(bad),
            "{stored:?}"
        );
    }
    assert!(
        stored.text.contains("refund") && stored.text.contains("now"),
        "{}",
        stored.text
    );
}
