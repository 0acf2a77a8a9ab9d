//! The list panes' windows onto the store: each holds the rows loaded so far (a contiguous part of its query's
//! whole result), where they sit in it and the true size of the whole. Pages are asked for by key
//! (`Effect::Load`) and merged when they come back (`Msg::Loaded`); a live post is placed by its key.

use chrono::{DateTime, Utc};

use crate::domain::{Action, ActionKey, Anchor, Page, PostId, PostKey};

/// Rows asked for per page.
pub const PAGE: usize = 100;
/// A page is asked for when the selection comes this close to an edge of what is loaded.
const MARGIN: usize = 25;
/// Rows a window holds at most (live posts and scrolling add to it; the far end is let go).
const MAX_ROWS: usize = 4 * PAGE;
/// After a failed read, the next one waits this long.
const RETRY_SECS: i64 = 5;

/// A row with a place in its list's order (highest key first).
pub trait Keyed {
    type Key: Ord + Copy + std::fmt::Debug;
    fn key(&self) -> Self::Key;
}

impl Keyed for PostKey {
    type Key = PostKey;
    fn key(&self) -> PostKey {
        *self
    }
}

impl Keyed for Action {
    type Key = ActionKey;
    fn key(&self) -> ActionKey {
        ActionKey::of(self)
    }
}

/// A contiguous part of a list: `rows` are rows `offset..offset + rows.len()` of `total`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window<T: Keyed> {
    pub rows: Vec<T>,
    pub offset: usize,
    pub total: usize,
    /// Bumped when the query changes: answers to older requests are dropped.
    pub generation: u64,
    /// A page is on its way (never ask twice).
    pub pending: bool,
    /// The first page has arrived.
    pub loaded: bool,
    /// A read failed: none is asked for again before then.
    pub retry_at: Option<DateTime<Utc>>,
}

impl<T: Keyed> Default for Window<T> {
    fn default() -> Self {
        Window {
            rows: Vec::new(),
            offset: 0,
            total: 0,
            generation: 0,
            pending: false,
            loaded: false,
            retry_at: None,
        }
    }
}

impl<T: Keyed> Window<T> {
    /// The page to ask for now, `index` being the selected row: the first one if none came yet, else as
    /// [`Window::wants`]; nothing while one is on its way or a failed read waits for `retry_at`.
    pub fn next_load(&self, index: usize, now: DateTime<Utc>) -> Option<Anchor<T::Key>> {
        if self.pending || self.retry_at.is_some_and(|at| now < at) {
            return None;
        }
        if !self.loaded {
            return Some(Anchor::First);
        }
        self.wants(index)
    }

    /// A read failed: try again in a few seconds (the store may be busy, or its disk full).
    pub fn failed(&mut self, now: DateTime<Utc>) {
        self.pending = false;
        self.retry_at = Some(now + chrono::Duration::seconds(RETRY_SECS));
    }

    /// Forgets the rows for a new query; the caller asks for its first page.
    pub fn restart(&mut self) -> u64 {
        self.generation += 1;
        self.pending = true;
        self.generation
    }

    /// Starts the list over on one row found in the store, at `offset` of `total`: the pages around it follow
    /// (see [`Window::wants`]).
    pub fn open_at(&mut self, row: T, offset: usize, total: usize) {
        self.generation += 1;
        self.rows = vec![row];
        self.offset = offset;
        self.total = total.max(offset + 1);
        self.pending = false;
        self.loaded = true;
        self.retry_at = None;
    }

    /// Whether the whole list is loaded up to its end / from its start.
    pub fn has_end(&self) -> bool {
        self.offset + self.rows.len() >= self.total
    }

    pub fn has_start(&self) -> bool {
        self.offset == 0
    }

