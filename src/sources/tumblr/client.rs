//! The Tumblr API client: the API key as the documented `api_key` query parameter, the `{meta, response}`
//! envelope, and the per-key hourly and daily limits Tumblr reports in `X-Ratelimit-Perhour-*` and
//! `X-Ratelimit-Perday-*` (remaining calls, and the seconds until the window resets).

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;

/// One of Tumblr's per-key windows, as its headers last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: Option<u64>,
    pub remaining: u64,
    pub reset: DateTime<Utc>,
}

/// The hourly and daily windows of the key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub hour: Option<Window>,
    pub day: Option<Window>,
}

impl Limits {
    pub fn from_headers(headers: &HeaderMap, now: DateTime<Utc>) -> Limits {
        let window = |name: &str| {
            let get = |part: &str| {
                headers
                    .get(format!("x-ratelimit-{name}-{part}"))
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
            };
            Some(Window {
                limit: get("limit"),
                remaining: get("remaining")?,
                reset: now + chrono::Duration::seconds(get("reset")?.min(86_400 * 2) as i64),
            })
        };
        Limits {
            hour: window("perhour"),
            day: window("perday"),
        }
    }

    /// Until when the key is spent, if a window has no calls left.
    pub fn spent_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        [self.hour, self.day]
            .into_iter()
            .flatten()
            .filter(|w| w.remaining == 0 && w.reset > now)
            .map(|w| w.reset)
            .max()
    }
}

/// The API, with the key it reads with.
pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: Url,
    pub key: Secret,
    /// The windows the latest answer reported.
    pub limits: Limits,
}

impl Api {
    /// `base` with `/v2/<segments>` as its path (each segment percent-encoded) and the API key.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.base.clone();
        u.set_query(None);
        if let Ok(mut path) = u.path_segments_mut() {
            path.clear().push("v2").extend(segments);
        }
        u.query_pairs_mut()
            .append_pair("api_key", self.key.expose());
        u
    }

    /// GETs `url` and returns the envelope's `response`.
    pub async fn get(&mut self, url: Url) -> Result<Value, FetchError> {
        let now = Utc::now();
        if let Some(until) = self.limits.spent_until(now) {
            return Err(FetchError::RateLimited { until });
        }
        let resp = self
            .client
            .get(url)
            .send()
            .await
            // The error's text is ours, never the URL (the key is in its query).
            .map_err(|e| FetchError::from_reqwest(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let limits = Limits::from_headers(&headers, now);
        if limits.hour.is_some() || limits.day.is_some() {
            self.limits = limits;
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            return Err(self.failure(status, &headers, json.as_ref(), now));
        }
        let json = json.ok_or_else(|| {
            FetchError::Malformed(format!(
                "not JSON ({} bytes starting `{}`)",
                body.len(),
                crate::text::one_line(&String::from_utf8_lossy(&body[..body.len().min(40)]))
            ))
        })?;
        match json.get("response") {
            // An object for most calls, the posts themselves for `/tagged`.
            Some(r) if r.is_object() || r.is_array() => Ok(r.clone()),
            _ => Err(FetchError::Malformed("no `response` in the answer".into())),
        }
    }

    fn failure(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: Option<&Value>,
        now: DateTime<Utc>,
    ) -> FetchError {
        let code = status.as_u16();
        let detail = body.map(error_detail).unwrap_or_default();
        match status {
            StatusCode::TOO_MANY_REQUESTS => FetchError::RateLimited {
                until: http::retry_after(headers, now)
                    .or_else(|| Limits::from_headers(headers, now).spent_until(now))
                    // No hint: an hourly window is the likely one; try again in a while, not at once.
                    .unwrap_or(now + chrono::Duration::minutes(5)),
            },
            // 401 is a refused key; 403 means this call is not allowed (a private blog), not the key.
            StatusCode::UNAUTHORIZED => FetchError::Auth {
                status: code,
                detail,
            },
            s if s.is_server_error() => FetchError::Server { status: code },
            _ => FetchError::Client {
                status: code,
                detail,
            },
        }
    }
}

/// The human part of an error envelope: `meta.msg` and the first `errors[].detail` (or `title`).
fn error_detail(body: &Value) -> String {
    let msg = body
        .pointer("/meta/msg")
        .and_then(Value::as_str)
        .unwrap_or("");
    let first = body.pointer("/errors/0");
    let more = first
        .and_then(|e| e.get("detail").or_else(|| e.get("title")))
        .and_then(Value::as_str)
        .unwrap_or("");
    let text = match (msg.is_empty(), more.is_empty()) {
        (false, false) => format!("{msg}: {more}"),
        (false, true) => msg.to_string(),
        _ => more.to_string(),
    };
    let text = crate::sources::secret::redact(&text);
    crate::text::one_line(&text).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use reqwest::header::HeaderValue;

    #[test]
    fn windows_from_tumblr_headers() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-ratelimit-perday-limit", "5000"),
            ("x-ratelimit-perday-remaining", "4106"),
            ("x-ratelimit-perday-reset", "76341"),
            ("x-ratelimit-perhour-limit", "1000"),
            ("x-ratelimit-perhour-remaining", "0"),
            ("x-ratelimit-perhour-reset", "753"),
        ] {
            h.insert(k, HeaderValue::from_static(v));
        }
        let l = Limits::from_headers(&h, now);
        assert_eq!(l.day.unwrap().remaining, 4106);
        assert_eq!(l.hour.unwrap().limit, Some(1000));
        assert_eq!(
            l.spent_until(now),
            Some(now + chrono::Duration::seconds(753))
        );
        assert_eq!(
            Limits::from_headers(&HeaderMap::new(), now).spent_until(now),
            None
        );
    }

    #[test]
    fn error_detail_from_the_envelope() {
        let body = serde_json::json!({"meta": {"status": 401, "msg": "Unauthorized"},
            "response": [], "errors": [{"title": "Unauthorized", "code": 1016, "detail": "Unable to authorize"}]});
        assert_eq!(error_detail(&body), "Unauthorized: Unable to authorize");
        assert_eq!(error_detail(&serde_json::json!({})), "");
    }
}
