//! Tumblr source (API v2, `https://api.tumblr.com`), read with the API key alone (every call below is a public
//! read). What it reads, with the cursor each query keeps (Unix times, walked as `poll.rs` describes):
//! - the shop's hashtags: `/v2/tagged?tag=` (cursor `tag:<tag>`);
//! - customers' blogs: `/v2/blog/{blog}/posts` (cursor `blog:<name>`);
//! - the shop's newest posts: `/v2/blog/{shop}/posts` (stored as context; cursor `shop-posts`, the posts
//!   watched in `watching`), and on each of them the replies and reblogs with words:
//!   `/v2/blog/{shop}/notes?id=&mode=conversation` (cursor `notes:<post id>`).
//!
//! Posts are asked for in the Neue Post Format (`npf=true`); legacy HTML bodies still map. Private blogs and
//! what only shows on a logged-in dashboard are not visible to the API. Tumblr has no API to reply to a post
//! or a note (a reblog with a comment is a new public post on the shop's blog, not a reply): replies are
//! written on Tumblr itself.

pub mod api;
mod client;
pub mod config;
mod doctor;
pub mod network;
mod pages;
mod poll;

use std::collections::HashMap;
use std::time::Duration;

use url::Url;

use crate::sources::http::Backoff;
use crate::sources::poller::{self, Timing};
use crate::sources::secret::Secret;
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture, Watch};
use client::{Api, Limits};
pub use config::{TumblrConfig, TumblrOptions};
use poll::{Blogs, KeySource};

#[derive(Debug)]
pub struct TumblrSource {
    name: String,
    cfg: TumblrConfig,
    base: Url,
    key: Secret,
    /// Where the key comes from, for fixes.
    key_hint: String,
    /// The shop's blog name.
    shop: String,
    watch: Watch,
    client: reqwest::Client,
    options: TumblrOptions,
}

impl TumblrSource {
    pub fn new(
        name: String,
        cfg: &TumblrConfig,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<TumblrSource, String> {
        let what = format!("sources.{name}");
        config::check(&what, cfg)?;
        let base = config::base(&what, cfg)?;
        let (key, key_hint) = config::api_key(&what, cfg)?;
        let shop = cfg
            .blog
            .as_deref()
            .or(watch.shop_handle.as_deref())
            .map(api::blog_key)
            .filter(|b| !b.is_empty())
            .ok_or_else(|| {
                format!(
                    "{what}.blog: the shop's Tumblr blog is not set; write `blog = \"yourshop\"` here or \
                     `tumblr = \"yourshop\"` under [shop.handles]"
                )
            })?;
        Ok(TumblrSource {
            name,
            cfg: cfg.clone(),
            base,
            key,
            key_hint,
            shop,
            watch,
            client,
            options: TumblrOptions::default(),
        })
    }

    pub fn with_options(mut self, options: TumblrOptions) -> TumblrSource {
        self.options = options;
        self
    }

    fn api(&self) -> Api {
        Api {
            client: self.client.clone(),
            base: self.base.clone(),
            key: self.key.clone(),
            limits: Limits::default(),
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

    /// Calls one round makes when nothing is new: what the key's daily 5,000 has to cover.
    fn calls_per_round(&self) -> u64 {
        let notes = if self.cfg.notes_posts > 0 {
            1 + self.cfg.notes_posts
        } else {
            0
        };
        (notes + self.watch.customer_handles.len() + self.watch.hashtags.len()) as u64
    }
}

impl Source for TumblrSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let blogs = Blogs::new(
                self.api(),
                ctx.cursors.clone(),
                self.shop.clone(),
                self.watch.clone(),
                self.cfg.notes_posts,
                KeySource {
                    what: format!("sources.{}.api_key", self.name),
                    env: self.cfg.api_key_env.clone(),
                    file: self.cfg.api_key_file.clone(),
                    hint: self.key_hint.clone(),
                },
            );
            poller::run(blogs, &ctx, self.timing()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}
