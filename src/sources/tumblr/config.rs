//! The `[sources.<name>]` block of a Tumblr source and loading its API key.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::sources::http;
use crate::sources::secret::{self, Secret};

/// Tumblr's calls per consumer key per day: the limit that binds first for a polling console.
pub const DAILY_KEY_LIMIT: u64 = 5_000;

/// `[sources.<name>]` with `kind = "tumblr"`. Every read here needs only the API key (the application's OAuth
/// consumer key): tagged posts, blogs' posts, blog info and notes are all public reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TumblrConfig {
    /// The shop's blog (its name, `name.tumblr.com` or custom domain); default the `[shop.handles]` tumblr one.
    #[serde(default)]
    pub blog: Option<String>,
    /// The environment variable holding the API key (the OAuth consumer key of an app registered at
    /// https://www.tumblr.com/oauth/apps).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// Seconds between rounds (default 600: a key has 1,000 calls an hour and 5,000 a day).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// How many of the shop's newest posts have their notes (replies, reblogs with words) read (default 5).
    #[serde(default = "default_notes_posts")]
    pub notes_posts: usize,
    /// The API's base URL (tests point it at a fake).
    #[serde(default = "default_api")]
    pub api: String,
}

fn default_poll_seconds() -> u64 {
    600
}

fn default_notes_posts() -> usize {
    5
}

fn default_api() -> String {
    "https://api.tumblr.com".into()
}

/// Timing knobs; the defaults suit the real API, tests shorten them.
#[derive(Debug, Clone)]
pub struct TumblrOptions {
    /// Overrides `poll_seconds`.
    pub poll_interval: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub auth_recheck: Duration,
}

impl Default for TumblrOptions {
    fn default() -> TumblrOptions {
        TumblrOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(900),
            auth_recheck: Duration::from_secs(600),
        }
    }
}

/// Checks a table beyond its types; errors name the field and the fix.
pub fn check(what: &str, cfg: &TumblrConfig) -> Result<(), String> {
    http::base_url(&cfg.api).map_err(|e| format!("{what}.api: {e}"))?;
    if cfg.poll_seconds < 60 {
        return Err(format!(
            "{what}.poll_seconds: {} is too fast for Tumblr's 5,000 calls a day per key; use 600 (at least 60)",
            cfg.poll_seconds
        ));
    }
    if cfg.notes_posts > 20 {
        return Err(format!(
            "{what}.notes_posts: at most 20 (one page of the shop's posts); 5 is the default"
        ));
    }
    if cfg.api_key_env.is_none() && cfg.api_key_file.is_none() {
        return Err(format!(
            "{what}: no API key configured; set `api_key_env` (an environment variable name) or `api_key_file`"
        ));
    }
    Ok(())
}

/// The API key and where it comes from (for fixes: "the environment variable X").
pub fn api_key(what: &str, cfg: &TumblrConfig) -> Result<(Secret, String), String> {
    let key = secret::load(
        &format!("{what}.api_key"),
        cfg.api_key_env.as_deref(),
        cfg.api_key_file.as_deref(),
    )?;
    let hint = match (&cfg.api_key_env, &cfg.api_key_file) {
        (Some(var), _) => format!("the environment variable {var}"),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => "api_key_env or api_key_file".into(),
    };
    Ok((key, hint))
}

pub fn base(what: &str, cfg: &TumblrConfig) -> Result<Url, String> {
    http::base_url(&cfg.api).map_err(|e| format!("{what}.api: {e}"))
}
