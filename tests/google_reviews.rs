//! Google reviews (Business Profile API) against a wiremock fake built from Google's reference: discovery of
//! the shop's location, reviews paged newest change first, the cursor across a restart, edits and late
//! reviews, Google's error bodies, the OAuth refresh, doctor, and the one-reply-per-review PUT.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::files::write_private;
use common::google::{
    ACCOUNT, MAPS, PARENT, ReplyFake, config, error, mount_discovery, mount_reviews, page, review,
};
use common::run::{Run, Seen, requests_to};
use regulars::domain::{Author, Customer, CustomerId, Handle, Network, Post, PostId, Triage};
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::google::{GoogleConfig, GoogleOptions, GoogleReplier, GoogleSource};
use regulars::sources::listening::Listening;
use regulars::sources::{Health, Replier, ReplyRequest, Resolution, SendError, Source, Watch};
use regulars::triage::{Category, Classifier};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ya29.OLD-access";
const FRESH: &str = "ya29.NEW-access";
const REVIEWS: &str = "/v4/accounts/111/locations/222/reviews";
const KEY: &str = "reviews:accounts/111/locations/222";

/// The access token, refresh token and client secret, each in a 0600 file.
fn secrets() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join("access"), TOKEN);
        write_private(&dir.path().join("refresh"), "1//refresh-SECRET");
        write_private(&dir.path().join("client"), "client-SECRET");
        dir
    })
    .path()
}

fn plain(server: &MockServer) -> GoogleConfig {
    config(server, &secrets().join("access"))
}

/// With a refresh token: new access tokens are minted at the fake's `/token`.
fn refreshing(server: &MockServer) -> GoogleConfig {
    GoogleConfig {
        client_id: Some("123.apps.googleusercontent.com".into()),
        client_secret_file: Some(secrets().join("client")),
        refresh_token_file: Some(secrets().join("refresh")),
        ..plain(server)
    }
}

fn fast() -> GoogleOptions {
    GoogleOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
        request_timeout: Duration::from_secs(5),
    }
}

