//! What the Graph API says about trouble: its error object (`{"error": {"message", "type", "code",
//! "error_subcode", "fbtrace_id"}}`) and its usage headers (`X-App-Usage`, `X-Page-Usage`,
//! `X-Business-Use-Case-Usage`), turned into the [`FetchError`] a source acts on. Pure, so every documented
//! form is unit-tested.

use chrono::{DateTime, Duration, Utc};
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::sources::http::FetchError;

/// Usage at or above this percentage slows the source down before the API refuses it.
pub const SLOW_AT: u32 = 90;
/// How long a throttled source waits when the API names no time to regain access.
const DEFAULT_WAIT_MINUTES: i64 = 5;

/// The error object of a Graph API answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GraphError {
    #[serde(default)]
    pub message: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub error_subcode: Option<i64>,
    #[serde(default)]
    pub is_transient: bool,
    #[serde(default)]
    pub fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

impl GraphError {
    /// The error object of a body, if it is one.
    pub fn parse(body: &str) -> Option<GraphError> {
        serde_json::from_str::<Envelope>(body).ok().map(|e| e.error)
    }

    /// `code 190/463: Error validating access token… (fbtrace_id …)`, one line, at most 300 characters.
    pub fn detail(&self) -> String {
        let code = match self.error_subcode {
            Some(sub) => format!("code {}/{sub}", self.code),
            None => format!("code {}", self.code),
        };
        let why = match (self.code, self.error_subcode) {
            (190, Some(463)) => " (the token has expired)",
            (190, Some(460)) => " (the password changed, which revoked the token)",
            (190, Some(458)) => " (the app was removed, which revoked the token)",
            (190, Some(467)) | (190, None) => " (the token is invalid or revoked)",
            (10, _) | (200..=299, _) => " (a permission is missing)",
            _ => "",
        };
        let trace = self
            .fbtrace_id
            .as_deref()
            .map(|t| format!(" (fbtrace_id {t})"))
            .unwrap_or_default();
        let message = crate::sources::secret::redact(&self.message);
        let text = format!("{code}{why}: {message}{trace}");
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(300)
            .collect()
    }

    /// Documented throttling codes: app (4), user (17), page (32), custom (613), too many calls (341) and the
    /// business use case limits (80001 Pages, 80002 Instagram, 80003..80014 others).
    pub fn is_throttling(&self) -> bool {
        matches!(self.code, 4 | 17 | 32 | 341 | 613 | 80001..=80014)
    }

    /// The token itself (190, 102) or a missing permission (10, 200-299).
    pub fn is_auth(&self) -> bool {
        matches!(self.code, 102 | 190 | 10 | 200..=299)
    }
}

/// Usage as the headers report it, in percent of what the app, the page or the business may use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// The highest of `call_count`, `total_time` and `total_cputime` across every header sent.
    pub percent: u32,
    /// `estimated_time_to_regain_access`, in minutes, where a header named one above zero.
    pub regain_minutes: Option<u32>,
    /// Which header and figure were highest (`X-Page-Usage call_count`), for the Sources view and doctor.
    pub source: String,
}

/// One header's figures.
#[derive(Debug, Default, Deserialize)]
struct Figures {
    #[serde(default)]
    call_count: Option<f64>,
    #[serde(default)]
    total_time: Option<f64>,
    #[serde(default)]
    total_cputime: Option<f64>,
    #[serde(default)]
    estimated_time_to_regain_access: Option<f64>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

impl Usage {
    /// Reads the three usage headers; `None` when none was sent (the API sends them once calls add up).
    pub fn from_headers(headers: &HeaderMap) -> Option<Usage> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let mut usage: Option<Usage> = None;
        let mut take = |label: String, f: &Figures| {
            let u = usage.get_or_insert_with(Usage::default);
            for (name, v) in [
                ("call_count", f.call_count),
                ("total_time", f.total_time),
                ("total_cputime", f.total_cputime),
            ] {
                let pct = v.unwrap_or(0.0).clamp(0.0, 10_000.0).round() as u32;
                if u.source.is_empty() || pct > u.percent {
                    u.percent = pct;
                    u.source = format!("{label} {name}");
                }
            }
            if let Some(m) = f.estimated_time_to_regain_access.filter(|m| *m > 0.0) {
                let m = m.clamp(0.0, 24.0 * 60.0).ceil() as u32;
                u.regain_minutes = Some(u.regain_minutes.map_or(m, |o| o.max(m)));
            }
        };
        for name in ["X-App-Usage", "X-Page-Usage"] {
            if let Some(f) = text(name).and_then(|t| serde_json::from_str::<Figures>(t).ok()) {
                take(name.to_string(), &f);
            }
        }
        // `{"<business-id>": [{"type": "pages", "call_count": .., ..}]}`
        if let Some(map) = text("X-Business-Use-Case-Usage").and_then(|t| {
            serde_json::from_str::<std::collections::HashMap<String, Vec<Figures>>>(t).ok()
        }) {
            for f in map.values().flatten() {
                let label = match &f.kind {
                    Some(k) => format!("X-Business-Use-Case-Usage ({k})"),
                    None => "X-Business-Use-Case-Usage".to_string(),
                };
                take(label, f);
            }
        }
        usage
    }

