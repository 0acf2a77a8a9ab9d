//! Live between consoles: a change one store client makes reaches another console's listener as a message
//! within a second, through PostgreSQL's LISTEN/NOTIFY (no table polling).

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::postgres::Cluster;
use regulars::app::Msg;
use regulars::domain::{ActionKind, NewAction};
use regulars::store::Store;
use regulars::team::listen::listen;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

async fn next_change(ui: &mut mpsc::UnboundedReceiver<Msg>) -> Option<String> {
    match tokio::time::timeout(Duration::from_secs(1), ui.recv()).await {
        Ok(Some(Msg::Changed { table })) => table,
        other => panic!("no change message within 1 s: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_in_one_console_reaches_the_other_within_a_second() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("live");
    let ana = Store::open_postgres(&url).unwrap();
    let _ben = Store::open_postgres(&url).unwrap();
    let (ui_tx, mut ui) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let listener = tokio::spawn(listen(url.clone(), ui_tx, cancel.clone()));
    // Listening: the panes reload once (changes before it are not known).
    assert_eq!(next_change(&mut ui).await, None);
    let mut waits = Vec::new();
    for i in 0..20 {
        let began = Instant::now();
        ana.call(move |db| {
            db.log_action(&NewAction {
                post: None,
                customer: None,
                kind: ActionKind::Note,
                note: format!("note {i}"),
                at: Utc::now(),
                url: None,
            })
        })
        .await
        .unwrap();
        assert_eq!(next_change(&mut ui).await.as_deref(), Some("actions"));
        waits.push(began.elapsed());
    }
    waits.sort();
    eprintln!(
        "change to message: p50 {:?}, max {:?} over {} actions",
        waits[waits.len() / 2],
        waits[waits.len() - 1],
        waits.len()
    );
    cancel.cancel();
    listener.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_comes_back_after_its_connection_is_cut() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("live_cut");
    let ana = Store::open_postgres(&url).unwrap();
    let (ui_tx, mut ui) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let listener = tokio::spawn(listen(url.clone(), ui_tx, cancel.clone()));
    assert_eq!(next_change(&mut ui).await, None);
    // The server drops the listener's connection (a restart, a network cut).
    cluster.execute(
        "live_cut",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    // Back after the first backoff (1 s), saying the panes may have missed something.
    let back = tokio::time::timeout(Duration::from_secs(5), ui.recv()).await;
    assert!(
        matches!(back, Ok(Some(Msg::Changed { table: None }))),
        "{back:?}"
    );
    ana.call(|db| {
        db.log_action(&NewAction {
            post: None,
            customer: None,
            kind: ActionKind::Note,
            note: "after".into(),
            at: Utc::now(),
            url: None,
        })
    })
    .await
    .unwrap();
    assert_eq!(next_change(&mut ui).await.as_deref(), Some("actions"));
    cancel.cancel();
    listener.await.unwrap();
}
