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
    LogAction(NewAction),
    ScheduleFollowUp(NewFollowUp),
    Notify {
        title: String,
        body: String,
    },
    Quit,
}
