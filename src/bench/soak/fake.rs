//! The soak's live world: a fake Mastodon instance on 127.0.0.1 whose notifications grow as the simulated day
//! goes on, and the posts a relay appends to a JSONL file.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Mentions the fake instance has made so far (each poll sees the newest, as Mastodon pages them).
#[derive(Clone, Default)]
pub struct Mentions(Arc<AtomicU64>);

impl Mentions {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::SeqCst);
    }

    pub fn count(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Serves the Mastodon API the source polls until `cancel`; returns its base URL. One connection per request
/// (`Connection: close`), answers small enough to write at once.
pub async fn mastodon(mentions: Mentions, cancel: CancellationToken) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(c) => c,
                    Err(_) => continue,
                },
                _ = cancel.cancelled() => return,
            };
            let mentions = mentions.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 8192];
                let Ok(n) = conn.read(&mut head).await else {
                    return;
                };
                let request = String::from_utf8_lossy(&head[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = answer(path, &mentions);
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    Ok(base)
}

/// Mastodon's answer to `path`: the instance, the newest notifications (mentions of the shop), empty
/// timelines and searches.
fn answer(path: &str, mentions: &Mentions) -> (&'static str, String) {
    let route = path.split('?').next().unwrap_or(path);
    let body = match route {
        "/api/v2/instance" => json!({
            "domain": "soak.test",
            "configuration": {"statuses": {"max_characters": 500}},
        }),
        "/api/v1/notifications" => {
            let newest = mentions.count();
            let since: u64 = path
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("since_id="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let from = newest.saturating_sub(40).max(since) + 1;
            let items: Vec<_> = (from..=newest).rev().map(notification).collect();
            json!(items)
        }
        "/api/v2/search" => json!({"accounts": [], "statuses": [], "hashtags": []}),
        r if r.starts_with("/api/v1/timelines/") => json!([]),
        r if r.starts_with("/api/v1/accounts/lookup") => json!({"id": "1", "acct": "someone"}),
        r if r.starts_with("/api/v1/accounts/") => json!([]),
        _ => return ("404 Not Found", json!({"error": "not found"}).to_string()),
    };
    ("200 OK", body.to_string())
}

fn notification(id: u64) -> serde_json::Value {
    let at = Utc::now().to_rfc3339();
    let account = json!({"id": format!("{}", 1000 + id % 300), "username": format!("fan{}", id % 300),
        "acct": format!("fan{}@far.example", id % 300), "display_name": "A fan"});
    json!({
        "id": id.to_string(),
        "type": "mention",
        "created_at": at,
        "account": account,
        "status": {
            "id": format!("s{id}"),
            "uri": format!("https://far.example/statuses/{id}"),
            "url": format!("https://far.example/@fan/{id}"),
            "created_at": at,
            "account": account,
            "content": format!("<p>@shop is my order {id} on its way? it has been a week</p>"),
            "spoiler_text": "",
            "visibility": "public",
            "in_reply_to_id": null,
            "tags": []
        }
    })
}

/// A JSONL line a relay would write: a customer post at simulated time `at`, now and then a complaint.
pub fn jsonl_line(n: u64, at: DateTime<Utc>) -> String {
    let text = match n % 5 {
        0 => format!("still waiting for my refund on order {n}, this is the third email"),
        1 => format!("love the new rings, order {n} arrived beautifully wrapped"),
        2 => format!("does the shop engrave on Sundays? asking for order {n}"),
        3 => "what a morning, coffee first".to_string(),
        _ => format!("the clasp broke on day two, order {n}"),
    };
    json!({
        "id": format!("soak-{n}"),
        "author": format!("person{}@social.example", n % 500),
        "name": "Someone",
        "text": text,
        "created_at": at.to_rfc3339(),
        "addressed_to_shop": n.is_multiple_of(3),
    })
    .to_string()
}
