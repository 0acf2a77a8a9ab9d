//! The HTTP plumbing every network source shares: one client, URL policy, backoff, rate-limit headers and a
//! classification of failures that tells a source whether to retry, wait or stop.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use url::Url;

pub const USER_AGENT: &str = concat!(
    "regulars/",
    env!("CARGO_PKG_VERSION"),
    " (terminal console for shop social-media staff)"
);

/// The one reqwest client of the process (house rule 3): clone it, never build another.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        // Building fails only when the TLS backend cannot initialise: nothing a user can fix at run time.
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Parses a configured base URL and enforces HTTPS, except to loopback (local fakes, tunnels).
pub fn base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL ({e})"))?;
    // A password in the URL (a feed behind basic auth) is a secret like any other.
    if let Some(password) = url.password() {
        super::secret::remember(password);
    }
    match url.scheme() {
        "https" | "wss" => Ok(url),
        "http" | "ws" if is_loopback(&url) => Ok(url),
        "http" | "ws" => Err(format!(
            "`{raw}` uses {}: only https is allowed, except to localhost",
            url.scheme()
        )),
        other => Err(format!("`{raw}` has scheme `{other}`: use https://")),
    }
}

/// A URL as shown to staff: a password in it hidden.
pub fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Exponential backoff with full jitter and a cap.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
        }
    }

    /// The next wait: uniform in [ceiling/2, ceiling] where ceiling = min(cap, base * 2^attempt).
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(self.attempt.min(20)))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        half + Duration::from_millis(jitter_ms)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new(Duration::from_secs(2), Duration::from_secs(300))
    }
}

/// What the server said about its rate limit, from whichever header family it speaks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset: Option<DateTime<Utc>>,
}

impl RateLimit {
    /// Reads Mastodon's `X-RateLimit-*`, the AT Protocol / IETF draft `RateLimit-*` and X's `x-rate-limit-*`
    /// headers.
    pub fn from_headers(headers: &HeaderMap, now: DateTime<Utc>) -> Option<RateLimit> {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| headers.get(*n).and_then(|v| v.to_str().ok()))
                .map(str::trim)
        };
        let limit = get(&["x-ratelimit-limit", "ratelimit-limit", "x-rate-limit-limit"])
            .and_then(leading_number);
        let remaining = get(&[
            "x-ratelimit-remaining",
            "ratelimit-remaining",
            "x-rate-limit-remaining",
        ])
        .and_then(leading_number);
        let reset = get(&["x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"])
            .and_then(|v| parse_reset(v, now));
        (limit.is_some() || remaining.is_some() || reset.is_some()).then_some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }

    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

fn leading_number(v: &str) -> Option<u64> {
    // The IETF draft allows `100, 100;w=60`: the first figure is the one in force.
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A reset time as servers send it: ISO 8601 (`Z` or an offset, with or without fractions), epoch seconds,
/// or a delta in seconds (small numbers: the IETF draft and some PDSes).
pub fn parse_reset(v: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(n) = v.parse::<f64>() {
        if !n.is_finite() || n < 0.0 {
            return None;
        }
        // Anything below ~10 years of seconds is a delta, not an epoch time.
        return if n < 315_360_000.0 {
            Some(now + chrono::Duration::milliseconds((n * 1000.0) as i64))
        } else {
            Utc.timestamp_opt(n as i64, 0).single()
        };
    }
    // Mastodon's "2026-11-22T10:00:00.000000Z" parses above; tolerate a missing zone as UTC.
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(now + chrono::Duration::seconds(secs.min(86_400) as i64));
    }
    DateTime::parse_from_rfc2822(v)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Why a request failed, in the terms a source acts on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// 401/403 on an authenticated call: retrying will not help until credentials change.
    #[error("authentication refused ({status}): {detail}")]
    Auth { status: u16, detail: String },
    /// 429 (or a spent rate limit): wait until `until`.
    #[error("rate limited until {until}")]
    RateLimited { until: DateTime<Utc> },
    /// Other 4xx: our request is wrong for this server (unsupported endpoint, bad parameter).
    #[error("request refused ({status}): {detail}")]
    Client { status: u16, detail: String },
    /// 5xx: the server is in trouble; back off and retry.
    #[error("server error ({status})")]
    Server { status: u16 },
    /// Network down, DNS, TLS, timeout.
    #[error("network: {0}")]
    Transport(String),
    /// The body was not what the API documents.
    #[error("unexpected answer: {0}")]
    Malformed(String),
}

