//! Everything that can happen to the console.

use crossterm::event::KeyEvent;

use super::command::Command;
use crate::domain::{
    Action, Candidate, Customer, CustomerId, Draft, FollowUp, Handle, Network, Post, PostId,
    PriorReply, Reply,
};
use crate::sources::{Health, Usage};
use crate::state::Preparers;

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
    /// A page or Detail's data, read from the store.
    Loaded(super::Loaded),
    /// A read failed: said in the status bar, tried again a little later.
    LoadFailed {
        load: super::Load,
        error: String,
    },
    /// New posts stored by ingest, from one source.
    Ingested {
        source: String,
        posts: Vec<Post>,
    },
    SourceHealth {
        source: String,
        health: Health,
    },
    /// A metered source's use of its allowance (X's monthly read budget).
    SourceUsage {
        source: String,
        usage: Usage,
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
    /// Known not to be posted (refused, or never sent): the draft stays editable with its key.
    ReplyFailed {
        post: PostId,
        reason: String,
    },
    /// Not sent: a teammate claimed or answered the post first (nothing went out; staff may send anyway).
    ReplyClaimed {
        post: PostId,
        taken: crate::domain::Taken,
    },
    /// The send may or may not have gone out: the draft's text is locked until that is known.
    ReplyUnconfirmed {
        post: PostId,
        reason: String,
    },
    /// Resolving an unconfirmed send: it had gone out, and is now logged with the server's text.
    ReplyFound {
        reply: Reply,
        action: Action,
    },
    /// Resolving an unconfirmed send: it had not gone out; the draft may be edited under a new key.
    ReplyNotPosted {
        post: PostId,
    },
    /// The shop already replied to a post whose composer was just opened.
    PriorReply {
        post: PostId,
        prior: PriorReply,
    },
    /// What each network's replier would post, for the send confirmation (sent once, as the runner starts).
    RepliersReady(Preparers),
    ActionLogged(Action),
    FollowUpScheduled {
        follow_up: FollowUp,
        action: Action,
    },
    /// A follow-up was marked done, with the action logged for it (`None`: it was done already).
    FollowUpCompleted {
        id: i64,
        action: Option<Action>,
    },
    /// A post opened again: as now stored, with its `reopened` action.
    Reopened {
        post: Post,
        action: Action,
    },
    /// A post dismissed as not for the shop: as now stored, with its `dismissed` action.
    Dismissed {
        post: Post,
        action: Action,
    },
    /// What staff just did was taken back in the store; the post it concerned as now stored.
    Undone {
        undo: crate::domain::Undo,
        post: Option<Post>,
    },
    /// Staff's correction of a post's category is stored: the post as now stored.
    Corrected {
        post: Post,
        correction: crate::domain::Correction,
    },
    DraftSaved(Draft),
    /// The draft came back from the external editor (`Err`: why the editor could not run or be read).
    DraftEdited {
        post: PostId,
        result: Result<String, String>,
    },
    /// The browser was started on an address, or could not be (`error`).
    Opened {
        url: String,
        error: Option<String>,
    },
    /// Text went to the clipboard, or could not (`error`).
    Copied {
        what: super::Copied,
        error: Option<String>,
    },
    /// What each network's account search found for a customer's name (or why it could not search).
    AccountsFound {
        customer: CustomerId,
        found: Vec<(Network, Result<Vec<Candidate>, String>)>,
    },
    /// A handle was linked: the customer as now stored.
    HandleLinked {
        customer: Customer,
        handle: Handle,
    },
    /// A handle was unlinked: the customer as now stored.
    HandleUnlinked {
        customer: Customer,
        handle: Handle,
    },
    /// The Customers view's rows, or why they could not be read.
    CustomersLoaded(Result<Vec<crate::domain::CustomerSummary>, String>),
    /// The drafts as stored now (after another console changed the workspace).
    DraftsLoaded(Result<crate::domain::DraftsSeen, String>),
    /// A customer's story (`None`: no such customer any more), or why it could not be read.
    StoryLoaded {
        customer: crate::domain::CustomerId,
        story: Result<Option<Box<crate::domain::CustomerStory>>, String>,
    },
    /// A customer as stored after their notes were saved.
    CustomerSaved(crate::domain::Customer),
    /// Notes that could not be saved: handed back to the editor, never lost.
    NoteNotSaved {
        customer: crate::domain::CustomerId,
        note: String,
        error: String,
    },
    /// Posts were marked read in the store.
    ReadMarked,
    /// A pane's unread posts were marked read, `count` of them.
    AllReadMarked {
        pane: crate::state::Pane,
        count: u64,
    },
    /// A desktop notification was shown, or could not be (`error`: why; the console falls back to the bell and
    /// the status bar).
    Notified {
        title: String,
        body: String,
        error: Option<String>,
    },
    /// The terminal bell rang, or could not (`error`).
    Rang {
        error: Option<String>,
    },
    /// The spikes going on now (none: none), or why they could not be counted.
    SpikesMeasured(Result<Vec<crate::alerts::Spike>, String>),
    /// The store took "always tell me" for a customer.
    AlwaysTellMeSet {
        customer: CustomerId,
        on: bool,
    },
    /// SIGTERM, or the terminal is gone: quit now, whatever is open (a check-in in progress is stored first).
    Terminate,
    /// Mastodon's read position after a check-in, or why it could not be synced.
    ReadPositionSynced(Result<crate::sources::mastodon::markers::ReadPosition, String>),
    /// What a check-in starts from, or why it could not be read.
    CheckInGathered(Result<crate::domain::checkin::Gathered, String>),
    /// A store write or a task failed; shown in the status bar and logged.
    TaskFailed {
        what: String,
        error: String,
    },
    /// The database stopped taking `writer`'s writes, and why (they wait in memory, written when it takes them
    /// again); `why: None`: it takes them again.
    StoreWritable {
        writer: Writer,
        why: Option<String>,
    },
    /// Another console (or this one) changed the shared workspace: posts, actions, replies, drafts, follow-ups
    /// or corrections. Notifications within a moment of each other arrive as one.
    Changed,
    /// The live link to the other consoles is down, and why; `None`: it is up (again).
    LiveLink(Option<String>),
    /// Who runs the sources now (the fetcher lock's holder).
    Fetching(crate::state::live::Fetcher),
    /// The store took an assignment (`action: None`: the post already was so).
    Assigned {
        post: PostId,
        to: Option<String>,
        action: Option<Action>,
    },
    /// Who has which open post and what teammates are doing, or why it could not be read.
    TeamLoaded(Result<crate::domain::TeamView, String>),
    /// Time to tell the others again what this console is doing (the runtime's heartbeat timer).
    Heartbeat,
    /// Only teammates' presence changed elsewhere (nothing the lists show).
    PresenceChanged,
}

/// Who holds writes the database refused for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Writer {
    /// Ingest, with the posts the sources fetched.
    Ingest,
    /// The effect runner, with staff's work: drafts, actions, replies' records, follow-ups, read state.
    Work,
}
