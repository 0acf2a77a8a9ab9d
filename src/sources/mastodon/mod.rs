//! Mastodon source (Mastodon 4.x; Pleroma, Akkoma and GoToSocial where they speak the same API).
//!
//! What it reads, with the cursor each query keeps (`min_id` positions; a restart resumes exactly):
//! - customers: `/api/v1/accounts/lookup` once (id cached as cursor `account-id:<acct>`), then
//!   `/api/v1/accounts/:id/statuses` (cursor `account:<id>`);
//! - mentions: `/api/v1/notifications?types[]=mention` (cursor `notifications`);
//! - hashtags: `/api/v1/timelines/tag/:tag` (cursor `tag:<tag>`);
//! - keywords: `/api/v2/search?type=statuses` (cursor `search:<keyword>`), best effort.
//!
//! Live: the streaming API (`user` stream for home and notifications, one `hashtag` subscription per
//! watched tag). Customers the shop does not follow and keyword searches are polled even while live.
//! When streaming fails the source polls and retries the socket with backoff; after a reconnect it polls
//! once to fill the gap.

pub mod api;
mod config;
mod doctor;
pub mod network;
pub(crate) mod poll;
pub mod reply;
pub(crate) mod stream;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use crate::sources::http::{Backoff, FetchError};
use crate::sources::secret::Secret;
use crate::sources::{CheckFuture, Cursor, Health, Source, SourceCtx, SourceFuture, Watch};
pub(crate) use config::credentials;
pub use config::{MastodonConfig, MastodonOptions};
use poll::{Api, Poller, Query};
pub use reply::MastodonReplier;

/// While streaming, every this many polling rounds is a full one (mentions and hashtags too).
const FULL_ROUND_EVERY: u32 = 5;

#[derive(Debug)]
pub struct MastodonSource {
    name: String,
    base: Url,
    token: Secret,
    /// Where the token comes from, for fixes ("the environment variable X").
    token_hint: String,
    poll_interval: Duration,
    stream: bool,
    keyword_search: bool,
    watch: Watch,
    client: reqwest::Client,
    options: MastodonOptions,
    char_limit: Arc<AtomicUsize>,
}

