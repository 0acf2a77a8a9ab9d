//! Bluesky: customers' posts (AppView `getAuthorFeed`, live through Jetstream), mentions and replies
//! (`listNotifications`), keyword and hashtag search (`searchPosts`, best effort), and replies that post.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use url::Url;

use crate::domain::IncomingPost;
use crate::sources::http::{self, Backoff};
use crate::sources::poller::{self, Timing};
use crate::sources::{Check, CheckFuture, Source, SourceCtx, SourceFuture, Watch, secret};
use jetstream::Jetstream;
use poll::Feeds;

pub mod accounts;
pub mod api;
pub mod facets;
pub mod jetstream;
pub mod network;
pub mod reply;
pub mod xrpc;

mod doctor;
mod pages;
mod poll;

pub use reply::BlueskyReplier;

pub const DEFAULT_PDS: &str = "https://bsky.social";
pub const DEFAULT_APPVIEW: &str = "https://public.api.bsky.app";
pub const DEFAULT_JETSTREAM: &str = "wss://jetstream2.us-east.bsky.network";

/// `[sources.<name>]` with `kind = "bluesky"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlueskyConfig {
    /// The shop's handle (`shop.bsky.social`), used to log in.
    pub handle: String,
    /// Environment variable holding an app password (Settings → Privacy and security → App passwords).
    #[serde(default)]
    pub password_env: Option<String>,
    /// Or a file (mode 0600) holding it.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_pds")]
    pub pds: String,
    /// For unauthenticated public reads (author feeds, handle resolution).
    #[serde(default = "default_appview")]
    pub appview: String,
    /// Jetstream base URL; `false` or `""` disables live streaming (polling only).
    #[serde(default = "default_jetstream", deserialize_with = "jetstream_setting")]
    pub jetstream: Option<String>,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// Search posts for the shop's keywords and hashtags (authenticated, best effort).
    #[serde(default = "crate::sources::yes")]
    pub keyword_search: bool,
}

fn default_pds() -> String {
    DEFAULT_PDS.into()
}
fn default_appview() -> String {
    DEFAULT_APPVIEW.into()
}
fn default_jetstream() -> Option<String> {
    Some(DEFAULT_JETSTREAM.into())
}
fn default_poll() -> u64 {
    60
}

fn jetstream_setting<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Setting {
        On(bool),
        Url(String),
    }
    Ok(match Setting::deserialize(d)? {
        Setting::On(true) => default_jetstream(),
        Setting::On(false) => None,
        Setting::Url(u) if u.trim().is_empty() => None,
        Setting::Url(u) => Some(u),
    })
}

pub struct BlueskySource {
    name: String,
    handle: String,
    watch: Watch,
    xrpc: Arc<Xrpc>,
    jetstream: Option<Url>,
    keyword_search: bool,
    timing: Timing,
    max_pages: usize,
}

use xrpc::Xrpc;

impl std::fmt::Debug for BlueskySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlueskySource")
            .field("name", &self.name)
            .field("handle", &self.handle)
            .field("xrpc", &self.xrpc)
            .finish_non_exhaustive()
    }
}