fn source(cfg: &GoogleConfig) -> GoogleSource {
    GoogleSource::new(
        "google".into(),
        cfg,
        Watch::default(),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

fn bearer(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {token}").as_str())
}

fn native(id: &str, seen: &Seen) -> String {
    let name = format!("{PARENT}/reviews/{id}#");
    seen.ids()
        .into_iter()
        .find(|n| n.starts_with(&name))
        .unwrap_or_else(|| panic!("no post of review {id} in {:?}", seen.ids()))
}

fn ids_of(seen: &Seen) -> Vec<String> {
    seen.ids()
        .iter()
        .map(|n| {
            n.trim_start_matches(&format!("{PARENT}/reviews/"))
                .split('#')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn happy_path_discovers_the_location_and_maps_its_reviews() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .and(query_param("pageSize", "50"))
        .and(query_param("orderBy", "updateTime desc"))
        .and(bearer(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[
                review("r3", "Ann Lee", "ONE", "The clasp broke after a week", "2026-11-22T10:03:00Z"),
                review("r2", "Bo", "FIVE", "", "2026-11-22T10:02:00Z"),
                json!({"name": format!("{PARENT}/reviews/r1"), "reviewId": "r1",
                    "reviewer": {"displayName": "A Google User", "isAnonymous": true},
                    "starRating": "FOUR", "comment": "Lovely shop",
                    "createTime": "2026-11-22T10:01:00Z", "updateTime": "2026-11-22T10:01:00.250Z",
                    "reviewReply": {"comment": "Thank you!", "updateTime": "2026-11-22T11:00:00Z"}}),
            ],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("three reviews", |s| s.posts.len() >= 3).await;
    run.until("polling", |s| s.healths.contains(&Health::Polling))
        .await;
    let seen = run.stop().await;
    assert_eq!(ids_of(&seen), ["r1", "r2", "r3"], "oldest first, each once");
    assert!(
        !seen.healths.iter().any(Health::is_problem),
        "{:?}",
        seen.healths
    );
    let by: HashMap<String, _> = seen
        .posts
        .iter()
        .map(|p| {
            (
                ids_of(&Seen {
                    posts: vec![p.clone()],
                    ..Seen::default()
                })[0]
                    .clone(),
                p,
            )
        })
        .collect();
    let one_star = by["r3"];
    assert_eq!(one_star.network, Network::Google);
    assert_eq!(one_star.author.handle, "ann lee");
    assert_eq!(one_star.author.display_name, "Ann Lee");
    assert_eq!(one_star.text, "The clasp broke after a week");
    assert!(one_star.addressed_to_shop);
    assert_eq!(one_star.url.as_deref(), Some(MAPS));
    assert_eq!(one_star.rating, Some(1));
    assert_eq!(
        one_star.reply_ref.as_ref().unwrap()["review"],
        format!("{PARENT}/reviews/r3")
    );
    assert_eq!(by["r2"].text, "(stars only, no comment)");
    assert_eq!(
        by["r1"].author.handle, "",
        "anonymous reviewers never match a customer"
    );
    assert_eq!(by["r1"].reply_ref.as_ref().unwrap()["replied"], true);
    assert_eq!(seen.cursors[KEY], "2026-11-22T10:03:00Z");
}

#[tokio::test]
async fn restart_resumes_pages_down_to_the_cursor_without_gap_or_duplicate() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    mount_reviews(
        &server,
        &[
            review("r2", "B", "FIVE", "good", "2026-11-22T10:02:00Z"),
            review("r1", "A", "FOUR", "fine", "2026-11-22T10:01:00Z"),
        ],
    )
    .await;
    let mut first = Run::start(source(&plain(&server)), HashMap::new());
    first
        .until("the first page", |s| s.cursors.contains_key(KEY))
        .await;
    let first = first.stop().await;
    assert_eq!(ids_of(&first), ["r1", "r2"]);

    // While stopped: three new reviews, two pages of them before the old ones.
    server.reset().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .and(query_param("pageToken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[
                review("r3", "C", "THREE", "ok", "2026-11-22T10:30:00Z"),
                review("r2", "B", "FIVE", "good", "2026-11-22T10:02:00Z"),
            ],
            Some("p3"),
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .and(query_param("pageToken", "p3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[
                review("r1", "A", "FOUR", "fine", "2026-11-22T10:01:00Z"),
                review("r0", "Z", "TWO", "old", "2026-11-01T09:00:00Z"),
            ],
            Some("p4"),
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[
                review("r5", "E", "TWO", "slow service", "2026-11-22T12:00:00Z"),
                review("r4", "D", "FIVE", "great", "2026-11-22T11:00:00Z"),
            ],
            Some("p2"),
        )))
        .with_priority(10)
        .mount(&server)
        .await;
    let mut second = Run::start(source(&plain(&server)), first.cursors.clone());
    second
        .until("the new reviews", |s| s.posts.len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await; // more rounds: nothing new
    let second = second.stop().await;
    assert_eq!(ids_of(&second), ["r3", "r4", "r5"], "no gap, nothing twice");
    assert_eq!(second.cursors[KEY], "2026-11-22T12:00:00Z");
    let deep = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.query().unwrap_or("").contains("pageToken=p4"))
        .count();
    assert_eq!(deep, 0, "paging stops below the cursor's window");
}

#[tokio::test]
async fn an_edited_review_arrives_again_a_reply_alone_does_not() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[
                review("r2", "B", "FIVE", "lovely", "2026-11-22T10:02:00Z"),
                review("r1", "A", "THREE", "ok I guess", "2026-11-22T10:01:00Z"),
            ],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let mut replied = review("r2", "B", "FIVE", "lovely", "2026-11-22T11:30:00Z");
    replied["reviewReply"] = json!({"comment": "Thanks!", "updateTime": "2026-11-22T11:30:00Z"});
    mount_reviews(
        &server,
        &[
            replied,
            review(
                "r1",
                "A",
                "ONE",
                "It broke the next day. Want a refund",
                "2026-11-22T11:00:00Z",
            ),
        ],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("the edit", |s| s.posts.len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = run.stop().await;
    assert_eq!(ids_of(&seen), ["r1", "r2", "r1"], "{:?}", seen.ids());
    let edit = &seen.posts[2];
    assert_eq!(edit.text, "It broke the next day. Want a refund");
    assert_eq!(edit.rating, Some(1));
    assert_ne!(
        edit.native_id, seen.posts[0].native_id,
        "a new version, triaged again"
    );
    assert_eq!(native("r2", &seen), seen.posts[1].native_id);
    assert_eq!(seen.cursors[KEY], "2026-11-22T11:30:00Z");
}

#[tokio::test]
async fn a_late_review_dated_before_the_cursor_arrives_once() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[review("r2", "B", "FIVE", "lovely", "2026-11-22T10:05:00Z")],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_reviews(
        &server,
        &[
            review("r2", "B", "FIVE", "lovely", "2026-11-22T10:05:00Z"),
            review("late", "L", "TWO", "published late", "2026-11-22T10:01:00Z"),
        ],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("the late review", |s| s.posts.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = run.stop().await;
    assert_eq!(ids_of(&seen), ["r2", "late"]);
    assert_eq!(
        seen.cursors[KEY], "2026-11-22T10:05:00Z",
        "the cursor never goes back"
    );
    assert!(
        requests_to(&server, REVIEWS).await >= 4,
        "several rounds read it again"
    );
}

#[tokio::test]
async fn resource_exhausted_429_pauses_until_google_says_then_recovers() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(429).set_body_json(error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Requests' of service 'mybusiness.googleapis.com'",
            json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]),
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_reviews(
        &server,
        &[review("r1", "A", "FIVE", "hi", "2026-11-22T10:01:00Z")],
    )
    .await;
    let started = Utc::now();
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
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
    assert!((500..=2500).contains(&ahead), "RetryInfo's 1s: {ahead} ms");
    run.until("the review after the pause", |s| !s.posts.is_empty())
        .await;
    assert!(Utc::now() >= until - chrono::Duration::milliseconds(50));
    run.until("polling", |s| s.healths.last() == Some(&Health::Polling))
        .await;
    run.stop().await;
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(503).set_body_json(error(
            503,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            json!([]),
        )))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_reviews(
        &server,
        &[review("r1", "A", "FIVE", "hi", "2026-11-22T10:01:00Z")],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("the review", |s| !s.posts.is_empty()).await;
    let troubled = run.seen.healths.iter().any(|h| match h {
        Health::BackingOff { reason, .. } | Health::Degraded(reason) => reason.contains("503"),
        _ => false,
    });
    assert!(troubled, "{:?}", run.seen.healths);
    assert_eq!(
        requests_to(&server, REVIEWS).await,
        4,
        "three failures, then the page"
    );
    run.until("polling", |s| s.healths.last() == Some(&Health::Polling))
        .await;
    run.stop().await;
}

#[tokio::test]
async fn malformed_answers_are_reported_and_good_reviews_still_arrive() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("{\"reviews\": {\"not\": \"a list\"}}"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_reviews(
        &server,
        &[
            review("good", "A", "FIVE", "hi", "2026-11-22T10:01:00Z"),
            json!({"name": format!("{PARENT}/reviews/bad"), "comment": "no updateTime"}),
        ],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("the good review", |s| !s.posts.is_empty()).await;
    run.until("the skip reported", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("skipped")))
    })
    .await;
    let seen = run.stop().await;
    assert!(
        seen.healths.iter().any(|h| match h {
            Health::BackingOff { reason, .. } | Health::Degraded(reason) =>
                reason.contains("unexpected answer"),
            _ => false,
        }),
        "{:?}",
        seen.healths
    );
    assert_eq!(ids_of(&seen), ["good"]);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_reading_goes_on() {
    let server = MockServer::start().await;
    Mock::given(bearer(TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_json(error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
            json!([]),
        )))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=1%2F%2Frefresh-SECRET"))
        .and(body_string_contains(
            "client_id=123.apps.googleusercontent.com",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": FRESH, "expires_in": 3599, "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/business.manage"
        })))
        .mount(&server)
        .await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .and(bearer(FRESH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            &[review("r1", "A", "FIVE", "hi", "2026-11-22T10:01:00Z")],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&refreshing(&server)), HashMap::new());
    run.until("the review", |s| !s.posts.is_empty()).await;
    let seen = run.stop().await;
    assert!(
        !seen.healths.iter().any(Health::is_problem),
        "{:?}",
        seen.healths
    );
    assert_eq!(
        requests_to(&server, "/token").await,
        1,
        "minted once, then reused"
    );
    let leaked = format!("{:?}", seen.events);
    assert!(
        !leaked.contains("SECRET") && !leaked.contains(FRESH),
        "no secret in events"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_auth_failed_with_the_fix_and_doctor_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
            json!([]),
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Token has been expired or revoked."
        })))
        .mount(&server)
        .await;
    let cfg = refreshing(&server);
    let mut run = Run::start(source(&cfg), HashMap::new());
    let seen = run
        .until("auth failed", |s| {
            s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
        })
        .await;
    run.stop().await;
    let why = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(why.contains("invalid_grant"), "{why}");
    assert!(
        why.contains("business.manage") && why.contains("refresh token"),
        "{why}"
    );

    let checks = source(&cfg).doctor(&HashMap::new()).await;
    let refresh = checks
        .iter()
        .find(|c| c.what.contains("refresh token"))
        .unwrap();
    assert!(!refresh.ok);
    assert!(
        refresh.detail.contains("expired or revoked"),
        "{}",
        refresh.detail
    );
    assert!(refresh.fix.contains("business.manage"), "{}", refresh.fix);
}

