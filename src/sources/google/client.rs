//! The authenticated client for the three Business Profile APIs: the access token in a header, minted again
//! from the refresh token when Google refuses it (access tokens live an hour), and Google's error bodies
//! (`{"error": {"code", "message", "status", "details"}}`) turned into what a source acts on.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use url::Url;

use super::api::{AccountPage, Location, LocationPage, Place, Review, ReviewPage};
use super::config::{Refresh, Setup};
use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;

/// Reviews per page: the API's maximum.
pub const PAGE_SIZE: &str = "50";

/// The client of one source (or replier): URLs, the current access token, and how to get a new one.
#[derive(Debug, Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub setup: Setup,
    pub token: Option<Secret>,
    pub timeout: std::time::Duration,
}

#[derive(Deserialize)]
struct Minted {
    access_token: String,
}

#[derive(Deserialize)]
struct GoogleError {
    error: GoogleErrorBody,
}

#[derive(Deserialize)]
struct GoogleErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    details: Vec<serde_json::Value>,
}

/// Turns a refused answer into a `FetchError`, reading Google's error JSON (and its `RetryInfo` delay).
pub fn classify(status: u16, headers: &HeaderMap, body: &str, now: DateTime<Utc>) -> FetchError {
    // A server may quote the credentials it was sent: hidden before the text is cut short.
    let body = &crate::sources::secret::redact(body);
    let parsed = serde_json::from_str::<GoogleError>(body)
        .ok()
        .map(|e| e.error);
    let reasons: Vec<String> = parsed
        .iter()
        .flat_map(|e| &e.details)
        .filter_map(|d| d.get("reason").and_then(|r| r.as_str()).map(str::to_string))
        .collect();
    let detail: String = match &parsed {
        Some(e) => {
            let mut d = format!("{}: {}", e.status, e.message);
            if !reasons.is_empty() {
                d.push_str(&format!(" [{}]", reasons.join(", ")));
            }
            d
        }
        None => body.trim().to_string(),
    }
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
    .chars()
    .take(300)
    .collect();
    let g_status = parsed.as_ref().map_or("", |e| e.status.as_str());
    let exhausted = g_status == "RESOURCE_EXHAUSTED"
        || reasons
            .iter()
            .any(|r| r.contains("RATE_LIMIT") || r.contains("QUOTA"));
    // A project without approved Business Profile API access has a quota of 0: waiting will not help.
    let no_quota = parsed.iter().flat_map(|e| &e.details).any(|d| {
        d.pointer("/metadata/quota_limit_value")
            .and_then(|v| v.as_str())
            == Some("0")
    });
    if (status == 429 || exhausted) && no_quota {
        return FetchError::Auth {
            status: 403,
            detail: format!("{detail} [quota 0]"),
        };
    }
    if status == 429 || (status == 403 && exhausted) {
        let delay = parsed
            .iter()
            .flat_map(|e| &e.details)
            .filter_map(|d| d.get("retryDelay").and_then(|r| r.as_str()))
            .find_map(|d| d.trim_end_matches('s').parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| now + chrono::Duration::milliseconds((s.min(86_400.0) * 1000.0) as i64));
        return FetchError::RateLimited {
            until: http::retry_after(headers, now)
                .or(delay)
                .unwrap_or(now + chrono::Duration::seconds(60)),
        };
    }
    match status {
        401 | 403 => FetchError::Auth { status, detail },
        s if s >= 500 => FetchError::Server { status: s },
        _ => FetchError::Client { status, detail },
    }
}

