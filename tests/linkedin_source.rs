//! The LinkedIn source against a fake Community Management API (wiremock) on 127.0.0.1, built to LinkedIn's
//! docs: the Posts API `q=author` finder, `socialActions/{urn}/comments`, `organizationalEntityNotifications`
//! with Rest.li 2.0 syntax, URNs encoded in paths, and `Linkedin-Version` / `X-Restli-Protocol-Version` on
//! every request.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::linkedin::{
    ORG, T0, TOKEN, TOKEN_FILE, VERSION, comment, enc, get, list, mount_quiet, post, source,
};
use common::run::{Run, Seen, requests_to};
use regulars::domain::IncomingPost;
use regulars::sources::linkedin::{LinkedinConfig, LinkedinSource};
use regulars::sources::{Health, Source};
use serde_json::json;
use wiremock::matchers::{query_param, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SHARE: &str = "urn:li:share:1";

fn comments_path(urn: &str) -> String {
    format!("/rest/socialActions/{}/comments", enc(urn))
}

/// The page's newest post is `SHARE`.
async fn mount_org_post(server: &MockServer) {
    get("/rest/posts")
        .and(query_param("author", ORG))
        .and(query_param("q", "author"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![post(
            SHARE,
            ORG,
            T0 - 60_000,
            "New rings in",
        )])))
        .mount(server)
        .await;
}