    /// Merges a page asked for from `anchor`. Returns the number of rows put in front of the old ones (to keep
    /// a selection by index where one is kept so), or `None` when the answer no longer fits (stale) and was
    /// dropped.
    pub fn merge(&mut self, anchor: Anchor<T::Key>, page: Page<T>) -> Option<usize> {
        self.pending = false;
        self.retry_at = None;
        let got = page.rows.len();
        let total = page.total.map(|t| usize::try_from(t).unwrap_or(usize::MAX));
        let prepended = match anchor {
            Anchor::First => {
                self.rows = page.rows;
                self.offset = 0;
                self.total = total.unwrap_or(self.total).max(got);
                0
            }
            Anchor::Last => {
                self.rows = page.rows;
                self.total = total.unwrap_or(self.total).max(got);
                self.offset = self.total - got;
                0
            }
            Anchor::After(key) => {
                if self.rows.last().map(Keyed::key) != Some(key) {
                    return None;
                }
                self.rows.extend(page.rows);
                if got < PAGE {
                    // The end of the list: whatever the count said, this is its size now.
                    self.total = self.offset + self.rows.len();
                }
                0
            }
            Anchor::Before(key) => {
                if self.rows.first().map(Keyed::key) != Some(key) {
                    return None;
                }
                let mut rows = page.rows;
                rows.append(&mut self.rows);
                self.rows = rows;
                self.offset = if got < PAGE {
                    0
                } else {
                    self.offset.saturating_sub(got)
                };
                self.total = self.total.max(self.offset + self.rows.len());
                got
            }
        };
        self.loaded = true;
        Some(prepended)
    }

    /// The page to ask for when the row at `index` (in `rows`) is selected: more after it near the end of what
    /// is loaded, more before it near the start.
    fn wants(&self, index: usize) -> Option<Anchor<T::Key>> {
        if self.pending || !self.loaded {
            return None;
        }
        if index + MARGIN >= self.rows.len() && !self.has_end() {
            return self.rows.last().map(|r| Anchor::After(r.key()));
        }
        if index < MARGIN && !self.has_start() {
            return self.rows.first().map(|r| Anchor::Before(r.key()));
        }
        None
    }

    /// Places a new row by its key: inside what is loaded, or counted before or after it. Returns whether it
    /// was put among the loaded rows.
    pub fn place(&mut self, row: T) -> bool {
        let key = row.key();
        self.total += 1;
        // Rows are in descending key order: the new row goes before the first row whose key is lower.
        let at = self.rows.iter().position(|r| r.key() < key);
        match at {
            Some(0) if !self.has_start() => {
                self.offset += 1;
                false
            }
            Some(i) => {
                self.rows.insert(i, row);
                true
            }
            None if self.offset + self.rows.len() + 1 >= self.total => {
                self.rows.push(row);
                true
            }
            None => false,
        }
    }

    /// Keeps at most [`MAX_ROWS`] rows, letting go of the end farther from row `around` (the selection).
    /// Returns how many rows went from the front (to shift an index-kept selection).
    pub fn trim(&mut self, around: usize) -> usize {
        if self.rows.len() <= MAX_ROWS {
            return 0;
        }
        let keep = MAX_ROWS - PAGE;
        if around < self.rows.len() / 2 {
            self.rows.truncate(keep.max(around + PAGE));
            0
        } else {
            let front = (self.rows.len() - keep).min(around.saturating_sub(PAGE));
            self.rows.drain(..front);
            self.offset += front;
            front
        }
    }

    /// Takes a row out of the list (it no longer belongs there); `true` when it was among the loaded rows.
    pub fn remove(&mut self, matches: impl Fn(&T) -> bool) -> Option<T> {
        let i = self.rows.iter().position(matches)?;
        self.total = self.total.saturating_sub(1);
        Some(self.rows.remove(i))
    }
}

/// A post pane: its window of keys and its selection, by post id so arrivals never move it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostList {
    pub window: Window<PostKey>,
    pub selected: Option<PostId>,
}

impl PostList {
    /// Index (in the loaded rows) of the selected post: 0 when nothing or a vanished post was selected.
    pub fn selected_index(&self) -> usize {
        self.selected
            .and_then(|id| self.window.rows.iter().position(|k| k.id == id))
            .unwrap_or(0)
    }

    pub fn ids(&self) -> impl Iterator<Item = PostId> + '_ {
        self.window.rows.iter().map(|k| k.id)
    }
}

