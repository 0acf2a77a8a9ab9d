//! What a user can invoke and bind. The serde names are public config API: rename only with `#[serde(alias)]`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    NextPost,
    PrevPost,
    FirstPost,
    LastPost,
    PageDown,
    PageUp,
    NextPane,
    PrevPane,
    OpenDetail,
    /// The selected post's customer: all their posts, in the Regulars pane's place.
    CustomerHistory,
    /// The selected post on its network, in the browser.
    OpenLink,
    /// The selected post's address, to the clipboard.
    CopyLink,
    Close,
    Reply,
    LogAction,
    MarkHandled,
    /// A handled or dismissed post opened again (back in its queue).
    Reopen,
    /// "Not for us": out of Attention without counting as a response.
    Dismiss,
    /// Staff set the post's category (not a complaint, is a complaint, distress, question, praise).
    CorrectCategory,
    /// Takes back the last action (handled, an action, a follow-up, a dismissal, a correction) for a while.
    Undo,
    ScheduleFollowUp,
    /// The customer's accounts searched by name on the networks, one linked once chosen.
    FindHandles,
    /// One of the customer's handles removed, after a yes.
    UnlinkHandle,
    Filter,
    ClearFilter,
    Sources,
    /// The Follow-ups view: every open follow-up, due and overdue first.
    FollowUps,
    /// In the Follow-ups view: the selected follow-up is done (logged as an action).
    CompleteFollowUp,
    /// The Stats view: response times in business hours, posts per day and hour of the day.
    Stats,
    StartCheckIn,
    /// The Customers view: every regular with where they stand; a customer's story.
    Customers,
    /// The private notes on the selected customer (or the current post's), in an editor.
    EditNote,
    /// Every post of the selected customer (or the current post's) notifies, whatever it is; again to stop.
    AlwaysTellMe,
    /// The post is mine to handle (assigned to me).
    AssignToMe,
    /// The post goes to a teammate, chosen in a picker.
    AssignTo,
    /// The post goes back to nobody.
    Unassign,
    /// The lists show only the posts assigned to me (again: every post).
    Mine,
    ScrollDetailDown,
    ScrollDetailUp,
    /// The next unread post, in the focused pane after the selection, then in the other panes.
    NextUnread,
    /// The most urgent open Attention item not yet read (else the queue's top).
    NextUrgent,
    /// Every unread post of the focused pane (with its filter) marked read, after a yes.
    MarkAllRead,
    // In the composer.
    SendReply,
    CloseComposer,
    InsertTemplate,
    /// After an unconfirmed send: find out whether it went out, then edit.
    EditReply,
    /// The saved replies (`[[replies]]`), in a picker.
    SavedReplies,
    /// The draft in `$VISUAL` / `$EDITOR`; the edited text comes back into the composer.
    EditInEditor,
    // In the saved-replies picker.
    /// The chosen saved reply, inserted at the cursor.
    InsertReply,
    /// The chosen saved reply, in place of the whole draft.
    ReplaceDraft,
    /// Suspends the console to the shell (`fg` brings it back).
    Suspend,
    // In a yes/no question.
    Confirm,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Move,
    Work,
    View,
    Composer,
    Picker,
    Confirm,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Work => "Work a post",
            Group::View => "View",
            Group::Composer => "In the reply composer",
            Group::Picker => "In the saved-replies picker (type to filter)",
            Group::Confirm => "In a question (send? reply again?)",
        }
    }
}

