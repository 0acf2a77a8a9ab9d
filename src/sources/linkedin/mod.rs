//! LinkedIn source for one organization (company) page, through the Community Management API (versioned REST
//! API at `https://api.linkedin.com/rest/`). It reads what LinkedIn lets a page read: comments (and their
//! replies) on the page's own posts, and posts and comments that mention the page. Members' feeds and
//! profiles are not readable. Replies go out as comments from the page (`reply.rs`). The queries and
//! cursors are described in `poll.rs`.

pub mod api;
mod client;
pub mod config;
mod doctor;
pub mod network;
mod poll;
pub mod reply;

use std::collections::HashMap;
use std::time::Duration;

use url::Url;

use crate::sources::http::Backoff;
use crate::sources::poller::{self, Timing};
use crate::sources::secret::Secret;
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture};
use client::Api;
pub use config::{LinkedinConfig, LinkedinOptions};
use poll::{Page, TokenSource};
pub use reply::LinkedinReplier;

#[derive(Debug)]
pub struct LinkedinSource {
    name: String,
    cfg: LinkedinConfig,
    base: Url,
    token: Secret,
    token_hint: String,
    /// `urn:li:organization:<id>`.
    org: String,
    client: reqwest::Client,
    options: LinkedinOptions,
}

impl LinkedinSource {
    pub fn new(
        name: String,
        cfg: &LinkedinConfig,
        client: reqwest::Client,
    ) -> Result<LinkedinSource, String> {
        let what = format!("sources.{name}");
        config::check(&what, cfg)?;
        let (token, token_hint) = config::token(&what, cfg)?;
        Ok(LinkedinSource {
            base: config::base(&what, cfg)?,
            org: config::organization_urn(&cfg.organization)?,
            name,
            cfg: cfg.clone(),
            token,
            token_hint,
            client,
            options: LinkedinOptions::default(),
        })
    }

    pub fn with_options(mut self, options: LinkedinOptions) -> LinkedinSource {
        self.options = options;
        self
    }

    fn api(&self) -> Api {
        Api {
            client: self.client.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            version: self.cfg.version.trim().to_string(),
        }
    }

    /// Replies as comments from the page, with the same token.
    pub fn replier(&self) -> LinkedinReplier {
        LinkedinReplier {
            api: self.api(),
            org: self.org.clone(),
            token_hint: self.token_hint.clone(),
            timeout: Duration::from_secs(30),
        }
    }

    fn timing(&self) -> Timing {
        let o = &self.options;
        Timing {
            backoff: Backoff::new(o.backoff_base, o.backoff_cap),
            auth_recheck: o.auth_recheck,
            ..Timing::every(
                o.poll_interval
                    .unwrap_or(Duration::from_secs(self.cfg.poll_seconds)),
            )
        }
    }
}

impl Source for LinkedinSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let page = Page::new(
                self.api(),
                self.org.clone(),
                ctx.cursors.clone(),
                self.cfg.posts,
                self.cfg.mentions,
                TokenSource {
                    what: format!("sources.{}.token", self.name),
                    env: self.cfg.token_env.clone(),
                    file: self.cfg.token_file.clone(),
                    hint: self.token_hint.clone(),
                },
            );
            poller::run(page, &ctx, self.timing()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
