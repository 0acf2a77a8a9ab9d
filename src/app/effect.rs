//! I/O that `update` asks for. The runner performs it and reports back as `Msg`s.

use crate::domain::{Draft, NewAction, NewFollowUp, Post, PostId};

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SaveDraft(Draft),
    DeleteDraft(PostId),
    SendReply {
        post: Box<Post>,
        text: String,
        idempotency_key: String,
    },
    /// Finds out whether an unconfirmed send of this draft went out, without posting.
    ResolveReply {
        post: Box<Post>,
        text: String,
        idempotency_key: String,
    },
    /// Asks the store whether the shop already replied to the post (answered by `Msg::PriorReply`).
    CheckPriorReply(PostId),
    LogAction(NewAction),
    ScheduleFollowUp(NewFollowUp),
    CompleteFollowUp {
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Reads a page of a list, or Detail's data (answered by `Msg::Loaded`).
    Load(super::Load),
    Notify {
        title: String,
        body: String,
    },
    Quit,
}