impl FetchError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::RateLimited { .. } | FetchError::Server { .. } | FetchError::Transport(_)
        )
    }

    pub fn from_reqwest(e: &reqwest::Error) -> FetchError {
        // reqwest's Display can include the URL; our URLs never carry secrets (tokens go in headers).
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else if e.is_decode() || e.is_body() {
            "connection dropped while reading"
        } else {
            "request failed"
        };
        FetchError::Transport(kind.to_string())
    }
}

/// Turns a response status into a `FetchError` (or Ok for 2xx/304), reading the body for the detail.
pub async fn check_status(
    resp: reqwest::Response,
    now: DateTime<Utc>,
) -> Result<reqwest::Response, FetchError> {
    let status = resp.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let detail = error_detail(&resp.text().await.unwrap_or_default());
    let code = status.as_u16();
    Err(match status {
        StatusCode::TOO_MANY_REQUESTS => FetchError::RateLimited {
            until: retry_after(&headers, now)
                .or_else(|| RateLimit::from_headers(&headers, now).and_then(|r| r.reset))
                .unwrap_or(now + chrono::Duration::seconds(60)),
        },
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => FetchError::Auth {
            status: code,
            detail,
        },
        s if s.is_server_error() => FetchError::Server { status: code },
        _ => FetchError::Client {
            status: code,
            detail,
        },
    })
}

/// The human part of an error body: Mastodon `{"error": ".."}`, XRPC `{"error": "..", "message": ".."}`.
fn error_detail(body: &str) -> String {
    // A server may quote the credentials it was sent: hidden before the text is cut short.
    let body = &super::secret::redact(body);
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        let pick = |k: &str| v.get(k).and_then(|x| x.as_str());
        match (pick("error"), pick("message")) {
            (Some(e), Some(m)) => Some(format!("{e}: {m}")),
            (Some(e), None) => Some(e.to_string()),
            (None, Some(m)) => Some(m.to_string()),
            _ => None,
        }
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

/// Reads a JSON body, turning a shape mismatch into `Malformed` with serde's path and reason.
pub async fn json<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
) -> Result<T, FetchError> {
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| FetchError::from_reqwest(&e))?;
    serde_json::from_slice(&bytes).map_err(|e| FetchError::Malformed(e.to_string()))
}

/// Sends a request and checks its status: the common path for every GET/POST a source makes.
pub async fn send(
    req: reqwest::RequestBuilder,
    now: DateTime<Utc>,
) -> Result<reqwest::Response, FetchError> {
    let resp = req.send().await.map_err(|e| FetchError::from_reqwest(&e))?;
    check_status(resp, now).await
}

/// The `rel="next"` (or other rel) target of an RFC 8288 `Link` header, as Mastodon paginates.
pub fn link_rel(headers: &HeaderMap, rel: &str) -> Option<String> {
    let value = headers.get("link")?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("rel="))
            .map(|r| r.trim_matches('"'))
            .any(|r| r.split_whitespace().any(|x| x == rel))
            .then(|| target.to_string())
    })
}

