//! The list panes in `update`: asking for pages, merging them, moving the selection across what is loaded
//! and beyond it, and placing live posts without reloading.

use std::collections::HashSet;

use crate::app::{Effect, Load, Loaded};
use crate::domain::{Anchor, Post, PostId, PostKey, Search};
use crate::state::{AppState, Pane};

/// The loads the state now needs: a first page for a list not loaded yet, the next page where the selection
/// nears the edge of what is loaded, and Detail's data for the current post. Run after every message.
pub(super) fn wanted_loads(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let mut effects = Vec::new();
    for pane in state.panes() {
        if pane == Pane::Log {
            let due = state.due_follow_ups().count();
            let log = &mut state.log;
            let index = log.selected.saturating_sub(due);
            let anchor = log.window.next_load(index, now);
            if let Some(anchor) = anchor {
                log.window.pending = true;
                effects.push(Effect::Load(Load::Log {
                    generation: log.window.generation,
                    anchor,
                    count: anchor == Anchor::First,
                }));
            }
            continue;
        }
        let Some(query) = state.query(pane) else {
            continue;
        };
        let Some(list) = state.lists.get_mut(&pane) else {
            continue;
        };
        let anchor = list.window.next_load(list.selected_index(), now);
        if let Some(anchor) = anchor {
            list.window.pending = true;
            effects.push(Effect::Load(Load::Posts {
                pane,
                generation: list.window.generation,
                query,
                anchor,
                count: anchor == Anchor::First,
            }));
        }
    }
    effects.extend(super::follow_ups::wanted_load(state));
    let current = state.current_post_id();
    let waiting = state.detail.retry_at.is_some_and(|at| now < at);
    if current != state.detail.wanted && !waiting {
        state.detail.wanted = current;
        if let Some(id) = current {
            effects.push(Effect::Load(Load::Details(id)));
        }
    }
    effects
}

/// Starts every post pane over (the filter changed): new generations, first pages with counts.
pub(super) fn restart_lists(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    state.reads.stale = true;
    for pane in Pane::POSTS {
        let Some(query) = state.query(pane) else {
            continue;
        };
        if let Some(list) = state.lists.get_mut(&pane) {
            let generation = list.window.restart();
            effects.push(Effect::Load(Load::Posts {
                pane,
                generation,
                query,
                anchor: Anchor::First,
                count: true,
            }));
        }
    }
    effects
}

/// Applies a new filter query: parsed, then every list reloads. A query that does not parse leaves the lists
/// as they are and says why.
pub(super) fn apply_filter(state: &mut AppState, query: String) -> Vec<Effect> {
    if query == state.filter.query {
        return vec![];
    }
    match Search::parse(&query, state.tz) {
        Ok(search) => {
            state.filter.query = query;
            state.search = search;
            restart_lists(state)
        }
        Err(e) => {
            state.flash(e.to_string());
            vec![]
        }
    }
}

/// What the store sent back, merged into the state.
pub(super) fn loaded(state: &mut AppState, loaded: Loaded) -> Vec<Effect> {
    match loaded {
        Loaded::Posts {
            pane,
            generation,
            anchor,
            page,
        } => return posts_loaded(state, pane, generation, anchor, page),
        Loaded::Log {
            generation,
            anchor,
            page,
        } => {
            // The rows stay shown until the new ones arrive: what was selected among them.
            let picked = state.selected_log_row().map(|r| r.pick());
            let log = &mut state.log;
            if generation != log.window.generation {
                return vec![];
            }
            let Some(prepended) = log.window.merge(anchor, page) else {
                return vec![];
            };
            let due = state.due_follow_ups().count();
            let log = &mut state.log;
            match anchor {
                // Started over (another console's change): the same action where it is still there.
                Anchor::First => state.reselect_log(picked),
                Anchor::Last => log.selected = due + log.window.rows.len().saturating_sub(1),
                _ => log.selected += prepended,
            }
        }
        Loaded::Details { post, details } => {
            if state.detail.wanted != Some(post) {
                return vec![];
            }
            state.detail.retry_at = None;
            if let Some(d) = &details {
                state.replies.insert(post, d.replies.clone());
            }
            state.detail.loaded = details.map(|d| *d);
        }
        Loaded::FollowUps(rows) => super::follow_ups::loaded(state, rows),
        Loaded::Stats(report) => super::stats::loaded(state, *report),
        counts @ Loaded::Unread { .. } => super::reads::counted(state, counts),
        Loaded::Found { jump, found } => super::reads::found(state, jump, found),
        Loaded::Relocated { pane, found } => super::reads::relocated(state, pane, found),
    }
    vec![]
}

