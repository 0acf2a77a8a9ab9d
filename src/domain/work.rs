//! What staff do about posts: drafts, replies, assistance actions, follow-ups.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerId, Network, PostId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Replied,
    GiftSent,
    DiscountOffered,
    Escalated,
    Resolved,
    FollowUp,
    Note,
    Handled,
    /// A follow-up done (logged when one is completed, never picked in the action form).
    FollowedUp,
    /// "Not for us": the post leaves Attention without counting as a response.
    Dismissed,
    /// A handled or dismissed post opened again.
    Reopened,
    /// A post given to a teammate (or taken back: the note says which).
    Assigned,
}

impl ActionKind {
    /// The kinds staff pick in the action form, in menu order.
    pub const LOGGABLE: [ActionKind; 7] = [
        ActionKind::Replied,
        ActionKind::GiftSent,
        ActionKind::DiscountOffered,
        ActionKind::Escalated,
        ActionKind::Resolved,
        ActionKind::FollowUp,
        ActionKind::Note,
    ];

    /// The kinds logged by the console itself, never picked in the action form.
    const UNPICKED: [ActionKind; 5] = [
        ActionKind::Handled,
        ActionKind::FollowedUp,
        ActionKind::Dismissed,
        ActionKind::Reopened,
        ActionKind::Assigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Replied => "replied",
            ActionKind::GiftSent => "gift_sent",
            ActionKind::DiscountOffered => "discount_offered",
            ActionKind::Escalated => "escalated",
            ActionKind::Resolved => "resolved",
            ActionKind::FollowUp => "follow_up",
            ActionKind::Note => "note",
            ActionKind::Handled => "handled",
            ActionKind::FollowedUp => "followed_up",
            ActionKind::Dismissed => "dismissed",
            ActionKind::Reopened => "reopened",
            ActionKind::Assigned => "assigned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Replied => "replied",
            ActionKind::GiftSent => "gift sent",
            ActionKind::DiscountOffered => "discount offered",
            ActionKind::Escalated => "escalated",
            ActionKind::Resolved => "resolved",
            ActionKind::FollowUp => "follow-up",
            ActionKind::Note => "note",
            ActionKind::Handled => "handled",
            ActionKind::FollowedUp => "followed up",
            ActionKind::Dismissed => "dismissed",
            ActionKind::Reopened => "reopened",
            ActionKind::Assigned => "assigned",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::UNPICKED
            .into_iter()
            .chain(ActionKind::LOGGABLE)
            .find(|k| k.as_str() == s)
    }

    /// Logging this kind counts as the shop responding to the post.
    pub fn is_response(self) -> bool {
        !matches!(
            self,
            ActionKind::Note
                | ActionKind::FollowUp
                | ActionKind::Dismissed
                | ActionKind::Reopened
                | ActionKind::Assigned
        )
    }

    /// Logging this kind closes the post (sets its handled time).
    pub fn closes(self) -> bool {
        matches!(
            self,
            ActionKind::Handled | ActionKind::Resolved | ActionKind::Replied
        )
    }

    /// Logging this kind is the shop reaching out to the customer: what "last contact" means.
    pub fn reaches_out(self) -> bool {
        matches!(
            self,
            ActionKind::Replied
                | ActionKind::GiftSent
                | ActionKind::DiscountOffered
                | ActionKind::FollowedUp
        )
    }

    /// Every kind that [`ActionKind::reaches_out`].
    pub fn reaching_out() -> impl Iterator<Item = ActionKind> {
        ActionKind::UNPICKED
            .into_iter()
            .chain(ActionKind::LOGGABLE)
            .filter(|k| k.reaches_out())
    }
}

/// An assistance action, as logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub id: i64,
    pub post: Option<PostId>,
    pub customer: Option<CustomerId>,
    pub kind: ActionKind,
    pub note: String,
    pub at: DateTime<Utc>,
    /// Link to the sent reply, for `replied`.
    pub url: Option<String>,
    /// Who logged it (`[me] name`); empty for actions from before names were kept.
    pub staff: String,
}

/// An action about to be logged.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub post: Option<PostId>,
    pub customer: Option<CustomerId>,
    pub kind: ActionKind,
    pub note: String,
    pub at: DateTime<Utc>,
    pub url: Option<String>,
}

