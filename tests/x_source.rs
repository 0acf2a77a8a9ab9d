//! The X source against a wiremock fake of API v2. Timings are shortened through `XOptions`; nothing here
//! waits real seconds except the one-second rate-limit reset.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use common::files::write_private;
use common::run::{Run, Seen, requests_to};
use common::x::{Naming, SHOP_ID, id, page, post, user, watch};
use regulars::domain::Network;
use regulars::sources::x::{XConfig, XOptions, XSource};
use regulars::sources::{Health, Source, SourceEvent, Watch};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "x-bearer-SECRET-42";
const TOKEN_FILE: &str = "x-token";

fn token_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join(TOKEN_FILE), &format!("{TOKEN}\n"));
        dir
    });
    dir.path().join(TOKEN_FILE)
}

fn config(server: &MockServer, budget: Option<u64>) -> XConfig {
    XConfig {
        api: server.uri(),
        token_env: None,
        token_file: Some(token_file()),
        reply_token_env: None,
        reply_token_file: None,
        poll_seconds: 300,
        monthly_read_budget: budget,
        mentions: true,
        search: true,
    }
}

fn fast() -> XOptions {
    XOptions {
        poll_interval: Some(Duration::from_millis(100)),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(200),
        auth_recheck: Duration::from_secs(600),
        request_timeout: Some(Duration::from_secs(5)),
    }
}

fn source(server: &MockServer, watch: Watch, budget: Option<u64>) -> XSource {
    XSource::new(
        "x".into(),
        &config(server, budget),
        watch,
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(fast())
}

/// `/2/users/by` knows the shop and these customers.
async fn users(server: &MockServer, customers: &[(&str, &str)]) {
    let mut all = vec![user(SHOP_ID, "Shop")];
    all.extend(customers.iter().map(|(i, n)| user(i, n)));
    Mock::given(method("GET"))
        .and(path("/2/users/by"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": all})))
        .mount(server)
        .await;
}

/// Cursors of a run that already knows the shop's id.
fn known_shop() -> HashMap<String, String> {
    HashMap::from([("user-id:shop".to_string(), SHOP_ID.to_string())])
}

async fn empty(server: &MockServer, p: &str) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"meta": {"result_count": 0}})),
        )
        .with_priority(10)
        .mount(server)
        .await;
}

fn month() -> String {
    Utc::now().format("%Y-%m").to_string()
}

