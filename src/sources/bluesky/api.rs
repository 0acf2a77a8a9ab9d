//! XRPC answers as the Bluesky docs describe them, and the pure mapping to `IncomingPost`.
//! Everything optional that a self-hosted PDS or AppView may leave out is `Option` or defaulted.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::{Author, IncomingPost, Network, Quote};

pub const POST_COLLECTION: &str = "app.bsky.feed.post";

/// `com.atproto.server.createSession` / `refreshSession`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub access_jwt: String,
    pub refresh_jwt: String,
    pub did: String,
    #[serde(default)]
    pub handle: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub did: String,
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `app.bsky.feed.defs#postView`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    pub uri: String,
    #[serde(default)]
    pub cid: String,
    pub author: ProfileView,
    #[serde(default)]
    pub record: Value,
    #[serde(default)]
    pub indexed_at: Option<String>,
    /// The embed as the AppView shows it: a quoted post's view carries its text.
    #[serde(default)]
    pub embed: Option<Value>,
}

/// `app.bsky.feed.getPosts`.
#[derive(Debug, Deserialize)]
pub struct PostsAnswer {
    #[serde(default)]
    pub posts: Vec<Value>,
}

/// `app.bsky.feed.defs#feedViewPost`: a reason (repost, pin) means the post is not the author's new post.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedItem {
    pub post: PostView,
    #[serde(default)]
    pub reason: Option<Value>,
}

/// Pages keep items as raw JSON so one odd item is skipped, not the whole page.
#[derive(Debug, Deserialize)]
pub struct FeedPage {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub feed: Vec<Value>,
}

