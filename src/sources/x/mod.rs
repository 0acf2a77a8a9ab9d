//! X source (API v2, OAuth 2.0 bearer token).
//!
//! What it reads, with the cursor each query keeps (`since_id` positions; a restart resumes exactly):
//! - user ids: `/2/users/by?usernames=` for the shop and the customers, once (cursors `user-id:<username>`;
//!   looked up again when X says a user is gone);
//! - customers: `/2/users/:id/tweets` without reposts (cursor `user:<id>`);
//! - mentions: `/2/users/:id/mentions` of the shop (cursor `mentions`);
//! - brand search: `/2/tweets/search/recent` for the keywords and hashtags, without the shop's own posts
//!   (`-from:`) and reposts (cursor `search`; the last seven days only, as X allows), best effort.
//!
//! Every post read is billed: the month's count is the cursor `reads:YYYY-MM`, stored with each batch, shown in
//! the Sources view, and the source holds at `monthly_read_budget`. Rounds, backoff, the `x-rate-limit-*`
//! pauses, health and re-login are the shared poller's.

pub mod accounts;
pub mod api;
mod budget;
mod client;
mod config;
mod doctor;
pub mod endpoints;
pub mod network;
mod poll;
pub mod reply;
mod timeline;

use std::collections::HashMap;

use url::Url;

use crate::sources::http::Backoff;
use crate::sources::poller::{self, Timing};
use crate::sources::secret::Secret;
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture, Watch};
use client::Api;
use config::TokenSource;
pub use config::{XConfig, XOptions};
use poll::Feeds;
pub use reply::XReplier;

#[derive(Debug)]
pub struct XSource {
    name: String,
    cfg: XConfig,
    base: Url,
    token: Secret,
    token_source: TokenSource,
    watch: Watch,
    client: reqwest::Client,
    options: XOptions,
}

impl XSource {
    pub fn new(
        name: String,
        cfg: &XConfig,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<XSource, String> {
        let what = format!("sources.{name}");
        let base = cfg.base(&what)?;
        let token_source = cfg.read_token(&what);
        let token = token_source.load()?;
        if cfg.poll_seconds == 0 {
            return Err(format!(
                "{what}.poll_seconds: must be at least 1 (300 keeps within X's rate limits)"
            ));
        }
        Ok(XSource {
            name,
            cfg: cfg.clone(),
            base,
            token,
            token_source,
            watch,
            client,
            options: XOptions::default(),
        })
    }

    pub fn with_options(mut self, options: XOptions) -> XSource {
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
}

impl Source for XSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let feeds = Feeds::new(
                self.api(),
                ctx.cursors.clone(),
                self.watch.clone(),
                (self.cfg.mentions, self.cfg.search),
                self.token_source.clone(),
                self.cfg.monthly_read_budget,
            );
            poller::run(feeds, &ctx, self.timing()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