#[tokio::test]
async fn a_disabled_api_is_named_with_its_fix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/accounts"))
        .respond_with(ResponseTemplate::new(403).set_body_json(error(
            403,
            "PERMISSION_DENIED",
            "My Business Account Management API has not been used in project 42 before or it is disabled.",
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"service": "mybusinessaccountmanagement.googleapis.com", "consumer": "projects/42"}}]),
        )))
        .mount(&server)
        .await;
    let cfg = plain(&server);
    let checks = source(&cfg).doctor(&HashMap::new()).await;
    let token = checks.iter().find(|c| !c.ok).expect("a failing check");
    assert!(
        token.detail.contains("SERVICE_DISABLED"),
        "{}",
        token.detail
    );
    assert!(
        token.fix.contains("enable") && token.fix.contains("Business Profile API access"),
        "{}",
        token.fix
    );

    let mut run = Run::start(source(&cfg), HashMap::new());
    let seen = run
        .until("auth failed", |s| {
            s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
        })
        .await;
    run.stop().await;
    assert!(
        seen.healths
            .iter()
            .any(|h| matches!(h, Health::AuthFailed(w) if w.contains("enable that API"))),
        "{:?}",
        seen.healths
    );
}

#[tokio::test]
async fn doctor_counts_each_locations_reviews() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    mount_reviews(
        &server,
        &[
            review("r2", "B", "FIVE", "x", "2026-11-22T10:02:00Z"),
            review("r1", "A", "ONE", "y", "2026-11-22T10:01:00Z"),
        ],
    )
    .await;
    let checks = source(&plain(&server)).doctor(&HashMap::new()).await;
    assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
    let reviews = checks
        .iter()
        .find(|c| c.what.contains("reviews of Marlow & Finch"))
        .unwrap();
    assert!(
        reviews
            .detail
            .contains("2 reviews, average 4.2 stars; 2 of the newest 2 without a reply"),
        "{}",
        reviews.detail
    );
    assert!(checks.iter().any(|c| c.detail.contains(ACCOUNT)));
}

