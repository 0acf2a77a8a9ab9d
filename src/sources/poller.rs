//! The loop every network source shares. A network says which queries it runs and how to fetch one
//! ([`Network`], in `network.rs`); the poller owns the rest: rounds at the network's pace, per-query backoff with
//! jitter (one failing query never delays the others), the whole source pausing for a rate limit,
//! re-authentication after a refusal or a run of server errors, the live side (streaming) and its fallback, and
//! health reported once per change. `seen.rs` holds what a network remembers of what it delivered.

mod network;
mod seen;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio::time::{Duration, Instant};

use super::http::{Backoff, FetchError};
use super::{Health, SourceCtx};
pub use network::{Live, Network, Out, Stop, Timing};
pub use seen::{Seen, missing_context, take_context};

/// How many times a round asks the network for queries its answers added (a page's posts, then their
/// comments): bounded, so a network that keeps inventing queries cannot hold a round forever.
const ROUND_PASSES: usize = 3;

/// One query's standing.
struct QueryState {
    backoff: Backoff,
    due: Instant,
    /// Why it is failing, while it is.
    failing: Option<FetchError>,
    retry_at: Option<DateTime<Utc>>,
}

/// A failure that stops every query of the source until `until`.
enum Pause {
    RateLimited {
        until: Instant,
        at: DateTime<Utc>,
        why: String,
    },
    AuthFailed {
        until: Instant,
        why: String,
    },
}

impl Pause {
    fn until(&self) -> Instant {
        match self {
            Pause::RateLimited { until, .. } | Pause::AuthFailed { until, .. } => *until,
        }
    }
}

/// The standing of the live side.
#[derive(Debug, Clone, PartialEq)]
enum Stream {
    None,
    Up,
    Dropped,
    Off(String),
}

struct Poller<'c, N: Network> {
    network: N,
    ctx: &'c SourceCtx,
    timing: Timing,
    queries: HashMap<N::Query, QueryState>,
    /// The queries of the latest round: health speaks of these.
    current: Vec<N::Query>,
    pause: Option<Pause>,
    stream: Stream,
    last_live: Instant,
    stale: bool,
    server_errors: u32,
    rounds: u32,
    reported: Option<Health>,
}

/// Runs `network` until cancelled or until the receiver is gone.
pub async fn run<N: Network>(network: N, ctx: &SourceCtx, timing: Timing) {
    let mut poller = Poller {
        network,
        ctx,
        timing,
        queries: HashMap::new(),
        current: Vec::new(),
        pause: None,
        stream: Stream::None,
        last_live: Instant::now(),
        stale: false,
        server_errors: 0,
        rounds: 0,
        reported: None,
    };
    poller.go().await;
}