/// What to do about a refusal, from Google's words: enable the API, ask for access, or a new token.
pub fn fix(status: u16, detail: &str, hint: &str) -> String {
    let api = [
        "Account Management",
        "Business Information",
        "My Business API",
    ]
    .into_iter()
    .find(|a| detail.contains(a))
    .map_or("the three Business Profile APIs", |_| "that API");
    if detail.contains("SERVICE_DISABLED")
        || detail.contains("has not been used")
        || detail.contains("is disabled")
    {
        format!(
            "enable {api} (My Business Account Management API, My Business Business Information API and \
             Google My Business API) in the Google Cloud project of the OAuth client: APIs & Services > \
             Library; if they are not listed, request Business Profile API access for the project first"
        )
    } else if detail.contains("[quota 0]") {
        "the Cloud project has no Business Profile API quota (0 requests a minute): its access is not \
         approved yet; request Business Profile API access for the project with Google's access request \
         form, then wait for approval"
            .into()
    } else if status == 403 {
        "the signed-in Google account must be an owner or manager of the Business Profile, the token needs \
         the https://www.googleapis.com/auth/business.manage scope, and the Cloud project needs approved \
         Business Profile API access (request it with Google's access form; quota 0 means not yet approved)"
            .into()
    } else if detail.contains("refresh token was refused") {
        format!(
            "{detail}: authorise regulars again (OAuth consent for the \
             https://www.googleapis.com/auth/business.manage scope) and put the new refresh token in {hint}"
        )
    } else {
        format!(
            "sign in again with the https://www.googleapis.com/auth/business.manage scope and put the new \
             access token in {hint} (a refresh token with client_id and client_secret mints new ones as they \
             expire)"
        )
    }
}

impl Api {
    pub fn new(client: reqwest::Client, setup: Setup, timeout: std::time::Duration) -> Api {
        let token = setup.token.clone();
        Api {
            client,
            setup,
            token,
            timeout,
        }
    }

    /// `base` with `path` (already in Google's resource-name form, `accounts/1/locations/2`) appended.
    fn url(base: &Url, version: &str, path: &str) -> Url {
        let mut u = base.clone();
        u.set_query(None);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let Ok(mut p) = u.path_segments_mut() {
            p.pop_if_empty().push(version).extend(segments);
        }
        u
    }

