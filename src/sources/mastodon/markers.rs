//! The read position on Mastodon (`/api/v1/markers`): after a check-in, the shop's notifications are marked
//! read on the server up to the newest one regulars has taken in, so the web and phone apps agree with the
//! console. The position is read first and only ever moved forward (another app may be further along).

use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use url::Url;

use super::{MastodonConfig, api};
use crate::config::{Config, SourceConfig};
use crate::sources::http;
use crate::sources::secret::Secret;

/// The cursor of the notifications the source has taken in (see the module docs of `sources::mastodon`).
pub const NOTIFICATIONS_CURSOR: &str = "notifications";

const TIMEOUT: Duration = Duration::from_secs(15);

/// Where the shop's notifications are read up to on the server, after a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPosition {
    /// The notification id the server now has as read.
    pub last_read_id: String,
    /// Whether this sync moved it (false: the server was already there or further).
    pub moved: bool,
}

#[derive(Debug, Clone)]
pub struct Markers {
    client: reqwest::Client,
    base: Url,
    token: Secret,
    /// The source whose notifications cursor is the position.
    pub source: String,
}

#[derive(Deserialize)]
struct Marker {
    #[serde(deserialize_with = "api::id_string")]
    last_read_id: String,
}

#[derive(Deserialize)]
struct MarkerMap {
    #[serde(default)]
    notifications: Option<Marker>,
}

impl Markers {
    pub fn new(
        source: &str,
        cfg: &MastodonConfig,
        client: reqwest::Client,
    ) -> Result<Markers, String> {
        let (base, token, _) = super::credentials(&format!("sources.{source}"), cfg)?;
        Ok(Markers {
            client,
            base,
            token,
            source: source.to_string(),
        })
    }

    /// For the first Mastodon source of the config, if there is one (and its credentials can be read).
    pub fn for_config(config: &Config, client: &reqwest::Client) -> Option<Markers> {
        config
            .sources
            .iter()
            .find_map(|(name, source)| match source {
                SourceConfig::Mastodon(cfg) => Markers::new(name, cfg, client.clone())
                    .inspect_err(|e| tracing::warn!(error = %e, "no read-position sync"))
                    .ok(),
                _ => None,
            })
    }

    fn url(&self) -> Url {
        let mut url = self.base.clone();
        url.set_path("/api/v1/markers");
        url
    }

    /// Moves the server's notifications marker to `read_up_to` unless it is there or further already.
    pub async fn sync(&self, read_up_to: &str) -> Result<ReadPosition, String> {
        let get = self
            .client
            .get(self.url())
            .query(&[("timeline[]", NOTIFICATIONS_CURSOR)])
            .bearer_auth(self.token.expose())
            .timeout(TIMEOUT);
        let server = self
            .answer(get)
            .await?
            .notifications
            .map(|m| m.last_read_id);
        if !api::newer(read_up_to, server.as_deref()) {
            return Ok(ReadPosition {
                last_read_id: server.unwrap_or_else(|| read_up_to.to_string()),
                moved: false,
            });
        }
        let post = self
            .client
            .post(self.url())
            .form(&[("notifications[last_read_id]", read_up_to)])
            .bearer_auth(self.token.expose())
            .timeout(TIMEOUT);
        let saved = self.answer(post).await?.notifications.ok_or_else(|| {
            "Mastodon's markers answer has no `notifications` marker: is it a Mastodon-compatible server?"
                .to_string()
        })?;
        Ok(ReadPosition {
            last_read_id: saved.last_read_id,
            moved: true,
        })
    }

    async fn answer(&self, req: reqwest::RequestBuilder) -> Result<MarkerMap, String> {
        let what = "Mastodon markers (/api/v1/markers)";
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{what}: {}", http::FetchError::from_reqwest(&e)))?;
        let resp = http::check_status(resp, Utc::now())
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        http::json(resp).await.map_err(|e| format!("{what}: {e}"))
    }
}
