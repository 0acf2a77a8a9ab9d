//! What a network remembers of what it delivered: the recent ids per query (for reading past a position without
//! delivering twice) and which parents and quoted posts still need fetching as context.

use crate::domain::IncomingPost;

/// The ids a query delivered lately, oldest first, at most [`Seen::CAP`]: with them a query can read back
/// past its position (an overlap window) and let through only what it has not delivered, so a post dated or
/// numbered before the newest one seen still arrives, once. The store dedupes too; this keeps re-reads cheap.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Seen(std::collections::VecDeque<String>);

impl Seen {
    /// More than any overlap window holds.
    pub const CAP: usize = 500;

    /// Reads a stored set; an unreadable one starts empty (the store's dedupe still holds).
    pub fn parse(raw: Option<&String>) -> Seen {
        raw.and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default()
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "[]".into())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|k| k == id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Remembers `id`, forgetting the oldest past the cap; `false` if it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        if self.contains(id) {
            return false;
        }
        self.0.push_back(id.to_string());
        while self.0.len() > Seen::CAP {
            self.0.pop_front();
        }
        true
    }
}

/// What a page's posts reply to or quote (without the quoted text) that is neither among them nor `known`,
/// at most `cap`: the posts to fetch as context.
pub fn missing_context(
    posts: &[IncomingPost],
    known: impl Fn(&str) -> bool,
    cap: usize,
) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    for p in posts {
        let quoted = p.quotes.iter().filter(|q| q.text.is_none());
        for id in p.in_reply_to.iter().chain(quoted.map(|q| &q.native_id)) {
            let here = posts.iter().any(|o| &o.native_id == id);
            if !here && !known(id) && !wanted.contains(id) && wanted.len() < cap {
                wanted.push(id.clone());
            }
        }
    }
    wanted
}

/// Marks posts fetched as context as such, and gives the posts quoting them the quoted text.
pub fn take_context(posts: &mut [IncomingPost], found: &mut [IncomingPost]) {
    for f in found.iter_mut() {
        f.context = true;
    }
    for p in posts.iter_mut() {
        if let Some(q) = &mut p.quotes
            && q.text.is_none()
        {
            q.text = found
                .iter()
                .find(|f| f.native_id == q.native_id)
                .map(|f| f.text.clone());
        }
    }
}
