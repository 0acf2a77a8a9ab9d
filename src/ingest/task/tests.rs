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
    run(rx, store.clone(), ingest(), ui).await;
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
