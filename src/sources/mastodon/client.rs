//! The authenticated REST client for one Mastodon instance: the token in a header, the rate limit it last
//! heard, and the token never sent to another origin.

use chrono::Utc;
use reqwest::header::HeaderMap;
use url::Url;

use super::api::{Account, Instance};
use crate::sources::http::{self, FetchError, RateLimit};
use crate::sources::secret::Secret;

/// The authenticated REST client for one instance.
pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: Url,
    pub token: Secret,
    /// The last rate-limit headers seen.
    pub rate: Option<RateLimit>,
    pub timeout: Option<std::time::Duration>,
}

impl Api {
    /// `base` with `segments` as its path (each segment percent-encoded).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.base.clone();
        u.set_query(None);
        u.set_fragment(None);
        if let Ok(mut path) = u.path_segments_mut() {
            path.clear().extend(segments);
        }
        u
    }

    pub async fn get(&mut self, url: Url) -> Result<reqwest::Response, FetchError> {
        let now = Utc::now();
        if let Some(rate) = &self.rate
            && rate.exhausted()
            && let Some(reset) = rate.reset
        {
            if reset > now {
                return Err(FetchError::RateLimited { until: reset });
            }
            self.rate = None;
        }
        let mut req = self.client.get(url).bearer_auth(self.token.expose());
        if let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        let result = http::send(req, now).await;
        if let Ok(resp) = &result
            && let Some(rate) = RateLimit::from_headers(resp.headers(), now)
        {
            self.rate = Some(rate);
        }
        result
    }

    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &mut self,
        url: Url,
    ) -> Result<T, FetchError> {
        http::json(self.get(url).await?).await
    }

    pub async fn instance(&mut self) -> Result<Instance, FetchError> {
        self.get_json(self.url(&["api", "v2", "instance"])).await
    }

    pub async fn verify_credentials(&mut self) -> Result<Account, FetchError> {
        self.get_json(self.url(&["api", "v1", "accounts", "verify_credentials"]))
            .await
    }

    /// Looks an account up, this instance's own users without the domain (`alice@<here>` is `alice`: some
    /// servers answer 404 to the long form of a local account). `local_domain` is the domain in its handles.
    pub async fn lookup(&mut self, acct: &str, local_domain: &str) -> Result<Account, FetchError> {
        let acct = acct.trim().trim_start_matches('@');
        let host = self.base.host_str().unwrap_or_default();
        let acct = match acct.rsplit_once('@') {
            Some((user, domain))
                if domain.eq_ignore_ascii_case(local_domain)
                    || domain.eq_ignore_ascii_case(host) =>
            {
                user
            }
            _ => acct,
        };
        let mut u = self.url(&["api", "v1", "accounts", "lookup"]);
        u.query_pairs_mut().append_pair("acct", acct);
        self.get_json(u).await
    }

    /// One page: the items (kept as JSON so one odd item cannot spoil the rest) and the headers.
    pub(super) async fn page(
        &mut self,
        url: Url,
    ) -> Result<(Vec<serde_json::Value>, HeaderMap), FetchError> {
        let resp = self.get(url).await?;
        let headers = resp.headers().clone();
        Ok((http::json(resp).await?, headers))
    }

    /// A `Link` target, only if it stays on this instance (the token must never go elsewhere).
    pub(super) fn same_origin(&self, link: Option<String>) -> Option<Url> {
        let u = Url::parse(&link?).ok()?;
        (u.origin() == self.base.origin()).then_some(u)
    }
}
