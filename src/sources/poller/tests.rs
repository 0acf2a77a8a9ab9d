//! The poller against a scripted network, on paused tokio time: every wait is exact and instant.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::sources::SourceEvent;

type Script = Arc<Mutex<HashMap<&'static str, VecDeque<Result<(), FetchError>>>>>;

/// A network whose queries answer from a script (default: fine), logging when each one ran.
struct Fake {
    queries: Vec<&'static str>,
    script: Script,
    ran: Arc<Mutex<Vec<(Duration, &'static str)>>>,
    reauths: Arc<Mutex<VecDeque<Result<(), FetchError>>>>,
    reauth_calls: Arc<Mutex<u32>>,
    restarts: Arc<Mutex<u32>>,
    live: mpsc::UnboundedReceiver<Live>,
    start: Instant,
    held: Arc<Mutex<Option<String>>>,
}

impl Network for Fake {
    type Query = &'static str;

    fn queries(&mut self, _live: bool) -> Vec<&'static str> {
        self.queries.clone()
    }

    fn label(&self, query: &&'static str) -> String {
        query.to_string()
    }

    fn best_effort(&self, query: &&'static str) -> bool {
        query.starts_with("search")
    }

    async fn fetch(&mut self, query: &&'static str, _out: &Out<'_>) -> Result<(), Stop> {
        // The page's posts, once read, have comments to read (as LinkedIn's and Tumblr's do).
        if *query == "page posts" && !self.queries.contains(&"comments") {
            self.queries.push("comments");
        }
        self.ran
            .lock()
            .unwrap()
            .push((self.start.elapsed(), *query));
        let next = self
            .script
            .lock()
            .unwrap()
            .get_mut(query)
            .and_then(VecDeque::pop_front);
        next.unwrap_or(Ok(())).map_err(Stop::Fetch)
    }

    async fn reauth(&mut self) -> Result<(), FetchError> {
        *self.reauth_calls.lock().unwrap() += 1;
        self.reauths.lock().unwrap().pop_front().unwrap_or(Ok(()))
    }

    fn auth_fix(&self) -> String {
        "put a new token in FAKE_TOKEN".into()
    }

    async fn live(&mut self) -> Live {
        match self.live.recv().await {
            Some(l) => l,
            None => std::future::pending().await,
        }
    }

    fn restart_live(&mut self) {
        *self.restarts.lock().unwrap() += 1;
    }

    fn held(&self) -> Option<String> {
        self.held.lock().unwrap().clone()
    }
}

