//! Plain data the whole console speaks: no ratatui, reqwest or SQL types here.

mod post;
mod work;

pub use post::{
    Author, Customer, CustomerId, Handle, IncomingPost, Network, NewPost, Post, PostId, Quote,
    ReplyLimit, first_response_by_shop,
};
pub use work::{
    Action, ActionKind, Draft, DraftState, FollowUp, NewAction, NewFollowUp, PriorReply, Reply,
    ReplyOrigin,
};

pub use crate::triage::{Category, Reason, Triage};