#[tokio::test]
async fn happy_path_reads_comments_replies_and_mentions_with_versioned_headers() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    mount_org_post(&server).await;
    let mut with_reply = comment(
        SHARE,
        "11",
        "urn:li:person:Alice1",
        T0 - 30_000,
        "Mine arrived bent",
    );
    with_reply["commentsSummary"]["totalFirstLevelComments"] = json!(1);
    get(comments_path(SHARE))
        .and(query_param("start", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            with_reply,
            comment(
                SHARE,
                "12",
                ORG,
                T0 - 20_000,
                "Sorry to hear that, we'll DM you",
            ),
        ])))
        .mount(&server)
        .await;
    let top = format!("urn:li:comment:({SHARE},11)");
    let mut nested = comment(SHARE, "13", "urn:li:person:Bob2", T0 - 10_000, "same here");
    nested["parentComment"] = json!(top);
    get(comments_path(&top))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![nested])))
        .mount(&server)
        .await;
    get("/rest/organizationalEntityNotifications")
        .and(query_param("q", "criteria"))
        .and(query_param("organizationalEntity", ORG))
        .and(query_param("actions", "List(SHARE_MENTION,COMMENT_MENTION)"))
        .and(query_param_contains("timeRange", "(start:"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            json!({"action": "SHARE_MENTION", "generatedActivity": "urn:li:share:99",
                   "organizationalEntity": ORG, "lastModifiedAt": T0 - 5_000, "sourcePost": "urn:li:share:99"}),
            json!({"action": "COMMENT_MENTION", "generatedActivity": "urn:li:comment:(urn:li:activity:55,66)",
                   "organizationalEntity": ORG, "lastModifiedAt": T0 - 4_000, "sourcePost": "urn:li:activity:55"}),
        ])))
        .mount(&server)
        .await;
    get(format!("/rest/posts/{}", enc("urn:li:share:99")))
        .respond_with(ResponseTemplate::new(200).set_body_json(post(
            "urn:li:share:99",
            "urn:li:person:Zed3",
            T0 - 5_000,
            "Great service from @[Marlow & Finch](urn:li:organization:42) {hashtag|\\#|rings}",
        )))
        .mount(&server)
        .await;
    get(format!(
        "/rest/socialActions/{}/comments/66",
        enc("urn:li:activity:55")
    ))
    .respond_with(ResponseTemplate::new(200).set_body_json(comment(
        "urn:li:activity:55",
        "66",
        "urn:li:person:Yan4",
        T0 - 4_000,
        "Marlow & Finch never answered my email",
    )))
    .mount(&server)
    .await;

    let mut run = Run::start(source(&server), HashMap::new());
    run.until("comments, the reply and both mentions", |s| {
        s.has(&[
            format!("urn:li:comment:({SHARE},11)"),
            format!("urn:li:comment:({SHARE},13)"),
            "urn:li:share:99".into(),
            "urn:li:comment:(urn:li:activity:55,66)".into(),
        ])
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
    assert_eq!(posts.len(), 6, "no duplicates: {:?}", by_id.keys());
    assert!(by_id[SHARE].context, "the page's own post is context");
    let alice = by_id[format!("urn:li:comment:({SHARE},11)").as_str()];
    assert_eq!(alice.author.handle, "urn:li:person:alice1");
    assert_eq!(alice.in_reply_to.as_deref(), Some(SHARE));
    assert!(alice.addressed_to_shop);
    assert!(
        alice
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://www.linkedin.com/feed/update/urn:li:share:1?commentUrn=")
    );
    let ours = by_id[format!("urn:li:comment:({SHARE},12)").as_str()];
    assert_eq!(
        ours.author.handle, ORG,
        "the page's own comment, by its URN"
    );
    assert!(!ours.addressed_to_shop);
    let bob = by_id[format!("urn:li:comment:({SHARE},13)").as_str()];
    assert_eq!(bob.in_reply_to.as_deref(), Some(top.as_str()));
    let zed = by_id["urn:li:share:99"];
    assert_eq!(zed.text, "Great service from @Marlow & Finch #rings");
    assert!(zed.addressed_to_shop);
    assert_eq!(
        zed.url.as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:share:99")
    );
    assert_eq!(
        by_id["urn:li:comment:(urn:li:activity:55,66)"]
            .author
            .handle,
        "urn:li:person:yan4"
    );
    assert_eq!(
        cursors[&format!("comments:{SHARE}")],
        (T0 - 10_000).to_string()
    );
    assert!(cursors["watching"].contains(SHARE));
    assert!(cursors.contains_key("mentions"));

    for r in server.received_requests().await.unwrap() {
        let h = |k: &str| {
            r.headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(h("linkedin-version").as_deref(), Some(VERSION), "{}", r.url);
        assert_eq!(
            h("x-restli-protocol-version").as_deref(),
            Some("2.0.0"),
            "{}",
            r.url
        );
        assert!(
            !r.url.as_str().contains(TOKEN),
            "the token stays in its header"
        );
    }
}

#[tokio::test]
async fn comments_resume_across_a_restart_and_a_late_comment_arrives_once() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    mount_org_post(&server).await;
    let start = HashMap::from([
        ("watching".to_string(), json!([SHARE]).to_string()),
        (format!("comments:{SHARE}"), T0.to_string()),
        (
            format!("seen:comments:{SHARE}"),
            json!([format!("urn:li:comment:({SHARE},1)")]).to_string(),
        ),
    ]);
    get(comments_path(SHARE))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            comment(SHARE, "1", "urn:li:person:a", T0, "read before the restart"),
            comment(SHARE, "2", "urn:li:person:b", T0 + 1_000, "new since"),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), start);
    run.until("the new comment", |s| {
        s.has(&[format!("urn:li:comment:({SHARE},2)")])
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = run.stop().await;
    assert_eq!(
        first.ids(),
        [SHARE.to_string(), format!("urn:li:comment:({SHARE},2)")],
        "the page's post (as context) and the one new comment"
    );
    assert_eq!(
        first.cursors[&format!("comments:{SHARE}")],
        (T0 + 1_000).to_string()
    );

    // Restarted from what the store kept: the same comments, and one written ten minutes before the newest.
    server.reset().await;
    mount_quiet(&server).await;
    mount_org_post(&server).await;
    get(comments_path(SHARE))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            comment(SHARE, "1", "urn:li:person:a", T0, "read before the restart"),
            comment(SHARE, "2", "urn:li:person:b", T0 + 1_000, "new since"),
            comment(
                SHARE,
                "3",
                "urn:li:person:c",
                T0 - 600_000,
                "late: shown only now",
            ),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), first.cursors.clone());
    run.until("the late comment", |s| {
        s.has(&[format!("urn:li:comment:({SHARE},3)")])
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = run.stop().await;
    assert_eq!(
        second.ids(),
        [format!("urn:li:comment:({SHARE},3)")],
        "once, nothing again (the page's post neither)"
    );
    assert_eq!(
        second.cursors[&format!("comments:{SHARE}")],
        (T0 + 1_000).to_string()
    );
}

#[tokio::test]
async fn throttled_429_pauses_until_retry_after_then_recovers() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    get("/rest/organizationalEntityNotifications")
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(
            json!({"status": 429, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let started = Utc::now();
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("backing off", |s| {
        s.healths.iter().any(
            |h| matches!(h, Health::BackingOff { reason, .. } if reason.contains("rate limit")),
        )
    })
    .await;
    let until = run
        .seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::BackingOff { until, .. } => Some(*until),
            _ => None,
        })
        .unwrap();
    let ahead = (until - started).num_milliseconds();
    assert!((500..=2500).contains(&ahead), "{ahead} ms");
    run.until("polling again", |s| {
        s.healths.last() == Some(&Health::Polling)
    })
    .await;
    run.stop().await;
    assert!(requests_to(&server, "/rest/organizationalEntityNotifications").await >= 2);
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    get("/rest/organizationalEntityNotifications")
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("a 503 reported", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("503")))
    })
    .await;
    run.until("recovered", |s| s.healths.last() == Some(&Health::Polling))
        .await;
    run.stop().await;
    assert!(requests_to(&server, "/rest/organizationalEntityNotifications").await >= 3);
}

