//! Google reviews: the reviews of the shop's Business Profile locations, and the shop's one public reply per
//! review (Business Profile API).
//!
//! What it reads:
//! - locations: `GET mybusinessaccountmanagement/v1/accounts` (unless `account` is configured), then
//!   `GET mybusinessbusinessinformation/v1/{account}/locations?readMask=name,title,metadata` for each one's
//!   title and Google Maps link (a review has no link of its own; its location's Maps page shows it);
//! - reviews: `GET mybusiness/v4/{accounts/*/locations/*}/reviews?pageSize=50&orderBy=updateTime desc`, per
//!   location, with the cursor described in `poll.rs`.
//!
//! Replies go through `PUT v4/{review}/reply` (`reply.rs`). Credentials: an OAuth access token with the
//! `business.manage` scope, and optionally a refresh token with its client id and secret, from which a new
//! access token is minted when Google refuses the old one (they expire after an hour).

pub mod api;
mod client;
mod config;
mod doctor;
pub mod map;
pub mod network;
mod poll;
mod reply;

use std::collections::HashMap;

use crate::sources::http::Backoff;
use crate::sources::poller::{self, Timing};
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture, Watch};
use client::Api;
use config::Setup;
pub use config::{GoogleConfig, GoogleOptions};
use poll::{Feeds, TokenSource};
pub use reply::GoogleReplier;

#[derive(Debug)]
pub struct GoogleSource {
    name: String,
    cfg: GoogleConfig,
    setup: Setup,
    /// The shop's handle on Google (`[shop.handles] google`): the author of its replies.
    shop: Option<String>,
    client: reqwest::Client,
    options: GoogleOptions,
}

impl GoogleSource {
    /// A shop's reviews are read whole, whoever wrote them (customers are matched at ingest by reviewer name);
    /// of `watch` only the shop's handle is used, for the replies the shop already gave.
    pub fn new(
        name: String,
        cfg: &GoogleConfig,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<GoogleSource, String> {
        let setup = Setup::load(&name, cfg)?;
        Ok(GoogleSource {
            name,
            shop: watch.shop_handle,
            cfg: cfg.clone(),
            setup,
            client,
            options: GoogleOptions::default(),
        })
    }

    pub fn with_options(mut self, options: GoogleOptions) -> GoogleSource {
        self.options = options;
        self
    }

    fn api(&self) -> Api {
        Api::new(
            self.client.clone(),
            self.setup.clone(),
            self.options.request_timeout,
        )
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

impl Source for GoogleSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let token = TokenSource {
                what: format!("sources.{}.token", self.name),
                env: self.cfg.token_env.clone(),
                file: self.cfg.token_file.clone(),
            };
            let feeds = Feeds::new(self.api(), ctx.cursors.clone(), token, self.shop.clone());
            poller::run(feeds, &ctx, self.timing()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
