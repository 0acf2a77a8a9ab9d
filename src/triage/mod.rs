//! Triage: what kind of post this is, how sure we are, and why.
//!
//! [`Classifier`] turns a post's text into a [`Triage`]: a category, a calibrated 0..1 score (how likely the post
//! is a complaint or distress) and the cues that fired, each pointing at the words of the post. The lexicon is
//! data (`assets/triage/<lang>.toml`, embedded), patched by the shop's [`Tuning`]. [`urgency`] orders the
//! Attention queue, [`coach`] checks replies, [`classify_jsonl`] is `regulars classify`.

mod bytes;
pub mod coach;
mod jsonl;
mod lexer;
mod lexicon;
mod quotes;
mod rating;
mod scan;
mod tone;
mod tuning;
mod urgency;

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub use jsonl::{Stats, classify_jsonl};
pub use rating::{stars, with_rating};
pub use scan::CRISIS_LABEL;
pub use tuning::{Classifier, CueTuning, TriageError, Tuning};
pub use urgency::{UrgencyInputs, attention_rank, urgency};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Complaint,
    Distress,
    Question,
    Praise,
    Neutral,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Complaint,
        Category::Distress,
        Category::Question,
        Category::Praise,
        Category::Neutral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Complaint => "complaint",
            Category::Distress => "distress",
            Category::Question => "question",
            Category::Praise => "praise",
            Category::Neutral => "neutral",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Complaints and distress go to the Attention queue.
    pub fn needs_attention(self) -> bool {
        matches!(self, Category::Complaint | Category::Distress)
    }

    /// Whether a post of this category is queued in Attention: every complaint and distress, and a question
    /// put to the shop (ranked below them all by [`attention_rank`]). A question among strangers is not the
    /// shop's to answer.
    pub fn in_attention(self, addressed_to_shop: bool) -> bool {
        self.needs_attention() || (self == Category::Question && addressed_to_shop)
    }
}

/// A cue that fired, pointing at real words of the post: `text[start..end]` (byte offsets).
///
/// The label is interned ([`intern_label`]) and the words stay in the post, so a reason is three plain words:
/// classifying allocates nothing per reason and copies no reference counts. [`Reason::cue`] puts the two
/// together where staff read them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// What fired, e.g. `"still waiting"`, `"time elapsed"`. (Rows stored before labels and words were kept
    /// apart have the whole cue here.)
    pub label: &'static str,
    pub start: usize,
    pub end: usize,
}

#[derive(Deserialize)]
struct StoredReason {
    #[serde(alias = "cue")]
    label: String,
    start: usize,
    end: usize,
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        let r = StoredReason::deserialize(d)?;
        Ok(Reason::new(&r.label, r.start, r.end))
    }
}

/// The one copy of a reason label. Labels are few (the language files' and the shop's), so each distinct one
/// is kept for the life of the program. (Rows stored before labels and words were kept apart add one per
/// distinct old cue when read: a bounded set, read again from the same copies.)
pub fn intern_label(label: &str) -> &'static str {
    static LABELS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut set = LABELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match set.get(label) {
        Some(l) => l,
        None => {
            let l: &'static str = Box::leak(label.into());
            set.insert(l);
            l
        }
    }
}

impl Reason {
    pub fn new(label: &str, start: usize, end: usize) -> Reason {
        Reason {
            label: intern_label(label),
            start,
            end,
        }
    }

    /// The words of `text` this reason points at ("" if the span does not fit the text).
    pub fn words<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The cue as staff read it: `"time elapsed: 3 weeks"`.
    pub fn cue(&self, text: &str) -> String {
        match self.words(text) {
            "" => self.label.to_string(),
            words => format!("{}: {words}", self.label),
        }
    }
}

/// What ingest knows of a post beyond its words: whether it addresses or names the shop. Text alone
/// (`regulars classify`, the evaluation) is [`ShopContext::Unknown`] and is read from its words only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShopContext {
    #[default]
    Unknown,
    /// The post addresses the shop or names it (handle, name, hashtag).
    Mentioned,
    /// Neither: a post from a customer's own timeline, about their life unless its words name a business.
    NotMentioned,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    pub category: Category,
    /// 0..1: how likely the post is a complaint or distress.
    pub score: f32,
    pub reasons: Vec<Reason>,
}

impl Triage {
    /// A person in crisis (self-harm, danger): always tops the Attention queue.
    pub fn is_crisis(&self) -> bool {
        self.category == Category::Distress && self.reasons.iter().any(|r| r.label == CRISIS_LABEL)
    }

    /// `"complaint"` output of `regulars classify`: complaints and distress alike.
    pub fn is_complaint(&self) -> bool {
        self.category.needs_attention()
    }

    pub fn neutral() -> Triage {
        Triage {
            category: Category::Neutral,
            score: 0.0,
            reasons: Vec::new(),
        }
    }
}

#[cfg(test)]
mod cause_tests;
#[cfg(test)]
mod tests;
