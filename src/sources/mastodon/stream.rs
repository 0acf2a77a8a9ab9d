//! The streaming API over WebSocket: one socket on the `user` stream (home timeline and notifications),
//! with a `subscribe` message per watched hashtag. Frames are `{"stream": [..], "event": "update",
//! "payload": "<JSON as a string>"}`.

use std::collections::HashMap;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use super::api::{self, Notification, Status, StreamFrame};
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::{self, Backoff};
use crate::sources::poller::{Live, Seen};
use crate::sources::secret::Secret;

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The streaming endpoint: the instance's advertised `configuration.urls.streaming` (a host, sometimes
/// another one than the API's), else the instance URL itself, with `ws(s)` and `/api/v1/streaming`.
pub(crate) fn streaming_url(advertised: Option<&str>, instance: &Url) -> Result<Url, String> {
    let mut url = match advertised.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => http::base_url(s)?,
        None => instance.clone(),
    };
    let scheme = match url.scheme() {
        "https" | "wss" => "wss",
        _ => "ws",
    };
    url.set_scheme(scheme)
        .map_err(|()| format!("cannot use `{url}` for streaming"))?;
    // The policy again, now that the scheme is a WebSocket one (ws only to loopback).
    let mut url = http::base_url(url.as_str())?;
    let path = url.path().trim_end_matches('/').to_string();
    if !path.ends_with("/api/v1/streaming") {
        url.set_path(&format!("{path}/api/v1/streaming"));
    }
    url.set_query(None);
    Ok(url)
}

/// How the token goes to the streaming server: the `Authorization` header first; some Mastodon-API servers
/// read it only from `?access_token=` and answer 401/403 to the header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenIn {
    Header,
    Query,
}

/// Why a connection failed: refused (the token, as sent) or anything else.
enum ConnectError {
    Refused(String),
    Other(String),
}

/// Opens the socket and subscribes to hashtags.
async fn connect(
    url: &Url,
    token: &Secret,
    token_in: TokenIn,
    hashtags: &[String],
) -> Result<Ws, ConnectError> {
    let mut url = url.clone();
    url.query_pairs_mut().append_pair("stream", "user");
    if token_in == TokenIn::Query {
        url.query_pairs_mut()
            .append_pair("access_token", token.expose());
    }
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|_| ConnectError::Other("bad streaming URL".into()))?;
    if token_in == TokenIn::Header {
        let bearer =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                ConnectError::Other("the token contains characters a header cannot carry".into())
            })?;
        request.headers_mut().insert("authorization", bearer);
    }
    request
        .headers_mut()
        .insert("user-agent", HeaderValue::from_static(http::USER_AGENT));
    // Errors are described without the URL: in query mode it carries the token.
    let (mut ws, _) = match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async(request),
    )
    .await
    {
        Err(_) => return Err(ConnectError::Other("connection timed out".into())),
        Ok(Err(WsError::Http(resp))) if matches!(resp.status().as_u16(), 401 | 403) => {
            return Err(ConnectError::Refused(format!(
                "the server refused the token ({})",
                resp.status()
            )));
        }
        Ok(Err(WsError::Http(resp))) => {
            return Err(ConnectError::Other(format!(
                "handshake answered {}",
                resp.status()
            )));
        }
        Ok(Err(WsError::Io(e))) => return Err(ConnectError::Other(format!("{}", e.kind()))),
        Ok(Err(_)) => return Err(ConnectError::Other("handshake failed".into())),
        Ok(Ok(pair)) => pair,
    };
    for tag in hashtags {
        let subscribe = serde_json::json!({"type": "subscribe", "stream": "hashtag", "tag": tag});
        ws.send(Message::text(subscribe.to_string()))
            .await
            .map_err(|_| ConnectError::Other("subscribe failed".into()))?;
    }
    Ok(ws)
}

/// The live side of a Mastodon source: one socket, reconnected with backoff, the token moved to the query
/// string when the header is refused.
pub(crate) struct Streaming {
    /// Known once the instance is read.
    pub url: Option<Url>,
    pub token: Secret,
    hashtags: Vec<String>,
    ws: Option<Ws>,
    token_in: TokenIn,
    backoff: Backoff,
    next_try: Instant,
    connected_at: Instant,
}

impl Streaming {
    pub fn new(token: Secret, hashtags: Vec<String>, backoff: Backoff) -> Streaming {
        Streaming {
            url: None,
            token,
            hashtags,
            ws: None,
            token_in: TokenIn::Header,
            backoff,
            next_try: Instant::now(),
            connected_at: Instant::now(),
        }
    }

    pub fn restart(&mut self) {
        self.ws = None;
        self.next_try = Instant::now();
    }