#[tokio::test]
async fn malformed_body_degrades_that_query_and_the_rest_goes_on() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    mount_org_post(&server).await;
    get("/rest/organizationalEntityNotifications")
        .respond_with(
            ResponseTemplate::new(200).set_body_string("<html>down for maintenance</html>"),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    get(comments_path(SHARE))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            json!({"commentUrn": "urn:li:comment:(urn:li:share:1,5)", "message": {"text": "no actor"}}),
            comment(SHARE, "6", "urn:li:person:f", T0, "fine"),
        ])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("the good comment", |s| {
        s.has(&[format!("urn:li:comment:({SHARE},6)")])
    })
    .await;
    run.until("degraded", |s| {
        s.healths
            .iter()
            .any(|h| matches!(h, Health::Degraded(w) if w.contains("mentions")))
    })
    .await;
    let Seen { healths, .. } = run.stop().await;
    let why: String = healths
        .iter()
        .filter_map(|h| match h {
            Health::Degraded(w) => Some(w.clone()),
            _ => None,
        })
        .collect();
    assert!(why.contains("unexpected answer"), "{why}");
    assert!(why.contains("no actor"), "{why}");
}

#[tokio::test]
async fn expired_token_is_auth_failed_with_the_fix() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "The token used in the request has been revoked by the user"}),
        ))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
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
        why.contains("REVOKED_ACCESS_TOKEN") && why.contains(TOKEN_FILE),
        "{why}"
    );
    assert!(!format!("{events:?}").contains(TOKEN));
    let checks = source(&server).doctor(&HashMap::new()).await;
    let access = checks.iter().find(|c| c.what.contains("token")).unwrap();
    assert!(!access.ok && access.fix.contains(TOKEN_FILE), "{access:?}");
}

