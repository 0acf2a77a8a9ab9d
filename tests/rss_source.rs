//! RSS/Atom source against a fake feed server on 127.0.0.1.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::run::Run;
use regulars::domain::{IncomingPost, Network};
use regulars::sources::http::Backoff;
use regulars::sources::rss::{CURSOR_KEY, FeedCursor, RssConfig, RssSource};
use regulars::sources::{Cursor, Health, Source, SourceEvent};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn rss(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title)| {
            format!(
                "<item><title>{title}</title><link>https://shop.example/r/{guid}</link><guid>{guid}</guid>\
                 <description>&lt;p&gt;About {title}&lt;/p&gt;</description>\
                 <pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Bakery reviews</title>{items}</channel></rss>"#
    )
}

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Forum: bakery</title><id>urn:forum</id>
<updated>2026-11-22T09:00:00Z</updated>
<entry><title>Sourdough went stale</title><id>urn:post:1</id>
<link rel="alternate" href="https://forum.example/t/1"/>
<author><name>crumbfan</name></author>
<updated>2026-11-22T08:30:00Z</updated>
<content type="html">&lt;p&gt;Bought it &lt;b&gt;yesterday&lt;/b&gt;&lt;/p&gt;</content></entry>
</feed>"#;

/// Polls the feed at `url` every 50 ms, backing off from 20 ms.
fn start(url: &str, cursors: HashMap<String, String>) -> Run {
    let cfg = RssConfig {
        url: url.to_string(),
        poll_seconds: 300,
        name_as: None,
    };
    let source = RssSource::new("reviews", &cfg, regulars::sources::http::client())
        .unwrap()
        .with_timing(
            Duration::from_millis(50),
            Backoff::new(Duration::from_millis(20), Duration::from_millis(100)),
        );
    Run::start(source, cursors)
}

/// The next batch, skipping healths.
async fn batch(run: &mut Run) -> (Vec<IncomingPost>, Vec<Cursor>) {
    loop {
        if let SourceEvent::Batch { posts, cursors, .. } = run.next().await {
            return (posts, cursors);
        }
    }
}

/// The first health matching `pred`, failing on any batch before it.
async fn health(run: &mut Run, pred: impl Fn(&Health) -> bool) -> Health {
    loop {
        match run.next().await {
            SourceEvent::Health { health, .. } if pred(&health) => return health,
            SourceEvent::Health { .. }
            | SourceEvent::ReplyLimit { .. }
            | SourceEvent::Usage { .. } => {}
            SourceEvent::Batch { posts, .. } => panic!("unexpected batch {posts:?}"),
        }
    }
}

async fn serve(
    server: &MockServer,
    status: u16,
    body: &str,
    headers: &[(&str, &str)],
    times: Option<u64>,
) {
    let mut resp = ResponseTemplate::new(status).set_body_string(body.to_string());
    for (k, v) in headers {
        resp = resp.insert_header(*k, *v);
    }
    let mock = Mock::given(method("GET"))
        .and(path("/feed"))
        .respond_with(resp);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

fn feed_url(server: &MockServer) -> String {
    format!("{}/feed", server.uri())
}

#[tokio::test]
async fn rss2_items_become_mentions() {
    let server = MockServer::start().await;
    serve(
        &server,
        200,
        &rss(&[("g1", "Lovely croissants"), ("g2", "Rude staff")]),
        &[],
        None,
    )
    .await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let (posts, cursors) = batch(&mut run).await;
    assert_eq!(posts.len(), 2);
    let p = posts.iter().find(|p| p.native_id == "g2").unwrap();
    assert_eq!(p.network, Network::Rss);
    assert_eq!(p.text, "Rude staff\n\nAbout Rude staff");
    assert_eq!(p.url.as_deref(), Some("https://shop.example/r/g2"));
    assert_eq!(p.author.handle, "Bakery reviews");
    assert!(p.addressed_to_shop);
    assert_eq!(cursors[0].key, CURSOR_KEY);
    assert_eq!(
        health(&mut run, |h| *h == Health::Polling).await,
        Health::Polling
    );
    run.stop().await;
}

#[tokio::test]
async fn atom_entries_become_mentions() {
    let server = MockServer::start().await;
    serve(&server, 200, ATOM, &[], None).await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let (posts, _) = batch(&mut run).await;
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p.native_id, "urn:post:1");
    assert_eq!(p.author.handle, "crumbfan");
    assert_eq!(p.text, "Sourdough went stale\n\nBought it yesterday");
    assert_eq!(p.url.as_deref(), Some("https://forum.example/t/1"));
    assert_eq!(p.created_at.to_rfc3339(), "2026-11-22T08:30:00+00:00");
    run.stop().await;
}