impl NewAction {
    /// The action as stored under `id`, logged by `staff`: the one place both backends build it.
    pub fn logged(&self, id: i64, staff: &str) -> Action {
        Action {
            id,
            post: self.post,
            customer: self.customer,
            kind: self.kind,
            note: self.note.clone(),
            at: self.at,
            url: self.url.clone(),
            staff: staff.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftState {
    Editing,
    /// The last send failed and is known not to have been posted (refused, or never reached the server); the
    /// reason is kept with the draft, which stays editable.
    Failed(String),
    /// The last send may or may not have been posted (timeout, dropped connection, 5xx): the text is locked
    /// until the outcome is known, so an edit can never be logged as what went out.
    Unconfirmed(String),
}

/// A reply in progress. One per post; never lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub post: PostId,
    pub text: String,
    /// (row, column) of the cursor in the composer.
    pub cursor: (usize, usize),
    pub state: DraftState,
    /// Stable key for this reply attempt, so a retried send can never double-post.
    pub idempotency_key: String,
    pub updated_at: DateTime<Utc>,
}

/// The drafts a console shows, as the store holds them now: its person's own, and the teammates who have one
/// on a post (post, name), for Detail's "Ana has a draft".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftsSeen {
    pub mine: Vec<Draft>,
    pub team: Vec<(PostId, String)>,
}

/// A reply that went out.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub post: PostId,
    pub network: Network,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub url: Option<String>,
    pub remote_id: Option<String>,
    /// The draft's key: one reply per key, whatever the retries. `None` for replies stored before keys were.
    pub idempotency_key: Option<String>,
    /// Who sent it (`[me] name`); empty for replies from before names were kept.
    pub staff: String,
}

/// Who already answered a post, for the "reply again?" question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOrigin {
    /// A reply sent from regulars (the `replies` table).
    ThisConsole,
    /// A reply of the shop's account found on the network (sent from its app, another tool, a colleague).
    Elsewhere,
}

impl ReplyOrigin {
    pub fn label(self) -> &'static str {
        match self {
            ReplyOrigin::ThisConsole => "by this console",
            ReplyOrigin::Elsewhere => "from the shop's account elsewhere",
        }
    }
}

/// The shop's latest reply to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorReply {
    pub at: DateTime<Utc>,
    pub origin: ReplyOrigin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    pub post: Option<PostId>,
    pub customer: Option<CustomerId>,
    pub due: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub post: Option<PostId>,
    pub customer: Option<CustomerId>,
    pub due: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl NewFollowUp {
    /// The follow-up as stored under `id`.
    pub fn scheduled(&self, id: i64) -> FollowUp {
        FollowUp {
            id,
            post: self.post,
            customer: self.customer,
            due: self.due,
            note: self.note.clone(),
            created_at: self.created_at,
            done_at: None,
        }
    }

    /// The `follow_up` action logged with it; its note reads "follow up on YYYY-MM-DD: note".
    pub fn action(&self) -> NewAction {
        NewAction {
            post: self.post,
            customer: self.customer,
            kind: ActionKind::FollowUp,
            note: format!(
                "follow up on {}: {}",
                self.due.format("%Y-%m-%d"),
                self.note
            ),
            at: self.created_at,
            url: None,
        }
    }
}

impl FollowUp {
    /// The `followed_up` action logged when it is done at `at`.
    pub fn done_action(&self, at: DateTime<Utc>) -> NewAction {
        let note = match self.note.trim() {
            "" => "followed up".to_string(),
            note => format!("followed up: {note}"),
        };
        NewAction {
            post: self.post,
            customer: self.customer,
            kind: ActionKind::FollowedUp,
            note,
            at,
            url: None,
        }
    }
}

/// An open follow-up with what the Follow-ups view shows beside it, read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    pub follow_up: FollowUp,
    /// The post it is about, if any (and still stored).
    pub post: Option<super::Post>,
    /// When the shop last reached out (see [`ActionKind::reaches_out`]) to its customer, or about its post
    /// when it has no customer.
    pub last_contact: Option<DateTime<Utc>>,
}