    /// The next live event: connecting when due, else the next frame, routed to its cursor.
    pub async fn next(
        &mut self,
        cursors: &HashMap<String, String>,
        local_domain: &str,
        seen: &HashMap<String, Seen>,
    ) -> Live {
        let Some(ws) = &mut self.ws else {
            return self.connect().await;
        };
        let text = match ws.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                self.ws = None;
                if self.connected_at.elapsed() > Duration::from_secs(60) {
                    self.backoff.reset();
                }
                self.next_try = Instant::now() + self.backoff.next_delay();
                return Live::Dropped;
            }
            Some(Ok(_)) => return Live::Alive,
        };
        let customers = cursors
            .iter()
            .filter_map(|(k, v)| {
                let acct = k.strip_prefix("account-id:")?;
                Some((
                    api::normalize_acct(acct, local_domain).to_lowercase(),
                    v.clone(),
                ))
            })
            .collect();
        let routing = Routing {
            local_domain,
            customers,
            hashtags: &self.hashtags,
        };
        match interpret(text.as_str(), &routing) {
            Streamed::Post { key, id, post } => {
                // Seen sets hold the items' own ids (a notification's, not its status's), as cursors do.
                let delivered = seen.get(&key).is_some_and(|s| s.contains(&id));
                if delivered || !api::newer(&id, cursors.get(&key).map(String::as_str)) {
                    return Live::Alive;
                }
                Live::Batch(vec![*post], vec![Cursor { key, value: id }])
            }
            Streamed::Ignored => Live::Alive,
            Streamed::Malformed(why) => {
                tracing::warn!(%why, "mastodon: malformed streaming frame skipped");
                Live::Alive
            }
        }
    }

    async fn connect(&mut self) -> Live {
        let Some(url) = self.url.clone() else {
            return std::future::pending().await;
        };
        tokio::time::sleep_until(self.next_try).await;
        match connect(&url, &self.token, self.token_in, &self.hashtags).await {
            Ok(ws) => {
                if self.token_in == TokenIn::Query {
                    tracing::info!("mastodon: streaming with the token in the query string");
                }
                self.ws = Some(ws);
                self.connected_at = Instant::now();
                Live::Up
            }
            Err(ConnectError::Refused(why)) if self.token_in == TokenIn::Header => {
                // Servers that read the token only from the query string refuse the header alone.
                tracing::info!(%why, "mastodon: streaming refused the header token; trying the query string");
                self.token_in = TokenIn::Query;
                Live::Alive
            }
            Err(ConnectError::Refused(why) | ConnectError::Other(why)) => {
                self.token_in = TokenIn::Header;
                self.next_try = Instant::now() + self.backoff.next_delay();
                Live::Off(format!("streaming unavailable: {why}"))
            }
        }
    }
}

/// What the source watches, to route a streamed post to its cursor.
pub struct Routing<'a> {
    pub local_domain: &'a str,
    /// Normalised `user@domain` of customers -> account id.
    pub customers: HashMap<String, String>,
    pub hashtags: &'a [String],
}

/// A streamed frame, interpreted.
#[derive(Debug, PartialEq)]
pub enum Streamed {
    /// A post and the cursor (`key`, `id`) it advances.
    Post {
        key: String,
        id: String,
        post: Box<IncomingPost>,
    },
    /// Not for us (a home post from someone else, a deletion, a filters change).
    Ignored,
    Malformed(String),
}

pub fn interpret(text: &str, routing: &Routing<'_>) -> Streamed {
    let frame: StreamFrame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => return Streamed::Malformed(format!("frame: {e}")),
    };
    let payload = || {
        frame
            .payload_json()
            .ok_or_else(|| format!("{} event without a JSON payload", frame.event))
    };
    match frame.event.as_str() {
        "update" => {
            let status: Status = match payload()
                .and_then(|p| serde_json::from_value(p).map_err(|e| format!("update payload: {e}")))
            {
                Ok(s) => s,
                Err(why) => return Streamed::Malformed(why),
            };
            let Some(key) = route_update(&frame, &status, routing) else {
                return Streamed::Ignored;
            };
            match api::status_to_post(&status, routing.local_domain, false) {
                Ok(post) => Streamed::Post {
                    key,
                    id: status.id.clone(),
                    post: Box::new(post),
                },
                Err(why) => Streamed::Malformed(why),
            }
        }
        "notification" => {
            let n: Notification = match payload().and_then(|p| {
                serde_json::from_value(p).map_err(|e| format!("notification payload: {e}"))
            }) {
                Ok(n) => n,
                Err(why) => return Streamed::Malformed(why),
            };
            match (n.kind.as_str(), &n.status) {
                ("mention", Some(status)) => {
                    match api::status_to_post(status, routing.local_domain, true) {
                        Ok(post) => Streamed::Post {
                            key: "notifications".into(),
                            id: n.id.clone(),
                            post: Box::new(post),
                        },
                        Err(why) => Streamed::Malformed(why),
                    }
                }
                _ => Streamed::Ignored,
            }
        }
        _ => Streamed::Ignored,
    }
}