#[derive(Debug, Deserialize)]
pub struct NotificationPage {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub notifications: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub uri: String,
    #[serde(default)]
    pub cid: String,
    pub author: ProfileView,
    pub reason: String,
    #[serde(default)]
    pub record: Value,
    #[serde(default)]
    pub indexed_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SearchPage {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub posts: Vec<Value>,
}

#[derive(Debug, Deserialize)]
pub struct Resolved {
    pub did: String,
}

#[derive(Debug, Deserialize)]
pub struct Created {
    pub uri: String,
    #[serde(default)]
    pub cid: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ThreadAnswer {
    pub thread: Value,
}

/// A timestamp as PDSes write them: `Z` or `+00:00`, with or without fractions, or no zone at all (UTC).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| Utc.from_utc_datetime(&t))
}

/// The record key: the last segment of `at://did/collection/rkey`.
pub fn rkey(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// The web address of a post: `https://bsky.app/profile/<handle or did>/post/<rkey>`.
pub fn web_url(handle_or_did: &str, uri: &str) -> String {
    format!(
        "https://bsky.app/profile/{}/post/{}",
        handle_or_did,
        rkey(uri)
    )
}

fn strong_ref(v: &Value) -> Option<(String, String)> {
    let uri = v.get("uri")?.as_str()?.to_string();
    let cid = v
        .get("cid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Some((uri, cid))
}

/// The root and parent a post record replies to, if it is a reply.
pub fn record_reply(record: &Value) -> Option<((String, String), (String, String))> {
    let reply = record.get("reply")?;
    let parent = strong_ref(reply.get("parent")?)?;
    let root = reply
        .get("root")
        .and_then(strong_ref)
        .unwrap_or_else(|| parent.clone());
    Some((root, parent))
}

/// The post a record quotes: `app.bsky.embed.record` (or `recordWithMedia`) pointing at a post.
pub fn record_quote(record: &Value) -> Option<String> {
    let embed = record.get("embed")?;
    let target = match embed.get("$type").and_then(Value::as_str)? {
        "app.bsky.embed.record" => embed.get("record")?,
        "app.bsky.embed.recordWithMedia" => embed.get("record")?.get("record")?,
        _ => return None,
    };
    let uri = target.get("uri")?.as_str()?;
    uri.contains(&format!("/{POST_COLLECTION}/"))
        .then(|| uri.to_string())
}

/// The text of the post an AppView embed view quotes (`app.bsky.embed.record#view`, or inside
/// `recordWithMedia#view`).
fn view_quote_text(embed: &Value) -> Option<String> {
    let view = match embed.get("$type").and_then(Value::as_str)? {
        "app.bsky.embed.record#view" => embed.get("record")?,
        "app.bsky.embed.recordWithMedia#view" => embed.get("record")?.get("record")?,
        _ => return None,
    };
    Some(view.get("value")?.get("text")?.as_str()?.to_string())
}

/// What a reply to this post needs: its own strong ref and its thread's root.
pub fn reply_ref(uri: &str, cid: &str, record: &Value) -> Value {
    let (root_uri, root_cid) = match record_reply(record) {
        Some((root, _)) => root,
        None => (uri.to_string(), cid.to_string()),
    };
    json!({"uri": uri, "cid": cid, "root": {"uri": root_uri, "cid": root_cid}})
}

/// One post record, however it arrived (AppView view, notification, Jetstream commit), as an `IncomingPost`.
/// `None` when the record is not a post (a like notification, a profile record).
#[allow(clippy::too_many_arguments)]
pub fn to_incoming(
    uri: &str,
    cid: &str,
    handle: &str,
    display_name: Option<&str>,
    record: &Value,
    indexed_at: Option<&str>,
    fallback_time: Option<DateTime<Utc>>,
    addressed_to_shop: bool,
) -> Option<IncomingPost> {
    if let Some(t) = record.get("$type").and_then(Value::as_str)
        && t != POST_COLLECTION
    {
        return None;
    }
    if uri.is_empty() {
        return None;
    }
    let text = record.get("text").and_then(Value::as_str).unwrap_or("");
    let created_at = record
        .get("createdAt")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .or_else(|| indexed_at.and_then(parse_time))
        .or(fallback_time)?;
    let who = if handle.is_empty() || handle == "handle.invalid" {
        uri.trim_start_matches("at://")
            .split('/')
            .next()
            .unwrap_or("")
    } else {
        handle
    };
    Some(IncomingPost {
        network: Network::Bluesky,
        native_id: uri.to_string(),
        url: Some(web_url(who, uri)),
        author: Author {
            handle: who.to_string(),
            display_name: display_name.unwrap_or("").to_string(),
        },
        text: text.to_string(),
        created_at,
        in_reply_to: record_reply(record).map(|(_, (parent, _))| parent),
        reply_ref: Some(reply_ref(uri, cid, record)),
        addressed_to_shop,
        context: false,
        quotes: record_quote(record).map(|native_id| Quote {
            native_id,
            text: None,
        }),
        rating: None,
    })
}

pub fn from_post_view(p: &PostView, addressed_to_shop: bool) -> Option<IncomingPost> {
    let mut post = to_incoming(
        &p.uri,
        &p.cid,
        &p.author.handle,
        p.author.display_name.as_deref(),
        &p.record,
        p.indexed_at.as_deref(),
        None,
        addressed_to_shop,
    )?;
    if let Some(q) = &mut post.quotes {
        q.text = p.embed.as_ref().and_then(view_quote_text);
    }
    Some(post)
}

/// Notifications that are posts addressed to the shop: mentions, replies and quotes.
pub fn from_notification(n: &Notification) -> Option<IncomingPost> {
    if !matches!(n.reason.as_str(), "mention" | "reply" | "quote") {
        return None;
    }
    to_incoming(
        &n.uri,
        &n.cid,
        &n.author.handle,
        n.author.display_name.as_deref(),
        &n.record,
        n.indexed_at.as_deref(),
        None,
        true,
    )
}

/// A resume point for newest-first pages: the newest time seen and the URI at that time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub uri: String,
}

impl Mark {
    pub fn parse(v: &str) -> Option<Mark> {
        let (t, uri) = v.split_once(' ').unwrap_or((v, ""));
        Some(Mark {
            at: parse_time(t)?,
            uri: uri.trim().to_string(),
        })
    }

    pub fn encode(&self) -> String {
        format!(
            "{} {}",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.uri
        )
    }

    /// Reading back from the newest, this item is where the mark stood: older than it, or the marked post.
    pub fn reached(&self, at: DateTime<Utc>, uri: &str) -> bool {
        at < self.at || uri == self.uri
    }

    pub fn newer(a: Option<Mark>, at: DateTime<Utc>, uri: &str) -> Option<Mark> {
        match a {
            Some(m) if m.at >= at => Some(m),
            _ => Some(Mark {
                at,
                uri: uri.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(v: Value) -> PostView {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn maps_a_post_view() {
        let p = view(json!({
            "uri": "at://did:plc:alice/app.bsky.feed.post/3kabc",
            "cid": "bafyA",
            "author": {"did": "did:plc:alice", "handle": "alice.bsky.social", "displayName": "Alice"},
            "record": {"$type": "app.bsky.feed.post", "text": "my order is late", "createdAt": "2026-11-22T10:00:00.123Z"},
            "indexedAt": "2026-11-22T10:00:01Z"
        }));
        let post = from_post_view(&p, false).unwrap();
        assert_eq!(post.network, Network::Bluesky);
        assert_eq!(
            post.native_id,
            "at://did:plc:alice/app.bsky.feed.post/3kabc"
        );
        assert_eq!(
            post.url.as_deref(),
            Some("https://bsky.app/profile/alice.bsky.social/post/3kabc")
        );
        assert_eq!(post.author.display_name, "Alice");
        assert_eq!(post.text, "my order is late");
        assert_eq!(post.created_at.timestamp_millis() % 1000, 123);
        assert_eq!(post.in_reply_to, None);
        assert_eq!(
            post.reply_ref.unwrap(),
            json!({"uri": p.uri, "cid": "bafyA", "root": {"uri": p.uri, "cid": "bafyA"}})
        );
    }

    #[test]
    fn reply_takes_root_from_its_own_record() {
        let rec = json!({"text": "re", "createdAt": "2026-11-22T10:00:00+00:00",
            "reply": {"root": {"uri": "at://r/app.bsky.feed.post/1", "cid": "cR"},
                      "parent": {"uri": "at://p/app.bsky.feed.post/2", "cid": "cP"}}});
        let post = to_incoming(
            "at://me/app.bsky.feed.post/3",
            "c3",
            "me.test",
            None,
            &rec,
            None,
            None,
            true,
        )
        .unwrap();
        assert_eq!(
            post.in_reply_to.as_deref(),
            Some("at://p/app.bsky.feed.post/2")
        );
        assert_eq!(
            post.reply_ref.unwrap()["root"],
            json!({"uri": "at://r/app.bsky.feed.post/1", "cid": "cR"})
        );
    }

    #[test]
    fn tolerates_missing_fields_and_time_forms() {
        // No createdAt: falls back to indexedAt; no handle: the DID names the author.
        let p = view(
            json!({"uri": "at://did:plc:x/app.bsky.feed.post/k", "author": {"did": "did:plc:x"},
            "record": {"text": "hi"}, "indexedAt": "2026-11-22T10:00:00"}),
        );
        let post = from_post_view(&p, false).unwrap();
        assert_eq!(
            post.created_at,
            Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
        );
        assert_eq!(post.author.handle, "did:plc:x");
        assert_eq!(
            post.url.as_deref(),
            Some("https://bsky.app/profile/did:plc:x/post/k")
        );
        assert_eq!(
            parse_time("2026-11-22T10:00:00Z"),
            parse_time("2026-11-22T10:00:00.000+00:00")
        );
        // Not a post record.
        let like = json!({"$type": "app.bsky.feed.like", "createdAt": "2026-11-22T10:00:00Z"});
        assert!(
            to_incoming(
                "at://x/app.bsky.feed.like/1",
                "",
                "x",
                None,
                &like,
                None,
                None,
                false
            )
            .is_none()
        );
    }

    #[test]
    fn notifications_keep_only_addressed_posts() {
        let n = |reason: &str| -> Notification {
            serde_json::from_value(
                json!({"uri": "at://did:plc:b/app.bsky.feed.post/1", "cid": "c",
                "author": {"did": "did:plc:b", "handle": "bob.test"}, "reason": reason,
                "record": {"text": "@shop help", "createdAt": "2026-11-22T10:00:00Z"},
                "indexedAt": "2026-11-22T10:00:00Z"}),
            )
            .unwrap()
        };
        assert!(from_notification(&n("mention")).unwrap().addressed_to_shop);
        assert!(from_notification(&n("reply")).is_some());
        assert!(from_notification(&n("quote")).is_some());
        assert!(from_notification(&n("like")).is_none());
        assert!(from_notification(&n("follow")).is_none());
    }

    #[test]
    fn marks_round_trip_and_cover() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let m = Mark {
            at,
            uri: "at://a/b/c".into(),
        };
        assert_eq!(Mark::parse(&m.encode()), Some(m.clone()));
        assert!(m.reached(at, "at://a/b/c"));
        assert!(!m.reached(at, "at://a/b/d"));
        assert!(m.reached(at - chrono::Duration::seconds(1), "x"));
        assert_eq!(Mark::parse("2026-11-22T10:00:00Z").unwrap().uri, "");
    }
}
