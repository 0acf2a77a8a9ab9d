//! The `[sources.<name>]` block of a Google reviews source, its timing options, and its credentials.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::sources::http;
use crate::sources::secret::{self, Secret};

/// `[sources.<name>]` with `kind = "google"`: the reviews of the shop's Business Profile locations.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoogleConfig {
    /// The environment variable holding an OAuth access token with the `business.manage` scope.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// OAuth client id, for minting new access tokens from the refresh token (they expire after an hour).
    #[serde(default)]
    pub client_id: Option<String>,
    /// The OAuth client secret: an environment variable or a 0600 file.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// The refresh token: an environment variable or a 0600 file.
    #[serde(default)]
    pub refresh_token_env: Option<String>,
    #[serde(default)]
    pub refresh_token_file: Option<PathBuf>,
    /// The Business Profile account (`accounts/123` or `123`); with `locations`, no discovery is made.
    #[serde(default)]
    pub account: Option<String>,
    /// The account's locations to read (`locations/456` or `456`); empty: every location of the account(s).
    #[serde(default)]
    pub locations: Vec<String>,
    /// Seconds between polls (default 300: reviews come slowly and the API's quota is per minute).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// API base URLs; the defaults are Google's (tests point them at fakes).
    #[serde(default = "default_reviews_url")]
    pub reviews_url: String,
    #[serde(default = "default_accounts_url")]
    pub accounts_url: String,
    #[serde(default = "default_locations_url")]
    pub locations_url: String,
    #[serde(default = "default_token_url")]
    pub token_url: String,
}

fn default_poll_seconds() -> u64 {
    300
}
fn default_reviews_url() -> String {
    "https://mybusiness.googleapis.com".into()
}
fn default_accounts_url() -> String {
    "https://mybusinessaccountmanagement.googleapis.com".into()
}
fn default_locations_url() -> String {
    "https://mybusinessbusinessinformation.googleapis.com".into()
}
fn default_token_url() -> String {
    "https://oauth2.googleapis.com/token".into()
}

/// Timing knobs; the defaults suit Google, tests shorten them.
#[derive(Debug, Clone)]
pub struct GoogleOptions {
    /// Overrides `poll_seconds`.
    pub poll_interval: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often refused credentials are tried again.
    pub auth_recheck: Duration,
    /// Per-request timeout.
    pub request_timeout: Duration,
}

