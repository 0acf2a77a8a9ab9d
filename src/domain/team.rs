//! A team on one workspace: who is at the keyboard, and who holds the claim on a post being answered.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::PostId;

/// The answer to taking the claim on a post before sending a reply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This sender holds the claim: the reply may go out.
    Granted,
    /// Someone else claimed or answered the post first: nothing was written.
    Taken(Taken),
}

/// Who got to a post first, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Their `[me] name`.
    pub by: String,
    pub at: DateTime<Utc>,
    /// They already replied (not only started sending).
    pub replied: bool,
}

/// What a teammate is doing with a post, as their console's heartbeat says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doing {
    /// Detail shows it.
    Viewing,
    /// The composer is open on it.
    Replying,
}

impl Doing {
    pub fn as_str(self) -> &'static str {
        match self {
            Doing::Viewing => "viewing",
            Doing::Replying => "replying",
        }
    }

    pub fn parse(s: &str) -> Option<Doing> {
        [Doing::Viewing, Doing::Replying]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A console's heartbeat: every [`HEARTBEAT`] while it shows a post; older than [`PRESENCE_FOR`], it is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub staff: String,
    pub post: PostId,
    pub doing: Doing,
    pub at: DateTime<Utc>,
}

/// How often a console says what it is doing.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a heartbeat counts (three missed beats: the console quit, crashed or lost its link).
pub const PRESENCE_FOR: chrono::Duration = chrono::Duration::seconds(30);
/// Round-robin hands new urgent posts to those who showed a post within this long.
pub const PRESENT_FOR_ROUND_ROBIN: chrono::Duration = chrono::Duration::seconds(60);

/// Who has which open post, and what teammates are doing: read together, for the rows and Detail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamView {
    /// The assignee of each open post that has one.
    pub assignees: HashMap<PostId, String>,
    /// Teammates' live heartbeats (never this console's own person), newest first.
    pub present: Vec<Presence>,
}

impl TeamView {
    /// What others are doing with `post`, "replying" before "viewing", one entry per person.
    pub fn on(&self, post: PostId) -> Vec<&Presence> {
        let mut on: Vec<&Presence> = self.present.iter().filter(|p| p.post == post).collect();
        on.sort_by_key(|p| (p.doing != Doing::Replying, p.staff.clone()));
        on.dedup_by(|a, b| a.staff == b.staff);
        on
    }
}
