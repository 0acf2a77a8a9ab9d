//! Pure mapping from a parsed feed to mentions, and the feed cursor (conditional-GET validators plus the keys
//! of recently delivered items).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Text};
use serde::{Deserialize, Serialize};

use crate::domain::{Author, IncomingPost, Network};
use crate::sources::poller::Seen;

/// The cursor stored under key [`super::CURSOR_KEY`]: what a restart needs to send the same conditional headers
/// and skip items already delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Keys (native ids) of recently delivered items, oldest first, at most [`Seen::CAP`]: more than any feed
    /// carries at once.
    #[serde(default)]
    pub seen: Seen,
}

impl FeedCursor {
    /// Reads a stored cursor; an unreadable one (older format, hand-edited) starts afresh rather than failing.
    pub fn parse(raw: Option<&String>) -> FeedCursor {
        raw.and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default()
    }

    pub fn to_value(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Turns a parsed feed into mentions, skipping items whose key the cursor has seen, oldest first; records the
/// new keys in the cursor.
pub fn new_posts(
    feed: &Feed,
    name_as: Option<&str>,
    source_name: &str,
    cursor: &mut FeedCursor,
    now: DateTime<Utc>,
) -> Vec<IncomingPost> {
    let mut fresh = Vec::new();
    let mut in_this_feed = HashSet::new();
    for entry in &feed.entries {
        let post = entry_to_post(entry, feed, name_as, source_name, now);
        if cursor.seen.contains(&post.native_id) || !in_this_feed.insert(post.native_id.clone()) {
            continue;
        }
        fresh.push(post);
    }
    // Feeds list newest first; deliver in the order things were written.
    fresh.sort_by_key(|p| p.created_at);
    for post in &fresh {
        cursor.seen.insert(&post.native_id);
    }
    fresh
}

/// One feed item as a mention. Pure: `now` stands in for a missing date.
pub fn entry_to_post(
    entry: &Entry,
    feed: &Feed,
    name_as: Option<&str>,
    source_name: &str,
    now: DateTime<Utc>,
) -> IncomingPost {
    let link = entry_link(entry);
    let title = entry.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let body = entry
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            Some(if c.content_type.subty().as_str().contains("html") {
                crate::text::html_to_text(body)
            } else {
                body.trim().to_string()
            })
        })
        .filter(|b| !b.is_empty())
        .or_else(|| {
            entry
                .summary
                .as_ref()
                .map(text_of)
                .filter(|s| !s.is_empty())
        });
    let text = match (&title, &body) {
        (Some(t), Some(b)) => format!("{t}\n\n{b}"),
        (Some(t), None) => t.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => String::new(),
    };
    let date = entry.published.or(entry.updated);
    let native_id = if !entry.id.trim().is_empty() {
        entry.id.trim().to_string()
    } else if let Some(link) = &link {
        link.clone()
    } else {
        let stamp = date.map(|d| d.to_rfc3339()).unwrap_or_default();
        format!(
            "hash:{:016x}",
            fnv1a(format!("{}\u{1f}{stamp}", title.as_deref().unwrap_or("")).as_bytes())
        )
    };
    IncomingPost {
        network: Network::Rss,
        native_id,
        url: link,
        author: entry_author(entry, feed, name_as, source_name),
        text,
        created_at: date.unwrap_or(now),
        in_reply_to: None,
        reply_ref: None,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: None,
    }
}

fn text_of(t: &Text) -> String {
    if t.content_type.subty().as_str().contains("html") {
        crate::text::html_to_text(&t.content)
    } else {
        t.content.trim().to_string()
    }
}

/// The item's page: the `alternate` link (Atom) or the plain link (RSS), else the first.
fn entry_link(entry: &Entry) -> Option<String> {
    entry
        .links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or_else(|| entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

fn entry_author(entry: &Entry, feed: &Feed, name_as: Option<&str>, source_name: &str) -> Author {
    let person = entry
        .authors
        .iter()
        .find(|p| !p.name.trim().is_empty() || p.email.is_some());
    if let Some(p) = person {
        let name = p.name.trim();
        let handle = if name.is_empty() {
            p.email.clone().unwrap_or_default()
        } else {
            name.to_string()
        };
        return Author {
            display_name: handle.clone(),
            handle,
        };
    }
    let label = name_as
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| feed.title.as_ref().map(text_of).filter(|t| !t.is_empty()))
        .unwrap_or_else(|| source_name.to_string());
    Author {
        handle: label.clone(),
        display_name: label,
    }
}

/// A stable 64-bit FNV-1a hash (the same across runs and builds, unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Parses feed bytes, leaving an item's id empty when the feed gives none (we choose the fallback key).
pub fn parse_feed(bytes: &[u8]) -> Result<Feed, String> {
    feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(bytes)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
    }

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Shop reviews</title>
<item><title>Great &amp; fast</title><link>https://r.example/1</link><guid>g1</guid>
<description>&lt;p&gt;Loved the &lt;b&gt;bread&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>No guid</title><link>https://r.example/2</link><pubDate>Sun, 22 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Nothing at all</title></item>
</channel></rss>"#;

    #[test]
    fn rss_items_become_mentions_keyed_by_guid_link_or_hash() {
        let feed = parse_feed(RSS.as_bytes()).unwrap();
        let mut cursor = FeedCursor::default();
        let posts = new_posts(&feed, None, "reviews", &mut cursor, now());
        assert_eq!(posts.len(), 3);
        let g1 = posts.iter().find(|p| p.native_id == "g1").unwrap();
        assert_eq!(g1.text, "Great & fast\n\nLoved the bread");
        assert_eq!(g1.author.handle, "Shop reviews");
        assert_eq!(g1.url.as_deref(), Some("https://r.example/1"));
        assert!(g1.addressed_to_shop);
        assert!(posts.iter().any(|p| p.native_id == "https://r.example/2"));
        let hashed = posts
            .iter()
            .find(|p| p.native_id.starts_with("hash:"))
            .unwrap();
        assert_eq!(hashed.created_at, now());
        // Stable across parses.
        let again = new_posts(&feed, None, "reviews", &mut FeedCursor::default(), now());
        assert!(again.iter().any(|p| p.native_id == hashed.native_id));
        // Seen items are not delivered twice.
        assert!(new_posts(&feed, None, "reviews", &mut cursor, now()).is_empty());
    }

    #[test]
    fn name_as_labels_authorless_items() {
        let feed = parse_feed(RSS.as_bytes()).unwrap();
        let posts = new_posts(
            &feed,
            Some("Trustpilot"),
            "x",
            &mut FeedCursor::default(),
            now(),
        );
        assert!(posts.iter().all(|p| p.author.handle == "Trustpilot"));
    }

    #[test]
    fn cursor_is_bounded_and_round_trips() {
        let mut c = FeedCursor {
            etag: Some("\"e1\"".into()),
            ..FeedCursor::default()
        };
        for i in 0..(Seen::CAP + 20) {
            c.seen.insert(&format!("k{i}"));
        }
        assert_eq!(c.seen.len(), Seen::CAP);
        // The oldest twenty forgotten: k20 is the oldest left.
        assert!(!c.seen.contains("k19") && c.seen.contains("k20"));
        assert_eq!(FeedCursor::parse(Some(&c.to_value())), c);
        assert_eq!(
            FeedCursor::parse(Some(&"garbage".to_string())),
            FeedCursor::default()
        );
    }

    #[test]
    fn malformed_feed_gives_a_reason() {
        let err = parse_feed(b"<html><body>Oops</body></html>").unwrap_err();
        assert!(!err.is_empty());
    }
}
