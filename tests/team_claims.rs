//! Never two replies to one customer: fifty senders on one post, each with a store connection of its own, find
//! exactly one claim granted; through the real reply path against a fake Mastodon, exactly one reply reaches
//! the server and the other forty-nine are told who replied.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::Utc;
use common::files::write_private;
use common::postgres::Cluster;
use regulars::app::{Effect, Msg};
use regulars::domain::{
    Author, Claim, IncomingPost, Network, NewPost, Post, PostId, Taken, Triage,
};
use regulars::runtime::Runner;
use regulars::sources::Replier;
use regulars::sources::mastodon::{MastodonConfig, MastodonReplier};
use regulars::store::{Db, PgDb, PostRepo, Store, TeamRepo};
use regulars::triage::Category;
use serde_json::json;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SENDERS: usize = 50;

/// Fifty connections each: the PostgreSQL tests take turns (the test cluster allows 100).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn staff(i: usize) -> String {
    format!("staff{i:02}")
}

/// Runs `claim` on `SENDERS` threads released together; each thread opens its own connection first.
fn race<D: TeamRepo>(open: impl Fn() -> D + Sync, post: PostId) -> Vec<(String, Claim)> {
    let start = Barrier::new(SENDERS);
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..SENDERS)
            .map(|i| {
                let (open, start) = (&open, &start);
                s.spawn(move || {
                    let mut db = open();
                    start.wait();
                    let claim = db
                        .claim_reply(post, &staff(i), &format!("key-{i}"), Utc::now(), false)
                        .unwrap();
                    (staff(i), claim)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

/// Exactly one granted; everyone else told that one's name.
fn exactly_one_granted(claims: &[(String, Claim)]) {
    let granted: Vec<_> = claims
        .iter()
        .filter(|(_, c)| *c == Claim::Granted)
        .map(|(who, _)| who.clone())
        .collect();
    assert_eq!(granted.len(), 1, "granted to {granted:?}");
    for (who, claim) in claims {
        if let Claim::Taken(Taken { by, replied, .. }) = claim {
            assert_eq!(by, &granted[0], "{who} was told the wrong name");
            assert!(!replied, "nobody replied yet");
        }
    }
    eprintln!("claims: 1 of {} granted, to {}", claims.len(), granted[0]);
}

#[test]
fn fifty_postgres_connections_claiming_one_post_are_granted_once() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let url = cluster.create_database("claims");
    drop(PgDb::open(&url).unwrap());
    cluster.execute(
        "claims",
        "INSERT INTO posts (network, native_id, author_handle, author_name, text, created_at, ingested_at,
             category, score)
         VALUES ('mastodon', '109', 'cu@far.example', 'Cu', 'my parcel is late', 0, 0, 'complaint', 0.9)",
    );
    let post = PostId(cluster.query_one::<i64>("claims", "SELECT id FROM posts"));
    exactly_one_granted(&race(|| PgDb::open(&url).unwrap(), post));
    let claims: i64 = cluster.query_one("claims", "SELECT count(*) FROM reply_claims");
    assert_eq!(claims, 1);
}

#[test]
fn fifty_sqlite_connections_on_one_file_claiming_one_post_are_granted_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regulars.db");
    let post = Db::open(&file)
        .unwrap()
        .insert_batch("test", &[mention()], &[])
        .unwrap()[0]
        .id;
    exactly_one_granted(&race(|| Db::open(&file).unwrap(), post));
}

fn mention() -> NewPost {
    NewPost {
        incoming: IncomingPost {
            network: Network::Mastodon,
            native_id: "109".into(),
            url: Some("https://far.example/@cu/109".into()),
            author: Author {
                handle: "cu@far.example".into(),
                display_name: "Cu".into(),
            },
            text: "my parcel is late".into(),
            created_at: Utc::now(),
            in_reply_to: None,
            reply_ref: Some(json!({"visibility": "public", "acct": "cu@far.example"})),
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        },
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage {
            category: Category::Complaint,
            score: 0.9,
            reasons: vec![],
        },
        ingested_at: Utc::now(),
    }
}

fn replier(server: &MockServer, dir: &std::path::Path) -> Arc<dyn Replier> {
    let token = dir.join("token");
    write_private(&token, "reply-SECRET-tok");
    let cfg = MastodonConfig {
        instance: server.uri(),
        token_env: None,
        token_file: Some(token),
        poll_seconds: 60,
        stream: false,
        keyword_search: false,
    };
    Arc::new(
        MastodonReplier::new(
            "masto",
            &cfg,
            Some("shop@shop.test".into()),
            regulars::sources::http::client(),
        )
        .unwrap(),
    )
}

/// Fifty consoles, each its own store client and effect runner, press send on one post at the same moment.
async fn fifty_senders(open: impl Fn() -> Store, post: Post) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "500", "url": "https://shop.test/@shop/500"})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let replier = replier(&server, dir.path());
    let mut consoles = Vec::new();
    for i in 0..SENDERS {
        let (ui_tx, mut ui) = mpsc::unbounded_channel();
        let (effects, effects_rx) = mpsc::unbounded_channel();
        let repliers: HashMap<_, _> = [(Network::Mastodon, replier.clone())].into();
        let runner = Runner::new(
            open(),
            repliers,
            Arc::new(regulars::notify::NullNotifier),
            Default::default(),
            ui_tx,
        )
        .with_staff(staff(i));
        tokio::spawn(runner.run(effects_rx));
        assert!(matches!(ui.recv().await, Some(Msg::RepliersReady(_))));
        consoles.push((effects, ui));
    }
    for (i, (effects, _)) in consoles.iter().enumerate() {
        effects
            .send(Effect::SendReply {
                post: Box::new(post.clone()),
                text: "So sorry, it ships today.".into(),
                idempotency_key: format!("key-{i}"),
                unconfirmed: false,
                anyway: false,
            })
            .unwrap();
    }
    let mut sent = Vec::new();
    let mut told = Vec::new();
    for (i, (_, ui)) in consoles.iter_mut().enumerate() {
        let answer = tokio::time::timeout(Duration::from_secs(30), ui.recv())
            .await
            .expect("every sender hears back")
            .unwrap();
        match answer {
            Msg::ReplySent { .. } => sent.push(staff(i)),
            Msg::ReplyClaimed { taken, .. } => told.push(taken),
            other => panic!("{}: {other:?}", staff(i)),
        }
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one reply reaches Mastodon");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(told.len(), SENDERS - 1);
    // Each was told who got there first (before or after that one's reply was logged).
    assert!(told.iter().all(|t| t.by == sent[0]), "{told:?}");
    eprintln!(
        "senders: {} requests reached the server, {} sent, {} told who ({} already replied)",
        requests.len(),
        sent.len(),
        told.len(),
        told.iter().filter(|t| t.replied).count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_senders_on_one_sqlite_file_post_one_reply() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regulars.db");
    let store = Store::open(&file).unwrap();
    let post = store
        .call(|db| db.insert_batch("test", &[mention()], &[]))
        .await
        .unwrap()
        .remove(0);
    fifty_senders(|| Store::open(&file).unwrap(), post).await;
}

/// A plain test holding the turn around a runtime of its own (a lock guard must not be held across awaits).
#[test]
fn fifty_senders_on_one_postgres_post_one_reply() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let url = cluster.create_database("senders");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open_postgres(&url).unwrap();
        let post = store
            .call(|db| db.insert_batch("test", &[mention()], &[]))
            .await
            .unwrap()
            .remove(0);
        fifty_senders(|| Store::open_postgres(&url).unwrap(), post).await;
    });
    let replies: i64 = cluster.query_one("senders", "SELECT count(*) FROM replies");
    assert_eq!(replies, 1, "one reply logged");
}