/// A page of a post pane came back: merged into its window; a restored selection past the first page is asked
/// for where it sits.
fn posts_loaded(
    state: &mut AppState,
    pane: Pane,
    generation: u64,
    anchor: Anchor<PostKey>,
    page: crate::domain::Page<(PostKey, Post)>,
) -> Vec<Effect> {
    // Asked once, with the first page: later pages never move the selection.
    let restore = (anchor == Anchor::First && state.reads.restoring.remove(&pane))
        .then(|| state.query(pane))
        .flatten();
    let Some(list) = state.lists.get_mut(&pane) else {
        return vec![];
    };
    if generation != list.window.generation {
        return vec![];
    }
    let unfiltered_attention = pane == Pane::Attention && state.search.is_empty();
    if let (true, Some(total)) = (unfiltered_attention, page.total) {
        state.open_attention = usize::try_from(total).unwrap_or(usize::MAX);
    }
    let (keys, posts): (Vec<_>, Vec<_>) = page.rows.into_iter().unzip();
    let rows = crate::domain::Page {
        rows: keys,
        total: page.total,
    };
    if list.window.merge(anchor, rows).is_none() {
        return vec![];
    }
    list.window.trim(list.selected_index());
    let ids: HashSet<PostId> = list.ids().collect();
    let mut effects = Vec::new();
    match anchor {
        Anchor::First if !list.selected.is_some_and(|s| ids.contains(&s)) => {
            // A restored selection further down: the top for now, the post once the store finds it.
            if let (Some(post), Some(query)) = (list.selected, restore) {
                effects.push(Effect::Load(Load::Locate { pane, query, post }));
            }
            list.selected = list.window.rows.first().map(|k| k.id);
        }
        Anchor::Last => list.selected = list.window.rows.last().map(|k| k.id),
        _ => {}
    }
    state.posts.insert(posts);
    prune(state);
    effects
}

/// A read failed: the list (or Detail) asks again a little later; the status bar says why.
pub(super) fn load_failed(state: &mut AppState, load: Load, error: &str) {
    let now = state.now;
    let what = match &load {
        Load::Posts {
            pane, generation, ..
        } => {
            if let Some(list) = state.lists.get_mut(pane)
                && list.window.generation == *generation
            {
                list.window.failed(now);
            }
            pane.title()
        }
        Load::Log { generation, .. } => {
            if state.log.window.generation == *generation {
                state.log.window.failed(now);
            }
            "the Log"
        }
        Load::Details(post) => {
            if state.detail.wanted == Some(*post) {
                state.detail.wanted = None;
                state.detail.loaded = None;
                state.detail.retry_at = Some(now + chrono::Duration::seconds(5));
            }
            "Detail"
        }
        Load::FollowUps => {
            super::follow_ups::load_failed(state);
            "the Follow-ups"
        }
        Load::Stats { .. } => {
            super::stats::load_failed(state);
            "the Stats"
        }
        // Counted again at the next change.
        Load::Unread { .. } => {
            state.reads.counting = false;
            "the unread counts"
        }
        Load::NextUnread { .. } => "the next unread post",
        Load::Locate { .. } => "the post you left selected",
    };
    state.flash(format!("reading {what} failed: {error} (trying again)"));
}

/// Drops the posts nothing shows any more.
fn prune(state: &mut AppState) {
    let mut keep: HashSet<PostId> = state.lists.values().flat_map(|l| l.ids()).collect();
    keep.extend(state.composer.as_ref().map(|c| c.post));
    keep.extend(state.detail.wanted);
    keep.extend(state.popup.as_ref().and_then(|p| p.post()));
    keep.extend(super::follow_ups::shown_posts(state));
    keep.extend(super::checkin::shown_posts(state));
    state.posts.retain(&keep);
}

