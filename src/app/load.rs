//! The read path's messages: what `update` asks the store for (`Effect::Load`) and what comes back
//! (`Msg::Loaded`). A request names its target and, for lists, the query generation it was made for, so an
//! answer that arrives after the query changed is recognised and dropped.

use crate::domain::{
    Action, ActionKey, Anchor, FollowUpRow, Listing, Located, Page, Post, PostDetails, PostId,
    PostKey, PostQuery,
};
use crate::state::Pane;

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Posts {
        pane: Pane,
        generation: u64,
        query: PostQuery,
        anchor: Anchor<PostKey>,
        /// Count the whole query too (a first page, a jump to either end).
        count: bool,
    },
    Log {
        generation: u64,
        anchor: Anchor<ActionKey>,
        count: bool,
    },
    Details(PostId),
    /// The open follow-ups with their posts and last contact, for the Follow-ups view.
    FollowUps,
    /// The Stats view's report over `[from, to)`, counted in `hours`.
    Stats {
        hours: Box<crate::hours::BusinessHours>,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    },
    /// Each post pane's unread posts under its query, and those of any of `listings` (the status bar's).
    Unread {
        panes: Vec<(Pane, PostQuery)>,
        listings: Vec<Listing>,
    },
    /// The first unread post found trying each pane's query in turn, after the key given (from the top with
    /// `None`).
    NextUnread {
        jump: Jump,
        tries: Vec<(Pane, PostQuery, Option<PostKey>)>,
    },
    /// Where a pane's restored selection sits in its list (it was not on the first page).
    Locate {
        pane: Pane,
        query: PostQuery,
        post: PostId,
    },
}

/// Which key asked for the next unread post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    Unread,
    Urgent,
}

impl Load {
    /// What the request fills (`None`: Detail): a newer request for the same target makes an older one
    /// pointless.
    pub fn target(&self) -> Option<Pane> {
        match self {
            Load::Posts { pane, .. } => Some(*pane),
            Load::Log { .. } => Some(Pane::Log),
            Load::Details(_)
            | Load::FollowUps
            | Load::Stats { .. }
            | Load::Unread { .. }
            | Load::NextUnread { .. }
            | Load::Locate { .. } => None,
        }
    }

    /// Whether this request makes an `earlier` one still waiting pointless (same kind, same target).
    pub fn supersedes(&self, earlier: &Load) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(earlier)
            && self.target() == earlier.target()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Posts {
        pane: Pane,
        generation: u64,
        anchor: Anchor<PostKey>,
        page: Page<(PostKey, Post)>,
    },
    Log {
        generation: u64,
        anchor: Anchor<ActionKey>,
        page: Page<Action>,
    },
    /// `None`: the post is gone from the store.
    Details {
        post: PostId,
        details: Option<Box<PostDetails>>,
    },
    FollowUps(Vec<FollowUpRow>),
    Stats(Box<crate::report::Report>),
    Unread {
        counts: Vec<(Pane, u64)>,
        total: u64,
    },
    Found {
        jump: Jump,
        found: Option<(Pane, Box<Located>)>,
    },
    /// Where a restored selection sits in its pane (`None`: it left the list while the console was closed).
    Relocated {
        pane: Pane,
        found: Option<Box<Located>>,
    },
}