fn query(r: &Request, key: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn happy_path_reads_mentions_customers_and_search_in_both_namings() {
    let server = MockServer::start().await;
    users(&server, &[("7", "Alice")]).await;
    let auth = header("authorization", format!("Bearer {TOKEN}").as_str());
    let (shop_post, mention, quoted, quote, found) =
        (id(10, 0), id(20, 0), id(30, 0), id(40, 0), id(50, 0));
    // Mentions in X's current naming: a reply to the shop's post, which comes along as context.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{SHOP_ID}/mentions")))
        .and(auth)
        .and(query_param(
            "expansions",
            "author_id,in_reply_to_user_id,referenced_posts",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(
                Naming::Posts,
                &mention,
                "9",
                "@shop my clasp &amp; chain broke",
                &[("replied_to", &shop_post)],
            )],
            vec![post(
                Naming::Posts,
                &shop_post,
                SHOP_ID,
                "New rings are in!",
                &[],
            )],
            vec![user("9", "Bob_B"), user(SHOP_ID, "Shop")],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // A customer's posts in the older naming: a quote of someone else's post, a repost left out.
    Mock::given(method("GET"))
        .and(path("/2/users/7/tweets"))
        .and(query_param("exclude", "retweets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Tweets,
            vec![
                post(
                    Naming::Tweets,
                    &quote,
                    "7",
                    "same here",
                    &[("quoted", &quoted)],
                ),
                post(
                    Naming::Tweets,
                    &id(35, 0),
                    "7",
                    "RT @x: hi",
                    &[("retweeted", &quoted)],
                ),
            ],
            vec![post(
                Naming::Tweets,
                &quoted,
                "8",
                "my order never came",
                &[],
            )],
            vec![user("7", "Alice"), user("8", "carol")],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(Naming::Posts, &found, "11", "love my #shopring", &[])],
            vec![],
            vec![user("11", "dee")],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // Later rounds find nothing new: the count below is exact.
    for p in [
        format!("/2/users/{SHOP_ID}/mentions"),
        "/2/users/7/tweets".into(),
        "/2/tweets/search/recent".into(),
    ] {
        empty(&server, &p).await;
    }
    let mut run = Run::start(
        source(
            &server,
            watch(&["@Alice"], &["shopring"], &["Shop & Co"]),
            None,
        ),
        HashMap::new(),
    );
    let seen = run
        .until("every query's posts", |r| {
            r.has(&[&mention, &quote, &found]) && r.cursors.contains_key("search")
        })
        .await;
    let Seen {
        posts,
        cursors,
        events,
        healths,
        ..
    } = run.stop().await;
    assert!(!healths.iter().any(|h| h.is_problem()), "{healths:?}");
    let by = |id: &str| posts.iter().find(|p| p.native_id == id).unwrap();
    let m = by(&mention);
    assert_eq!(m.network, Network::X);
    assert_eq!(m.author.handle, "bob_b");
    assert_eq!(m.text, "@shop my clasp & chain broke");
    assert!(m.addressed_to_shop);
    assert_eq!(m.in_reply_to.as_deref(), Some(shop_post.as_str()));
    assert_eq!(
        m.url.as_deref(),
        Some(format!("https://x.com/bob_b/status/{mention}").as_str())
    );
    let parent = by(&shop_post);
    assert!(parent.context, "the replied-to post comes as context");
    let q = by(&quote);
    assert_eq!(
        q.quotes.as_ref().unwrap().text.as_deref(),
        Some("my order never came")
    );
    assert!(!q.addressed_to_shop);
    assert!(by(&quoted).context);
    assert!(!seen.has(&[id(35, 0)]), "reposts are left out");
    assert!(!by(&found).context);
    assert_eq!(cursors["user-id:alice"], "7");
    assert_eq!(cursors["mentions"], mention);
    assert_eq!(cursors["user:7"], id(40, 0).max(id(35, 0)));
    assert_eq!(cursors["search"], found);
    // 2 + 3 + 1 posts read, counted in the store and told to the Sources view.
    assert_eq!(cursors[&format!("reads:{}", month())], "6");
    let told = events.iter().filter_map(|e| match e {
        SourceEvent::Usage { usage, .. } => Some(usage.used),
        _ => None,
    });
    assert_eq!(told.max(), Some(6));
    let requests = server.received_requests().await.unwrap();
    let search = requests
        .iter()
        .find(|r| r.url.path() == "/2/tweets/search/recent")
        .unwrap();
    assert_eq!(
        query(search, "query").as_deref(),
        Some("(\"Shop & Co\" OR #shopring) -from:shop -is:retweet")
    );
    assert_eq!(query(search, "max_results").as_deref(), Some("20"));
    let lookup = requests
        .iter()
        .find(|r| r.url.path() == "/2/users/by")
        .unwrap();
    assert_eq!(query(lookup, "usernames").as_deref(), Some("shop,alice"));
    assert!(
        requests.iter().all(|r| !r.url.as_str().contains(TOKEN)),
        "the token never goes in a URL"
    );
}

#[tokio::test]
async fn pages_down_to_the_cursor_and_resumes_after_a_restart_without_gap_or_duplicate() {
    let server = MockServer::start().await;
    let old = id(0, 0);
    let (a, b, c, d) = (id(1, 0), id(2, 0), id(3, 0), id(4, 0));
    let mentions = format!("/2/users/{SHOP_ID}/mentions");
    // Run 1: two pages newer than the stored position; the second page fails the first time.
    Mock::given(method("GET"))
        .and(path(&mentions))
        .and(query_param("since_id", old.as_str()))
        .and(query_param_is_missing("pagination_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![
                post(Naming::Posts, &d, "9", "d", &[]),
                post(Naming::Posts, &c, "9", "c", &[]),
            ],
            vec![],
            vec![user("9", "bob")],
            Some("page2"),
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&mentions))
        .and(query_param("pagination_token", "page2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&mentions))
        .and(query_param("pagination_token", "page2"))
        .and(query_param("since_id", old.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![
                post(Naming::Posts, &b, "9", "b", &[]),
                post(Naming::Posts, &a, "9", "a", &[]),
            ],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    let mut cursors = known_shop();
    cursors.insert("mentions".into(), old.clone());
    let w = watch(&[], &[], &[]);
    let mut run = Run::start(source(&server, w.clone(), None), cursors.clone());
    let first = run.until("a and b", |r| r.has(&[&a, &b])).await;
    let failed_batch = first
        .events
        .iter()
        .find_map(|e| match e {
            SourceEvent::Batch { posts, cursors, .. } if posts.iter().any(|p| p.native_id == d) => {
                Some(cursors.clone())
            }
            _ => None,
        })
        .unwrap();
    assert!(
        !failed_batch.iter().any(|c| c.key == "mentions"),
        "no position while a page below is unread: {failed_batch:?}"
    );
    run.until("the position", |r| r.cursors.get("mentions") == Some(&d))
        .await;
    let run1 = run.stop().await;
    let ids = run1.ids();
    for x in [&a, &b, &c, &d] {
        assert!(ids.contains(x), "{x} arrived: {ids:?}");
    }
    // Run 2 starts from the stored cursors: it asks from d, and d is not delivered again.
    let server2 = MockServer::start().await;
    let e = id(5, 0);
    Mock::given(method("GET"))
        .and(path(&mentions))
        .and(query_param("since_id", d.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![
                post(Naming::Posts, &e, "9", "e", &[]),
                post(Naming::Posts, &d, "9", "d", &[]),
            ],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server2)
        .await;
    let mut run = Run::start(source(&server2, w, None), run1.cursors.clone());
    run.until("e", |r| r.has(&[&e])).await;
    let run2 = run.stop().await;
    assert_eq!(
        run2.ids().iter().filter(|x| **x == d).count(),
        0,
        "no duplicate: {:?}",
        run2.ids()
    );
    assert_eq!(run2.cursors["mentions"], e);
}

#[tokio::test]
async fn a_late_indexed_post_below_the_position_arrives_once() {
    let server = MockServer::start().await;
    let (early, late, newer) = (id(100, 0), id(90, 0), id(110, 0));
    let mentions = format!("/2/users/{SHOP_ID}/mentions");
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(Naming::Posts, &early, "9", "first", &[])],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // Later rounds: the late post (an id below the position) shows up beside what was read already.
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![
                post(Naming::Posts, &newer, "9", "newer", &[]),
                post(Naming::Posts, &early, "9", "first", &[]),
                post(Naming::Posts, &late, "9", "late", &[]),
            ],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, watch(&[], &[], &[]), None), known_shop());
    run.until("the late post", |r| r.has(&[&late, &newer]))
        .await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let seen = run.stop().await;
    for x in [&early, &late, &newer] {
        assert_eq!(
            seen.ids().iter().filter(|i| *i == x).count(),
            1,
            "{x} once: {:?}",
            seen.ids()
        );
    }
    assert_eq!(seen.cursors["mentions"], newer);
}

#[tokio::test]
async fn a_429_pauses_until_x_rate_limit_reset_then_recovers() {
    let server = MockServer::start().await;
    let reset = Utc::now().timestamp() + 2;
    let mentions = format!("/2/users/{SHOP_ID}/mentions");
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}))
                .insert_header("x-rate-limit-limit", "10")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let fine = id(7, 0);
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(Naming::Posts, &fine, "9", "ok", &[])],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, watch(&[], &[], &[]), None), known_shop());
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
    assert_eq!(until.timestamp(), reset, "until x-rate-limit-reset");
    assert_eq!(
        requests_to(&server, &mentions).await,
        1,
        "nothing asked while paused"
    );
    run.until("the mention after the reset", |r| r.has(&[&fine]))
        .await;
    assert!(Utc::now().timestamp() >= reset - 1, "waited for the reset");
    run.stop().await;
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    let mentions = format!("/2/users/{SHOP_ID}/mentions");
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    let fine = id(8, 0);
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(Naming::Posts, &fine, "9", "ok", &[])],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, watch(&[], &[], &[]), None), known_shop());
    run.until("recovered", |r| r.has(&[&fine])).await;
    run.until("polling", |r| r.healths.last() == Some(&Health::Polling))
        .await;
    let Seen { healths, .. } = run.stop().await;
    assert!(
        healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { reason, .. } if reason.contains("503"))),
        "{healths:?}"
    );
    assert!(
        requests_to(&server, &mentions).await >= 3,
        "retried after each 503"
    );
}