/// Which cursor a streamed status belongs to: its hashtag stream, a customer's timeline (from the home
/// stream), or a watched hashtag it carries; `None` for other home posts.
fn route_update(frame: &StreamFrame, status: &Status, routing: &Routing<'_>) -> Option<String> {
    let watched = |tag: &str| {
        routing
            .hashtags
            .iter()
            .find(|h| h.eq_ignore_ascii_case(tag.trim_start_matches('#')))
    };
    if frame
        .stream
        .first()
        .is_some_and(|s| s.starts_with("hashtag"))
        && let Some(tag) = frame.stream.get(1).and_then(|t| watched(t))
    {
        return Some(format!("tag:{tag}"));
    }
    let author = api::normalize_acct(&status.account.acct, routing.local_domain);
    if let Some(id) = routing.customers.get(&author.to_lowercase()) {
        return Some(format!("account:{id}"));
    }
    status
        .tags
        .iter()
        .find_map(|t| watched(&t.name))
        .map(|tag| format!("tag:{tag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(hashtags: &[String]) -> Routing<'_> {
        Routing {
            local_domain: "x.example",
            customers: HashMap::from([("cu@far.example".to_string(), "77".to_string())]),
            hashtags,
        }
    }

    fn frame(stream: &[&str], event: &str, payload: serde_json::Value) -> String {
        serde_json::json!({"stream": stream, "event": event, "payload": payload.to_string()})
            .to_string()
    }

    fn status(id: &str, acct: &str, tags: &[&str]) -> serde_json::Value {
        serde_json::json!({
            "id": id, "created_at": "2026-11-22T10:00:00Z", "content": "<p>hi</p>",
            "account": {"id": "1", "acct": acct},
            "tags": tags.iter().map(|t| serde_json::json!({"name": t})).collect::<Vec<_>>()
        })
    }

    #[test]
    fn routes_hashtag_customer_and_mention() {
        let tags = vec!["Shop".to_string()];
        let r = routing(&tags);
        let got = interpret(
            &frame(&["hashtag", "shop"], "update", status("5", "a", &[])),
            &r,
        );
        assert!(
            matches!(got, Streamed::Post { ref key, ref id, .. } if key == "tag:Shop" && id == "5")
        );
        let got = interpret(
            &frame(&["user"], "update", status("6", "cu@far.example", &[])),
            &r,
        );
        assert!(matches!(got, Streamed::Post { ref key, .. } if key == "account:77"));
        let got = interpret(
            &frame(&["user"], "update", status("7", "other", &["shop"])),
            &r,
        );
        assert!(matches!(got, Streamed::Post { ref key, .. } if key == "tag:Shop"));
        assert_eq!(
            interpret(&frame(&["user"], "update", status("8", "other", &[])), &r),
            Streamed::Ignored
        );
        let n =
            serde_json::json!({"id": "900", "type": "mention", "status": status("9", "z", &[])});
        match interpret(&frame(&["user"], "notification", n), &r) {
            Streamed::Post { key, id, post } => {
                assert_eq!((key.as_str(), id.as_str()), ("notifications", "900"));
                assert!(post.addressed_to_shop);
                assert_eq!(post.author.handle, "z@x.example");
            }
            other => panic!("{other:?}"),
        }
        let fav =
            serde_json::json!({"id": "901", "type": "favourite", "status": status("9", "z", &[])});
        assert_eq!(
            interpret(&frame(&["user"], "notification", fav), &r),
            Streamed::Ignored
        );
        assert_eq!(
            interpret(r#"{"event":"delete","payload":"5"}"#, &r),
            Streamed::Ignored
        );
        assert!(matches!(interpret("nope", &r), Streamed::Malformed(_)));
        assert!(matches!(
            interpret(r#"{"event":"update","payload":"{\"id\":1}"}"#, &r),
            Streamed::Malformed(_)
        ));
    }

    #[test]
    fn streaming_url_from_instance_or_advertised() {
        let inst = Url::parse("https://m.example").unwrap();
        assert_eq!(
            streaming_url(None, &inst).unwrap().as_str(),
            "wss://m.example/api/v1/streaming"
        );
        assert_eq!(
            streaming_url(Some("wss://streaming.m.example"), &inst)
                .unwrap()
                .as_str(),
            "wss://streaming.m.example/api/v1/streaming"
        );
        let local = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            streaming_url(None, &local).unwrap().as_str(),
            "ws://127.0.0.1:9/api/v1/streaming"
        );
        assert!(streaming_url(Some("ws://evil.example"), &inst).is_err());
    }
}
