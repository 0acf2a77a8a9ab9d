//! The `[sources.<name>]` block of a LinkedIn source and loading its token.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::sources::http;
use crate::sources::secret::{self, Secret};

/// `[sources.<name>]` with `kind = "linkedin"`: one organization (company) page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedinConfig {
    /// The page: `urn:li:organization:12345` or just `12345` (the number in the page admin's URL).
    pub organization: String,
    /// The environment variable holding a 3-legged OAuth 2.0 access token of a page ADMINISTRATOR with the
    /// scopes r_organization_social, w_organization_social and rw_organization_admin.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// The `Linkedin-Version` of the versioned REST API (YYYYMM); LinkedIn retires each after about a year.
    #[serde(default = "default_version")]
    pub version: String,
    /// Seconds between rounds (default 300).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// How many of the page's newest posts have their comments read (default 10).
    #[serde(default = "default_posts")]
    pub posts: usize,
    /// Read mentions of the page (organization notifications; default true).
    #[serde(default = "crate::sources::yes")]
    pub mentions: bool,
    /// The API's base URL (tests point it at a fake).
    #[serde(default = "default_api")]
    pub api: String,
}

fn default_version() -> String {
    "202610".into()
}

fn default_poll_seconds() -> u64 {
    300
}

fn default_posts() -> usize {
    10
}

fn default_api() -> String {
    "https://api.linkedin.com".into()
}

/// Timing knobs; tests shorten them.
#[derive(Debug, Clone)]
pub struct LinkedinOptions {
    pub poll_interval: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub auth_recheck: Duration,
}

impl Default for LinkedinOptions {
    fn default() -> LinkedinOptions {
        LinkedinOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(900),
            auth_recheck: Duration::from_secs(600),
        }
    }
}

/// The organization's URN from the configured value; errors say what one looks like.
pub fn organization_urn(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let id = raw.strip_prefix("urn:li:organization:").unwrap_or(raw);
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("urn:li:organization:{id}"))
    } else {
        Err(format!(
            "`{raw}` is not an organization: write urn:li:organization:12345 or the page's number"
        ))
    }
}

/// Checks a table beyond its types; errors name the field and the fix.
pub fn check(what: &str, cfg: &LinkedinConfig) -> Result<(), String> {
    http::base_url(&cfg.api).map_err(|e| format!("{what}.api: {e}"))?;
    organization_urn(&cfg.organization).map_err(|e| format!("{what}.organization: {e}"))?;
    let v = cfg.version.trim();
    if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{what}.version: `{}` is not YYYYMM; write e.g. \"{}\"",
            cfg.version,
            default_version()
        ));
    }
    if cfg.poll_seconds < 60 {
        return Err(format!(
            "{what}.poll_seconds: at least 60 (300 is the default)"
        ));
    }
    if cfg.posts > 100 {
        return Err(format!("{what}.posts: at most 100 (10 is the default)"));
    }
    Ok(())
}

/// The token and where it comes from (for fixes).
pub fn token(what: &str, cfg: &LinkedinConfig) -> Result<(Secret, String), String> {
    let token = secret::load(
        &format!("{what}.token"),
        cfg.token_env.as_deref(),
        cfg.token_file.as_deref(),
    )?;
    let hint = match (&cfg.token_env, &cfg.token_file) {
        (Some(var), _) => format!("the environment variable {var}"),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => "token_env or token_file".into(),
    };
    Ok((token, hint))
}

pub fn base(what: &str, cfg: &LinkedinConfig) -> Result<Url, String> {
    http::base_url(&cfg.api).map_err(|e| format!("{what}.api: {e}"))
}

/// What to do when the token is refused, 401 or 403.
pub fn auth_fix(hint: &str) -> String {
    format!(
        "a 401 means the token expired (they last 60 days) or was revoked: create a new one and put it in \
         {hint}; a 403 means {}",
        super::client::ACCESS_FIX
    )
}