/// Moves the selection of the focused list by `delta` rows, within what is loaded; the next page is asked for
/// by [`wanted_loads`] as the selection nears the edge.
pub(super) fn move_selection(state: &mut AppState, delta: isize) {
    if state.focus == Pane::Log {
        let last = state.log_rows().len().saturating_sub(1) as isize;
        let log = &mut state.log;
        log.selected = (log.selected as isize).saturating_add(delta).clamp(0, last) as usize;
        return;
    }
    let Some(list) = state.lists.get_mut(&state.focus) else {
        return;
    };
    let last = list.window.rows.len() as isize - 1;
    if last >= 0 {
        let at = (list.selected_index() as isize)
            .saturating_add(delta)
            .clamp(0, last);
        list.selected = Some(list.window.rows[at as usize].id);
    }
}

/// `g`/`G`: the first or last row of the focused list's whole query; when that end is not loaded, its page
/// is asked for (and selected when it comes).
pub(super) fn jump(state: &mut AppState, to_end: bool) -> Vec<Effect> {
    // Whether the end asked for is among the loaded rows.
    let loaded = |(start, end): (bool, bool)| if to_end { end } else { start };
    let pane = state.focus;
    let ends = match state.list(pane) {
        Some(l) => (l.window.has_start(), l.window.has_end()),
        None if pane == Pane::Log => (state.log.window.has_start(), state.log.window.has_end()),
        None => return vec![],
    };
    if loaded(ends) {
        move_selection(state, if to_end { isize::MAX } else { isize::MIN });
        return vec![];
    }
    if pane == Pane::Log {
        if !to_end {
            state.log.selected = 0;
        }
        let generation = state.log.window.restart();
        return vec![Effect::Load(Load::Log {
            generation,
            anchor: if to_end { Anchor::Last } else { Anchor::First },
            count: true,
        })];
    }
    let (Some(query), Some(list)) = (state.query(pane), state.lists.get_mut(&pane)) else {
        return vec![];
    };
    let generation = list.window.restart();
    vec![Effect::Load(Load::Posts {
        pane,
        generation,
        query,
        anchor: if to_end { Anchor::Last } else { Anchor::First },
        count: true,
    })]
}

/// Pins each post pane's selection to the post it shows, so arrivals above it never move it.
pub(super) fn pin_selections(state: &mut AppState) {
    for list in state.lists.values_mut() {
        if list.selected.is_none() {
            list.selected = list.window.rows.first().map(|k| k.id);
        }
    }
}

/// Places live posts in the panes whose queries they belong to. Returns how many are open Attention items.
pub(super) fn place_live(state: &mut AppState, posts: Vec<Post>) {
    pin_selections(state);
    let answered = state.posts.insert(posts.iter().cloned());
    for post in &posts {
        if post.in_attention() {
            state.open_attention += 1;
        }
        for pane in Pane::POSTS {
            let Some(key) = state.key_in(pane, post) else {
                continue;
            };
            if let Some(list) = state.lists.get_mut(&pane).filter(|l| l.window.loaded)
                && !list.window.rows.iter().any(|k| k.id == post.id)
            {
                list.window.place(key);
                list.window.trim(list.selected_index());
            }
        }
    }
    for id in answered {
        reposition(state, id);
    }
    prune(state);
}

/// After a post changed (handled, answered, reopened, corrected): takes it out of the lists it left, moves it
/// where its key changed (its Attention rank drops once answered), and places it in the loaded lists it joined.
pub(super) fn reposition(state: &mut AppState, id: PostId) {
    let Some(post) = state.posts.get(id).cloned() else {
        return;
    };
    for pane in Pane::POSTS {
        let key = state.key_in(pane, &post);
        let Some(list) = state.lists.get_mut(&pane) else {
            continue;
        };
        let Some(i) = list.window.rows.iter().position(|k| k.id == id) else {
            if let Some(key) = key.filter(|_| list.window.loaded) {
                list.window.place(key);
                list.window.trim(list.selected_index());
            }
            continue;
        };
        if key == Some(list.window.rows[i]) {
            continue;
        }
        list.window.remove(|k| k.id == id);
        if let Some(key) = key {
            list.window.place(key);
        }
    }
}

/// Before a post leaves the focused Attention list (handled), selects the one after it, so working down the
/// queue goes on where it was.
pub(super) fn advance_past(state: &mut AppState, id: PostId) {
    if state.focus != Pane::Attention || state.current_post_id() != Some(id) {
        return;
    }
    let Some(list) = state.lists.get_mut(&Pane::Attention) else {
        return;
    };
    let at = list.selected_index();
    let next = list
        .window
        .rows
        .get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|i| list.window.rows.get(i)));
    list.selected = next.map(|k| k.id);
}
