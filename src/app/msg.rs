//! Everything that can happen to the console.

use crossterm::event::KeyEvent;

use super::command::Command;
use crate::domain::{Action, Draft, FollowUp, Network, Post, PostId, Reply};
use crate::sources::Health;

#[derive(Debug, Clone)]
pub enum Msg {
    Command(Command),
    /// A key no binding claimed (text input in the composer, forms and the filter line).
    Key(KeyEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock moved (1 Hz, or faster while a draft waits to be saved).
    Tick(chrono::DateTime<chrono::Utc>),
    /// New posts stored by ingest, from one source.
    Ingested {
        source: String,
        posts: Vec<Post>,
    },
    SourceHealth {
        source: String,
        health: Health,
    },
    /// A server announced its post length limit (Mastodon's `/api/v2/instance`).
    ReplyLimit {
        network: Network,
        max: usize,
    },
    ReplySent {
        reply: Reply,
        action: Action,
    },
    ReplyFailed {
        post: PostId,
        reason: String,
    },
    ActionLogged(Action),
    FollowUpScheduled {
        follow_up: FollowUp,
        action: Action,
    },
    DraftSaved(Draft),
    /// A store write or a task failed; shown in the status bar and logged.
    TaskFailed {
        what: String,
        error: String,
    },
}
