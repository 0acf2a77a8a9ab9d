//! Sources: one tokio task per configured source. A source only *sends*: batches of posts with the cursor that
//! led to them, and its health. It never touches the store or the UI.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::domain::IncomingPost;

pub mod accounts;
pub mod bluesky;
pub mod demo;
pub mod facebook;
pub mod google;
pub mod graph;
pub mod http;
pub mod instagram;
pub mod jsonl;
pub mod linkedin;
pub mod listening;
pub mod mastodon;
pub mod poller;
pub mod registry;
pub mod rss;
pub mod secret;
pub mod tumblr;
pub mod x;

/// A cursor a source persists to resume without gap or duplicate: `key` names what it tracks
/// (`notifications`, `tag:shop`, `account:123`, `jetstream`, a feed URL), `value` is opaque to everyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Connecting,
    /// Streaming: posts arrive as they are written.
    Live,
    /// Fetching on an interval.
    Polling,
    BackingOff {
        until: DateTime<Utc>,
        reason: String,
    },
    /// Credentials refused; retrying will not help until the user fixes them.
    AuthFailed(String),
    /// Part of the source works, part does not (a search endpoint refused, say).
    Degraded(String),
    /// Polling works; the stream was refused or dropped, so posts arrive at the polling pace.
    StreamingOff(String),
    /// The stream claims to be up but has been silent too long; a full poll checks what it missed.
    Stale(String),
    Disabled(String),
    /// A finite source (a file, the demo) delivered everything it has.
    Finished(String),
}

impl Health {
    pub fn label(&self) -> String {
        match self {
            Health::Connecting => "connecting".into(),
            Health::Live => "live".into(),
            Health::Polling => "polling".into(),
            Health::BackingOff { until, reason } => {
                format!("backing off until {} ({reason})", until.format("%H:%M:%S"))
            }
            Health::AuthFailed(why) => format!("auth failed: {why}"),
            Health::Degraded(why) => format!("degraded: {why}"),
            Health::StreamingOff(why) => format!("polling (streaming off: {why})"),
            Health::Stale(why) => format!("stale: {why}"),
            Health::Disabled(why) => format!("disabled: {why}"),
            Health::Finished(what) => format!("done: {what}"),
        }
    }

    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Health::BackingOff { .. }
                | Health::AuthFailed(_)
                | Health::Degraded(_)
                | Health::Stale(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    /// Posts and the cursors that led to them: stored in one transaction, so a restart resumes exactly here.
    Batch {
        source: String,
        posts: Vec<IncomingPost>,
        cursors: Vec<Cursor>,
    },
    Health {
        source: String,
        health: Health,
    },
    /// The server told its reply length limit (Mastodon instances set their own).
    ReplyLimit {
        network: crate::domain::Network,
        max: usize,
    },
    /// What a metered source has used of its allowance (X bills reads per post), for the Sources view.
    Usage {
        source: String,
        usage: Usage,
    },
}

/// A metered allowance and its use in one period: `used` of `budget` `unit` in `period`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    /// What is counted, plural (`reads`).
    pub unit: &'static str,
    pub used: u64,
    /// The configured ceiling, if any.
    pub budget: Option<u64>,
    /// The period counted, `YYYY-MM` for a calendar month (UTC).
    pub period: String,
}

/// `#[serde(default = "crate::sources::yes")]`: a source option that is on unless its table turns it off.
pub fn yes() -> bool {
    true
}

/// What every source task is handed.
pub struct SourceCtx {
    /// The configured source's name (unique), used in events, cursors and the status bar.
    pub name: String,
    pub tx: mpsc::Sender<SourceEvent>,
    pub cancel: CancellationToken,
    /// Cursors stored for this source at start, by key.
    pub cursors: HashMap<String, String>,
}

impl SourceCtx {
    /// Sends an event; `false` when the receiver is gone (shutting down).
    pub async fn send(&self, event: SourceEvent) -> bool {
        self.tx.send(event).await.is_ok()
    }

    pub async fn health(&self, health: Health) -> bool {
        self.send(SourceEvent::Health {
            source: self.name.clone(),
            health,
        })
        .await
    }