#[tokio::test]
async fn a_malformed_answer_degrades_its_query_and_the_rest_carries_on() {
    let server = MockServer::start().await;
    users(&server, &[("7", "alice")]).await;
    Mock::given(method("GET"))
        .and(path("/2/users/7/tweets"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "not a list"}})),
        )
        .mount(&server)
        .await;
    let fine = id(9, 0);
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{SHOP_ID}/mentions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![
                post(Naming::Posts, &fine, "9", "fine", &[]),
                json!({"id": "12ab", "text": "bad id"}),
            ],
            vec![],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    let mut run = Run::start(
        source(&server, watch(&["alice"], &[], &[]), None),
        HashMap::new(),
    );
    run.until("the good mention", |r| r.has(&[&fine])).await;
    run.until("degraded", |r| {
        r.healths.iter().any(|h| matches!(h, Health::Degraded(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let Seen { healths, posts, .. } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::Degraded(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("customer @alice") && why.contains("unexpected answer"),
        "{why}"
    );
    assert_eq!(posts.len(), 1);
    assert!(
        requests_to(&server, "/2/users/7/tweets").await >= 2,
        "kept polling"
    );
}

#[tokio::test]
async fn a_revoked_token_is_auth_failed_with_the_portal_fix_and_doctor_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
        ))
        .mount(&server)
        .await;
    let source = source(&server, watch(&["alice"], &[], &[]), Some(1000));
    assert!(
        !format!("{source:?}").contains(TOKEN),
        "Debug hides the token"
    );
    let checks = source.doctor(&HashMap::new()).await;
    let token = checks
        .iter()
        .find(|c| c.what.ends_with("token accepted"))
        .unwrap();
    assert!(
        !token.ok && token.fix.contains("developer portal") && token.fix.contains(TOKEN_FILE),
        "{token:?}"
    );
    let reply = checks
        .iter()
        .find(|c| c.what.ends_with("replying"))
        .unwrap();
    assert!(!reply.ok && reply.fix.contains("tweet.write"), "{reply:?}");
    let budget = checks
        .iter()
        .find(|c| c.what.ends_with("read budget"))
        .unwrap();
    assert!(
        budget.ok && budget.detail.contains("0 of 1,000"),
        "{budget:?}"
    );
    let mut run = Run::start(source, HashMap::new());
    run.until("auth failed", |r| {
        r.healths.iter().any(|h| matches!(h, Health::AuthFailed(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Seen { healths, .. } = run.stop().await;
    let why = healths
        .iter()
        .find_map(|h| match h {
            Health::AuthFailed(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("developer portal") && why.contains(TOKEN_FILE),
        "{why}"
    );
    assert!(!healths.iter().any(|h| h.label().contains(TOKEN)));
    let lookups = requests_to(&server, "/2/users/by").await;
    assert!(lookups <= 2 + 2, "no hot loop: {lookups} lookups");
}

#[tokio::test]
async fn the_source_holds_at_the_monthly_read_budget_and_says_why() {
    let server = MockServer::start().await;
    let mentions = format!("/2/users/{SHOP_ID}/mentions");
    let data: Vec<_> = (0..5)
        .map(|n| post(Naming::Posts, &id(20, n), "9", "hi", &[]))
        .collect();
    Mock::given(method("GET"))
        .and(path(&mentions))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            data,
            vec![post(Naming::Posts, &id(1, 0), "9", "included", &[])],
            vec![user("9", "bob")],
            None,
        )))
        .mount(&server)
        .await;
    empty(&server, "/2/tweets/search/recent").await;
    let mut cursors = known_shop();
    cursors.insert(format!("reads:{}", month()), "94".into());
    let mut run = Run::start(
        source(&server, watch(&[], &["shop"], &[]), Some(100)),
        cursors,
    );
    let seen = run
        .until("held", |r| {
            r.healths.iter().any(|h| matches!(h, Health::Disabled(_)))
        })
        .await;
    let why = seen
        .healths
        .iter()
        .find_map(|h| match h {
            Health::Disabled(w) => Some(w.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        why.contains("monthly read budget of 100 posts reached")
            && why.contains("raise monthly_read_budget"),
        "{why}"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let Seen {
        cursors, events, ..
    } = run.stop().await;
    assert_eq!(
        cursors[&format!("reads:{}", month())],
        "100",
        "94 + 5 + 1 included"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1,
        "nothing read past the budget, search included"
    );
    assert_eq!(
        query(&requests[0], "max_results").as_deref(),
        Some("6"),
        "asks at most what is left"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        SourceEvent::Usage { usage, .. } if usage.used == 100 && usage.budget == Some(100)
    )));
}

#[tokio::test]
async fn a_user_x_no_longer_knows_is_looked_up_again() {
    let server = MockServer::start().await;
    users(&server, &[("7", "alice")]).await;
    Mock::given(method("GET"))
        .and(path("/2/users/6/tweets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errors": [{
            "title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found",
            "resource_type": "user", "parameter": "id", "value": "6", "detail": "Could not find user with id: [6]."}]})))
        .mount(&server)
        .await;
    let fine = id(3, 0);
    Mock::given(method("GET"))
        .and(path("/2/users/7/tweets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            Naming::Posts,
            vec![post(Naming::Posts, &fine, "7", "new account, same me", &[])],
            vec![],
            vec![user("7", "alice")],
            None,
        )))
        .mount(&server)
        .await;
    empty(&server, &format!("/2/users/{SHOP_ID}/mentions")).await;
    let mut cursors = known_shop();
    cursors.insert("user-id:alice".into(), "6".into());
    let mut run = Run::start(source(&server, watch(&["alice"], &[], &[]), None), cursors);
    run.until("the post under the new id", |r| r.has(&[&fine]))
        .await;
    let seen = run.stop().await;
    assert_eq!(seen.cursors["user-id:alice"], "7");
}

#[tokio::test]
async fn hostile_text_arrives_sanitized() {
    let server = MockServer::start().await;
    let evil = id(4, 0);
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{SHOP_ID}/mentions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": evil, "author_id": "66", "created_at": "2026-12-01T10:00:00Z",
                      "text": "\u{1b}]0;pwned\u{7}\u{1b}[2Jrefund please \u{202e}gnp.exe\u{2066} &lt;b&gt;"}],
            "includes": {"users": [{"id": "66", "username": "mallory", "name": "\u{202e}yrollam\u{1b}[31m"}]}
        })))
        .mount(&server)
        .await;
    let mut run = Run::start(source(&server, watch(&[], &[], &[]), None), known_shop());
    let seen = run.until("the post", |r| r.has(&[&evil])).await;
    run.stop().await;
    let ingest = regulars::ingest::Ingest::new(
        std::sync::Arc::new(regulars::triage::Classifier::english()),
        regulars::ingest::Matcher::default(),
    );
    let stored = ingest.prepare(seen.posts[0].clone(), Utc::now()).incoming;
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}'] {
        assert!(
            !stored.text.contains(c) && !stored.author.display_name.contains(c),
            "{c:?} kept"
        );
    }
    assert!(
        stored.text.contains("refund please") && stored.text.contains("<b>"),
        "{}",
        stored.text
    );
}
