//! What a list pane shows, as a query over the whole store, and how it pages: by key (keyset), never by
//! offset, so the millionth row costs what the first does.

use chrono::{DateTime, Utc};

use super::{Action, CustomerId, Post, PostId, Reply, Search};

/// Which posts a list shows, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    /// Posts by any of the shop's customers, newest first.
    Regulars,
    /// Posts naming the shop, newest first.
    Mentions,
    /// Open (unhandled) complaints and distress, by [`crate::triage::attention_rank`], then newest first.
    Attention,
    /// One customer's posts, newest first.
    Customer(CustomerId),
}

/// A list's rows: a listing narrowed by a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostQuery {
    pub listing: Listing,
    pub search: Search,
}

/// A post's place in its list's order: rows are sorted by `(rank, created_at, id)`, highest first. `rank` is
/// the Attention rank there and 0 in every other list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostKey {
    pub rank: i64,
    pub created_at: DateTime<Utc>,
    pub id: PostId,
}

/// An action's place in the Log: newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionKey {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl ActionKey {
    pub fn of(action: &Action) -> ActionKey {
        ActionKey {
            at: action.at,
            id: action.id,
        }
    }
}

/// Where a page starts, in list order (highest key first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor<K> {
    /// The first rows of the list.
    First,
    /// The last rows of the list.
    Last,
    /// The rows that follow this key.
    After(K),
    /// The rows just before this key (still returned in list order).
    Before(K),
}

/// Rows of a list in list order, with the list's true size when it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: Option<u64>,
}

/// What Detail shows around one post, read from the store: nothing seen before a restart is missing after it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostDetails {
    pub post: Post,
    /// Its stored ancestors, oldest first.
    pub ancestors: Vec<Post>,
    /// Its stored direct replies, oldest first.
    pub replies_below: Vec<Post>,
    /// The post it quotes, when stored.
    pub quoted: Option<Post>,
    /// The shop's replies sent from the console, oldest first.
    pub replies: Vec<Reply>,
    /// The customer's latest other posts, newest first.
    pub customer_posts: Vec<Post>,
    /// The customer's latest actions (any post), newest first.
    pub customer_actions: Vec<Action>,
    /// Staff's latest correction of its category.
    pub correction: Option<super::Correction>,
}

/// A post found in a list, with where it sits in the whole list: the first row of a window opened on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub key: PostKey,
    pub post: super::Post,
    /// Rows of the list before it.
    pub offset: u64,
    /// Rows in the whole list.
    pub total: u64,
}
