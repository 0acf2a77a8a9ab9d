//! A team on one PostgreSQL: an action logged by one console reaches another's listener as `Msg::Changed`
//! within a second, and that console's read shows it; the fetcher lock's holder killed mid-batch, another
//! process takes over and every post of the JSONL file is stored exactly once.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::postgres::Cluster;
use regulars::app::Msg;
use regulars::domain::{ActionKind, Anchor, NewAction};
use regulars::store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_in_one_console_reaches_the_other_within_a_second() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("live_action");
    let (one, other) = (
        Store::open_postgres(&url).unwrap(),
        Store::open_postgres(&url).unwrap(),
    );
    let (ui, mut changes) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let listener = regulars::live::spawn(url.clone(), ui, cancel.clone());
    // LISTEN is in place once a change made now arrives: wait for a first one.
    let ready = Instant::now();
    loop {
        log(&one, "warming up").await;
        if tokio::time::timeout(Duration::from_millis(500), changes.recv())
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            ready.elapsed() < Duration::from_secs(10),
            "the listener never heard a change"
        );
    }
    tokio::time::sleep(regulars::live::COALESCE * 2).await;
    while changes.try_recv().is_ok() {}

    let logged = Instant::now();
    let action = log(&one, "called her back").await;
    let msg = tokio::time::timeout(Duration::from_secs(1), changes.recv())
        .await
        .expect("a change within 1 s");
    assert!(matches!(msg, Some(Msg::Changed)), "{msg:?}");
    let page = other
        .call(|db| db.actions_page(Anchor::First, 50, false))
        .await
        .unwrap();
    assert!(
        page.rows.iter().any(|a| a.id == action.id),
        "the other console's read shows it"
    );
    assert!(
        logged.elapsed() < Duration::from_secs(1),
        "{:?}",
        logged.elapsed()
    );
    cancel.cancel();
    listener.await.unwrap();
}

async fn log(store: &Store, note: &str) -> regulars::domain::Action {
    let note = note.to_string();
    store
        .call(move |db| {
            db.log_action(
                "ana",
                &NewAction {
                    post: None,
                    customer: None,
                    kind: ActionKind::Note,
                    note,
                    at: chrono::Utc::now(),
                    url: None,
                },
            )
        })
        .await
        .unwrap()
}

const LINES: usize = 4_000;

/// A `regulars sync` on the shared workspace, its output read line by line on a thread.
fn sync(home: &std::path::Path, url: &str) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = common::bin::regulars(home)
        .args([
            "--config",
            home.join("config.toml").to_str().unwrap(),
            "sync",
        ])
        .env("REGULARS_TEAM_TEST_URL", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

#[test]
fn the_fetcher_killed_mid_batch_another_takes_over_and_nothing_is_lost_or_doubled() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("live_failover");
    let home = tempfile::tempdir().unwrap();
    let inbox = home.path().join("inbox.jsonl");
    let lines: String = (0..LINES)
        .map(|i| {
            format!(
                "{{\"id\":\"p{i}\",\"author\":\"ann{i}@example.social\",\"text\":\"my order {i} never arrived\",\"created_at\":\"2026-11-22T10:00:00Z\"}}\n"
            )
        })
        .collect();
    std::fs::write(&inbox, lines).unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[store]\nbackend = \"postgres\"\nurl_env = \"REGULARS_TEAM_TEST_URL\"\n\n\
             [sources.inbox]\nkind = \"jsonl\"\npath = \"{}\"\nnetwork = \"jsonl\"\n",
            inbox.display()
        ),
    )
    .unwrap();
    let stored = || cluster.query_one::<i64>("live_failover", "SELECT count(*) FROM posts");

    let (mut first, first_out) = sync(home.path(), &url);
    wait_for(&first_out, "fetching: this process holds the lock");
    let (mut second, second_out) = sync(home.path(), &url);
    wait_for(&second_out, "another process fetches");
    // Mid-file: some batches stored, not all.
    let began = Instant::now();
    while stored() == 0 {
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "the first sync stored nothing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    first.kill().unwrap(); // SIGKILL: no goodbye, the lock goes with the connection
    first.wait().unwrap();
    let at_kill = stored();

    let killed = Instant::now();
    wait_for(&second_out, "fetching: this process holds the lock");
    let took_over = killed.elapsed();
    let began = Instant::now();
    while stored() < LINES as i64 {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "{} of {LINES} stored",
            stored()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    second.kill().unwrap();
    second.wait().unwrap();
    eprintln!("killed with {at_kill} of {LINES} stored; took over after {took_over:?}");
    assert!(at_kill < LINES as i64, "killed mid-file ({at_kill} stored)");
    assert!(took_over < Duration::from_secs(10), "{took_over:?}");
    assert_eq!(stored(), LINES as i64);
    let distinct = cluster.query_one::<i64>(
        "live_failover",
        "SELECT count(DISTINCT (network, native_id)) FROM posts",
    );
    assert_eq!(distinct, LINES as i64, "no native id twice");
}

fn wait_for(out: &std::sync::mpsc::Receiver<String>, words: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match out.recv_timeout(left) {
            Ok(line) if line.contains(words) => return,
            Ok(_) => {}
            Err(e) => panic!("waiting for {words:?}: {e}"),
        }
    }
    panic!("no {words:?} within 20 s");
}