/// Why a failing query is failing, as the Sources view says it.
fn why(state: &QueryState) -> String {
    state
        .failing
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// `instant` as a wall-clock time, for the Sources view.
fn wall(instant: Instant) -> DateTime<Utc> {
    let ahead = instant.saturating_duration_since(Instant::now());
    Utc::now() + chrono::Duration::from_std(ahead).unwrap_or(chrono::Duration::zero())
}

fn instant(at: DateTime<Utc>) -> Instant {
    Instant::now() + (at - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

impl<N: Network> Poller<'_, N> {
    async fn go(&mut self) {
        if !self.report(Health::Connecting).await {
            return;
        }
        let mut next_round = Instant::now();
        loop {
            if self.ctx.cancel.is_cancelled() {
                return;
            }
            let now = Instant::now();
            if let Some(pause) = &self.pause
                && now >= pause.until()
            {
                let auth = matches!(pause, Pause::AuthFailed { .. });
                self.pause = None;
                if auth {
                    self.login().await;
                }
            }
            if self.pause.is_none() && now >= self.next_wake(next_round) {
                let full = now >= next_round;
                if full {
                    next_round = now + self.timing.interval;
                }
                if !self.round(full).await {
                    return;
                }
                self.rounds += 1;
            }
            if self.stream == Stream::Up
                && !self.stale
                && self.last_live.elapsed() >= self.timing.stale_after
            {
                // A socket can stall silently: say so, reconnect, and let a full round catch up now.
                self.stale = true;
                self.network.restart_live();
                next_round = Instant::now();
            }
            if !self.report(self.health()).await {
                return;
            }
            let mut wake = self.next_wake(next_round);
            if let Some(pause) = &self.pause {
                wake = pause.until();
            }
            if self.stream == Stream::Up && !self.stale {
                wake = wake.min(self.last_live + self.timing.stale_after);
            }
            // Refused credentials would be refused on the stream too: leave it alone until they work.
            let streaming = !matches!(self.pause, Some(Pause::AuthFailed { .. }));
            tokio::select! {
                _ = self.ctx.cancel.cancelled() => return,
                _ = tokio::time::sleep_until(wake) => {}
                live = self.network.live(), if streaming => match self.take_live(live).await {
                    Some(fill) => if fill { next_round = Instant::now() },
                    None => return,
                },
            }
        }
    }

    /// The next moment something is due: the next round, or a failing query's retry.
    fn next_wake(&self, next_round: Instant) -> Instant {
        self.queries
            .values()
            .filter(|q| q.failing.is_some())
            .map(|q| q.due)
            .fold(next_round, Instant::min)
    }

    /// Handles a live event; `Some(true)` asks for a full round now, `None` means shut down.
    async fn take_live(&mut self, live: Live) -> Option<bool> {
        self.last_live = Instant::now();
        self.stale = false;
        match live {
            Live::Batch(mut posts, cursors) => {
                let context = self.network.context(&mut posts).await;
                self.ctx
                    .batch([context, posts].concat(), cursors)
                    .await
                    .then_some(false)
            }
            Live::Alive => Some(false),
            Live::Up => {
                tracing::info!(source = %self.ctx.name, "live");
                self.stream = Stream::Up;
                Some(true)
            }
            Live::Dropped | Live::Off(_) => {
                let was_up = self.stream == Stream::Up;
                self.stream = match live {
                    Live::Off(why) => {
                        tracing::warn!(source = %self.ctx.name, %why, "streaming off, polling");
                        Stream::Off(why)
                    }
                    _ => Stream::Dropped,
                };
                // What the stream would have brought while it was going down: one full round now.
                Some(was_up)
            }
        }
    }

    /// Runs the queries that are due (all of them on a full round); `false` when shutting down. A query's answer
    /// may add queries (the page's new posts, whose comments are read next): those run in the same round, not
    /// one interval later.
    async fn round(&mut self, full: bool) -> bool {
        let now = Instant::now();
        let live = self.stream == Stream::Up && !self.stale;
        let mut asked = std::collections::HashSet::new();
        for _ in 0..ROUND_PASSES {
            let queries = self.network.queries(live);
            let fresh: Vec<N::Query> = queries
                .iter()
                .filter(|q| !asked.contains(*q))
                .cloned()
                .collect();
            self.current = queries;
            if fresh.is_empty() {
                break;
            }
            for query in fresh {
                asked.insert(query.clone());
                if self.ctx.cancel.is_cancelled() {
                    return false;
                }
                if self.network.held().is_some() {
                    return true;
                }
                let state = self.queries.entry(query.clone()).or_insert(QueryState {
                    backoff: self.timing.backoff.clone(),
                    due: now,
                    failing: None,
                    retry_at: None,
                });
                let due = if state.failing.is_some() {
                    state.due <= Instant::now()
                } else {
                    full || state.due <= now
                };
                if !due {
                    continue;
                }
                match self.attempt(&query).await {
                    Ok(()) => {}
                    Err(Stop::Closed) => return false,
                    Err(Stop::Fetch(e)) => {
                        self.failed(&query, e).await;
                        if self.pause.is_some() {
                            return true;
                        }
                    }
                }
            }
        }
        true
    }

    /// One fetch, retried once after logging in again when the credentials were refused.
    async fn attempt(&mut self, query: &N::Query) -> Result<(), Stop> {
        let out = Out { ctx: self.ctx };
        let first = self.network.fetch(query, &out).await;
        let result = match first {
            Err(Stop::Fetch(FetchError::Auth { .. })) if !self.network.best_effort(query) => {
                match self.network.reauth().await {
                    Ok(()) => self.network.fetch(query, &out).await,
                    // Refused again, or no verdict (the server is in trouble): the first refusal stands.
                    Err(_) => first,
                }
            }
            other => other,
        };
        if result.is_ok() {
            self.server_errors = 0;
            if let Some(state) = self.queries.get_mut(query) {
                state.backoff.reset();
                state.failing = None;
                state.retry_at = None;
                state.due = Instant::now() + self.timing.interval;
            }
        }
        result
    }

    /// Books a query's failure: a pause for the whole source, or a backoff for this query.
    async fn failed(&mut self, query: &N::Query, e: FetchError) {
        let label = self.network.label(query);
        tracing::warn!(source = %self.ctx.name, query = %label, error = %e, "query failed");
        match e {
            FetchError::RateLimited { until } => {
                self.pause = Some(Pause::RateLimited {
                    until: instant(until),
                    at: until,
                    why: format!(
                        "{label}: rate limited (429 Too Many Requests or a spent rate limit)"
                    ),
                });
                return;
            }
            FetchError::Auth { status, ref detail } if !self.network.best_effort(query) => {
                self.auth_refused(status, detail);
                return;
            }
            FetchError::Server { .. } | FetchError::Transport(_) => {
                self.server_errors += 1;
                if self.server_errors >= self.timing.reauth_after {
                    self.server_errors = 0;
                    tracing::info!(source = %self.ctx.name, "server errors in a row: logging in again");
                    match self.network.reauth().await {
                        Err(FetchError::Auth { status, detail }) => {
                            self.auth_refused(status, &detail);
                            return;
                        }
                        Err(other) => {
                            tracing::warn!(source = %self.ctx.name, error = %other, "login failed")
                        }
                        Ok(()) => {}
                    }
                }
            }
            _ => {}
        }
        let Some(state) = self.queries.get_mut(query) else {
            return;
        };
        let wait = state.backoff.next_delay();
        state.due = Instant::now() + wait;
        state.retry_at = Some(wall(state.due));
        state.failing = Some(e);
    }

    /// Tries the credentials again after they were refused.
    async fn login(&mut self) {
        // Anything but a refusal is no verdict on the credentials: the round will find out.
        if let Err(FetchError::Auth { status, detail }) = self.network.reauth().await {
            self.auth_refused(status, &detail);
        }
    }

    /// Stops every query until the credentials are tried again.
    fn auth_refused(&mut self, status: u16, detail: &str) {
        self.pause = Some(Pause::AuthFailed {
            until: Instant::now() + self.timing.auth_recheck,
            why: format!("refused ({status}: {detail}); {}", self.network.auth_fix()),
        });
    }

    fn health(&self) -> Health {
        match &self.pause {
            Some(Pause::RateLimited { at, why, .. }) => {
                return Health::BackingOff {
                    until: *at,
                    reason: why.clone(),
                };
            }
            Some(Pause::AuthFailed { why, .. }) => return Health::AuthFailed(why.clone()),
            None => {}
        }
        if let Some(why) = self.network.held() {
            return Health::Disabled(why);
        }
        let mut failing: Vec<(String, &QueryState)> = self
            .current
            .iter()
            .filter_map(|q| Some((q, self.queries.get(q)?)))
            .filter(|(_, s)| s.failing.is_some())
            .map(|(q, s)| (self.network.label(q), s))
            .collect();
        failing.sort_by(|a, b| a.0.cmp(&b.0));
        failing.dedup_by(|a, b| a.0 == b.0);
        // Every query failing on the server's side is a source waiting for its server; anything less, or a
        // refusal, is a source that partly works.
        let down = failing.len() == self.current.len()
            && failing
                .iter()
                .all(|(_, s)| s.failing.as_ref().is_some_and(FetchError::is_retryable));
        if down && let Some((label, first)) = failing.iter().min_by_key(|(_, s)| s.due) {
            let more = match failing.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            return Health::BackingOff {
                until: first.retry_at.unwrap_or_else(Utc::now),
                reason: format!("{label}: {}{more}", why(first)),
            };
        }
        if !failing.is_empty() {
            let why: Vec<String> = failing
                .iter()
                .map(|(label, s)| format!("{label}: {}", why(s)))
                .collect();
            return Health::Degraded(why.join("; "));
        }
        match &self.stream {
            Stream::Up if self.stale => Health::Stale(format!(
                "the stream has been silent for {} min; polling to check",
                self.timing.stale_after.as_secs() / 60
            )),
            Stream::Up => Health::Live,
            Stream::Off(why) if self.rounds > 0 => Health::StreamingOff(why.clone()),
            _ if self.rounds > 0 => Health::Polling,
            _ => Health::Connecting,
        }
    }

    /// Sends `health` if it changed; `false` when the receiver is gone.
    async fn report(&mut self, health: Health) -> bool {
        if self.reported.as_ref() == Some(&health) {
            return true;
        }
        self.reported = Some(health.clone());
        self.ctx.health(health).await
    }
}

#[cfg(test)]
mod tests;
