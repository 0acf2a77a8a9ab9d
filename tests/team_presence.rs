//! Two headless consoles on one PostgreSQL (the real `update`, effect runner and live listener each): Ana takes
//! a post and Ben's console shows it hers within a second; Ana's console shows the post and Ben sees "ana is
//! viewing" within a second, gone once her heartbeat is older than 30 s, and at once when she quits.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::postgres::Cluster;
use regulars::app::{Command, Effect, Msg, update};
use regulars::config::{Keymap, Theme};
use regulars::domain::{Author, Category, IncomingPost, Network, NewPost, PostId, Reason, Triage};
use regulars::runtime::Runner;
use regulars::state::{AppState, Pane};
use regulars::store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

struct Console {
    state: AppState,
    effects: mpsc::UnboundedSender<Effect>,
    ui: mpsc::UnboundedReceiver<Msg>,
}

impl Console {
    async fn start(url: &str, me: &str, cancel: &CancellationToken) -> Console {
        let store = Store::open_postgres(url).unwrap();
        let (ui_tx, ui) = mpsc::unbounded_channel();
        let (effects, effects_rx) = mpsc::unbounded_channel();
        tokio::spawn(
            Runner::new(
                store.clone(),
                HashMap::new(),
                Arc::new(regulars::notify::NullNotifier),
                Default::default(),
                ui_tx.clone(),
            )
            .run(effects_rx),
        );
        regulars::live::spawn(url.to_string(), ui_tx, cancel.clone());
        let mut state = AppState::new(Utc::now(), Keymap::defaults(), Theme::default());
        state.focus = Pane::Attention;
        state.team.me = me.into();
        regulars::loader::settle(&store, &mut state).await.unwrap();
        Console { state, effects, ui }
    }

    fn dispatch(&mut self, msg: Msg) {
        for effect in update(&mut self.state, msg) {
            self.effects.send(effect).unwrap();
        }
    }

    /// Applies what arrives until `done` holds; how long it took. Panics after `within`.
    async fn until(
        &mut self,
        what: &str,
        within: Duration,
        done: impl Fn(&AppState) -> bool,
    ) -> Duration {
        let began = Instant::now();
        while !done(&self.state) {
            let left = within.saturating_sub(began.elapsed());
            match tokio::time::timeout(left, self.ui.recv()).await {
                Ok(Some(msg)) => self.dispatch(msg),
                _ => panic!("{what}: not within {within:?}"),
            }
        }
        began.elapsed()
    }
}

fn complaint() -> NewPost {
    NewPost {
        incoming: IncomingPost {
            network: Network::Mastodon,
            native_id: "1".into(),
            url: None,
            author: Author {
                handle: "maya@example.social".into(),
                display_name: "Maya".into(),
            },
            text: "my ring arrived broken".into(),
            created_at: Utc::now(),
            in_reply_to: None,
            reply_ref: None,
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
            reasons: vec![Reason::new("broken", 0, 6)],
        },
        ingested_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_assigns_and_shows_a_post_and_the_other_sees_it_within_a_second() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("team_presence");
    let seed = Store::open_postgres(&url).unwrap();
    let post: PostId = seed
        .call(|db| db.insert_batch("test", &[complaint()], &[]))
        .await
        .unwrap()[0]
        .id;
    let cancel = CancellationToken::new();
    let mut ana = Console::start(&url, "ana", &cancel).await;
    let mut ben = Console::start(&url, "ben", &cancel).await;
    assert_eq!(ana.state.current_post_id(), Some(post));
    // Ben's listener is in place once it hears a change made now.
    let warm = Instant::now();
    loop {
        seed.call(move |db| {
            db.beat(
                "warm-up",
                Some((post, regulars::domain::Doing::Viewing)),
                Utc::now(),
            )
        })
        .await
        .unwrap();
        if let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(500), ben.ui.recv()).await
        {
            ben.dispatch(msg);
            break;
        }
        assert!(
            warm.elapsed() < Duration::from_secs(10),
            "Ben's listener never heard a change"
        );
        seed.call(|db| db.beat("warm-up", None, Utc::now()))
            .await
            .unwrap();
    }
    seed.call(|db| db.beat("warm-up", None, Utc::now()))
        .await
        .unwrap();

    ana.dispatch(Msg::Command(Command::AssignToMe));
    let took = ben
        .until("Ben sees Ana's post", Duration::from_secs(1), |s| {
            s.team.assignee(post) == Some("ana")
        })
        .await;
    println!("assignment seen by the other console after {took:?}");
    assert_eq!(ben.state.team.view.assignees.len(), 1);

    // Ana's console is live: it says what it shows at once.
    ana.dispatch(Msg::LiveLink(None));
    let took = ben
        .until("Ben sees Ana viewing", Duration::from_secs(1), |s| {
            s.team.presence_line(post).as_deref() == Some("ana is viewing")
        })
        .await;
    println!("presence seen by the other console after {took:?}");

    // Read as of 31 s later, with no heartbeat since, Ana is gone.
    ben.dispatch(Msg::Tick(Utc::now() + chrono::Duration::seconds(31)));
    ben.dispatch(Msg::Heartbeat);
    ben.until("Ana's heartbeat expires", Duration::from_secs(2), |s| {
        s.team.presence_line(post).is_none()
    })
    .await;

    // Back to now: she shows again, and is gone at once when she quits.
    ben.dispatch(Msg::Tick(Utc::now()));
    ben.dispatch(Msg::Heartbeat);
    ben.until("Ana present again", Duration::from_secs(2), |s| {
        s.team.presence_line(post).is_some()
    })
    .await;
    ana.dispatch(Msg::Terminate);
    ben.until("Ana gone when she quits", Duration::from_secs(1), |s| {
        s.team.presence_line(post).is_none()
    })
    .await;
    cancel.cancel();
}