impl BlueskySource {
    pub fn new(
        name: String,
        cfg: &BlueskyConfig,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<BlueskySource, String> {
        let at = |field: &str| format!("sources.{name}.{field}");
        let handle = cfg
            .handle
            .trim()
            .trim_start_matches('@')
            .to_ascii_lowercase();
        if handle.is_empty() || !handle.contains('.') {
            return Err(format!(
                "{}: `{}` is not a Bluesky handle; write it like `shop.bsky.social`",
                at("handle"),
                cfg.handle
            ));
        }
        if cfg.password_env.is_some() && cfg.password_file.is_some() {
            return Err(format!(
                "{}: set either `password_env` or `password_file`, not both",
                at("password")
            ));
        }
        if cfg.password_env.is_none() && cfg.password_file.is_none() {
            return Err(format!(
                "{}: no app password configured; set `password_env = \"BLUESKY_APP_PASSWORD\"` or \
                 `password_file` (mode 0600). Create one in Bluesky: Settings → Privacy and security → App passwords",
                at("password")
            ));
        }
        let password = secret::load(
            &at("password"),
            cfg.password_env.as_deref(),
            cfg.password_file.as_deref(),
        )?;
        let pds = http::base_url(&cfg.pds).map_err(|e| format!("{}: {e}", at("pds")))?;
        let appview =
            http::base_url(&cfg.appview).map_err(|e| format!("{}: {e}", at("appview")))?;
        let jetstream = match &cfg.jetstream {
            Some(u) => {
                let url = http::base_url(u).map_err(|e| format!("{}: {e}", at("jetstream")))?;
                if !matches!(url.scheme(), "wss" | "ws") {
                    return Err(format!(
                        "{}: `{u}` must be a WebSocket URL (wss://...), or `false` to poll only",
                        at("jetstream")
                    ));
                }
                Some(url)
            }
            None => None,
        };
        if cfg.poll_seconds < 10 {
            return Err(format!(
                "{}: {} is too often; use 10 or more (Bluesky rate-limits busy clients)",
                at("poll_seconds"),
                cfg.poll_seconds
            ));
        }
        let xrpc = Arc::new(Xrpc::new(client, pds, appview, handle.clone(), password));
        Ok(BlueskySource {
            name,
            handle,
            watch,
            xrpc,
            jetstream,
            keyword_search: cfg.keyword_search,
            timing: Timing::every(Duration::from_secs(cfg.poll_seconds)),
            max_pages: 10,
        })
    }

    /// Backoff for 5xx/transport failures and Jetstream reconnects (tests use milliseconds).
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> BlueskySource {
        self.timing.backoff = Backoff::new(base, cap);
        self
    }

    /// The polling interval, overriding `poll_seconds` (tests).
    pub fn with_poll_interval(mut self, every: Duration) -> BlueskySource {
        self.timing.interval = every;
        self
    }

    /// At most this many pages per feed and poll when catching up after a restart.
    pub fn with_max_pages(mut self, pages: usize) -> BlueskySource {
        self.max_pages = pages.max(1);
        self
    }

    /// The replier for this account, sharing the source's session.
    pub fn replier(&self) -> BlueskyReplier {
        BlueskyReplier::new(
            self.xrpc.clone(),
            self.handle.clone(),
            self.timing.backoff.clone(),
        )
    }

    /// The account search, through the source's AppView.
    pub fn accounts(&self) -> accounts::BlueskyAccounts {
        accounts::BlueskyAccounts::new(self.xrpc.clone())
    }
}

impl Source for BlueskySource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let jetstream = self
                .jetstream
                .clone()
                .filter(|_| !self.watch.customer_handles.is_empty())
                .map(|url| Jetstream::new(url, &ctx.cursors, self.timing.backoff.clone()));
            let feeds = Feeds::new(
                self.xrpc.clone(),
                self.watch.clone(),
                self.keyword_search,
                self.max_pages,
                jetstream,
                ctx.cursors.clone(),
            );
            poller::run(feeds, &ctx, self.timing.clone()).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(doctor::checks(self, cursors))
    }
}

/// Posts oldest first, as they were written.
pub(crate) fn oldest_first(mut posts: Vec<IncomingPost>) -> Vec<IncomingPost> {
    posts.reverse();
    posts
}

pub(crate) fn check(what: &str, ok: bool, detail: String, fix: &str) -> Check {
    Check {
        what: what.to_string(),
        ok,
        detail,
        fix: if ok { String::new() } else { fix.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Replier as _;

    fn cfg(toml_text: &str) -> Result<BlueskyConfig, String> {
        toml::from_str(toml_text).map_err(|e| e.to_string())
    }

    #[test]
    fn config_defaults_and_jetstream_switch() {
        let c = cfg("handle = \"shop.bsky.social\"\npassword_env = \"X\"").unwrap();
        assert_eq!(c.pds, DEFAULT_PDS);
        assert_eq!(c.appview, DEFAULT_APPVIEW);
        assert_eq!(c.jetstream.as_deref(), Some(DEFAULT_JETSTREAM));
        assert_eq!(c.poll_seconds, 60);
        assert!(c.keyword_search);
        assert_eq!(
            cfg("handle = \"a.b\"\njetstream = false")
                .unwrap()
                .jetstream,
            None
        );
        assert_eq!(
            cfg("handle = \"a.b\"\njetstream = \"\"").unwrap().jetstream,
            None
        );
        assert!(
            cfg("handle = \"a.b\"\ntoken = \"x\"")
                .unwrap_err()
                .contains("token")
        );
    }

    #[test]
    fn constructor_errors_name_the_field_and_never_the_password() {
        let make = |text: &str| {
            BlueskySource::new(
                "bs".into(),
                &cfg(text).unwrap(),
                Watch::default(),
                reqwest::Client::new(),
            )
        };
        let err = make("handle = \"shop\"\npassword_env = \"PATH\"").unwrap_err();
        assert!(err.contains("sources.bs.handle"), "{err}");
        let err = make("handle = \"shop.bsky.social\"").unwrap_err();
        assert!(err.contains("password_env"), "{err}");
        let err = make(
            "handle = \"shop.bsky.social\"\npassword_env = \"PATH\"\npds = \"http://pds.example\"",
        )
        .unwrap_err();
        assert!(
            err.contains("sources.bs.pds") && err.contains("https"),
            "{err}"
        );
        let err = make("handle = \"shop.bsky.social\"\npassword_env = \"REGULARS_UNSET_BSKY\"")
            .unwrap_err();
        assert!(err.contains("REGULARS_UNSET_BSKY"), "{err}");
        let ok = make("handle = \"@Shop.bsky.social\"\npassword_env = \"PATH\"").unwrap();
        let path = std::env::var("PATH").unwrap();
        assert!(!format!("{ok:?}").contains(&path));
        assert_eq!(ok.replier().account(), "@shop.bsky.social (Bluesky)");
    }
}
