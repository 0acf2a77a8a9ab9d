//! RSS/Atom feeds (reviews, forums, private Reddit feed URLs): polled with conditional GET; every item is a
//! mention of the shop, keyed by guid, else link, else a stable hash of title and date.

mod map;
pub mod network;

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::Deserialize;
use url::Url;

use super::http::{self, Backoff, FetchError};
use super::poller::{self, Out, Stop, Timing};
use super::{Check, CheckFuture, Cursor, Source, SourceCtx, SourceFuture};

pub use map::{FeedCursor, entry_to_post, new_posts, parse_feed};

/// The cursor key under which a feed source stores its [`FeedCursor`].
pub const CURSOR_KEY: &str = "feed";

fn default_poll_seconds() -> u64 {
    300
}

/// `[sources.<name>]` with `kind = "rss"` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RssConfig {
    /// The feed's URL (https; http only to localhost).
    pub url: String,
    /// Seconds between polls (default 300).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Shown as the author of items that name none (default: the feed's title).
    #[serde(default)]
    pub name_as: Option<String>,
}

/// When each host (host:port) may be asked again after a 429: feeds on one host share its limit.
static HOST_WAIT: LazyLock<Mutex<HashMap<String, DateTime<Utc>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn host_wait(key: &str) -> Option<DateTime<Utc>> {
    let map = HOST_WAIT.lock().ok()?;
    map.get(key).copied().filter(|t| *t > Utc::now())
}

fn set_host_wait(key: &str, until: DateTime<Utc>) {
    if let Ok(mut map) = HOST_WAIT.lock() {
        let slot = map.entry(key.to_string()).or_insert(until);
        if *slot < until {
            *slot = until;
        }
    }
}

pub struct RssSource {
    name: String,
    url: Url,
    name_as: Option<String>,
    client: reqwest::Client,
    timing: Timing,
}

/// What one conditional GET brought back.
enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

impl RssSource {
    pub fn new(name: &str, cfg: &RssConfig, client: reqwest::Client) -> Result<RssSource, String> {
        let url = http::base_url(&cfg.url)
            .map_err(|e| format!("source `{name}`: `url` {e}; give the feed's https:// address"))?;
        if cfg.poll_seconds == 0 {
            return Err(format!(
                "source `{name}`: `poll_seconds` is 0; use at least 1 (300 is kind to the server)"
            ));
        }
        Ok(RssSource {
            name: name.to_string(),
            url,
            name_as: cfg.name_as.clone().filter(|s| !s.trim().is_empty()),
            client,
            timing: Timing::every(Duration::from_secs(cfg.poll_seconds)),
        })
    }

    /// Overrides the poll interval and the 5xx/network backoff (tests use milliseconds).
    pub fn with_timing(mut self, poll: Duration, backoff: Backoff) -> RssSource {
        self.timing.interval = poll;
        self.timing.backoff = backoff;
        self
    }

    async fn fetch(&self, cursor: &FeedCursor) -> Result<Fetched, FetchError> {
        let mut req = self.client.get(self.url.clone());
        if let Some(etag) = &cursor.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &cursor.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let resp = http::send(req, Utc::now()).await?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(ETAG);
        let last_modified = header(LAST_MODIFIED);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        Ok(Fetched::Body {
            bytes: bytes.to_vec(),
            etag,
            last_modified,
        })
    }

    async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let what = |s: &str| format!("{}: {s}", self.name);
        let fail = |w: &str, detail: String, fix: &str| Check {
            what: what(w),
            ok: false,
            detail,
            fix: fix.into(),
        };
        let fetched = self.fetch(&FeedCursor::default()).await;
        let (bytes, etag, last_modified) = match fetched {
            Ok(Fetched::Body {
                bytes,
                etag,
                last_modified,
            }) => (bytes, etag, last_modified),
            Ok(Fetched::NotModified) => {
                return vec![fail(
                    "reachable",
                    "answered 304 to an unconditional GET".into(),
                    "the server is misbehaving; try the feed URL in a browser",
                )];
            }
            Err(e) => {
                let fix = match &e {
                    FetchError::Auth { .. } => {
                        "the feed refused us: copy the private feed URL (with its token) again"
                    }
                    FetchError::RateLimited { .. } => "rate limited: raise `poll_seconds`",
                    FetchError::Client { .. } => "check `url`: the server does not know this feed",
                    _ => "check `url` and the network; the server may be down",
                };
                return vec![fail("reachable", e.to_string(), fix)];
            }
        };
        let mut out = vec![Check {
            what: what("reachable"),
            ok: true,
            detail: format!("{} ({} bytes)", http::shown(&self.url), bytes.len()),
            fix: String::new(),
        }];
        match parse_feed(&bytes) {
            Ok(feed) => out.push(Check {
                what: what("parse"),
                ok: true,
                detail: format!("{:?} feed, {} items", feed.feed_type, feed.entries.len()),
                fix: String::new(),
            }),
            Err(e) => out.push(fail(
                "parse",
                e,
                "the URL does not serve RSS or Atom: find the feed link on the page (often /feed or .rss)",
            )),
        }
        let conditional = match (&etag, &last_modified) {
            (Some(_), Some(_)) => "ETag and Last-Modified: polls cost little",
            (Some(_), None) => "ETag: polls cost little",
            (None, Some(_)) => "Last-Modified: polls cost little",
            (None, None) => "no ETag or Last-Modified: every poll downloads the whole feed",
        };
        out.push(Check {
            what: what("conditional GET"),
            ok: true,
            detail: conditional.into(),
            fix: String::new(),
        });
        let stored = FeedCursor::parse(cursors.get(CURSOR_KEY));
        out.push(Check {
            what: what("cursor"),
            ok: true,
            detail: format!("{} delivered items remembered", stored.seen.len()),
            fix: String::new(),
        });
        out
    }
}

