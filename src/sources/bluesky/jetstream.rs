//! Jetstream: the customers' new posts as they are written, as JSON over a WebSocket. Resumes from the stored
//! `time_us` cursor (rewound a few seconds: the store dedupes by URI, so a small overlap is harmless).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use super::api::{self, POST_COLLECTION};
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::Backoff;
use crate::sources::poller::Live;

/// How far to rewind the cursor on reconnect, in microseconds.
pub const REWIND_US: i64 = 5_000_000;
pub const CURSOR_KEY: &str = "jetstream";

#[derive(Debug, Deserialize)]
pub struct Event {
    pub did: String,
    pub time_us: i64,
    pub kind: String,
    #[serde(default)]
    pub commit: Option<Commit>,
}

#[derive(Debug, Deserialize)]
pub struct Commit {
    pub operation: String,
    pub collection: String,
    pub rkey: String,
    #[serde(default)]
    pub record: Option<Value>,
    #[serde(default)]
    pub cid: Option<String>,
}

/// `<base>/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=..&cursor=..`.
pub fn subscribe_url(base: &Url, dids: &[String], cursor: Option<i64>) -> Url {
    let mut url = base.clone();
    if !url.path().ends_with("/subscribe") {
        let path = format!("{}/subscribe", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        q.append_pair("wantedCollections", POST_COLLECTION);
        for did in dids {
            q.append_pair("wantedDids", did);
        }
        if let Some(c) = cursor {
            q.append_pair("cursor", &c.max(0).to_string());
        }
    }
    url
}

/// A post from one Jetstream event: only `commit` events creating an `app.bsky.feed.post` qualify.
pub fn to_post(ev: &Event, handles: &HashMap<String, String>) -> Option<IncomingPost> {
    if ev.kind != "commit" {
        return None;
    }
    let c = ev.commit.as_ref()?;
    if c.operation != "create" || c.collection != POST_COLLECTION {
        return None;
    }
    let record = c.record.as_ref()?;
    let uri = format!("at://{}/{}/{}", ev.did, c.collection, c.rkey);
    let handle = handles.get(&ev.did).map(String::as_str).unwrap_or(&ev.did);
    let at = Utc.timestamp_micros(ev.time_us).single();
    api::to_incoming(
        &uri,
        c.cid.as_deref().unwrap_or(""),
        handle,
        None,
        record,
        None,
        at,
        false,
    )
}

/// The live side of a Bluesky source: one Jetstream socket filtered to the customers' DIDs, resumed from the
/// stored `time_us` (rewound a few seconds: the store dedupes by URI, so a small overlap is harmless), and
/// reconnected with backoff, or at once when the customers change.
pub(crate) struct Jetstream {
    base: Url,
    /// DID → handle of the customers to follow.
    handles: HashMap<String, String>,
    cursor: Option<i64>,
    ws: Option<Ws>,
    backoff: Backoff,
    next_try: Instant,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Jetstream {
    pub fn new(base: Url, cursors: &HashMap<String, String>, backoff: Backoff) -> Jetstream {
        Jetstream {
            base,
            handles: HashMap::new(),
            cursor: cursors.get(CURSOR_KEY).and_then(|v| v.trim().parse().ok()),
            ws: None,
            backoff,
            next_try: Instant::now(),
        }
    }

    /// Follows these customers (DID → handle); a change reconnects with the new filter.
    pub fn follow(&mut self, handles: HashMap<String, String>) {
        if handles != self.handles {
            self.handles = handles;
            self.restart();
        }
    }

    pub fn restart(&mut self) {
        self.ws = None;
        self.next_try = Instant::now();
    }

    /// The next live event: connecting when due, else the next event as a post.
    pub async fn next(&mut self) -> Live {
        let Some(ws) = &mut self.ws else {
            return self.connect().await;
        };
        let text = match ws.next().await {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                tracing::warn!("jetstream dropped; polling meanwhile");
                self.ws = None;
                self.next_try = Instant::now() + self.backoff.next_delay();
                return Live::Dropped;
            }
            Some(Ok(_)) => return Live::Alive,
        };
        self.backoff.reset();
        let ev: Event = match serde_json::from_str(text.as_str()) {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!(error = %e, "jetstream: unreadable event skipped");
                return Live::Alive;
            }
        };
        self.cursor = Some(ev.time_us);
        match to_post(&ev, &self.handles) {
            Some(post) => Live::Batch(
                vec![post],
                vec![Cursor {
                    key: CURSOR_KEY.into(),
                    value: ev.time_us.to_string(),
                }],
            ),
            None => Live::Alive,
        }
    }

    async fn connect(&mut self) -> Live {
        if self.handles.is_empty() {
            return std::future::pending().await;
        }
        tokio::time::sleep_until(self.next_try).await;
        let mut dids: Vec<String> = self.handles.keys().cloned().collect();
        dids.sort();
        let url = subscribe_url(&self.base, &dids, self.cursor.map(|c| c - REWIND_US));
        let connect = tokio::time::timeout(
            Duration::from_secs(15),
            tokio_tungstenite::connect_async(url.as_str()),
        );
        let why = match connect.await {
            Ok(Ok((ws, _))) => {
                self.ws = Some(ws);
                return Live::Up;
            }
            Ok(Err(e)) => format!("connect failed: {e}"),
            Err(_) => "connect timed out".into(),
        };
        self.next_try = Instant::now() + self.backoff.next_delay();
        Live::Off(format!(
            "Jetstream unavailable ({why}); polling the customers' feeds"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_has_filters_and_cursor() {
        let base = Url::parse("wss://jetstream2.us-east.bsky.network").unwrap();
        let url = subscribe_url(&base, &["did:plc:a".into(), "did:plc:b".into()], Some(42));
        assert_eq!(
            url.as_str(),
            "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aa&wantedDids=did%3Aplc%3Ab&cursor=42"
        );
        let again = subscribe_url(&url, &["did:plc:a".into()], None);
        assert_eq!(again.path(), "/subscribe");
        assert!(!again.as_str().contains("cursor"));
    }

    #[test]
    fn only_created_posts_become_posts() {
        let handles = HashMap::from([("did:plc:a".to_string(), "alice.test".to_string())]);
        let ev = |op: &str, coll: &str| -> Event {
            serde_json::from_value(serde_json::json!({"did": "did:plc:a", "time_us": 1_795_341_900_000_000i64,
                "kind": "commit", "commit": {"rev": "r", "operation": op, "collection": coll, "rkey": "3k",
                "cid": "bafy", "record": {"$type": coll, "text": "hello", "createdAt": "2026-11-22T10:00:00Z"}}}))
            .unwrap()
        };
        let p = to_post(&ev("create", POST_COLLECTION), &handles).unwrap();
        assert_eq!(p.native_id, "at://did:plc:a/app.bsky.feed.post/3k");
        assert_eq!(p.author.handle, "alice.test");
        assert_eq!(
            p.url.as_deref(),
            Some("https://bsky.app/profile/alice.test/post/3k")
        );
        assert!(to_post(&ev("delete", POST_COLLECTION), &handles).is_none());
        assert!(to_post(&ev("create", "app.bsky.feed.like"), &handles).is_none());
        let identity: Event = serde_json::from_value(
            serde_json::json!({"did": "did:plc:a", "time_us": 1, "kind": "identity"}),
        )
        .unwrap();
        assert!(to_post(&identity, &handles).is_none());
    }
}
