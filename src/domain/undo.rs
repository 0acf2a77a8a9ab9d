//! Taking back what was done by mistake, and staff correcting the console's triage.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Action, Category, FollowUp, PostId, Triage};

/// How long after an action it can still be undone.
pub const UNDO_FOR: Duration = Duration::minutes(5);

/// Something staff did that can be taken back for a while after: what the store removes or restores.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    /// A logged action (handled, dismissed, an assistance action): deleted, and the post's times it set
    /// (handled, dismissed, first response) put back as they were.
    Action(Action),
    /// A follow-up scheduled: deleted with its `follow_up` action.
    FollowUpScheduled { follow_up: FollowUp, action: Action },
    /// A follow-up done: open again, its `followed_up` action deleted.
    FollowUpCompleted { follow_up: FollowUp, action: Action },
    /// A correction: deleted, the post's category back to what it was before it.
    Correction(Correction),
}

impl Undo {
    /// The post it concerns, if any.
    pub fn post(&self) -> Option<PostId> {
        match self {
            Undo::Action(action)
            | Undo::FollowUpScheduled { action, .. }
            | Undo::FollowUpCompleted { action, .. } => action.post,
            Undo::Correction(c) => Some(c.post),
        }
    }

    /// What was done, in a word or two ("handled", "follow-up scheduled").
    pub fn label(&self) -> String {
        match self {
            Undo::Action(action) => action.kind.label().to_string(),
            Undo::FollowUpScheduled { .. } => "follow-up scheduled".into(),
            Undo::FollowUpCompleted { .. } => "follow-up done".into(),
            Undo::Correction(c) => format!("corrected to {}", c.category.as_str()),
        }
    }

    /// The action it logged (taken out of the Log when undone).
    pub fn action(&self) -> Option<&Action> {
        match self {
            Undo::Action(action)
            | Undo::FollowUpScheduled { action, .. }
            | Undo::FollowUpCompleted { action, .. } => Some(action),
            Undo::Correction(_) => None,
        }
    }
}

/// A staff correction of a post's category, with the triage the post arrived with.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub id: i64,
    pub post: PostId,
    pub category: Category,
    /// The category just before this correction (the triage's, or an earlier correction's).
    pub was: Category,
    /// The triage at ingest, before any correction.
    pub original: Triage,
    pub at: DateTime<Utc>,
    /// Who corrected it (`[me] name`); empty for corrections from before names were kept.
    pub staff: String,
}

/// The categories staff can correct a post to, in the popup's order, with what the popup calls them.
pub const CORRECTIONS: [(Category, &str); 5] = [
    (Category::Neutral, "not a complaint"),
    (Category::Complaint, "is a complaint"),
    (Category::Distress, "distress (a person in trouble)"),
    (Category::Question, "a question"),
    (Category::Praise, "praise"),
];

/// One line of `regulars export corrections`: the post, what staff said it is, and what triage had said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionLine {
    /// `network:native id`: the same post in any shop's database.
    pub id: String,
    pub text: String,
    pub category: Category,
    pub original: OriginalTriage,
    pub at: DateTime<Utc>,
    /// Who corrected it; empty for corrections from before names were kept (and absent in older files).
    #[serde(default)]
    pub staff: String,
}

/// The triage a corrected post arrived with, as `regulars classify` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OriginalTriage {
    pub category: Category,
    pub score: f32,
    pub reasons: Vec<String>,
}

impl CorrectionLine {
    pub fn new(correction: &Correction, post: &super::Post) -> CorrectionLine {
        CorrectionLine {
            id: format!("{}:{}", post.network.as_str(), post.native_id),
            text: post.text.clone(),
            category: correction.category,
            original: OriginalTriage {
                category: correction.original.category,
                score: correction.original.score,
                reasons: correction
                    .original
                    .reasons
                    .iter()
                    .map(|r| r.cue(&post.text))
                    .collect(),
            },
            at: correction.at,
            staff: correction.staff.clone(),
        }
    }
}