#[tokio::test]
async fn conditional_get_sends_validators_and_304_is_nothing_new() {
    let server = MockServer::start().await;
    let lm = "Sun, 22 Nov 2026 09:00:00 GMT";
    Mock::given(method("GET"))
        .and(path("/feed"))
        .and(header("if-none-match", "\"v1\""))
        .and(header("if-modified-since", lm))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    serve(
        &server,
        200,
        &rss(&[("g1", "One")]),
        &[("etag", "\"v1\""), ("last-modified", lm)],
        None,
    )
    .await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let (posts, cursors) = batch(&mut run).await;
    assert_eq!(posts.len(), 1);
    let c = FeedCursor::parse(Some(&cursors[0].value));
    assert_eq!(c.etag.as_deref(), Some("\"v1\""));
    assert_eq!(c.last_modified.as_deref(), Some(lm));
    // Several more polls: all conditional, all 304, no batch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = server.received_requests().await.unwrap();
    assert!(requests.len() >= 3, "{}", requests.len());
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.headers.get("if-none-match").is_some())
    );
    while let Ok(ev) = run.rx.try_recv() {
        assert!(
            !matches!(ev, SourceEvent::Batch { .. }),
            "304 must not produce a batch: {ev:?}"
        );
    }
    run.stop().await;
}

#[tokio::test]
async fn restart_resumes_from_cursor_without_duplicate_or_gap() {
    let server = MockServer::start().await;
    serve(
        &server,
        200,
        &rss(&[("g2", "Two"), ("g1", "One")]),
        &[("etag", "\"v1\"")],
        Some(1),
    )
    .await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let (posts, cursors) = batch(&mut run).await;
    assert_eq!(posts.len(), 2);
    run.stop().await;

    // While we were away the feed gained g3 (and a new ETag).
    server.reset().await;
    serve(
        &server,
        200,
        &rss(&[("g3", "Three"), ("g2", "Two"), ("g1", "One")]),
        &[("etag", "\"v2\"")],
        None,
    )
    .await;
    let stored: HashMap<String, String> = cursors.into_iter().map(|c| (c.key, c.value)).collect();
    let mut run = start(&feed_url(&server), stored);
    let (posts, cursors) = batch(&mut run).await;
    assert_eq!(
        posts
            .iter()
            .map(|p| p.native_id.as_str())
            .collect::<Vec<_>>(),
        ["g3"]
    );
    let first = &server.received_requests().await.unwrap()[0];
    assert_eq!(first.headers.get("if-none-match").unwrap(), "\"v1\"");
    assert_eq!(
        FeedCursor::parse(Some(&cursors[0].value)).etag.as_deref(),
        Some("\"v2\"")
    );
    run.stop().await;
}

#[tokio::test]
async fn rate_limited_waits_for_retry_after_then_recovers() {
    let server = MockServer::start().await;
    serve(&server, 429, "slow down", &[("retry-after", "1")], Some(1)).await;
    serve(&server, 200, &rss(&[("g1", "One")]), &[], None).await;
    let started = chrono::Utc::now();
    let mut run = start(&feed_url(&server), HashMap::new());
    let Health::BackingOff { until, reason } =
        health(&mut run, |h| matches!(h, Health::BackingOff { .. })).await
    else {
        unreachable!()
    };
    assert!(reason.contains("429"), "{reason}");
    assert!(
        until >= started + chrono::Duration::milliseconds(900),
        "{until} vs {started}"
    );
    let (posts, _) = batch(&mut run).await;
    assert_eq!(posts.len(), 1);
    assert!(chrono::Utc::now() >= until);
    run.stop().await;
}

#[tokio::test]
async fn server_errors_back_off_then_recover() {
    let server = MockServer::start().await;
    serve(&server, 503, "down", &[], Some(2)).await;
    serve(&server, 200, &rss(&[("g1", "One")]), &[], None).await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let Health::BackingOff { reason, .. } =
        health(&mut run, |h| matches!(h, Health::BackingOff { .. })).await
    else {
        unreachable!()
    };
    assert!(reason.contains("503"), "{reason}");
    let (posts, _) = batch(&mut run).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(
        health(&mut run, |h| *h == Health::Polling).await,
        Health::Polling
    );
    run.stop().await;
}