fn replier(cfg: &GoogleConfig) -> GoogleReplier {
    GoogleReplier::new("google", cfg, regulars::sources::http::client())
        .unwrap()
        .with_timing(Duration::from_secs(2), Duration::from_millis(20))
}

fn reviewed(id: &str, replied: bool) -> Post {
    Post {
        id: PostId(1),
        network: Network::Google,
        native_id: format!("{PARENT}/reviews/{id}#00ff"),
        url: Some(MAPS.into()),
        author: Author {
            handle: "ann lee".into(),
            display_name: "Ann Lee".into(),
        },
        text: "The clasp broke".into(),
        created_at: Utc::now(),
        ingested_at: Utc::now(),
        in_reply_to: None,
        reply_ref: Some(json!({"review": format!("{PARENT}/reviews/{id}"), "replied": replied})),
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage::neutral(),
        handled_at: None,
        dismissed_at: None,
        first_response_at: None,
        read_at: None,
        context: false,
        quotes: None,
        rating: Some(1),
    }
}

fn request(post: &Post, text: &str) -> ReplyRequest {
    ReplyRequest {
        post: post.clone(),
        text: text.into(),
        idempotency_key: "k1".into(),
    }
}

#[tokio::test]
async fn a_second_reply_edits_the_first() {
    let server = MockServer::start().await;
    let fake = ReplyFake::default();
    fake.mount(
        &server,
        "r3",
        review(
            "r3",
            "Ann Lee",
            "ONE",
            "The clasp broke",
            "2026-11-22T10:03:00Z",
        ),
    )
    .await;
    let r = replier(&plain(&server));
    let post = reviewed("r3", false);
    let first = r
        .send(request(
            &post,
            "So sorry, Ann: bring it in and we will fix it.",
        ))
        .await
        .unwrap();
    assert_eq!(first.text, "So sorry, Ann: bring it in and we will fix it.");
    assert_eq!(first.url.as_deref(), Some(MAPS));
    assert!(
        first
            .remote_id
            .as_deref()
            .unwrap()
            .starts_with(&format!("{PARENT}/reviews/r3/reply"))
    );
    let second = r
        .send(request(&post, "Fixed for free: see you Saturday.  "))
        .await
        .unwrap();
    assert_eq!(second.text, "Fixed for free: see you Saturday.");
    assert_eq!(*fake.puts.lock().unwrap(), 2);
    assert_eq!(
        fake.reply.lock().unwrap().as_deref(),
        Some("Fixed for free: see you Saturday."),
        "one reply, the second replacing the first"
    );
    let prepared = r.prepare(&post, "Hi");
    assert_eq!(
        (prepared.text.as_str(), prepared.visibility),
        ("Hi", "public")
    );
    let sent = server.received_requests().await.unwrap();
    let put = sent.iter().find(|q| q.method.as_str() == "PUT").unwrap();
    let body: Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(
        body,
        json!({"comment": "So sorry, Ann: bring it in and we will fix it."})
    );
    assert_eq!(
        put.headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );

    let long = "é".repeat(2049);
    match r.send(request(&post, &long)).await {
        Err(SendError::NotPosted(why)) => assert!(why.contains("4096 bytes"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unconfirmed_reply_is_resolved_by_reading_the_review() {
    let server = MockServer::start().await;
    let fake = ReplyFake::default();
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .mount(&server)
        .await;
    fake.mount(
        &server,
        "r3",
        review(
            "r3",
            "Ann Lee",
            "ONE",
            "The clasp broke",
            "2026-11-22T10:03:00Z",
        ),
    )
    .await;
    let r = replier(&plain(&server));
    let post = reviewed("r3", false);
    let text = "So sorry: we will repair it.";
    match r.send(request(&post, text)).await {
        Err(SendError::Unconfirmed(why)) => assert!(why.contains("not confirmed"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        r.resolve(request(&post, text), vec![]).await,
        Resolution::NotPosted
    );
    *fake.reply.lock().unwrap() = Some(text.into());
    match r.resolve(request(&post, text), vec![]).await {
        Resolution::Posted(sent) => assert_eq!(sent.text, text),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_reply_with_an_expired_token_is_sent_with_a_fresh_one() {
    let server = MockServer::start().await;
    let fake = ReplyFake::default();
    Mock::given(bearer(TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_json(error(
            401,
            "UNAUTHENTICATED",
            "expired",
            json!([]),
        )))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": FRESH, "expires_in": 3599})),
        )
        .mount(&server)
        .await;
    fake.mount(
        &server,
        "r3",
        review("r3", "Ann Lee", "ONE", "x", "2026-11-22T10:03:00Z"),
    )
    .await;
    let r = replier(&refreshing(&server));
    r.send(request(&reviewed("r3", false), "Sorry!"))
        .await
        .unwrap();
    assert_eq!(fake.reply.lock().unwrap().as_deref(), Some("Sorry!"));
    assert_eq!(
        *fake.puts.lock().unwrap(),
        1,
        "the refused PUT changed nothing"
    );
}

#[tokio::test]
async fn hostile_review_text_arrives_sanitized() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    mount_reviews(
        &server,
        &[review(
            "evil",
            "\u{202e}yrollam \u{1b}[31m",
            "ONE",
            "\u{1b}]0;pwned\u{7}\u{1b}[2Jstill waiting for my refund \u{202e}gnp.exe\u{2066} \u{200b}",
            "2026-11-22T10:01:00Z",
        )],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("the review", |s| !s.posts.is_empty()).await;
    let seen = run.stop().await;
    let ingest = Ingest::new(Arc::new(Classifier::english()), Matcher::default());
    let stored = ingest.prepare(seen.posts[0].clone(), Utc::now()).incoming;
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{200b}'] {
        assert!(
            !stored.text.contains(c)
                && !stored.author.display_name.contains(c)
                && !stored.author.handle.contains(c),
            "{c:?} kept: {stored:?}"
        );
    }
    assert!(
        stored.text.contains("still waiting for my refund"),
        "{}",
        stored.text
    );
}

#[tokio::test]
async fn stars_drive_triage_and_reviewers_match_customers_by_name() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    let mut anonymous = review("r3", "Ann Lee", "FIVE", "", "2026-11-22T10:03:00Z");
    anonymous["reviewer"] = json!({"displayName": "Ann Lee", "isAnonymous": true});
    mount_reviews(
        &server,
        &[
            anonymous,
            review("r2", "Bo", "TWO", "", "2026-11-22T10:02:00Z"),
            review(
                "r1",
                "ann  LEE",
                "TWO",
                "Lovely staff, not for me.",
                "2026-11-22T10:01:00Z",
            ),
        ],
    )
    .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    run.until("three reviews", |s| s.posts.len() >= 3).await;
    let seen = run.stop().await;
    let config = regulars::config::parse("[shop]\nname = \"M&F\"\n").unwrap();
    let ann = Customer {
        id: CustomerId(7),
        external_id: "C7".into(),
        name: "Ann Lee".into(),
        rank: 1,
        lifetime_spend_cents: 0,
        handles: vec![Handle {
            network: Network::Google,
            handle: "Ann Lee".into(),
            linked: false,
        }],
        note: String::new(),
        ..Default::default()
    };
    let ingest = Ingest::new(
        Arc::new(Classifier::english()),
        Matcher::new(&Listening::new(&config, &[ann])),
    );
    let stored: Vec<_> = seen
        .posts
        .iter()
        .map(|p| ingest.prepare(p.clone(), Utc::now()))
        .collect();
    let polite = &stored[0];
    assert_eq!(
        polite.customer,
        Some(CustomerId(7)),
        "the name, case and spacing aside"
    );
    assert_eq!(
        polite.triage.category,
        Category::Complaint,
        "two stars, however polite"
    );
    assert_eq!(stored[1].incoming.text, "(stars only, no comment)");
    assert_eq!(stored[1].triage.category, Category::Complaint);
    assert!(stored[1].is_mention, "every review is about the shop");
    assert_eq!(
        stored[2].customer, None,
        "an anonymous reviewer never matches"
    );
    assert_eq!(stored[2].triage.category, Category::Praise);
}

#[tokio::test]
async fn a_review_the_shop_already_answered_on_google_is_stored_answered() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    let mut answered = review(
        "r1",
        "Ann Lee",
        "TWO",
        "Clasp broke",
        "2026-11-22T10:01:00Z",
    );
    answered["reviewReply"] =
        json!({"comment": "So sorry, Ann: we fixed it.", "updateTime": "2026-11-22T15:00:00Z"});
    mount_reviews(
        &server,
        &[
            review("r2", "Bo", "ONE", "Rude staff", "2026-11-22T10:02:00Z"),
            answered,
        ],
    )
    .await;
    let watch = Watch {
        shop_handle: Some("marlow & finch".into()),
        ..Watch::default()
    };
    let google = GoogleSource::new(
        "google".into(),
        &plain(&server),
        watch,
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast());
    let mut run = Run::start(google, HashMap::new());
    run.until("two reviews and a reply", |s| s.posts.len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = run.stop().await;
    assert_eq!(seen.posts.len(), 3, "the reply once: {:?}", seen.ids());
    let reply = &seen.posts[2];
    assert_eq!(reply.text, "So sorry, Ann: we fixed it.");
    assert_eq!(
        reply.in_reply_to.as_deref(),
        Some(native("r1", &seen).as_str())
    );

    let config = regulars::config::parse(
        "[shop]\nname = \"M&F\"\n[shop.handles]\ngoogle = \"Marlow & Finch\"\n",
    )
    .unwrap();
    let ingest = Ingest::new(
        Arc::new(Classifier::english()),
        Matcher::new(&Listening::new(&config, &[])),
    );
    let prepared: Vec<_> = seen
        .posts
        .iter()
        .map(|p| ingest.prepare(p.clone(), Utc::now()))
        .collect();
    assert!(prepared[2].by_shop, "written as the shop");
    let mut db = regulars::store::Db::open_in_memory().unwrap();
    use regulars::store::PostRepo;
    let stored = db.insert_batch("google", &prepared, &[]).unwrap();
    let r1 = stored
        .iter()
        .find(|p| p.native_id == native("r1", &seen))
        .unwrap();
    let r2 = stored
        .iter()
        .find(|p| p.native_id == native("r2", &seen))
        .unwrap();
    assert!(r1.first_response_at.is_some(), "answered on Google");
    assert!(r2.first_response_at.is_none(), "still waiting");
}

#[tokio::test]
async fn configured_locations_are_read_even_when_the_listing_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/{ACCOUNT}/locations")))
        .respond_with(ResponseTemplate::new(403).set_body_json(error(
            403,
            "PERMISSION_DENIED",
            "My Business Business Information API has not been used in project 42 before or it is disabled.",
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}]),
        )))
        .mount(&server)
        .await;
    mount_reviews(
        &server,
        &[review("r1", "A", "FIVE", "hi", "2026-11-22T10:01:00Z")],
    )
    .await;
    let cfg = GoogleConfig {
        account: Some("111".into()),
        locations: vec!["222".into()],
        ..plain(&server)
    };
    let mut run = Run::start(source(&cfg), HashMap::new());
    run.until("the review", |s| !s.posts.is_empty()).await;
    let seen = run
        .until("the listing's refusal", |s| {
            s.healths
                .iter()
                .any(|h| matches!(h, Health::Degraded(w) if w.contains("locations")))
        })
        .await;
    run.stop().await;
    assert_eq!(ids_of(&seen), ["r1"]);
    assert_eq!(
        requests_to(&server, "/v1/accounts").await,
        0,
        "no discovery"
    );
    assert!(
        !seen
            .healths
            .iter()
            .any(|h| matches!(h, Health::AuthFailed(_)))
    );
}

#[tokio::test]
async fn a_project_without_approved_access_is_told_to_request_it() {
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    Mock::given(method("GET"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(429).set_body_json(error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'mybusiness.googleapis.com'",
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                "metadata": {"quota_limit_value": "0", "service": "mybusiness.googleapis.com"}}]),
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&plain(&server)), HashMap::new());
    let seen = run
        .until("auth failed", |s| {
            s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
        })
        .await;
    run.stop().await;
    assert!(
        seen.healths.iter().any(
            |h| matches!(h, Health::AuthFailed(w) if w.contains("request Business Profile API access"))
        ),
        "{:?}",
        seen.healths
    );
    let checks = source(&plain(&server)).doctor(&HashMap::new()).await;
    let reviews = checks
        .iter()
        .find(|c| c.what.contains("reviews of"))
        .unwrap();
    assert!(
        !reviews.ok && reviews.fix.contains("not approved"),
        "{reviews:?}"
    );
}