impl Source for RssSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let timing = self.timing.clone();
            let feed = Feed {
                cursor: FeedCursor::parse(ctx.cursors.get(CURSOR_KEY)),
                source: *self,
            };
            poller::run(feed, &ctx, timing).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(self.checks(cursors))
    }
}

/// A running feed source: one query, the feed, with its cursor.
struct Feed {
    source: RssSource,
    cursor: FeedCursor,
}

impl poller::Network for Feed {
    type Query = ();

    fn queries(&mut self, _live: bool) -> Vec<()> {
        vec![()]
    }

    fn label(&self, _: &()) -> String {
        "feed".into()
    }

    async fn fetch(&mut self, _: &(), out: &Out<'_>) -> Result<(), Stop> {
        let host = host_key(&self.source.url);
        if let Some(until) = host_wait(&host) {
            return Err(FetchError::RateLimited { until }.into());
        }
        let (bytes, etag, last_modified) = match self.source.fetch(&self.cursor).await {
            Ok(Fetched::NotModified) => return Ok(()),
            Ok(Fetched::Body {
                bytes,
                etag,
                last_modified,
            }) => (bytes, etag, last_modified),
            Err(e) => {
                if let FetchError::RateLimited { until } = &e {
                    // Feeds on one host share its limit.
                    set_host_wait(&host, *until);
                }
                return Err(e.into());
            }
        };
        // A feed that does not parse keeps its validators as they were: the next poll fetches it whole again.
        let feed = parse_feed(&bytes)
            .map_err(|why| FetchError::Malformed(format!("feed did not parse: {why}")))?;
        let mut cursor = self.cursor.clone();
        let posts = new_posts(
            &feed,
            self.source.name_as.as_deref(),
            &self.source.name,
            &mut cursor,
            Utc::now(),
        );
        cursor.etag = etag;
        cursor.last_modified = last_modified;
        if cursor != self.cursor {
            let c = Cursor {
                key: CURSOR_KEY.into(),
                value: cursor.to_value(),
            };
            out.batch(posts, vec![c]).await?;
            self.cursor = cursor;
        }
        Ok(())
    }

    fn auth_fix(&self) -> String {
        "check the feed URL's token (private feeds carry it in the URL)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> RssConfig {
        RssConfig {
            url: url.into(),
            poll_seconds: 300,
            name_as: None,
        }
    }

    #[test]
    fn config_defaults_and_unknown_fields() {
        let c: RssConfig = toml::from_str(r#"url = "https://x.example/feed""#).unwrap();
        assert_eq!(c.poll_seconds, 300);
        assert_eq!(c.name_as, None);
        let err = toml::from_str::<RssConfig>("url = \"https://x\"\npoll = 5").unwrap_err();
        assert!(err.to_string().contains("poll"), "{err}");
    }

    #[test]
    fn https_required_except_loopback() {
        let client = reqwest::Client::new();
        assert!(RssSource::new("r", &cfg("https://x.example/feed"), client.clone()).is_ok());
        assert!(RssSource::new("r", &cfg("http://127.0.0.1:9/feed"), client.clone()).is_ok());
        let err = RssSource::new("r", &cfg("http://x.example/feed"), client.clone())
            .err()
            .unwrap();
        assert!(err.contains("`url`") && err.contains("https"), "{err}");
        let mut zero = cfg("https://x.example/feed");
        zero.poll_seconds = 0;
        let err = RssSource::new("r", &zero, client).err().unwrap();
        assert!(err.contains("poll_seconds"), "{err}");
    }
}
