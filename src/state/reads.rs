//! What staff have read: each pane's unread count as the store counts it (never a set of ids kept in memory,
//! which would grow with the store), the post being rested on, and the console's place as last saved.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::{AppState, Pane};
use crate::domain::{CustomerId, PostId};

/// A post selected this long counts as read (passing over it does not).
pub const DWELL_MS: i64 = 1_500;

/// How often at most the place is saved while it changes (it is always saved on quit).
pub const SAVE_EVERY_SECS: i64 = 10;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reads {
    /// Unread posts per post pane, under the filter, as last counted.
    pub unread: BTreeMap<Pane, u64>,
    /// Unread posts in any pane, whatever the filter (the status bar's).
    pub total: u64,
    /// The counts are out of date (a post was read, posts arrived, the filter changed).
    pub stale: bool,
    /// A count is on its way.
    pub counting: bool,
    /// The unread post selected, and since when.
    pub dwell: Option<(PostId, DateTime<Utc>)>,
    /// The place as last saved, and when.
    pub saved: Option<(Place, DateTime<Utc>)>,
    /// Panes whose restored selection is still to be found in their first page (or, past it, in the store).
    pub restoring: BTreeSet<Pane>,
}

impl Reads {
    pub fn unread_in(&self, pane: Pane) -> u64 {
        self.unread.get(&pane).copied().unwrap_or(0)
    }

    /// Whether the selected post will count as read at `now`.
    pub fn dwelt(&self, now: DateTime<Utc>) -> Option<PostId> {
        self.dwell
            .filter(|(_, since)| now - *since >= Duration::milliseconds(DWELL_MS))
            .map(|(id, _)| id)
    }
}

/// Where the console was left: the focused pane, each post pane's selection, the filter and the customer whose
/// History was open. Kept in the store as names and values (see [`Place::to_pairs`]), so an older or newer
/// console reads what it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub focus: Option<Pane>,
    pub selected: BTreeMap<Pane, PostId>,
    pub filter: String,
    pub history: Option<CustomerId>,
    /// The Mine filter was on.
    pub mine: bool,
}

impl Place {
    pub fn of(state: &AppState) -> Place {
        Place {
            focus: Some(state.focus),
            selected: state
                .lists
                .iter()
                .filter(|(pane, _)| **pane != Pane::History || state.history.is_some())
                .filter_map(|(pane, list)| list.selected.map(|id| (*pane, id)))
                .collect(),
            filter: state.filter.query.clone(),
            history: state.history,
            mine: state.team.mine,
        }
    }

    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("filter".to_string(), self.filter.clone())];
        out.extend(self.focus.map(|p| ("focus".into(), p.key().into())));
        out.extend(self.history.map(|c| ("history".into(), c.0.to_string())));
        out.extend(self.mine.then(|| ("mine".to_string(), "on".to_string())));
        out.extend(
            self.selected
                .iter()
                .map(|(pane, id)| (format!("selected.{}", pane.key()), id.0.to_string())),
        );
        out
    }

    /// Puts the console back where it was left, before its first pages are read (a selection further down than
    /// the first page is then found in the store and the list opened on it). A saved filter that no longer
    /// parses is dropped.
    pub fn restore(self, state: &mut AppState) {
        if let Some(customer) = self.history {
            state.open_history(customer);
        }
        if let Some(focus) = self.focus {
            state.focus = focus;
        }
        for (pane, id) in &self.selected {
            if let Some(list) = state.lists.get_mut(pane) {
                list.selected = Some(*id);
                state.reads.restoring.insert(*pane);
            }
        }
        state.team.mine = self.mine;
        if let Ok(search) = crate::domain::Search::parse(&self.filter, state.tz) {
            state.filter.query = self.filter.clone();
            state.search = search;
        }
        state.reads.saved = Some((self, state.now));
    }

    /// Reads what [`Place::to_pairs`] wrote; names and values it does not know are left out.
    pub fn from_pairs(pairs: &HashMap<String, String>) -> Place {
        let history = pairs
            .get("history")
            .and_then(|id| id.parse().ok())
            .map(CustomerId);
        let selected = Pane::POSTS
            .into_iter()
            .filter(|pane| *pane != Pane::History || history.is_some())
            .filter_map(|pane| {
                let id = pairs.get(&format!("selected.{}", pane.key()))?;
                Some((pane, PostId(id.parse().ok()?)))
            })
            .collect();
        Place {
            // History without its customer (written by an older console): Regulars stands in.
            focus: pairs.get("focus").and_then(|f| Pane::from_key(f)).map(|p| {
                if p == Pane::History && history.is_none() {
                    Pane::Regulars
                } else {
                    p
                }
            }),
            selected,
            filter: pairs.get("filter").cloned().unwrap_or_default(),
            history,
            mine: pairs.get("mine").is_some_and(|v| v == "on"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_reads_back_what_it_wrote_and_skips_the_unknown() {
        let place = Place {
            focus: Some(Pane::Mentions),
            selected: BTreeMap::from([(Pane::Attention, PostId(7)), (Pane::Mentions, PostId(3))]),
            filter: "cat:comp".into(),
            history: None,
            mine: true,
        };
        let mut pairs: HashMap<_, _> = place.to_pairs().into_iter().collect();
        assert_eq!(Place::from_pairs(&pairs), place);
        pairs.insert("focus".into(), "sideways".into());
        pairs.insert("selected.regulars".into(), "x".into());
        let read = Place::from_pairs(&pairs);
        assert_eq!((read.focus, read.selected.len()), (None, 2));
    }

    #[test]
    fn a_customers_history_comes_back_with_its_selection() {
        let place = Place {
            focus: Some(Pane::History),
            selected: BTreeMap::from([(Pane::History, PostId(12))]),
            filter: String::new(),
            history: Some(CustomerId(4)),
            mine: false,
        };
        let mut pairs: HashMap<_, _> = place.to_pairs().into_iter().collect();
        assert_eq!(Place::from_pairs(&pairs), place);

        let mut state = crate::state::fixture::empty();
        Place::from_pairs(&pairs).restore(&mut state);
        assert_eq!(state.history, Some(CustomerId(4)));
        assert_eq!(state.focus, Pane::History);
        assert_eq!(state.lists[&Pane::History].selected, Some(PostId(12)));

        // Written by a console that did not keep the customer: Regulars stands in, History's row is dropped.
        pairs.remove("history");
        let read = Place::from_pairs(&pairs);
        assert_eq!((read.focus, read.selected.len()), (Some(Pane::Regulars), 0));
    }
}
