//! A team on one workspace: who is at the keyboard, and who holds the claim on a post being answered.

use chrono::{DateTime, Utc};

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
