//! The `[sources.<name>]` block of a Mastodon source, timing options, and loading its credentials.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::sources::http;
use crate::sources::secret::{self, Secret};

/// `[sources.<name>]` with `kind = "mastodon"`.
///
/// Keyword search uses `/api/v2/search`, which only finds posts whose authors opted in to being
/// searchable (Mastodon 4.2+ "indexable"), and full-text matching only with an authenticated token on
/// instances that run full-text search (Elasticsearch/OpenSearch). Elsewhere it finds little or nothing:
/// hashtags and mentions are the dependable way to hear the shop's name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MastodonConfig {
    /// The instance's URL, e.g. `https://mastodon.social` (HTTPS; plain HTTP only to localhost).
    pub instance: String,
    /// The environment variable holding the user access token (scopes `read` and `write:statuses`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding the token, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Seconds between polls (default 60; also the pace for customers and searches while streaming).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Use the streaming API for mentions and hashtags (default true).
    #[serde(default = "crate::sources::yes")]
    pub stream: bool,
    /// Search the shop's keywords with `/api/v2/search` (default true; see the note on the type).
    #[serde(default = "crate::sources::yes")]
    pub keyword_search: bool,
}

fn default_poll_seconds() -> u64 {
    60
}

/// Timing knobs; the defaults suit real servers, tests shorten them.
#[derive(Debug, Clone)]
pub struct MastodonOptions {
    /// Overrides `poll_seconds`.
    pub poll_interval: Option<Duration>,
    /// First backoff step after a server or network failure (doubling, jittered, up to `backoff_cap`).
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often a refused token is tried again.
    pub auth_recheck: Duration,
    /// Per-request timeout (the shared client's own applies otherwise).
    pub request_timeout: Option<Duration>,
}

impl Default for MastodonOptions {
    fn default() -> MastodonOptions {
        MastodonOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(300),
            auth_recheck: Duration::from_secs(600),
            request_timeout: None,
        }
    }
}

/// Loads the token and parses the instance URL for a config; errors name the field and the fix.
pub(crate) fn credentials(
    what: &str,
    cfg: &MastodonConfig,
) -> Result<(Url, Secret, String), String> {
    let base = http::base_url(&cfg.instance).map_err(|e| format!("{what}.instance: {e}"))?;
    if base.host_str().is_none() {
        return Err(format!(
            "{what}.instance: `{}` has no host; write e.g. https://mastodon.social",
            cfg.instance
        ));
    }
    let token = secret::load(
        &format!("{what}.token"),
        cfg.token_env.as_deref(),
        cfg.token_file.as_deref(),
    )?;
    let hint = match (&cfg.token_env, &cfg.token_file) {
        (Some(var), _) => format!("the environment variable {var}"),
        (None, Some(path)) => format!("{}", path.display()),
        (None, None) => "token_env or token_file".into(),
    };
    Ok((base, token, hint))
}
