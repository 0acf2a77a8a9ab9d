//! The ingest task: a backlog grouped into one transaction, events kept in order, one bad batch costing only
//! its own posts.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;

use super::run;
use crate::app::Msg;
use crate::domain::{Author, Customer, CustomerId, Handle, IncomingPost, Network};
use crate::ingest::{Ingest, Matcher};
use crate::sources::listening::Listening;
use crate::sources::{Cursor, Health, SourceEvent};
use crate::store::Store;
use crate::store::small_disk::SmallDisk;
use crate::triage::Classifier;

/// Matches `priya@hachyderm.io` to customer 7, whom the store has never been told about.
fn ingest() -> Ingest {
    let config = crate::config::parse("[shop]\nname = \"M&F\"\n").unwrap();
    let customer = Customer {
        id: CustomerId(7),
        external_id: "C7".into(),
        name: "Priya".into(),
        rank: 1,
        lifetime_spend_cents: 1,
        handles: vec![Handle {
            network: Network::Mastodon,
            handle: "priya@hachyderm.io".into(),
            linked: false,
        }],
        note: String::new(),
        ..Default::default()
    };
    Ingest::new(
        Arc::new(Classifier::english()),
        Matcher::new(&Listening::new(&config, &[customer])),
    )
}

fn batch(source: &str, ids: &[&str], author: &str, cursor: &str) -> SourceEvent {
    SourceEvent::Batch {
        source: source.into(),
        posts: ids
            .iter()
            .map(|id| IncomingPost {
                network: Network::Mastodon,
                native_id: (*id).into(),
                url: None,
                author: Author {
                    handle: author.into(),
                    display_name: String::new(),
                },
                text: format!("post {id}"),
                created_at: Utc::now(),
                in_reply_to: None,
                reply_ref: None,
                addressed_to_shop: false,
                context: false,
                quotes: None,
                rating: None,
            })
            .collect(),
        cursors: vec![Cursor {
            key: "k".into(),
            value: cursor.into(),
        }],
    }
}

/// Queues `events` (a backlog), runs the task to the end, returns what it told the UI.
async fn ingest_all(store: &Store, events: Vec<SourceEvent>) -> Vec<Msg> {
    let (tx, rx) = mpsc::channel(events.len());
    for e in events {
        tx.try_send(e).unwrap();
    }
    drop(tx);
    let (ui, mut msgs) = mpsc::unbounded_channel();
    run(rx, store.clone(), ingest(), ui, Default::default()).await;
    let mut out = Vec::new();
    while let Ok(m) = msgs.try_recv() {
        out.push(m);
    }
    out
}

