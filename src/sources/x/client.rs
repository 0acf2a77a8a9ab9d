//! The authenticated X API client: the bearer token in a header, the `x-rate-limit-*` headers it last heard
//! (a spent limit is waited out before asking again), and requests built from the endpoint table only.

use chrono::Utc;
use url::Url;

use super::api::{Page, User, Users};
use super::endpoints::{self, Endpoint};
use crate::sources::http::{self, FetchError, RateLimit};
use crate::sources::secret::Secret;

pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: Url,
    pub token: Secret,
    /// The last rate-limit headers seen.
    pub rate: Option<RateLimit>,
    pub timeout: Option<std::time::Duration>,
}

impl Api {
    pub async fn get(
        &mut self,
        endpoint: &Endpoint,
        args: &[&str],
        params: &[(&str, String)],
    ) -> Result<reqwest::Response, FetchError> {
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
        let url = endpoint.url(&self.base, args, params);
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

    pub async fn page(
        &mut self,
        endpoint: &Endpoint,
        args: &[&str],
        params: &[(&str, String)],
    ) -> Result<Page, FetchError> {
        http::json(self.get(endpoint, args, params).await?).await
    }

    /// Users by username (at most 100): those found, and the usernames X does not know.
    pub async fn users_by(
        &mut self,
        names: &[String],
    ) -> Result<(Vec<User>, Vec<String>), FetchError> {
        let answer: Users<Vec<User>> = http::json(
            self.get(&endpoints::USERS_BY, &[], &[("usernames", names.join(","))])
                .await?,
        )
        .await?;
        let found = answer.data.unwrap_or_default();
        let missing = names
            .iter()
            .filter(|n| !found.iter().any(|u| u.username.eq_ignore_ascii_case(n)))
            .cloned()
            .collect();
        Ok((found, missing))
    }

    /// The token's own user (user-context tokens only).
    pub async fn me(&mut self) -> Result<User, FetchError> {
        let answer: Users<User> = http::json(self.get(&endpoints::ME, &[], &[]).await?).await?;
        answer.data.ok_or_else(|| {
            FetchError::Malformed(match answer.errors.first() {
                Some(e) => format!("/2/users/me: {} {}", e.title, e.detail),
                None => "/2/users/me answered without data".into(),
            })
        })
    }
}