impl Command {
    pub const ALL: [Command; 55] = [
        Command::NextPost,
        Command::PrevPost,
        Command::FirstPost,
        Command::LastPost,
        Command::PageDown,
        Command::PageUp,
        Command::NextPane,
        Command::PrevPane,
        Command::OpenDetail,
        Command::CustomerHistory,
        Command::OpenLink,
        Command::CopyLink,
        Command::ScrollDetailDown,
        Command::ScrollDetailUp,
        Command::NextUnread,
        Command::NextUrgent,
        Command::MarkAllRead,
        Command::Close,
        Command::Reply,
        Command::LogAction,
        Command::MarkHandled,
        Command::Reopen,
        Command::Dismiss,
        Command::CorrectCategory,
        Command::Undo,
        Command::ScheduleFollowUp,
        Command::FindHandles,
        Command::UnlinkHandle,
        Command::Filter,
        Command::ClearFilter,
        Command::Sources,
        Command::FollowUps,
        Command::CompleteFollowUp,
        Command::Stats,
        Command::StartCheckIn,
        Command::Customers,
        Command::EditNote,
        Command::AlwaysTellMe,
        Command::AssignToMe,
        Command::AssignTo,
        Command::Unassign,
        Command::Mine,
        Command::Help,
        Command::Quit,
        Command::SendReply,
        Command::CloseComposer,
        Command::InsertTemplate,
        Command::EditReply,
        Command::SavedReplies,
        Command::EditInEditor,
        Command::InsertReply,
        Command::ReplaceDraft,
        Command::Suspend,
        Command::Confirm,
        Command::Cancel,
    ];

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn desc(self) -> &'static str {
        match self {
            Command::Quit => "quit (everything is saved)",
            Command::Help => "show this help",
            Command::NextPost => "next post",
            Command::PrevPost => "previous post",
            Command::FirstPost => "first post",
            Command::LastPost => "last post",
            Command::PageDown => "page down",
            Command::PageUp => "page up",
            Command::NextPane => "next pane",
            Command::PrevPane => "previous pane",
            Command::OpenDetail => "open the post in Detail",
            Command::CustomerHistory => "the customer's history: all their posts",
            Command::OpenLink => "open the post on its network, in the browser",
            Command::CopyLink => "copy the post's address",
            Command::Close => "close popup, Detail, filter or History",
            Command::Reply => "reply (draft kept)",
            Command::LogAction => "log an assistance action",
            Command::MarkHandled => "mark handled",
            Command::Reopen => "reopen a handled or dismissed post",
            Command::Dismiss => "dismiss: not for us (not counted as a response)",
            Command::CorrectCategory => "correct the category (not a complaint, question...)",
            Command::Undo => "undo the last action (for 5 minutes)",
            Command::ScheduleFollowUp => "schedule a follow-up",
            Command::FindHandles => "find the customer's handles on the networks",
            Command::UnlinkHandle => "unlink one of the customer's handles (asks first)",
            Command::Filter => "search all: words @handle customer: cat: since:",
            Command::ClearFilter => "clear the filter",
            Command::Sources => "sources and their health",
            Command::FollowUps => "follow-ups: due and overdue first",
            Command::CompleteFollowUp => "mark the follow-up done",
            Command::Stats => "stats: response times, posts per day and hour (last 7 days)",
            Command::StartCheckIn => {
                "check-in: what needs you most, sized to the time (again ends)"
            }
            Command::Customers => "the regulars: rank, spend, last contact, hints",
            Command::EditNote => "edit the customer's private notes",
            Command::AlwaysTellMe => {
                "always tell me: every post of the customer notifies (again: stop)"
            }
            Command::AssignToMe => "assign the post to me",
            Command::AssignTo => "assign the post to a teammate (a picker)",
            Command::Unassign => "unassign the post (nobody has it)",
            Command::Mine => "mine: only the posts assigned to me (again: all)",
            Command::ScrollDetailDown => "scroll Detail down",
            Command::ScrollDetailUp => "scroll Detail up",
            Command::NextUnread => "next unread post, from any pane",
            Command::NextUrgent => "most urgent unread post in Attention",
            Command::MarkAllRead => "mark the pane read, filter kept (asks first)",
            Command::SendReply => "send (asks to confirm)",
            Command::CloseComposer => "close, keeping the draft",
            Command::InsertTemplate => "insert a greeting template",
            Command::EditReply => "unconfirmed send: find out if it went out, then edit",
            Command::SavedReplies => "saved replies: type to find one",
            Command::EditInEditor => "edit the draft in $VISUAL / $EDITOR",
            Command::InsertReply => "insert the saved reply at the cursor",
            Command::ReplaceDraft => "replace the draft with the saved reply",
            Command::Suspend => "suspend to the shell (fg to come back)",
            Command::Confirm => "yes",
            Command::Cancel => "no",
        }
    }

    /// A word or two for status-bar hints (help shows `desc`).
    pub fn hint_label(self) -> &'static str {
        match self {
            Command::Reply => "reply",
            Command::LogAction => "action",
            Command::MarkHandled => "handled",
            Command::Reopen => "reopen",
            Command::Dismiss => "dismiss",
            Command::CorrectCategory => "correct",
            Command::Undo => "undo",
            Command::ScheduleFollowUp => "follow-up",
            Command::Filter => "filter",
            Command::Help => "help",
            Command::Quit => "quit",
            Command::StartCheckIn => "check-in",
            Command::Customers => "customers",
            Command::EditNote => "notes",
            Command::AlwaysTellMe => "always tell me",
            Command::AssignToMe => "take it",
            Command::AssignTo => "assign",
            Command::Unassign => "unassign",
            Command::Mine => "mine",
            Command::SendReply => "send",
            Command::CloseComposer => "keep draft",
            Command::InsertTemplate => "template",
            Command::EditReply => "check & edit",
            Command::SavedReplies => "saved",
            Command::EditInEditor => "editor",
            Command::InsertReply => "insert",
            Command::ReplaceDraft => "replace draft",
            Command::FollowUps => "follow-ups",
            Command::CompleteFollowUp => "done",
            Command::Stats => "stats",
            Command::OpenDetail => "detail",
            Command::Close => "close",
            other => other.desc(),
        }
    }

    pub fn group(self) -> Group {
        match self {
            Command::NextPost
            | Command::PrevPost
            | Command::FirstPost
            | Command::LastPost
            | Command::PageDown
            | Command::PageUp
            | Command::NextPane
            | Command::PrevPane
            | Command::ScrollDetailDown
            | Command::ScrollDetailUp
            | Command::NextUnread
            | Command::NextUrgent => Group::Move,
            Command::Reply
            | Command::StartCheckIn
            | Command::LogAction
            | Command::MarkHandled
            | Command::Reopen
            | Command::Dismiss
            | Command::CorrectCategory
            | Command::Undo
            | Command::ScheduleFollowUp
            | Command::CompleteFollowUp
            | Command::FindHandles
            | Command::UnlinkHandle
            | Command::EditNote
            | Command::AlwaysTellMe
            | Command::AssignToMe
            | Command::AssignTo
            | Command::Unassign
            | Command::MarkAllRead => Group::Work,
            Command::OpenDetail
            | Command::CustomerHistory
            | Command::OpenLink
            | Command::CopyLink
            | Command::Close
            | Command::Filter
            | Command::Mine
            | Command::ClearFilter
            | Command::Sources
            | Command::FollowUps
            | Command::Stats
            | Command::Customers
            | Command::Help
            | Command::Suspend
            | Command::Quit => Group::View,
            Command::SendReply
            | Command::CloseComposer
            | Command::InsertTemplate
            | Command::EditReply
            | Command::SavedReplies
            | Command::EditInEditor => Group::Composer,
            Command::InsertReply | Command::ReplaceDraft => Group::Picker,
            Command::Confirm | Command::Cancel => Group::Confirm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_listed_named_and_described() {
        let mut seen = std::collections::HashSet::new();
        for c in Command::ALL {
            assert!(!c.desc().is_empty(), "{c:?} has no desc");
            assert!(!c.name().is_empty(), "{c:?} has no name");
            assert!(seen.insert(c), "{c:?} listed twice");
        }
        // A variant missing from ALL would not be bindable or shown in help.
        assert_eq!(seen.len(), Command::ALL.len());
        let parsed: Command = serde_json::from_str("\"mark_handled\"").unwrap();
        assert_eq!(parsed, Command::MarkHandled);
    }
}