    pub async fn batch(&self, posts: Vec<IncomingPost>, cursors: Vec<Cursor>) -> bool {
        self.send(SourceEvent::Batch {
            source: self.name.clone(),
            posts,
            cursors,
        })
        .await
    }
}

pub type SourceFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A configured source, ready to run as one task until cancelled (or finished, for finite sources).
pub trait Source: Send {
    fn name(&self) -> &str;
    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture;
    /// `regulars doctor`: reachable, authenticated, rate-limit headroom. `cursors` are the stored ones.
    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a>;
}

/// A reply to send: the post replied to, the draft's text (the replier [`prepare`](Replier::prepare)s it), and
/// the draft's idempotency key (stable across retries).
#[derive(Debug, Clone)]
pub struct ReplyRequest {
    pub post: crate::domain::Post,
    pub text: String,
    pub idempotency_key: String,
}

/// Exactly what will be posted: the text with anything the network needs (Mastodon's `@author` mention), who
/// it goes out as and who can see it. The send confirmation shows it; the replier posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub text: String,
    /// As the network names it (`public`, `unlisted`, `private`, `direct`).
    pub visibility: &'static str,
    pub account: String,
    /// What staff must know before this reply goes out (X: a self-serve app may only reply to posts that
    /// mention or quote the shop; Google: this replaces the shop's existing reply).
    pub caution: Option<String>,
}

/// A reply the server has: where it is, and its text as the server returned it (what is logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReply {
    pub url: Option<String>,
    pub remote_id: Option<String>,
    pub text: String,
}

/// Why a send did not end with the server's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Known not to be posted: refused (4xx, bad token) or never sent (no connection). The draft stays
    /// editable with the same key.
    #[error("{0}")]
    NotPosted(String),
    /// Maybe posted (timeout, dropped connection, 5xx after the request was sent): the draft's text is locked
    /// until [`Replier::resolve`] finds out.
    #[error("{0}")]
    Unconfirmed(String),
}

/// Whether an unconfirmed send went out, as far as the server can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// It did: here is the reply, with the server's text.
    Posted(SentReply),
    /// It did not: a new key and an edit are safe.
    NotPosted,
    /// The server could not be asked (still down): the outcome stays unknown.
    Unknown(String),
}

pub type ReplyFuture<'a> = Pin<Box<dyn Future<Output = Result<SentReply, SendError>> + Send + 'a>>;
pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = Resolution> + Send + 'a>>;

/// Posts replies on one network, as one account.
pub trait Replier: Send + Sync {
    /// Who the reply goes out as, shown in the confirmation (`@shop@example.social`).
    fn account(&self) -> String;
    /// The reply exactly as [`send`](Replier::send) will post `text` to `post`. Pure: the confirmation calls it
    /// on every frame.
    fn prepare(&self, post: &crate::domain::Post, text: &str) -> Prepared;
    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_>;
    /// Sending the same request again cannot post twice (an idempotency key, a record key derived from the
    /// draft, an upsert). When it can, the runner first [`resolve`](Replier::resolve)s a draft whose last send
    /// is unconfirmed, and sends again only if that send is known not to have gone out.
    fn resend_is_safe(&self) -> bool {
        false
    }
    /// Finds out, without posting, whether an unconfirmed send of `request` went out. `known` are the remote
    /// ids of replies to this post already recorded, which are not it.
    fn resolve(&self, request: ReplyRequest, known: Vec<String>) -> ResolveFuture<'_>;
}

/// What the shop listens for, handed to every source: its own handles, brand keywords and hashtags, and the
/// customers' handles on the source's network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    /// The shop's own handle on this network (no leading `@`), if it has one.
    pub shop_handle: Option<String>,
    pub keywords: Vec<String>,
    /// Without the leading `#`.
    pub hashtags: Vec<String>,
    /// Customers' handles on this network (no leading `@`).
    pub customer_handles: Vec<String>,
}

/// One line of `regulars doctor`: what was checked, whether it is fine, and the fix when it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub what: String,
    pub ok: bool,
    pub detail: String,
    /// What the user should do; empty when ok.
    pub fix: String,
}

pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Vec<Check>> + Send + 'a>>;
