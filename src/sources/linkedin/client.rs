//! The LinkedIn REST client: the OAuth 2.0 bearer token, the versioned-API headers every call carries
//! (`Linkedin-Version: YYYYMM`, `X-Restli-Protocol-Version: 2.0.0`), URNs encoded in paths, and LinkedIn's
//! refusals told apart (401 token, 403 product access, 426 retired version, 429 quota).

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;

/// What a 403 on these endpoints means, and the fix: the README and `doctor` say the same.
pub const ACCESS_FIX: &str = "the LinkedIn app lacks Community Management API access: in the LinkedIn Developer \
     Portal (https://www.linkedin.com/developers/apps) open your app, Products, and request the Community \
     Management API; then create a new token as a page ADMINISTRATOR with the scopes r_organization_social, \
     w_organization_social and rw_organization_admin";

#[derive(Clone)]
pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: Url,
    pub token: Secret,
    /// `Linkedin-Version`, YYYYMM.
    pub version: String,
}

impl Api {
    /// `base` + `/rest/` + `path` (already encoded: URNs through `api::encode`) + `query` (Rest.li syntax,
    /// values encoded by the caller).
    pub fn url(&self, path: &str, query: &str) -> Result<Url, FetchError> {
        let base = self.base.as_str().trim_end_matches('/');
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Url::parse(&format!("{base}/rest/{path}{q}"))
            .map_err(|e| FetchError::Malformed(format!("bad request URL ({e})")))
    }

    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .bearer_auth(self.token.expose())
            .header("Linkedin-Version", &self.version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }

    pub async fn get(&self, url: Url) -> Result<Value, FetchError> {
        let resp = self
            .request(reqwest::Method::GET, url)
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        let resp = check(resp, Utc::now()).await?;
        http::json(resp).await
    }
}

/// A response's status as a `FetchError`, reading LinkedIn's `{status, code, message}` error body.
pub async fn check(
    resp: reqwest::Response,
    now: DateTime<Utc>,
) -> Result<reqwest::Response, FetchError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let detail = [body.get("code"), body.get("message")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(": ");
    // A server may quote the credentials it was sent: hidden before the text is cut short.
    let detail = crate::sources::secret::redact(&detail);
    let detail = crate::text::one_line(&detail)
        .chars()
        .take(200)
        .collect::<String>();
    let code = status.as_u16();
    Err(match status {
        // Daily quotas reset at midnight UTC; without a Retry-After, try again within the hour.
        StatusCode::TOO_MANY_REQUESTS => FetchError::RateLimited {
            until: http::retry_after(&headers, now).unwrap_or_else(|| until_midnight_or_hour(now)),
        },
        StatusCode::UNAUTHORIZED => FetchError::Auth {
            status: code,
            detail,
        },
        StatusCode::FORBIDDEN => FetchError::Auth {
            status: code,
            detail: format!("{detail} ({ACCESS_FIX})"),
        },
        StatusCode::UPGRADE_REQUIRED => FetchError::Client {
            status: code,
            detail: format!(
                "{detail} (LinkedIn retired this API version: set `version` to a current YYYYMM)"
            ),
        },
        s if s.is_server_error() => FetchError::Server { status: code },
        _ => FetchError::Client {
            status: code,
            detail,
        },
    })
}

fn until_midnight_or_hour(now: DateTime<Utc>) -> DateTime<Utc> {
    let midnight = (now + Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now + Duration::hours(1));
    midnight.min(now + Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quota_waits_until_midnight_utc_at_most_an_hour() {
        let late = Utc.with_ymd_and_hms(2026, 11, 22, 23, 40, 0).unwrap();
        assert_eq!(
            until_midnight_or_hour(late),
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
        );
        let noon = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        assert_eq!(until_midnight_or_hour(noon), noon + Duration::hours(1));
    }
}