struct Harness {
    script: Script,
    ran: Arc<Mutex<Vec<(Duration, &'static str)>>>,
    reauths: Arc<Mutex<VecDeque<Result<(), FetchError>>>>,
    reauth_calls: Arc<Mutex<u32>>,
    restarts: Arc<Mutex<u32>>,
    live: mpsc::UnboundedSender<Live>,
    events: mpsc::Receiver<SourceEvent>,
    cancel: CancellationToken,
    held: Arc<Mutex<Option<String>>>,
}

const MINUTE: Duration = Duration::from_secs(60);

fn timing() -> Timing {
    Timing {
        interval: MINUTE,
        backoff: Backoff::new(Duration::from_secs(10), Duration::from_secs(300)),
        auth_recheck: Duration::from_secs(600),
        reauth_after: 3,
        stale_after: Duration::from_secs(1800),
    }
}

fn start(queries: &[&'static str]) -> Harness {
    let (tx, events) = mpsc::channel(1024);
    let (live_tx, live_rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let fake = Fake {
        queries: queries.to_vec(),
        script: Script::default(),
        ran: Arc::default(),
        reauths: Arc::default(),
        reauth_calls: Arc::default(),
        restarts: Arc::default(),
        live: live_rx,
        start: Instant::now(),
        held: Arc::default(),
    };
    let h = Harness {
        script: fake.script.clone(),
        ran: fake.ran.clone(),
        reauths: fake.reauths.clone(),
        reauth_calls: fake.reauth_calls.clone(),
        restarts: fake.restarts.clone(),
        live: live_tx,
        events,
        cancel: cancel.clone(),
        held: fake.held.clone(),
    };
    let ctx = SourceCtx {
        name: "fake".into(),
        tx,
        cancel,
        cursors: HashMap::new(),
    };
    tokio::spawn(async move { run(fake, &ctx, timing()).await });
    h
}

impl Harness {
    fn answer(&self, query: &'static str, results: Vec<Result<(), FetchError>>) {
        self.script
            .lock()
            .unwrap()
            .entry(query)
            .or_default()
            .extend(results);
    }

    /// Every health reported so far.
    fn healths(&mut self) -> Vec<Health> {
        let mut out = Vec::new();
        while let Ok(ev) = self.events.try_recv() {
            if let SourceEvent::Health { health, .. } = ev {
                out.push(health);
            }
        }
        out
    }

    /// When `query` ran, in seconds since the start.
    fn runs(&self, query: &str) -> Vec<u64> {
        self.ran
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, q)| *q == query)
            .map(|(t, _)| t.as_secs())
            .collect()
    }
}

fn server_error() -> Result<(), FetchError> {
    Err(FetchError::Server { status: 503 })
}

async fn pass(d: Duration) {
    tokio::time::sleep(d).await;
}

#[tokio::test(start_paused = true)]
async fn a_held_network_reads_nothing_and_says_why_until_it_lets_go() {
    let mut h = start(&["mentions", "search"]);
    *h.held.lock().unwrap() = Some("monthly read budget of 100 posts reached".into());
    pass(MINUTE * 3 + Duration::from_secs(1)).await;
    assert!(h.runs("mentions").is_empty() && h.runs("search").is_empty());
    assert_eq!(
        h.healths().last(),
        Some(&Health::Disabled(
            "monthly read budget of 100 posts reached".into()
        ))
    );
    *h.held.lock().unwrap() = None;
    pass(MINUTE).await;
    assert_eq!(h.runs("mentions"), [240], "read again at the next round");
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn health_is_reported_once_per_change() {
    let mut h = start(&["mentions", "feed"]);
    pass(10 * MINUTE + Duration::from_secs(1)).await;
    assert_eq!(h.healths(), vec![Health::Connecting, Health::Polling]);
    assert_eq!(h.runs("mentions").len(), 11, "one run a minute");
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_failing_query_backs_off_alone_within_bounds() {
    let mut h = start(&["mentions", "search shop", "tag"]);
    h.answer("search shop", (0..30).map(|_| server_error()).collect());
    pass(20 * MINUTE - Duration::from_secs(1)).await;
    // The others keep their pace: once a minute, from the start.
    let mentions = h.runs("mentions");
    assert_eq!(mentions.len(), 20, "{mentions:?}");
    assert!(
        mentions.windows(2).all(|w| w[1] - w[0] == 60),
        "{mentions:?}"
    );
    assert_eq!(h.runs("tag").len(), 20);
    // The failing one waits longer each time: [ceiling/2, ceiling], ceiling = 10 s * 2^n, capped at 300 s.
    let search = h.runs("search shop");
    for (n, gap) in search.windows(2).map(|w| w[1] - w[0]).enumerate() {
        let ceiling = (10u64 << n.min(20)).min(300);
        assert!(
            gap >= ceiling / 2 && gap <= ceiling + 1,
            "gap {n}: {gap} s, ceiling {ceiling}: {search:?}"
        );
    }
    assert!(
        search.len() <= 11,
        "far fewer tries than rounds: {search:?}"
    );
    let healths = h.healths();
    assert!(
        healths.iter().any(|h| matches!(h, Health::Degraded(why)
            if why.starts_with("search shop: server error (503)"))),
        "{healths:?}"
    );
    // It recovers when the server does.
    h.script.lock().unwrap().clear();
    pass(6 * MINUTE).await;
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn all_queries_failing_is_backing_off_until_the_earliest_retry() {
    let mut h = start(&["mentions", "feed"]);
    h.answer("mentions", vec![server_error(), server_error()]);
    h.answer(
        "feed",
        vec![Err(FetchError::Transport("could not connect".into()))],
    );
    pass(Duration::from_secs(1)).await;
    let healths = h.healths();
    assert!(
        matches!(healths.last(), Some(Health::BackingOff { reason, .. })
            if reason.ends_with("and 1 more")),
        "{healths:?}"
    );
    pass(10 * MINUTE).await;
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_pauses_every_query_until_its_reset() {
    let mut h = start(&["mentions", "feed"]);
    let until = Utc::now() + chrono::Duration::seconds(300);
    h.answer(
        "mentions",
        vec![Ok(()), Err(FetchError::RateLimited { until })],
    );
    pass(MINUTE + Duration::from_secs(1)).await;
    assert!(matches!(
        h.healths().last(),
        Some(Health::BackingOff { reason, .. }) if reason.contains("rate limited")
    ));
    pass(3 * MINUTE).await;
    // Paused: the second round stopped at mentions, and nothing ran since.
    assert_eq!(h.runs("mentions"), vec![0, 60]);
    assert_eq!(h.runs("feed"), vec![0]);
    pass(2 * MINUTE).await;
    assert_eq!(h.runs("feed").len(), 2);
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_logs_in_again_and_retries_once() {
    let mut h = start(&["mentions"]);
    h.answer(
        "mentions",
        vec![Err(FetchError::Auth {
            status: 401,
            detail: "expired".into(),
        })],
    );
    pass(Duration::from_secs(1)).await;
    assert_eq!(*h.reauth_calls.lock().unwrap(), 1);
    assert_eq!(
        h.runs("mentions"),
        vec![0, 0],
        "retried at once after the login"
    );
    assert_eq!(h.healths(), vec![Health::Connecting, Health::Polling]);
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn refused_credentials_are_auth_failed_then_tried_again() {
    let mut h = start(&["mentions", "search x"]);
    let refused = || FetchError::Auth {
        status: 401,
        detail: "invalid token".into(),
    };
    h.answer("mentions", vec![Err(refused())]);
    h.reauths.lock().unwrap().push_back(Err(refused()));
    pass(9 * MINUTE).await;
    let healths = h.healths();
    assert!(
        matches!(healths.last(), Some(Health::AuthFailed(why))
            if why.contains("invalid token") && why.contains("FAKE_TOKEN")),
        "{healths:?}"
    );
    assert_eq!(h.runs("mentions"), vec![0], "no hot loop while refused");
    // After the recheck the login works (the user fixed the token): everything runs again.
    pass(2 * MINUTE).await;
    assert_eq!(h.runs("mentions"), vec![0, 600]);
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_best_effort_query_refused_only_degrades_itself() {
    let mut h = start(&["mentions", "search x"]);
    h.answer(
        "search x",
        vec![Err(FetchError::Auth {
            status: 403,
            detail: "search disabled".into(),
        })],
    );
    pass(Duration::from_secs(1)).await;
    assert_eq!(*h.reauth_calls.lock().unwrap(), 0);
    assert!(matches!(h.healths().last(), Some(Health::Degraded(why)) if why.contains("search x")));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn server_errors_in_a_row_log_in_again() {
    let h = start(&["mentions"]);
    h.answer("mentions", (0..3).map(|_| server_error()).collect());
    pass(5 * MINUTE).await;
    assert_eq!(*h.reauth_calls.lock().unwrap(), 1);
    assert!(h.runs("mentions").len() >= 5);
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn live_up_down_and_stale() {
    let mut h = start(&["mentions"]);
    pass(Duration::from_secs(1)).await;
    h.live.send(Live::Up).unwrap();
    pass(Duration::from_secs(1)).await;
    assert_eq!(h.healths().last(), Some(&Health::Live));
    // Up asks for a round to fill the gap.
    assert_eq!(h.runs("mentions"), vec![0, 1]);
    h.live.send(Live::Alive).unwrap();
    pass(29 * MINUTE).await;
    assert_eq!(h.healths(), vec![], "not stale yet");
    pass(2 * MINUTE).await;
    assert!(matches!(h.healths().last(), Some(Health::Stale(_))));
    assert_eq!(
        *h.restarts.lock().unwrap(),
        1,
        "a silent stream is reconnected"
    );
    h.live.send(Live::Dropped).unwrap();
    pass(Duration::from_secs(1)).await;
    assert_eq!(h.healths().last(), Some(&Health::Polling));
    h.live
        .send(Live::Off("403 Forbidden: token refused".into()))
        .unwrap();
    pass(Duration::from_secs(1)).await;
    assert_eq!(
        h.healths().last(),
        Some(&Health::StreamingOff("403 Forbidden: token refused".into()))
    );
    h.live.send(Live::Up).unwrap();
    pass(Duration::from_secs(1)).await;
    assert_eq!(h.healths().last(), Some(&Health::Live));
    h.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn queries_an_answer_adds_run_in_the_same_round() {
    let h = start(&["mentions", "page posts"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(h.runs("page posts"), [0]);
    assert_eq!(h.runs("comments"), [0], "not one interval later");
    tokio::time::sleep(MINUTE).await;
    assert_eq!(h.runs("comments"), [0, 60]);
    assert_eq!(h.runs("mentions"), [0, 60]);
    h.cancel.cancel();
}