impl Default for GoogleOptions {
    fn default() -> GoogleOptions {
        GoogleOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(600),
            auth_recheck: Duration::from_secs(600),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What mints new access tokens: the OAuth client and the shop's refresh token.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
}

/// The parsed base URLs and credentials of a source.
#[derive(Debug, Clone)]
pub struct Setup {
    pub reviews_base: Url,
    pub accounts_base: Url,
    pub locations_base: Url,
    /// The access token as configured (None: minted from the refresh token at first use).
    pub token: Option<Secret>,
    pub refresh: Option<Refresh>,
    /// Where the credentials come from, for fixes.
    pub hint: String,
    /// `accounts/123`, if configured.
    pub account: Option<String>,
    /// `locations/456`, as configured.
    pub locations: Vec<String>,
}

/// `accounts/123` from `123` or `accounts/123`.
pub fn account_name(raw: &str) -> String {
    let raw = raw.trim().trim_matches('/');
    match raw.strip_prefix("accounts/") {
        Some(id) => format!("accounts/{id}"),
        None => format!("accounts/{raw}"),
    }
}

/// `locations/456` from `456`, `locations/456` or `accounts/1/locations/456`.
pub fn location_name(raw: &str) -> String {
    let raw = raw.trim().trim_matches('/');
    let id = raw.rsplit_once("locations/").map_or(raw, |(_, id)| id);
    format!("locations/{id}")
}

impl Setup {
    /// Parses URLs and loads credentials; errors name `sources.<name>.<field>` and the fix.
    pub fn load(name: &str, cfg: &GoogleConfig) -> Result<Setup, String> {
        let what = format!("sources.{name}");
        let url = |field: &str, raw: &str| {
            http::base_url(raw).map_err(|e| format!("{what}.{field}: {e}"))
        };
        validate(&what, cfg)?;
        let refresh = match (&cfg.refresh_token_env, &cfg.refresh_token_file) {
            (None, None) => None,
            (env, file) => Some(Refresh {
                url: url("token_url", &cfg.token_url)?,
                client_id: cfg.client_id.clone().unwrap_or_default().trim().to_string(),
                client_secret: secret::load(
                    &format!("{what}.client_secret"),
                    cfg.client_secret_env.as_deref(),
                    cfg.client_secret_file.as_deref(),
                )?,
                refresh_token: secret::load(
                    &format!("{what}.refresh_token"),
                    env.as_deref(),
                    file.as_deref(),
                )?,
            }),
        };
        let token = match (&cfg.token_env, &cfg.token_file, &refresh) {
            (None, None, Some(_)) => None,
            (env, file, _) => Some(secret::load(
                &format!("{what}.token"),
                env.as_deref(),
                file.as_deref(),
            )?),
        };
        let hint = match (&cfg.refresh_token_env, &cfg.refresh_token_file, &refresh) {
            (Some(var), _, Some(_)) => format!("the environment variable {var}"),
            (None, Some(path), Some(_)) => path.display().to_string(),
            _ => match (&cfg.token_env, &cfg.token_file) {
                (Some(var), _) => format!("the environment variable {var}"),
                (None, Some(path)) => path.display().to_string(),
                (None, None) => "token_env or token_file".into(),
            },
        };
        Ok(Setup {
            reviews_base: url("reviews_url", &cfg.reviews_url)?,
            accounts_base: url("accounts_url", &cfg.accounts_url)?,
            locations_base: url("locations_url", &cfg.locations_url)?,
            token,
            refresh,
            hint,
            account: cfg.account.as_deref().map(account_name),
            locations: cfg.locations.iter().map(|l| location_name(l)).collect(),
        })
    }
}

/// Checks a table beyond its types, without reading any credential (run when the config is loaded).
pub fn validate(what: &str, cfg: &GoogleConfig) -> Result<(), String> {
    if cfg.poll_seconds == 0 {
        return Err(format!(
            "{what}.poll_seconds: must be at least 1 (300 is kind to Google's quota)"
        ));
    }
    if !cfg.locations.is_empty() && cfg.account.is_none() {
        return Err(format!(
            "{what}.locations: set `account` too (reviews live under accounts/<id>/locations/<id>), or \
                 remove `locations` to read every location the token can see"
        ));
    }
    let refreshing = cfg.refresh_token_env.is_some() || cfg.refresh_token_file.is_some();
    if refreshing && cfg.client_id.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(format!(
            "{what}.client_id: a refresh token needs the OAuth client id it was issued to (and \
                 client_secret_env or client_secret_file)"
        ));
    }
    for (field, raw) in [
        ("reviews_url", &cfg.reviews_url),
        ("accounts_url", &cfg.accounts_url),
        ("locations_url", &cfg.locations_url),
        ("token_url", &cfg.token_url),
    ] {
        http::base_url(raw).map_err(|e| format!("{what}.{field}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_as_people_write_them() {
        assert_eq!(account_name("123"), "accounts/123");
        assert_eq!(account_name(" accounts/123/ "), "accounts/123");
        assert_eq!(location_name("456"), "locations/456");
        assert_eq!(location_name("locations/456"), "locations/456");
        assert_eq!(location_name("accounts/1/locations/456"), "locations/456");
    }

    #[test]
    fn locations_need_their_account() {
        let cfg: GoogleConfig = toml::from_str("token_env = \"X\"\nlocations = [\"1\"]\n").unwrap();
        let err = Setup::load("g", &cfg).unwrap_err();
        assert!(
            err.contains("sources.g.locations") && err.contains("account"),
            "{err}"
        );
    }

    #[test]
    fn refresh_token_needs_the_client() {
        let cfg: GoogleConfig = toml::from_str("refresh_token_env = \"X\"\n").unwrap();
        let err = Setup::load("g", &cfg).unwrap_err();
        assert!(err.contains("sources.g.client_id"), "{err}");
        assert!(toml::from_str::<GoogleConfig>("tokn_env = \"X\"").is_err());
    }
}