    /// When the next request may go out, if not now: at the limit (or with a time to regain access), after
    /// that time; close to it, after `slow` so the rolling window drains before the API refuses us.
    pub fn hold(&self, now: DateTime<Utc>, slow: std::time::Duration) -> Option<DateTime<Utc>> {
        if let Some(m) = self.regain_minutes {
            return Some(now + Duration::minutes(i64::from(m)));
        }
        if self.percent >= 100 {
            return Some(now + Duration::minutes(DEFAULT_WAIT_MINUTES));
        }
        (self.percent >= SLOW_AT)
            .then(|| now + Duration::from_std(slow).unwrap_or(Duration::minutes(1)))
    }
}

/// The [`FetchError`] for an error answer: throttling waits (as long as the headers say), token and
/// permission errors stop the source until fixed, transient errors back off.
pub fn classify(
    status: u16,
    error: &GraphError,
    usage: Option<&Usage>,
    now: DateTime<Utc>,
) -> FetchError {
    let detail = error.detail();
    if error.is_throttling() {
        let minutes = usage
            .and_then(|u| u.regain_minutes)
            .map_or(DEFAULT_WAIT_MINUTES, i64::from);
        return FetchError::RateLimited {
            until: now + Duration::minutes(minutes),
        };
    }
    if error.is_auth() {
        return FetchError::Auth { status, detail };
    }
    // 1 (unknown) and 2 (service) are the API's own trouble; `is_transient` says so explicitly.
    if error.is_transient || matches!(error.code, 1 | 2) || status >= 500 {
        return FetchError::Server { status };
    }
    FetchError::Client { status, detail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    }

    fn err(body: &str) -> GraphError {
        GraphError::parse(body).unwrap()
    }

    #[test]
    fn expired_and_revoked_tokens_are_auth_with_the_reason() {
        let e = err(
            r#"{"error":{"message":"Error validating access token: Session has expired on Tuesday.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}"#,
        );
        match classify(400, &e, None, now()) {
            FetchError::Auth { status, detail } => {
                assert_eq!(status, 400);
                assert!(
                    detail.contains("190/463") && detail.contains("expired"),
                    "{detail}"
                );
                assert!(detail.contains("fbtrace_id AbC"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let e =
            err(r#"{"error":{"message":"(#200) Requires pages_read_user_content","code":200}}"#);
        assert!(matches!(
            classify(403, &e, None, now()),
            FetchError::Auth { .. }
        ));
        assert!(e.detail().contains("permission is missing"));
    }

    #[test]
    fn throttling_codes_wait_as_long_as_the_headers_say() {
        for code in [4, 17, 32, 613, 80001, 80002, 80006] {
            let e = err(&format!(
                r#"{{"error":{{"message":"too many calls","code":{code}}}}}"#
            ));
            assert_eq!(
                classify(400, &e, None, now()),
                FetchError::RateLimited {
                    until: now() + Duration::minutes(5)
                },
                "{code}"
            );
        }
        let usage = Usage {
            percent: 100,
            regain_minutes: Some(17),
            source: String::new(),
        };
        let e = err(r#"{"error":{"message":"User request limit reached","code":17}}"#);
        assert_eq!(
            classify(400, &e, Some(&usage), now()),
            FetchError::RateLimited {
                until: now() + Duration::minutes(17)
            }
        );
    }

    #[test]
    fn transient_and_other_errors() {
        let e = err(
            r#"{"error":{"message":"Service temporarily unavailable","code":2,"is_transient":true}}"#,
        );
        assert_eq!(
            classify(500, &e, None, now()),
            FetchError::Server { status: 500 }
        );
        let e =
            err(r#"{"error":{"message":"Unsupported get request","code":100,"error_subcode":33}}"#);
        assert!(matches!(
            classify(400, &e, None, now()),
            FetchError::Client { status: 400, .. }
        ));
        assert_eq!(GraphError::parse("<html>oops</html>"), None);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn usage_headers_of_every_family() {
        let u = Usage::from_headers(&headers(&[(
            "x-app-usage",
            r#"{"call_count":28,"total_time":25,"total_cputime":30}"#,
        )]))
        .unwrap();
        assert_eq!((u.percent, u.regain_minutes), (30, None));
        assert_eq!(u.source, "X-App-Usage total_cputime");
        let u = Usage::from_headers(&headers(&[
            ("x-app-usage", r#"{"call_count":10,"total_time":1,"total_cputime":1}"#),
            (
                "x-page-usage",
                r#"{"call_count":95,"total_time":2,"total_cputime":3,"estimated_time_to_regain_access":0}"#,
            ),
        ]))
        .unwrap();
        assert_eq!((u.percent, u.regain_minutes), (95, None));
        let u = Usage::from_headers(&headers(&[(
            "x-business-use-case-usage",
            r#"{"112233":[{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}]}"#,
        )]))
        .unwrap();
        assert_eq!((u.percent, u.regain_minutes), (100, Some(19)));
        assert!(u.source.contains("(pages) call_count"), "{}", u.source);
        assert_eq!(Usage::from_headers(&HeaderMap::new()), None);
        assert_eq!(
            Usage::from_headers(&headers(&[("x-app-usage", "not json")])),
            None
        );
    }

    #[test]
    fn hold_slows_down_before_the_limit() {
        let slow = std::time::Duration::from_secs(60);
        let at = |percent, regain| Usage {
            percent,
            regain_minutes: regain,
            source: String::new(),
        };
        assert_eq!(at(50, None).hold(now(), slow), None);
        assert_eq!(
            at(92, None).hold(now(), slow),
            Some(now() + Duration::seconds(60))
        );
        assert_eq!(
            at(100, None).hold(now(), slow),
            Some(now() + Duration::minutes(5))
        );
        assert_eq!(
            at(100, Some(12)).hold(now(), slow),
            Some(now() + Duration::minutes(12))
        );
    }
}