fn summary(msgs: &[Msg]) -> Vec<String> {
    msgs.iter()
        .map(|m| match m {
            Msg::Ingested { source, posts } => format!(
                "{source}: {}",
                posts
                    .iter()
                    .map(|p| p.native_id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Msg::SourceHealth { source, .. } => format!("{source}: health"),
            Msg::TaskFailed { what, .. } => format!("failed: {what}"),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_backlog_is_stored_together_in_order_one_message_per_source() {
    let store = Store::open_in_memory().unwrap();
    let msgs = ingest_all(
        &store,
        vec![
            batch("a", &["1", "2"], "x@m.example", "a1"),
            batch("b", &["3"], "y@m.example", "b1"),
            batch("a", &["4"], "x@m.example", "a2"),
            SourceEvent::Health {
                source: "a".into(),
                health: Health::Live,
            },
            batch("a", &["5"], "x@m.example", "a3"),
        ],
    )
    .await;
    assert_eq!(summary(&msgs), ["a: 1,2,4", "b: 3", "a: health", "a: 5"]);
    let (a, b, n) = store
        .call(|db| Ok((db.cursors("a")?, db.cursors("b")?, db.post_count()?)))
        .await
        .unwrap();
    assert_eq!((a["k"].as_str(), b["k"].as_str(), n), ("a3", "b1", 5));
}

#[tokio::test]
async fn a_bad_batch_in_a_backlog_costs_only_its_own_posts() {
    let store = Store::open_in_memory().unwrap();
    // Customer 7 is not in the store: the foreign key refuses Priya's post, and only it.
    let msgs = ingest_all(
        &store,
        vec![
            batch("a", &["1"], "x@m.example", "a1"),
            batch("b", &["2"], "priya@hachyderm.io", "b1"),
            batch("a", &["3"], "x@m.example", "a2"),
        ],
    )
    .await;
    assert_eq!(summary(&msgs), ["a: 1,3", "failed: storing posts from b"]);
    let (a, b, n) = store
        .call(|db| Ok((db.cursors("a")?, db.cursors("b")?, db.post_count()?)))
        .await
        .unwrap();
    assert_eq!((a["k"].as_str(), b.is_empty(), n), ("a2", true, 2));
}

/// The first message `want` takes (failures on the way fail the test), within a minute.
async fn wait_for(msgs: &mut mpsc::UnboundedReceiver<Msg>, want: fn(&Msg) -> bool) -> Msg {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let msg = tokio::time::timeout_at(deadline, msgs.recv())
            .await
            .expect("timed out")
            .expect("the task ended");
        assert!(!matches!(msg, Msg::TaskFailed { .. }), "{msg:?}");
        if want(&msg) {
            return msg;
        }
    }
}

/// A disk that fills mid-feed: the batch is kept and written again, the sources wait behind it (their queue
/// full), the UI is told once and again when writes go in; every post arrives once, none dropped.
#[tokio::test]
async fn a_full_disk_holds_the_batches_until_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(dir.path(), "600k") else {
        eprintln!("skipping the full-disk test: cannot mount a tmpfs here (needs root)");
        return;
    };
    let store = Store::open(dir.path().join("r.db")).unwrap();
    let (tx, rx) = mpsc::channel(2);
    let (ui, mut msgs) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(rx, store.clone(), ingest(), ui, Default::default()));
    let words = "a long complaint about a parcel that never came ".repeat(40);
    const BATCHES: usize = 30;
    const PER_BATCH: usize = 20;
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let producer = {
        let sent = sent.clone();
        tokio::spawn(async move {
            for b in 0..BATCHES {
                let ids: Vec<String> = (0..PER_BATCH).map(|i| format!("{b}-{i}")).collect();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let mut event = batch("feed", &ids, "x@m.example", &format!("c{b}"));
                if let SourceEvent::Batch { posts, .. } = &mut event {
                    for p in posts {
                        p.text = format!("{} {words}", p.native_id);
                    }
                }
                tx.send(event).await.unwrap();
                sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    };
    let why = match wait_for(&mut msgs, |m| {
        matches!(m, Msg::StoreWritable { why: Some(_), .. })
    })
    .await
    {
        Msg::StoreWritable { why: Some(why), .. } => why,
        other => panic!("{other:?}"),
    };
    assert!(why.contains("disk is full"), "{why}");
    // The sources wait: the feed stops being taken while nothing can be written.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let paused_at = sent.load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), paused_at);
    assert!(paused_at < BATCHES, "paused before the end of the feed");

    disk.grow("50m");
    wait_for(&mut msgs, |m| {
        matches!(m, Msg::StoreWritable { why: None, .. })
    })
    .await;
    producer.await.unwrap();
    task.await.unwrap();
    let mut failures = Vec::new();
    while let Ok(m) = msgs.try_recv() {
        if let Msg::TaskFailed { error, .. } = m {
            failures.push(error);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
    let (n, cursor) = store
        .call(|db| Ok((db.post_count()?, db.cursors("feed")?)))
        .await
        .unwrap();
    assert_eq!(n, (BATCHES * PER_BATCH) as u64, "every post once");
    assert_eq!(cursor["k"], format!("c{}", BATCHES - 1));
    store.close().await;
}

#[tokio::test]
async fn the_round_robin_deals_new_urgent_posts_to_those_present() {
    use crate::domain::{Doing, PostId};
    let store = Store::open_in_memory().unwrap();
    // A heartbeat names a post id only (no post need be stored for it).
    for who in ["ben", "ana"] {
        store
            .call(move |db| db.beat(who, Some((PostId(1), Doing::Viewing)), Utc::now()))
            .await
            .unwrap();
    }
    let mut urgent = batch("a", &["1", "2", "3"], "x@m.example", "a1");
    if let SourceEvent::Batch { posts, .. } = &mut urgent {
        for p in posts.iter_mut().take(2) {
            p.text = "my order never arrived and nobody answers, terrible".into();
            p.addressed_to_shop = true;
        }
    }
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(urgent).unwrap();
    drop(tx);
    let (ui, mut msgs) = mpsc::unbounded_channel();
    let mut dealing = ingest();
    dealing.round_robin = true;
    run(rx, store.clone(), dealing, ui, Default::default()).await;
    let Ok(Msg::Ingested { posts, .. }) = msgs.try_recv() else {
        panic!("the batch is stored");
    };
    assert!(posts[0].in_attention() && posts[1].in_attention() && !posts[2].in_attention());
    let view = store
        .call(|db| db.team_view("nobody", Utc::now() - chrono::Duration::minutes(1)))
        .await
        .unwrap();
    let given = |i: usize| view.assignees.get(&posts[i].id).map(String::as_str);
    assert_eq!(
        (given(0), given(1), given(2)),
        (Some("ana"), Some("ben"), None)
    );
    assert!(msgs.try_recv().is_err(), "nothing failed");
}