#[tokio::test]
async fn malformed_feed_is_reported_and_polling_carries_on() {
    let server = MockServer::start().await;
    serve(
        &server,
        200,
        "<html><body>Maintenance</body></html>",
        &[],
        Some(1),
    )
    .await;
    serve(&server, 200, &rss(&[("g1", "One")]), &[], None).await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let Health::Degraded(why) = health(&mut run, |h| matches!(h, Health::Degraded(_))).await else {
        unreachable!()
    };
    assert!(why.contains("did not parse"), "{why}");
    let (posts, _) = batch(&mut run).await;
    assert_eq!(posts.len(), 1);
    run.stop().await;
}

#[tokio::test]
async fn auth_failure_is_reported() {
    let server = MockServer::start().await;
    serve(&server, 403, "forbidden", &[], None).await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let Health::AuthFailed(why) = health(&mut run, |h| matches!(h, Health::AuthFailed(_))).await
    else {
        unreachable!()
    };
    assert!(why.contains("403") && why.contains("token"), "{why}");
    run.stop().await;
}

#[tokio::test]
async fn doctor_reports_reachability_parse_and_etag() {
    let server = MockServer::start().await;
    serve(
        &server,
        200,
        &rss(&[("g1", "One"), ("g2", "Two")]),
        &[("etag", "\"v1\"")],
        None,
    )
    .await;
    let cfg = RssConfig {
        url: feed_url(&server),
        poll_seconds: 300,
        name_as: Some("Reviews".into()),
    };
    let source = RssSource::new("reviews", &cfg, regulars::sources::http::client()).unwrap();
    let checks = source.doctor(&HashMap::new()).await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    let text = format!("{checks:?}");
    assert!(text.contains("2 items") && text.contains("ETag"), "{text}");

    let down = RssConfig {
        url: "http://127.0.0.1:9/feed".into(),
        ..cfg
    };
    let source = RssSource::new("reviews", &down, regulars::sources::http::client()).unwrap();
    let checks = source.doctor(&HashMap::new()).await;
    assert!(
        checks.iter().any(|c| !c.ok && !c.fix.is_empty()),
        "{checks:?}"
    );
}

fn rss_dated(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, date)| {
            format!(
                "<item><title>{guid}</title><link>https://shop.example/r/{guid}</link><guid>{guid}</guid>\
                 <pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Reviews</title>{items}</channel></rss>"#
    )
}

#[tokio::test]
async fn an_item_dated_before_the_newest_arrives_once() {
    let server = MockServer::start().await;
    serve(
        &server,
        200,
        &rss_dated(&[
            ("g2", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ("g1", "Sun, 22 Nov 2026 09:00:00 GMT"),
        ]),
        &[],
        Some(1),
    )
    .await;
    // A review written days ago, published by the site only now, below the newest.
    serve(
        &server,
        200,
        &rss_dated(&[
            ("g2", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ("g1", "Sun, 22 Nov 2026 09:00:00 GMT"),
            ("late", "Fri, 20 Nov 2026 08:00:00 GMT"),
        ]),
        &[],
        None,
    )
    .await;
    let mut run = start(&feed_url(&server), HashMap::new());
    let (first, _) = batch(&mut run).await;
    assert_eq!(first.len(), 2);
    let (second, _) = batch(&mut run).await;
    assert_eq!(
        second
            .iter()
            .map(|p| p.native_id.as_str())
            .collect::<Vec<_>>(),
        ["late"]
    );
    // More polls of the same feed: nothing again.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, run.rx.recv()).await {
        if let SourceEvent::Batch { posts, .. } = ev {
            assert!(posts.is_empty(), "delivered twice: {posts:?}");
        }
    }
    run.stop().await;
}

#[tokio::test]
async fn a_feed_server_failing_again_and_again_is_never_auth_failed() {
    let server = MockServer::start().await;
    serve(&server, 503, "down", &[], None).await;
    let mut run = start(&feed_url(&server), HashMap::new());
    // Enough failures in a row for the poller to try logging in again (a feed has nothing to log in to).
    let mut healths = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server.received_requests().await.unwrap().len() < 5
        && tokio::time::Instant::now() < deadline
    {
        if let Ok(Some(SourceEvent::Health { health, .. })) =
            tokio::time::timeout(Duration::from_millis(500), run.rx.recv()).await
        {
            healths.push(health);
        }
    }
    healths.extend(run.stop().await.healths);
    let tries = server.received_requests().await.unwrap().len();
    assert!(tries >= 5, "kept trying: {tries} requests; {healths:?}");
    assert!(
        healths
            .iter()
            .any(|h| matches!(h, Health::BackingOff { .. })),
        "{healths:?}"
    );
    assert!(
        !healths.iter().any(|h| matches!(h, Health::AuthFailed(_))),
        "{healths:?}"
    );
}
