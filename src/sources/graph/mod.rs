//! What the Facebook and Instagram sources share: the Graph API at `graph.facebook.com` (versioned paths, the
//! token as a bearer header, `paging.next` cursors, error objects and usage headers) and reading an edge
//! incrementally. The networks are `sources::facebook` and `sources::instagram`.

pub mod doctor;
pub mod edges;
pub mod errors;
mod reader;
pub mod reply;
mod source;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use crate::sources::http::{self, FetchError};
use crate::sources::secret::{self, Secret};
pub use edges::{Edge, Method};
pub use errors::{GraphError, Usage};
pub use reader::{Fresh, Reader, Window};
pub use source::{GraphNetwork, GraphSource};

/// The real API host.
pub const GRAPH_URL: &str = "https://graph.facebook.com";
/// The API version used unless the config names another (Meta supports each for about two years).
pub const API_VERSION: &str = "v25.0";

pub fn default_graph_url() -> String {
    GRAPH_URL.into()
}

pub fn default_api_version() -> String {
    API_VERSION.into()
}

/// Timing knobs shared by both networks; the defaults suit the real API, tests shorten them.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// Overrides the config's `poll_seconds`.
    pub poll_interval: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often a refused token is tried again.
    pub auth_recheck: Duration,
    /// The pause between requests once usage passes [`errors::SLOW_AT`] percent.
    pub slow_pause: Duration,
    /// Per-request timeout (the shared client's own applies otherwise).
    pub request_timeout: Option<Duration>,
}

impl Default for GraphOptions {
    fn default() -> GraphOptions {
        GraphOptions {
            poll_interval: None,
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(300),
            auth_recheck: Duration::from_secs(600),
            slow_pause: Duration::from_secs(120),
            request_timeout: None,
        }
    }
}

impl GraphOptions {
    /// The poller's pace and patience for a source polling every `poll_seconds` (unless overridden).
    pub fn timing(&self, poll_seconds: u64) -> crate::sources::poller::Timing {
        crate::sources::poller::Timing {
            backoff: http::Backoff::new(self.backoff_base, self.backoff_cap),
            auth_recheck: self.auth_recheck,
            ..crate::sources::poller::Timing::every(
                self.poll_interval
                    .unwrap_or(Duration::from_secs(poll_seconds)),
            )
        }
    }
}

/// Where a Graph network's config says to reach the API and find the token.
pub struct Access<'a> {
    pub graph_url: &'a str,
    pub api_version: &'a str,
    pub token_env: Option<&'a str>,
    pub token_file: Option<&'a std::path::Path>,
}

impl Access<'_> {
    /// Checks the host and version without reading the token (when the config is loaded).
    pub fn check(&self, what: &str) -> Result<(), String> {
        let unused = Secret::new("");
        Graph::new(
            what,
            self.graph_url,
            self.api_version,
            unused,
            reqwest::Client::new(),
        )
        .map(|_| ())
    }

    /// The Graph client and the token's source for `sources.<name>`; errors name the field and the fix.
    pub fn connect(
        &self,
        name: &str,
        client: reqwest::Client,
    ) -> Result<(Graph, TokenSource), String> {
        let what = format!("sources.{name}");
        let token = TokenSource {
            what: format!("{what}.token"),
            env: self.token_env.map(str::to_string),
            file: self.token_file.map(std::path::Path::to_path_buf),
        };
        let graph = Graph::new(
            &what,
            self.graph_url,
            self.api_version,
            token.load()?,
            client,
        )?;
        Ok((graph, token))
    }
}

/// Where a source's token comes from, so a re-check reads it again (the user may have put a new one there).
#[derive(Debug, Clone)]
pub struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

impl TokenSource {
    pub fn load(&self) -> Result<Secret, String> {
        secret::load(&self.what, self.env.as_deref(), self.file.as_deref())
    }

    /// For fixes: "the environment variable X" or the file's path.
    pub fn hint(&self) -> String {
        match (&self.env, &self.file) {
            (Some(var), _) => format!("the environment variable {var}"),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => "token_env or token_file".into(),
        }
    }
}

/// The authenticated Graph API client of one source (or replier).
#[derive(Debug, Clone)]
pub struct Graph {
    client: reqwest::Client,
    base: Url,
    version: String,
    pub token: Secret,
    /// The last usage the API reported.
    pub usage: Option<Usage>,
    /// No request before this (usage close to or at the limit).
    hold: Option<DateTime<Utc>>,
    slow_pause: Duration,
    timeout: Option<Duration>,
}