#[tokio::test]
async fn refused_403_says_the_app_needs_the_community_management_api() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions to access: posts.FINDER-author.20261001"}),
        ))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    run.until("auth failed", |s| {
        s.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
    })
    .await;
    let Seen { healths, .. } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("Community Management API") && why.contains("ACCESS_DENIED"),
        "{why}"
    );
    let checks = source(&server).doctor(&HashMap::new()).await;
    let access = checks
        .iter()
        .find(|c| c.what.contains("Community Management"))
        .unwrap();
    assert!(!access.ok);
    assert!(
        access.fix.contains("request the Community Management API")
            && access.fix.contains("r_organization_social")
            && access.fix.contains("w_organization_social"),
        "{access:?}"
    );
}

#[tokio::test]
async fn doctor_reports_access_admin_role_mentions_and_cursors() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    get("/rest/organizationAcls")
        .and(query_param("q", "roleAssignee"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![json!({
            "roleAssignee": "urn:li:person:me", "state": "APPROVED", "role": "ADMINISTRATOR",
            "organization": ORG})])))
        .mount(&server)
        .await;
    let cursors = HashMap::from([(
        "mentions".to_string(),
        (Utc::now().timestamp_millis() - 3 * 3_600_000).to_string(),
    )]);
    let checks = source(&server).doctor(&cursors).await;
    let find = |w: &str| checks.iter().find(|c| c.what.contains(w)).unwrap();
    assert!(find("Community Management").ok, "{checks:?}");
    assert!(find("administrator").ok, "{checks:?}");
    assert!(find("mentions").ok, "{checks:?}");
    assert!(find("headroom").detail.contains("calls a day"));
    assert!(
        find("cursors").detail.contains("3 h ago"),
        "{:?}",
        find("cursors")
    );
}

#[tokio::test]
async fn hostile_comment_text_arrives_sanitized_after_ingest() {
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    mount_org_post(&server).await;
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2Jstill waiting for my refund \u{202e}gnp.exe\u{2066}";
    get(comments_path(SHARE))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![comment(
            SHARE,
            "7",
            "urn:li:person:mallory",
            T0,
            evil,
        )])))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server), HashMap::new());
    let id = format!("urn:li:comment:({SHARE},7)");
    let seen = run.until("the comment", |s| s.has(&[id.as_str()])).await;
    run.stop().await;
    let ingest = regulars::ingest::Ingest::new(
        Arc::new(regulars::triage::Classifier::english()),
        regulars::ingest::Matcher::default(),
    );
    let incoming = seen
        .posts
        .iter()
        .find(|p| p.native_id == id)
        .unwrap()
        .clone();
    let stored = ingest.prepare(incoming, Utc::now()).incoming;
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}'] {
        assert!(!stored.text.contains(c), "{c:?} kept");
    }
    assert!(stored.text.contains("still waiting for my refund"));
}

#[test]
fn config_refuses_unknown_fields_and_bad_values() {
    let err = toml::from_str::<LinkedinConfig>("organization = \"42\"\ntoken = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
    let cfg: LinkedinConfig = toml::from_str("organization = \"42\"\ntoken_env = \"X\"\n").unwrap();
    assert_eq!(
        (cfg.version.as_str(), cfg.poll_seconds, cfg.posts),
        ("202610", 300, 10)
    );
    let bad = LinkedinConfig {
        version: "2026-10".into(),
        ..config_for("https://api.linkedin.com")
    };
    let err = LinkedinSource::new("li".into(), &bad, reqwest::Client::new()).unwrap_err();
    assert!(
        err.contains("sources.li.version") && err.contains("YYYYMM"),
        "{err}"
    );
    let bad = LinkedinConfig {
        organization: "marlow-finch".into(),
        ..config_for("https://api.linkedin.com")
    };
    let err = LinkedinSource::new("li".into(), &bad, reqwest::Client::new()).unwrap_err();
    assert!(err.contains("urn:li:organization:"), "{err}");
}

fn config_for(api: &str) -> LinkedinConfig {
    LinkedinConfig {
        organization: "42".into(),
        token_env: None,
        token_file: Some(common::linkedin::token_file()),
        version: VERSION.into(),
        poll_seconds: 300,
        posts: 10,
        mentions: true,
        api: api.into(),
    }
}
