//! I/O that `update` asks for. The runner performs it and reports back as `Msg`s.

use crate::domain::{CustomerId, Draft, Handle, Network, NewAction, NewFollowUp, Post, PostId};

/// What went to the clipboard, for the message that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    Link,
    /// A reply to paste on a network whose API cannot post it.
    Reply,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SaveDraft(Draft),
    DeleteDraft(PostId),
    SendReply {
        post: Box<Post>,
        text: String,
        idempotency_key: String,
        /// The draft's last send is unconfirmed: where a resend could post twice, look first.
        unconfirmed: bool,
        /// A person confirmed sending over a teammate's claim or reply.
        anyway: bool,
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
    /// Opens a handled or dismissed post again (answered by `Msg::Reopened`).
    Reopen {
        post: PostId,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Dismisses a post as not for the shop (answered by `Msg::Dismissed`).
    Dismiss {
        post: PostId,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Takes back what staff just did, in the store (answered by `Msg::Undone`).
    Undo(crate::domain::Undo),
    /// Sets a post's category as staff say (answered by `Msg::Corrected`).
    CorrectCategory {
        post: PostId,
        category: crate::domain::Category,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Reads a page of a list, or Detail's data (answered by `Msg::Loaded`).
    Load(super::Load),
    /// Opens an address in the browser (answered by `Msg::Opened`).
    OpenLink(String),
    /// Puts text on the clipboard (answered by `Msg::Copied`).
    Copy {
        text: String,
        what: Copied,
    },
    /// Reads every customer with where they stand (answered by `Msg::CustomersLoaded`).
    LoadCustomers,
    /// Reads the drafts of the person at the keyboard and which posts teammates have one on (answered by
    /// `Msg::DraftsLoaded`).
    LoadDrafts,
    /// Reads a customer's story (answered by `Msg::StoryLoaded`).
    LoadStory(crate::domain::CustomerId),
    /// Saves a customer's private notes (answered by `Msg::CustomerSaved` or `Msg::NoteNotSaved`).
    SaveCustomerNote {
        customer: crate::domain::CustomerId,
        note: String,
    },
    /// A desktop notification (answered by `Msg::Notified`, shown or not).
    Notify {
        title: String,
        body: String,
    },
    /// Rings the terminal bell (the UI loop does it: it owns the terminal); answered by `Msg::Rang`.
    Bell,
    /// Counts the last hours' mentions and complaints for spikes (answered by `Msg::SpikesMeasured`).
    MeasureSpikes {
        at: chrono::DateTime<chrono::Utc>,
        rule: crate::alerts::SpikeRule,
    },
    /// Every post of a customer notifies, or no longer (answered by `Msg::AlwaysTellMeSet`).
    SetAlwaysTellMe {
        customer: CustomerId,
        on: bool,
    },
    /// Searches each network's accounts for a customer's name, concurrently (answered by
    /// `Msg::AccountsFound`).
    SearchAccounts {
        customer: CustomerId,
        name: String,
        networks: Vec<Network>,
    },
    /// Links a handle staff chose (answered by `Msg::HandleLinked`).
    LinkHandle {
        customer: CustomerId,
        handle: Handle,
    },
    /// Removes one of a customer's handles staff confirmed (answered by `Msg::HandleUnlinked`).
    UnlinkHandle {
        customer: CustomerId,
        handle: Handle,
    },
    /// Marks posts read (answered by `Msg::ReadMarked`).
    MarkRead {
        posts: Vec<PostId>,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Marks every unread post of a pane's query read (answered by `Msg::AllReadMarked`).
    MarkAllRead {
        pane: crate::state::Pane,
        query: crate::domain::PostQuery,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Saves where the console is (focus, selections, filter) as names and values.
    SavePlace {
        values: Vec<(String, String)>,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Hands the terminal to `$VISUAL` / `$EDITOR` on the draft's text and takes it back (the UI loop does it:
    /// it owns the terminal); answered by `Msg::DraftEdited`.
    EditDraft {
        post: PostId,
        text: String,
    },
    /// Gathers a check-in's queue from where the last one ended (answered by `Msg::CheckInGathered`).
    GatherCheckIn {
        now: chrono::DateTime<chrono::Utc>,
    },
    /// Marks the shop's notifications read on Mastodon up to the newest taken in (answered by
    /// `Msg::ReadPositionSynced`).
    SyncReadPosition,
    /// Stores a check-in that ended (a failure comes back as `Msg::TaskFailed`).
    SaveCheckIn(crate::domain::checkin::CheckInRecord),
    /// Suspends the console (SIGTSTP) with the terminal restored; the UI loop takes it back on `fg`.
    Suspend,
    /// Gives a post to `to` (`None`: nobody), as `by` asks (answered by `Msg::Assigned`).
    Assign {
        post: PostId,
        to: Option<String>,
        by: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Reads assignments and the heartbeats since `since` of everyone but `me` (answered by
    /// `Msg::TeamLoaded`).
    LoadTeam {
        me: String,
        since: chrono::DateTime<chrono::Utc>,
    },
    /// Tells the other consoles what `staff` is doing (`None`: nothing).
    Beat {
        staff: String,
        doing: Option<(PostId, crate::domain::Doing)>,
        at: chrono::DateTime<chrono::Utc>,
    },
    Quit,
}