impl MastodonSource {
    pub fn new(
        name: String,
        cfg: &MastodonConfig,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<MastodonSource, String> {
        let what = format!("sources.{name}");
        let (base, token, token_hint) = credentials(&what, cfg)?;
        if cfg.poll_seconds == 0 {
            return Err(format!(
                "{what}.poll_seconds: must be at least 1 (60 is kind to the server)"
            ));
        }
        Ok(MastodonSource {
            name,
            base,
            token,
            token_hint,
            poll_interval: Duration::from_secs(cfg.poll_seconds),
            stream: cfg.stream,
            keyword_search: cfg.keyword_search,
            watch,
            client,
            options: MastodonOptions::default(),
            char_limit: Arc::new(AtomicUsize::new(api::DEFAULT_CHAR_LIMIT)),
        })
    }

    pub fn with_options(mut self, options: MastodonOptions) -> MastodonSource {
        if let Some(p) = options.poll_interval {
            self.poll_interval = p;
        }
        self.options = options;
        self
    }

    /// The instance's post length limit (`configuration.statuses.max_characters`; 500 until read).
    pub fn char_limit(&self) -> usize {
        self.char_limit.load(Ordering::Relaxed)
    }

    /// A handle on the limit that stays current after the source is moved into its task.
    pub fn char_limit_handle(&self) -> Arc<AtomicUsize> {
        self.char_limit.clone()
    }

    fn api(&self) -> Api {
        Api {
            client: self.client.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            rate: None,
            timeout: self.options.request_timeout,
        }
    }

    fn host(&self) -> String {
        self.base
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    fn queries(&self, full: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if full {
            q.push(Query::Mentions);
        }
        q.extend(
            self.watch
                .customer_handles
                .iter()
                .map(|h| Query::Customer(h.trim_start_matches('@').to_string())),
        );
        if full {
            q.extend(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| Query::Tag(t.trim_start_matches('#').to_string())),
            );
        }
        if self.keyword_search {
            q.extend(self.watch.keywords.iter().map(|k| Query::Search(k.clone())));
        }
        q
    }

    /// Reads `/api/v2/instance`: the handle domain, the character limit and the streaming URL.
    async fn learn_instance(&self, poller: &mut Poller) -> Result<Url, FetchError> {
        let instance = poller.api.instance().await?;
        if let Some(limit) = instance.configuration.statuses.max_characters {
            self.char_limit.store(limit, Ordering::Relaxed);
        }
        if let Some(domain) = instance.domain.filter(|d| !d.trim().is_empty()) {
            poller.local_domain = domain.trim().to_ascii_lowercase();
        }
        stream::streaming_url(instance.configuration.urls.streaming.as_deref(), &self.base)
            .map_err(FetchError::Malformed)
    }

    async fn run_inner(self, ctx: SourceCtx) -> anyhow::Result<()> {
        let mut health = HealthReporter::default();
        health.set(&ctx, Health::Connecting).await;
        let mut poller = Poller {
            api: self.api(),
            cursors: ctx.cursors.clone(),
            local_domain: self.host(),
        };
        let hashtags: Vec<String> = self
            .watch
            .hashtags
            .iter()
            .map(|t| t.trim_start_matches('#').to_string())
            .collect();
        let mut stream_url: Option<Url> = None;
        let mut backoff = Backoff::new(self.options.backoff_base, self.options.backoff_cap);
        let mut stream_backoff = Backoff::new(self.options.backoff_base, self.options.backoff_cap);
        let mut ws: Option<stream::Ws> = None;
        let mut connected_at = Instant::now();
        let mut next_poll = Instant::now();
        let mut next_stream = Instant::now();
        let mut gap_fill = false;
        let mut auth_failed = false;
        let mut polled_once = false;
        let mut rounds_since_full = 0u32;
        // The health a failed round left (backing off, auth failed) until a round succeeds.
        let mut failure: Option<Health> = None;
        let mut problems: Vec<String> = Vec::new();
        let mut stream_issue: Option<String> = None;

        loop {
            if ctx.cancel.is_cancelled() {
                return Ok(());
            }
            if stream_url.is_none() && Instant::now() >= next_poll {
                match self.learn_instance(&mut poller).await {
                    Ok(u) => stream_url = Some(u),
                    Err(e) => {
                        tracing::warn!(source = %self.name, error = %e, "mastodon: /api/v2/instance failed");
                        if matches!(e, FetchError::Client { .. } | FetchError::Malformed(_)) {
                            // An older server without /api/v2/instance: stream from the instance URL.
                            stream_url = stream::streaming_url(None, &self.base).ok();
                        }
                    }
                }
            }
            let stream_wanted = self.stream && ws.is_none() && !auth_failed && polled_once;
            if stream_wanted
                && Instant::now() >= next_stream
                && let Some(url) = &stream_url
            {
                match stream::connect(url, &self.token, &hashtags).await {
                    Ok(socket) => {
                        tracing::info!(source = %self.name, "mastodon: streaming");
                        ws = Some(socket);
                        connected_at = Instant::now();
                        stream_issue = None;
                        // Anything posted while the socket was down: one full poll from the cursors.
                        gap_fill = true;
                        next_poll = Instant::now();
                    }
                    Err(why) => {
                        tracing::warn!(source = %self.name, %why, "mastodon: streaming unavailable, polling");
                        next_stream = Instant::now() + stream_backoff.next_delay();
                    }
                }
            }
            if Instant::now() >= next_poll {
                // While live, mentions and hashtags come over the socket; a full round now and then
                // still catches what a silently stalled socket would miss (cursors keep it duplicate-free).
                let full = ws.is_none() || gap_fill || rounds_since_full >= FULL_ROUND_EVERY;
                let mut round_problems = Vec::new();
                match self
                    .round(&mut poller, &ctx, full, &mut round_problems)
                    .await
                {
                    Ok(false) => return Ok(()),
                    Ok(true) => {
                        backoff.reset();
                        failure = None;
                        auth_failed = false;
                        gap_fill = false;
                        polled_once = true;
                        rounds_since_full = if full { 0 } else { rounds_since_full + 1 };
                        problems = round_problems;
                        next_poll = Instant::now() + self.poll_interval;
                    }
                    Err(FetchError::RateLimited { until }) => {
                        let wait = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                        failure = Some(Health::BackingOff {
                            until,
                            reason: "rate limited by the instance".into(),
                        });
                        next_poll = Instant::now() + wait;
                    }
                    Err(FetchError::Auth { status, detail }) => {
                        auth_failed = true;
                        ws = None;
                        failure = Some(Health::AuthFailed(format!(
                            "the instance refused the token ({status}: {detail}); create a new access \
                             token with scopes read and write:statuses and put it in {}",
                            self.token_hint
                        )));
                        next_poll = Instant::now() + self.options.auth_recheck;
                    }
                    Err(e) => {
                        let wait = backoff.next_delay();
                        let until = Utc::now()
                            + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
                        tracing::warn!(source = %self.name, error = %e, "mastodon: backing off");
                        failure = Some(Health::BackingOff {
                            until,
                            reason: e.to_string(),
                        });
                        next_poll = Instant::now() + wait;
                    }
                }
            }
            let now_health = match &failure {
                Some(h) => h.clone(),
                None if !problems.is_empty() || stream_issue.is_some() => Health::Degraded(
                    problems
                        .iter()
                        .chain(stream_issue.iter())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                None if ws.is_some() => Health::Live,
                None if polled_once => Health::Polling,
                None => Health::Connecting,
            };
            if !health.set(&ctx, now_health).await {
                return Ok(());
            }

            let mut deadline = next_poll;
            if self.stream && ws.is_none() && !auth_failed && polled_once {
                deadline = deadline.min(next_stream);
            }
            tokio::select! {
                _ = ctx.cancel.cancelled() => return Ok(()),
                _ = tokio::time::sleep_until(deadline) => {}
                msg = next_message(&mut ws) => {
                    match msg {
                        Some(Ok(Message::Text(text))) => {
                            match self.take_streamed(&ctx, &mut poller, &hashtags, text.as_str()).await {
                                Ok(true) => {}
                                Ok(false) => return Ok(()),
                                Err(why) => {
                                    tracing::warn!(source = %self.name, %why, "mastodon: malformed streaming frame");
                                    stream_issue = Some(format!("streaming: malformed frame ({why})"));
                                }
                            }
                        }
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                            tracing::warn!(source = %self.name, "mastodon: stream dropped, reconnecting");
                            ws = None;
                            if connected_at.elapsed() > Duration::from_secs(60) {
                                stream_backoff.reset();
                            }
                            next_stream = Instant::now() + stream_backoff.next_delay();
                            next_poll = Instant::now();
                        }
                        Some(Ok(_)) => {}
                    }
                }
            }
        }
    }

    /// One polling round over the queries; `Ok(false)` when the receiver is gone. Problems a single query
    /// absorbs are collected; failures that concern the whole source end the round with `Err`.
    async fn round(
        &self,
        poller: &mut Poller,
        ctx: &SourceCtx,
        full: bool,
        problems: &mut Vec<String>,
    ) -> Result<bool, FetchError> {
        for query in self.queries(full) {
            if ctx.cancel.is_cancelled() || !poller.run_query(ctx, &query, problems).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A streamed frame: a post newer than its cursor is sent with the cursor advanced. `Err` is malformed.
    async fn take_streamed(
        &self,
        ctx: &SourceCtx,
        poller: &mut Poller,
        hashtags: &[String],
        text: &str,
    ) -> Result<bool, String> {
        let customers = poller
            .cursors
            .iter()
            .filter_map(|(k, v)| {
                let acct = k.strip_prefix("account-id:")?;
                Some((
                    api::normalize_acct(acct, &poller.local_domain).to_lowercase(),
                    v.clone(),
                ))
            })
            .collect();
        let routing = stream::Routing {
            local_domain: &poller.local_domain,
            customers,
            hashtags,
        };
        match stream::interpret(text, &routing) {
            stream::Streamed::Post { key, id, post } => {
                if !api::newer(&id, poller.cursors.get(&key).map(String::as_str)) {
                    return Ok(true);
                }
                let cursor = Cursor {
                    key: key.clone(),
                    value: id.clone(),
                };
                if !ctx.batch(vec![*post], vec![cursor]).await {
                    return Ok(false);
                }
                poller.cursors.insert(key, id);
                Ok(true)
            }
            stream::Streamed::Ignored => Ok(true),
            stream::Streamed::Malformed(why) => Err(why),
        }
    }
}

async fn next_message(
    ws: &mut Option<stream::Ws>,
) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
    match ws {
        Some(socket) => socket.next().await,
        None => std::future::pending().await,
    }
}

/// Sends health only when it changes.
#[derive(Default)]
struct HealthReporter {
    last: Option<Health>,
}

impl HealthReporter {
    async fn set(&mut self, ctx: &SourceCtx, health: Health) -> bool {
        if self.last.as_ref() == Some(&health) {
            return true;
        }
        self.last = Some(health.clone());
        ctx.health(health).await
    }
}

impl Source for MastodonSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move { self.run_inner(ctx).await })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