    /// Mints a new access token from the refresh token; `Ok(false)` when none is configured.
    pub async fn refresh(&mut self) -> Result<bool, FetchError> {
        let Some(Refresh {
            url,
            client_id,
            client_secret,
            refresh_token,
        }) = self.setup.refresh.clone()
        else {
            return Ok(false);
        };
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &client_id)
            .append_pair("client_secret", client_secret.expose())
            .append_pair("refresh_token", refresh_token.expose())
            .append_pair("grant_type", "refresh_token")
            .finish();
        let req = self
            .client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .timeout(self.timeout)
            .body(body);
        let resp = req.send().await.map_err(|e| FetchError::from_reqwest(&e))?;
        let status = resp.status();
        if !status.is_success() {
            let text = crate::sources::secret::redact(&resp.text().await.unwrap_or_default());
            // OAuth errors: {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let word = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            return Err(match status.as_u16() {
                s if s >= 500 => FetchError::Server { status: s },
                429 => FetchError::RateLimited {
                    until: Utc::now() + chrono::Duration::seconds(60),
                },
                _ => FetchError::Auth {
                    status: 401,
                    detail: format!(
                        "the refresh token was refused ({}: {})",
                        word("error"),
                        word("error_description")
                    ),
                },
            });
        }
        let minted: Minted = http::json(resp).await?;
        self.token = Some(Secret::new(minted.access_token));
        Ok(true)
    }

    /// One request with the current token (minted first when there is none yet).
    async fn send(
        &mut self,
        method: reqwest::Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, FetchError> {
        if self.token.is_none() {
            self.refresh().await?;
        }
        let token = self.token.as_ref().map_or("", Secret::expose).to_string();
        let mut req = self
            .client
            .request(method, url)
            .bearer_auth(token)
            .timeout(self.timeout);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| FetchError::from_reqwest(&e))?;
        let status = resp.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(resp);
        }
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        Err(classify(status.as_u16(), &headers, &text, Utc::now()))
    }

    pub async fn get<T: serde::de::DeserializeOwned>(&mut self, url: Url) -> Result<T, FetchError> {
        http::json(self.send(reqwest::Method::GET, url, None).await?).await
    }

    /// Every account the token can see (Account Management API), all pages.
    pub async fn accounts(&mut self) -> Result<Vec<String>, FetchError> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut u = Api::url(&self.setup.accounts_base, "v1", "accounts");
            if let Some(t) = &token {
                u.query_pairs_mut().append_pair("pageToken", t);
            }
            let page: AccountPage = self.get(u).await?;
            names.extend(page.accounts.into_iter().map(|a| a.name));
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(names);
            }
        }
    }

    /// The locations of `account` (Business Information API), all pages, with their Maps links.
    pub async fn locations(&mut self, account: &str) -> Result<Vec<Place>, FetchError> {
        let mut places = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut u = Api::url(
                &self.setup.locations_base,
                "v1",
                &format!("{account}/locations"),
            );
            u.query_pairs_mut()
                .append_pair("readMask", "name,title,metadata")
                .append_pair("pageSize", "100");
            if let Some(t) = &token {
                u.query_pairs_mut().append_pair("pageToken", t);
            }
            let page: LocationPage = self.get(u).await?;
            places.extend(
                page.locations
                    .iter()
                    .map(|l: &Location| Place::new(account, l)),
            );
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(places);
            }
        }
    }

    /// One page of a location's reviews, newest change first.
    pub async fn reviews(
        &mut self,
        parent: &str,
        page_token: Option<&str>,
    ) -> Result<ReviewPage, FetchError> {
        let mut u = Api::url(&self.setup.reviews_base, "v4", &format!("{parent}/reviews"));
        u.query_pairs_mut()
            .append_pair("pageSize", PAGE_SIZE)
            .append_pair("orderBy", "updateTime desc");
        if let Some(t) = page_token {
            u.query_pairs_mut().append_pair("pageToken", t);
        }
        self.get(u).await
    }

    /// One review (`accounts/*/locations/*/reviews/*`).
    pub async fn review(&mut self, name: &str) -> Result<Review, FetchError> {
        self.get(Api::url(&self.setup.reviews_base, "v4", name))
            .await
    }

    /// `PUT {review}/reply`: creates the shop's reply, or replaces the one there is.
    pub async fn update_reply(
        &mut self,
        review: &str,
        comment: &str,
    ) -> Result<reqwest::Response, FetchError> {
        let u = Api::url(&self.setup.reviews_base, "v4", &format!("{review}/reply"));
        let body = serde_json::json!({ "comment": comment });
        self.send(reqwest::Method::PUT, u, Some(&body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        "2026-11-22T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn google_errors_classified() {
        let h = HeaderMap::new();
        let body = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}"#;
        assert_eq!(
            classify(429, &h, body, now()),
            FetchError::RateLimited {
                until: now() + chrono::Duration::seconds(30)
            }
        );
        let mut ra = HeaderMap::new();
        ra.insert("retry-after", HeaderValue::from_static("5"));
        assert_eq!(
            classify(429, &ra, "", now()),
            FetchError::RateLimited {
                until: now() + chrono::Duration::seconds(5)
            }
        );
        let disabled = r#"{"error":{"code":403,"message":"My Business Account Management API has not been used in project 1 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED"}]}}"#;
        let FetchError::Auth {
            status: 403,
            detail,
        } = classify(403, &h, disabled, now())
        else {
            panic!("403 is a refusal");
        };
        assert!(
            detail.starts_with("PERMISSION_DENIED: My Business")
                && detail.ends_with("[SERVICE_DISABLED]"),
            "{detail}"
        );
        assert!(
            fix(403, &detail, "x").contains("enable that API"),
            "{}",
            fix(403, &detail, "x")
        );
        assert!(fix(403, "PERMISSION_DENIED: no", "x").contains("owner or manager"));
        assert!(fix(401, "UNAUTHENTICATED", "the file t").contains("the file t"));
        assert_eq!(
            classify(503, &h, "<html>", now()),
            FetchError::Server { status: 503 }
        );
        assert!(matches!(
            classify(404, &h, "{}", now()),
            FetchError::Client { status: 404, .. }
        ));
    }

    #[test]
    fn resource_paths() {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(
            Api::url(&base, "v4", "accounts/1/locations/2/reviews").as_str(),
            "http://127.0.0.1:9/v4/accounts/1/locations/2/reviews"
        );
    }
}