/// Sleeps for `wait` or until cancellation; `false` when cancelled.
pub async fn sleep_for(wait: Duration, cancel: &tokio_util::sync::CancellationToken) -> bool {
    tokio::select! {
        _ = cancel.cancelled() => false,
        _ = tokio::time::sleep(wait) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn https_required_except_loopback() {
        assert!(base_url("https://mastodon.social").is_ok());
        assert!(base_url("http://127.0.0.1:8080").is_ok());
        assert!(base_url("http://localhost:3000").is_ok());
        assert!(base_url("http://[::1]:3000").is_ok());
        let err = base_url("http://mastodon.social").unwrap_err();
        assert!(err.contains("only https"), "{err}");
        assert!(base_url("ftp://x").is_err());
        assert!(base_url("not a url").is_err());
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
        for _ in 0..10 {
            b.next_delay();
        }
        let late = b.next_delay();
        assert!(
            late >= Duration::from_secs(5) && late <= Duration::from_secs(10),
            "{late:?}"
        );
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn reset_in_every_form_servers_send() {
        let expect = Utc.with_ymd_and_hms(2026, 11, 22, 10, 5, 0).unwrap();
        for v in [
            "2026-11-22T10:05:00Z",
            "2026-11-22T10:05:00+00:00",
            "2026-11-22T10:05:00.000Z",
            "2026-11-22T10:05:00.000000Z",
            "2026-11-22T10:05:00",
            "300",
            &expect.timestamp().to_string(),
        ] {
            assert_eq!(parse_reset(v, now()), Some(expect), "{v}");
        }
        assert_eq!(parse_reset("soon", now()), None);
        assert_eq!(parse_reset("-5", now()), None);
    }

    #[test]
    fn rate_limit_headers_of_every_family() {
        let m = RateLimit::from_headers(
            &headers(&[
                ("x-ratelimit-limit", "300"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "2026-11-22T10:05:00.000Z"),
            ]),
            now(),
        )
        .unwrap();
        assert_eq!((m.limit, m.remaining), (Some(300), Some(0)));
        assert!(m.exhausted());
        let at = RateLimit::from_headers(
            &headers(&[
                ("ratelimit-limit", "3000"),
                ("ratelimit-remaining", "2999"),
                ("ratelimit-reset", "1795341900"),
            ]),
            now(),
        )
        .unwrap();
        assert_eq!(at.remaining, Some(2999));
        assert_eq!(at.reset.unwrap().timestamp(), 1795341900);
        // X API v2: epoch seconds.
        let x = RateLimit::from_headers(
            &headers(&[
                ("x-rate-limit-limit", "900"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", "1795341900"),
            ]),
            now(),
        )
        .unwrap();
        assert_eq!((x.limit, x.remaining), (Some(900), Some(0)));
        assert_eq!(x.reset.unwrap().timestamp(), 1795341900);
        assert_eq!(RateLimit::from_headers(&HeaderMap::new(), now()), None);
    }

    #[test]
    fn retry_after_seconds_and_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "120")]), now()),
            Some(now() + chrono::Duration::seconds(120))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 22 Nov 2026 10:01:00 GMT")]),
                now()
            ),
            Some(now() + chrono::Duration::seconds(60))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "later")]), now()),
            None
        );
    }

    #[test]
    fn link_header_next() {
        let h = headers(&[(
            "link",
            r#"<https://m.example/api/v1/timelines/tag/x?max_id=7>; rel="next", <https://m.example/api/v1/timelines/tag/x?min_id=9>; rel="prev""#,
        )]);
        assert_eq!(
            link_rel(&h, "next").as_deref(),
            Some("https://m.example/api/v1/timelines/tag/x?max_id=7")
        );
        assert_eq!(
            link_rel(&h, "prev").as_deref(),
            Some("https://m.example/api/v1/timelines/tag/x?min_id=9")
        );
        assert_eq!(link_rel(&h, "last"), None);
    }

    #[test]
    fn error_detail_reads_both_api_styles() {
        assert_eq!(
            error_detail(r#"{"error":"The access token is invalid"}"#),
            "The access token is invalid"
        );
        assert_eq!(
            error_detail(r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
            "ExpiredToken: Token has expired"
        );
        assert_eq!(
            error_detail("<html>Bad Gateway</html>"),
            "<html>Bad Gateway</html>"
        );
    }
}
