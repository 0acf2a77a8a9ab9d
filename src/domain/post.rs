use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::triage::Triage;

/// The networks are listed once, in the registry (`sources/registry.rs`).
pub use crate::sources::registry::Network;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyLimit {
    /// Unicode scalar values (Mastodon counts characters).
    Chars(usize),
    /// Extended grapheme clusters (Bluesky's 300-grapheme limit).
    Graphemes(usize),
}

/// Who wrote a post, as the network names them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Author {
    /// Network handle, normalised: Mastodon `user@instance`, Bluesky `name.bsky.social`, no leading `@`.
    pub handle: String,
    pub display_name: String,
}

impl Author {
    /// The display name as a person would say it, to greet them by: emoji and symbols dropped. `None` when
    /// there is no such name, or it is only the handle again ("kezia.bsky.social", "@kezia"): a greeting
    /// never uses a handle.
    pub fn spoken_name(&self) -> Option<String> {
        let kept: String = self
            .display_name
            .chars()
            .map(|c| {
                if c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.') {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = name.trim_matches(['-', '.', '\'']);
        let handle_like =
            name.contains('.') && !name.contains(' ') || name.eq_ignore_ascii_case(&self.handle);
        (name.chars().any(char::is_alphabetic) && !handle_like && !self.display_name.contains('@'))
            .then(|| name.to_string())
    }
}

/// A post as a source hands it over, before sanitizing, matching and triage.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingPost {
    pub network: Network,
    /// The network's own id (Mastodon status id, AT URI, feed guid). Dedupe key with `network`.
    pub native_id: String,
    pub url: Option<String>,
    pub author: Author,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// Native id of the post this one replies to, if any.
    pub in_reply_to: Option<String>,
    /// Network-specific data needed to reply later (Bluesky cid/root refs, Mastodon visibility), as JSON.
    pub reply_ref: Option<serde_json::Value>,
    /// The source knows this post addresses the shop (a notification/mention).
    pub addressed_to_shop: bool,
    /// Fetched only as the context of another post (the parent it replies to, the post it quotes): stored for
    /// threads, never triaged, counted as a mention or queued.
    pub context: bool,
    /// The post this one quotes, if any.
    pub quotes: Option<Quote>,
    /// Stars out of five, for reviews and ratings (Google reviews, a page's star rating).
    pub rating: Option<u8>,
}

/// A quoted post: its native id and, when the network sent it along or it was fetched, its text (triage reads a
/// quote with what it quotes: "same here" under a complaint is a complaint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub native_id: String,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostId(pub i64);

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct CustomerId(pub i64);

/// A stored, triaged post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: PostId,
    pub network: Network,
    pub native_id: String,
    pub url: Option<String>,
    pub author: Author,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub ingested_at: DateTime<Utc>,
    pub in_reply_to: Option<String>,
    pub reply_ref: Option<serde_json::Value>,
    /// The author is one of the shop's top customers.
    pub customer: Option<CustomerId>,
    /// The post names the shop (handle, keyword or hashtag) or was delivered as a mention.
    pub is_mention: bool,
    /// Written by one of the shop's own handles (a notice, a reply sent from elsewhere): never triaged.
    pub by_shop: bool,
    pub triage: Triage,
    pub handled_at: Option<DateTime<Utc>>,
    /// When staff dismissed it as not for the shop ("not for us"): closed, but not a response.
    pub dismissed_at: Option<DateTime<Utc>>,
    /// When staff first answered (reply sent or an assistance action logged).
    pub first_response_at: Option<DateTime<Utc>>,
    /// Stored only as the context of another post (see [`IncomingPost::context`]).
    pub context: bool,
    /// Native id of the post this one quotes.
    pub quotes: Option<String>,
    /// Stars out of five, for reviews.
    pub rating: Option<u8>,
    /// When staff first opened it or rested on it; `None`: unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// A post after ingest (sanitized, matched, triaged), ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPost {
    pub incoming: IncomingPost,
    pub customer: Option<CustomerId>,
    pub is_mention: bool,
    /// Written by one of the shop's own handles.
    pub by_shop: bool,
    pub triage: Triage,
    pub ingested_at: DateTime<Utc>,
}

impl NewPost {
    /// Whether staff have a post to read: the shop's own posts and posts stored only as another's context are
    /// stored read.
    pub fn wants_reading(&self) -> bool {
        !self.by_shop && !self.incoming.context
    }
}

impl Post {
    /// Still to be worked: neither handled nor dismissed (what Attention and `is:open` list).
    pub fn is_open(&self) -> bool {
        self.handled_at.is_none() && self.dismissed_at.is_none()
    }

    /// Listed in the Attention queue now: open, and a complaint, distress or a question to the shop.
    pub fn in_attention(&self) -> bool {
        self.is_open() && self.triage.category.in_attention(self.is_mention)
    }

    /// A post of the embedded demo feed: replies to it go to the demo network, whatever network it imitates.
    pub fn is_demo(&self) -> bool {
        self.reply_ref
            .as_ref()
            .and_then(|r| r.get("demo"))
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    }

    /// Where a reply to this post goes: its network, or the demo network for demo posts.
    pub fn reply_route(&self) -> Network {
        if self.is_demo() {
            Network::Demo
        } else {
            self.network
        }
    }
}

/// The first response `answer` gives `post`, if it is one: a post of the shop's replying, on the same network,
/// to a post that is not the shop's and has no first response yet. The store (whichever arrives first) and the
/// console's state both apply this rule.
pub fn first_response_by_shop(post: &Post, answer: &Post) -> Option<DateTime<Utc>> {
    let answers = answer.by_shop
        && !post.by_shop
        && answer.network == post.network
        && answer.in_reply_to.as_deref() == Some(post.native_id.as_str());
    (answers && post.first_response_at.is_none()).then_some(answer.created_at)
}

#[cfg(test)]
mod tests {
    use super::Author;

    fn spoken(display_name: &str, handle: &str) -> Option<String> {
        Author {
            handle: handle.into(),
            display_name: display_name.into(),
        }
        .spoken_name()
    }

    #[test]
    fn greeted_by_display_name_never_by_handle() {
        assert_eq!(
            spoken("Kezia 🌿", "kezia.bsky.social").as_deref(),
            Some("Kezia")
        );
        assert_eq!(
            spoken("Ann-Marie O'Neil", "amo@x.social").as_deref(),
            Some("Ann-Marie O'Neil")
        );
        assert_eq!(spoken("kezia.bsky.social", "kezia.bsky.social"), None);
        assert_eq!(spoken("@kezia", "kezia.bsky.social"), None);
        assert_eq!(spoken("", "kezia.bsky.social"), None);
        assert_eq!(spoken("✨✨", "kezia.bsky.social"), None);
    }
}
