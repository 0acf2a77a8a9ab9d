//! The `[sources.<name>]` block of an X source, timing options, and loading its credentials.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::sources::http;
use crate::sources::secret::{self, Secret};

/// `[sources.<name>]` with `kind = "x"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XConfig {
    /// The API's base URL (default `https://api.x.com`; HTTPS, plain HTTP only to localhost).
    #[serde(default = "default_api")]
    pub api: String,
    /// The environment variable holding the OAuth 2.0 bearer token used for reading (an app-only bearer
    /// token is enough for reading).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// The environment variable holding a user-context OAuth 2.0 access token with `tweet.read`,
    /// `users.read` and `tweet.write`, for replying as the shop. Without one (nor `reply_token_file`) the
    /// reading token is used, which must then be such a user token.
    #[serde(default)]
    pub reply_token_env: Option<String>,
    #[serde(default)]
    pub reply_token_file: Option<PathBuf>,
    /// Seconds between polls (default 300: reads are billed per post and rate limits are per 15 minutes).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Posts read per calendar month (UTC) at most; the source pauses when they are spent. None: no limit.
    #[serde(default)]
    pub monthly_read_budget: Option<u64>,
    /// Read the shop's mentions (default true; needs the shop's handle in `[shop.handles] x`).
    #[serde(default = "crate::sources::yes")]
    pub mentions: bool,
    /// Search the last seven days for the shop's keywords and hashtags (default true).
    #[serde(default = "crate::sources::yes")]
    pub search: bool,
}

fn default_api() -> String {
    "https://api.x.com".into()
}

fn default_poll_seconds() -> u64 {
    300
}

/// Timing knobs; the defaults suit the real API, tests shorten them.
#[derive(Debug, Clone)]
pub struct XOptions {
    /// Overrides `poll_seconds`.
    pub poll_interval: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often a refused token is tried again.
    pub auth_recheck: Duration,
    /// Per-request timeout (the shared client's own applies otherwise).
    pub request_timeout: Option<Duration>,
}

impl Default for XOptions {
    fn default() -> XOptions {
        XOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(900),
            auth_recheck: Duration::from_secs(600),
            request_timeout: None,
        }
    }
}

/// Where a token comes from, so a re-login reads it again (the user may have put a new one there).
#[derive(Debug, Clone)]
pub(crate) struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<PathBuf>,
    /// For fixes: "the environment variable X" or the file's path.
    pub hint: String,
}

impl TokenSource {
    pub fn load(&self) -> Result<Secret, String> {
        secret::load(&self.what, self.env.as_deref(), self.file.as_deref())
    }
}

fn token_source(what: String, env: &Option<String>, file: &Option<PathBuf>) -> TokenSource {
    let hint = match (env, file) {
        (Some(var), _) => format!("the environment variable {var}"),
        (None, Some(path)) => format!("{}", path.display()),
        (None, None) => "token_env or token_file".into(),
    };
    TokenSource {
        what,
        env: env.clone(),
        file: file.clone(),
        hint,
    }
}

impl XConfig {
    /// The API base URL; errors name the field.
    pub(crate) fn base(&self, what: &str) -> Result<Url, String> {
        let base = http::base_url(&self.api).map_err(|e| format!("{what}.api: {e}"))?;
        if base.host_str().is_none() {
            return Err(format!(
                "{what}.api: `{}` has no host; leave it out for https://api.x.com",
                self.api
            ));
        }
        Ok(base)
    }

    /// Where the reading token comes from.
    pub(crate) fn read_token(&self, what: &str) -> TokenSource {
        token_source(format!("{what}.token"), &self.token_env, &self.token_file)
    }

    /// Where the replying token comes from: its own settings, else the reading token's.
    pub(crate) fn reply_token(&self, what: &str) -> TokenSource {
        if self.reply_token_env.is_some() || self.reply_token_file.is_some() {
            token_source(
                format!("{what}.reply_token"),
                &self.reply_token_env,
                &self.reply_token_file,
            )
        } else {
            self.read_token(what)
        }
    }
}
