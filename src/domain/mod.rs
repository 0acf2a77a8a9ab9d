//! Plain data the whole console speaks: no ratatui, reqwest or SQL types here.

mod activity;
pub mod checkin;
mod customer;
mod listing;
mod post;
mod search;
mod story;
mod team;
mod undo;
mod work;

pub use activity::Watched;
pub use customer::{Candidate, Customer, Handle, ImportRun, forget_key, value_of_rank};
pub use listing::{ActionKey, Anchor, Listing, Located, Page, PostDetails, PostKey, PostQuery};
pub use post::{
    Author, CustomerId, IncomingPost, Network, NewPost, Post, PostId, Quote, ReplyLimit,
    first_response_by_shop,
};
pub use search::{Search, SearchError, Term};
pub use story::{
    CONTACT_KINDS, Contact, CustomerStory, CustomerSummary, FORGOTTEN_HANDLE, FORGOTTEN_MARK,
    FORGOTTEN_NAME, Forgotten, Hint, QUIET_DAYS, StoryPost, StoryReply, TimelineEntry, Urgency,
    hint, identifying_terms, median, scrub, span, timeline,
};
pub use team::{
    Claim, Doing, HEARTBEAT, PRESENCE_FOR, PRESENT_FOR_ROUND_ROBIN, Presence, Taken, TeamView,
};
pub use undo::{CORRECTIONS, Correction, CorrectionLine, OriginalTriage, UNDO_FOR, Undo};
pub use work::{
    Action, ActionKind, Draft, DraftState, DraftsSeen, FollowUp, FollowUpRow, NewAction,
    NewFollowUp, PriorReply, Reply, ReplyOrigin,
};

pub use crate::triage::{Category, Reason, Triage};
