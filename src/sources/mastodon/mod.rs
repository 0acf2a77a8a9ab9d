//! Mastodon source (Mastodon 4.x; Pleroma, Akkoma and GoToSocial where they speak the same API).
//!
//! What it reads, with the cursor each query keeps (`min_id` positions; a restart resumes exactly):
//! - customers: `/api/v1/accounts/lookup` (id cached as cursor `account-id:<acct>`, looked up again daily and
//!   when the account is gone), then `/api/v1/accounts/:id/statuses` (cursor `account:<id>`);
//! - mentions: `/api/v1/notifications?types[]=mention` (cursor `notifications`);
//! - hashtags: `/api/v1/timelines/tag/:tag` (cursor `tag:<tag>`);
//! - keywords: `/api/v2/search?type=statuses` (cursor `search:<keyword>`), best effort.
//!
//! Live: the streaming API (`user` stream for home and notifications, one `hashtag` subscription per
//! watched tag). Customers the shop does not follow and keyword searches are polled even while live.
//! When streaming fails the source polls and retries the socket with backoff (the token moves to the query
//! string for servers that refuse it in the header); after a reconnect it polls once to fill the gap. Status
//! timelines also read the page just below their cursor each round: a post federated late carries an id from
//! its own, older date. Rounds, backoff, health and re-login are the shared poller's.

pub mod accounts;
pub mod api;
mod client;
mod config;
mod doctor;
pub mod markers;
pub mod network;
pub(crate) mod poll;
pub mod reply;
pub mod stream;
mod timeline;

use std::collections::HashMap;

use url::Url;

use crate::sources::http::Backoff;
use crate::sources::poller::{self, Timing};
use crate::sources::secret::Secret;
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture, Watch};
use client::Api;
pub(crate) use config::credentials;
pub use config::{MastodonConfig, MastodonOptions};
use poll::{Feeds, TokenSource};
pub use reply::MastodonReplier;

#[derive(Debug)]
pub struct MastodonSource {
    name: String,
    cfg: MastodonConfig,
    base: Url,
    token: Secret,
    /// Where the token comes from, for fixes ("the environment variable X").
    token_hint: String,
    watch: Watch,
    client: reqwest::Client,
    options: MastodonOptions,
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
            cfg: cfg.clone(),
            base,
            token,
            token_hint,
            watch,
            client,
            options: MastodonOptions::default(),
        })
    }

    pub fn with_options(mut self, options: MastodonOptions) -> MastodonSource {
        self.options = options;
        self
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

    fn timing(&self) -> Timing {
        let o = &self.options;
        Timing {
            backoff: Backoff::new(o.backoff_base, o.backoff_cap),
            auth_recheck: o.auth_recheck,
            ..Timing::every(
                o.poll_interval
                    .unwrap_or(std::time::Duration::from_secs(self.cfg.poll_seconds)),
            )
        }
    }

    fn feeds(&self, cursors: HashMap<String, String>) -> Feeds {
        let stream = self.cfg.stream.then(|| {
            stream::Streaming::new(
                self.token.clone(),
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| t.trim_start_matches('#').to_string())
                    .collect(),
                Backoff::new(self.options.backoff_base, self.options.backoff_cap),
            )
        });
        Feeds::new(
            self.api(),
            cursors,
            self.watch.clone(),
            self.cfg.keyword_search,
            TokenSource {
                what: format!("sources.{}.token", self.name),
                env: self.cfg.token_env.clone(),
                file: self.cfg.token_file.clone(),
                hint: self.token_hint.clone(),
            },
            stream,
        )
    }
}

impl Source for MastodonSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let feeds = self.feeds(ctx.cursors.clone());
            poller::run(feeds, &ctx, self.timing()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