/// The Log: due follow-ups (all in memory) above a window of actions; the selection is an index into both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogList {
    pub window: Window<Action>,
    pub selected: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn key(id: i64) -> PostKey {
        PostKey {
            rank: 0,
            created_at: Utc.timestamp_opt(id * 60, 0).unwrap(),
            id: PostId(id),
        }
    }

    /// Keys from `from` down to `to`, newest (highest) first.
    fn keys(from: i64, to: i64) -> Vec<PostKey> {
        (to..=from).rev().map(key).collect()
    }

    fn page(rows: Vec<PostKey>, total: Option<u64>) -> Page<PostKey> {
        Page { rows, total }
    }

    #[test]
    fn pages_join_at_their_keys_and_the_ends_are_known() {
        let mut w = Window::<PostKey>::default();
        w.restart();
        assert_eq!(
            w.merge(Anchor::First, page(keys(1000, 901), Some(1000))),
            Some(0)
        );
        assert_eq!((w.offset, w.rows.len(), w.total), (0, 100, 1000));
        assert_eq!(w.wants(10), None, "far from the end");
        assert_eq!(w.wants(80), Some(Anchor::After(key(901))));
        w.pending = true;
        assert_eq!(w.wants(80), None, "asked already");
        assert_eq!(
            w.merge(Anchor::After(key(901)), page(keys(900, 801), None)),
            Some(0)
        );
        assert_eq!((w.offset, w.rows.len()), (0, 200));
        // A stale answer (for a key that is no longer the last) is dropped.
        assert_eq!(
            w.merge(Anchor::After(key(901)), page(keys(900, 801), None)),
            None
        );
        // The last page, then scrolling back up from it.
        assert_eq!(
            w.merge(Anchor::Last, page(keys(100, 1), Some(1000))),
            Some(0)
        );
        assert_eq!((w.offset, w.total), (900, 1000));
        assert!(w.has_end() && !w.has_start());
        assert_eq!(w.wants(3), Some(Anchor::Before(key(100))));
        assert_eq!(
            w.merge(Anchor::Before(key(100)), page(keys(200, 101), None)),
            Some(100)
        );
        assert_eq!((w.offset, w.rows.len(), w.rows[0]), (800, 200, key(200)));
    }

    #[test]
    fn a_short_page_is_the_end_of_the_list() {
        let mut w = Window::<PostKey>::default();
        w.merge(Anchor::First, page(keys(300, 201), Some(500)));
        w.merge(Anchor::After(key(201)), page(keys(200, 191), None));
        assert_eq!(w.total, 110, "fewer rows than asked: the list ends there");
        assert!(w.has_end());
    }

    #[test]
    fn a_long_window_lets_go_of_the_end_away_from_the_selection() {
        let mut w = Window::<PostKey>::default();
        w.merge(Anchor::First, page(keys(1000, 501), Some(1000)));
        assert_eq!(w.trim(10), 0);
        assert_eq!((w.offset, w.rows.len()), (0, MAX_ROWS - PAGE));
        assert!(!w.has_end());
        let mut w = Window::<PostKey>::default();
        w.merge(Anchor::First, page(keys(1000, 501), Some(1000)));
        let front = w.trim(480);
        assert_eq!((front, w.offset), (200, 200));
        assert_eq!(
            w.rows[480 - front],
            key(1000 - 480),
            "the selected row is kept"
        );
        assert!(!w.has_start() && w.rows.len() == 300);
    }

    #[test]
    fn live_rows_go_in_place_or_are_counted_outside() {
        let mut w = Window::<PostKey>::default();
        w.merge(Anchor::First, page(keys(10, 1), Some(10)));
        assert!(w.place(key(20)), "newest goes on top");
        assert_eq!((w.rows[0], w.total), (key(20), 11));
        // A window further down: a newer row is counted above it.
        w.merge(Anchor::Last, page(keys(5, 1), Some(11)));
        assert_eq!(w.offset, 6);
        assert!(!w.place(key(30)));
        assert_eq!((w.offset, w.total, w.rows.len()), (7, 12, 5));
        let mid = PostKey {
            created_at: key(3).created_at + chrono::Duration::seconds(1),
            ..key(99)
        };
        assert!(w.place(mid));
        assert_eq!(w.rows[2], mid);
        assert_eq!(w.remove(|k| k.id == PostId(99)), Some(mid));
        assert_eq!(w.total, 12);
    }
}