impl Graph {
    /// `what` names the config table in errors (`sources.fb`).
    pub fn new(
        what: &str,
        graph_url: &str,
        version: &str,
        token: Secret,
        client: reqwest::Client,
    ) -> Result<Graph, String> {
        let base = http::base_url(graph_url).map_err(|e| format!("{what}.graph_url: {e}"))?;
        let v = version.trim();
        let numeric = v.strip_prefix('v').is_some_and(|n| {
            n.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
        if !numeric {
            return Err(format!(
                "{what}.api_version: `{version}` is not a Graph API version; write it like \"{API_VERSION}\""
            ));
        }
        Ok(Graph {
            client,
            base,
            version: v.to_string(),
            token,
            usage: None,
            hold: None,
            slow_pause: GraphOptions::default().slow_pause,
            timeout: None,
        })
    }

    pub fn with_options(mut self, o: &GraphOptions) -> Graph {
        self.slow_pause = o.slow_pause;
        self.timeout = o.request_timeout;
        self
    }

    /// The URL of `edge` from node `id`, asking for its fields, with `params` (each declared by the edge).
    pub fn url(&self, edge: &Edge, id: &str, params: &[(&str, &str)]) -> Url {
        let mut u = self.base.clone();
        u.set_query(None);
        u.set_fragment(None);
        if let Ok(mut path) = u.path_segments_mut() {
            path.clear().push(&self.version).extend(edge.segments(id));
        }
        {
            let mut q = u.query_pairs_mut();
            if !edge.fields.is_empty() && edge.method == Method::Get {
                q.append_pair("fields", &edge.fields.join(","));
            }
            for (k, v) in params {
                debug_assert!(edge.takes(k), "{k} is not declared for {edge:?}");
                q.append_pair(k, v);
            }
        }
        u
    }

    /// A `paging.next` link, only if it stays on the API host (the token must never go elsewhere).
    pub fn same_origin(&self, link: Option<&str>) -> Option<Url> {
        let u = Url::parse(link?).ok()?;
        (u.origin() == self.base.origin()).then_some(u)
    }

    pub async fn get(&mut self, url: Url) -> Result<Value, FetchError> {
        let req = self.client.get(url);
        self.send(req).await
    }

    /// A POST with form fields (the API takes `message` and the like as form data).
    pub async fn post(&mut self, url: Url, form: &[(&str, &str)]) -> Result<Value, FetchError> {
        let req = self.client.post(url).form(form);
        self.send(req).await
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Result<Value, FetchError> {
        let now = Utc::now();
        if let Some(until) = self.hold {
            if until > now {
                return Err(FetchError::RateLimited { until });
            }
            self.hold = None;
        }
        let mut req = req.bearer_auth(self.token.expose());
        if let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        let resp = req.send().await.map_err(|e| FetchError::from_reqwest(&e))?;
        let status = resp.status().as_u16();
        let usage = Usage::from_headers(resp.headers());
        let retry_after = http::retry_after(resp.headers(), now);
        let body = resp
            .text()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        if let Some(u) = &usage {
            self.hold = u.hold(now, self.slow_pause);
            self.usage = usage.clone();
        }
        if let Some(error) = GraphError::parse(&body) {
            return Err(errors::classify(status, &error, usage.as_ref(), now));
        }
        match status {
            200..=299 => serde_json::from_str(&body).map_err(|e| {
                FetchError::Malformed(format!("not the JSON the Graph API sends ({e})"))
            }),
            429 => Err(FetchError::RateLimited {
                until: retry_after.unwrap_or(now + chrono::Duration::minutes(5)),
            }),
            401 | 403 => Err(FetchError::Auth {
                status,
                detail: format!("HTTP {status} without an error object"),
            }),
            s if s >= 500 => Err(FetchError::Server { status }),
            s => Err(FetchError::Client {
                status: s,
                detail: format!("HTTP {s} without an error object"),
            }),
        }
    }
}

/// A Graph time: `2026-12-01T10:00:00+0000` (the API's own form), RFC 3339, or Unix seconds.
pub fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => DateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%z")
            .or_else(|_| DateTime::parse_from_rfc3339(s.trim()))
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        Value::Number(n) => n.as_i64().and_then(|s| DateTime::from_timestamp(s, 0)),
        _ => None,
    }
}

/// A string field of a JSON object (ids may come as numbers).
pub fn text_of<'a>(v: &'a Value, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    match v.get(key)? {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NODE: Edge = Edge {
        node: "Page",
        edge: Some("ratings"),
        method: Method::Get,
        params: &[],
        fields: &["created_time", "reviewer"],
    };

    fn graph(url: &str) -> Result<Graph, String> {
        Graph::new(
            "sources.fb",
            url,
            "v24.0",
            Secret::new("t"),
            reqwest::Client::new(),
        )
    }

    #[test]
    fn urls_carry_version_fields_and_params_never_the_token() {
        let g = graph("https://graph.facebook.com").unwrap();
        let u = g.url(&NODE, "123", &[("limit", "50")]);
        assert_eq!(
            u.as_str(),
            "https://graph.facebook.com/v24.0/123/ratings?fields=created_time%2Creviewer&limit=50"
        );
        assert!(
            g.same_origin(Some("https://evil.example/v24.0/123/ratings"))
                .is_none()
        );
        assert!(
            g.same_origin(Some("https://graph.facebook.com/v24.0/1?after=x"))
                .is_some()
        );
        assert!(
            graph("http://graph.facebook.com")
                .unwrap_err()
                .contains("graph_url")
        );
        let bad = Graph::new(
            "sources.fb",
            GRAPH_URL,
            "24",
            Secret::new("t"),
            reqwest::Client::new(),
        );
        assert!(bad.unwrap_err().contains("api_version"));
    }

    #[test]
    fn graph_times() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(
            parse_time(&Value::from("2026-12-01T10:00:00+0000")),
            Some(t)
        );
        assert_eq!(
            parse_time(&Value::from("2026-12-01T11:00:00+01:00")),
            Some(t)
        );
        assert_eq!(parse_time(&Value::from(t.timestamp())), Some(t));
        assert_eq!(parse_time(&Value::from("soon")), None);
    }
}
