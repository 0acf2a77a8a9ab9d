//! Read state in `update`: a post is read once opened or rested on for a moment, counts come from the store,
//! a pane is marked read after a yes, `n` and `!` find the next unread post in the store wherever it is, and
//! the console's place is saved as it changes (on the clock) and on quit.

use chrono::Duration;

use crate::app::{Effect, Jump, Load, Loaded};
use crate::domain::{Located, PostId};
use crate::state::reads::{Place, SAVE_EVERY_SECS};
use crate::state::{AppState, Pane, Popup, View};

/// After every message: follows the selection (a new unread post starts its moment) and asks for the counts
/// when they are out of date.
pub(super) fn follow(state: &mut AppState) -> Vec<Effect> {
    let current = state
        .current_post()
        .filter(|p| p.read_at.is_none())
        .map(|p| p.id);
    if current != state.reads.dwell.map(|(id, _)| id) {
        state.reads.dwell = current.map(|id| (id, state.now));
    }
    if !state.reads.stale || state.reads.counting {
        return vec![];
    }
    state.reads.stale = false;
    state.reads.counting = true;
    let panes = Pane::POSTS
        .into_iter()
        .filter_map(|pane| Some((pane, state.query(pane)?)))
        .collect();
    let listings = [Pane::Regulars, Pane::Mentions, Pane::Attention]
        .into_iter()
        .filter_map(|pane| state.listing(pane))
        .collect();
    vec![Effect::Load(Load::Unread { panes, listings })]
}

/// On the clock: the post rested on long enough is read; the place is saved when it changed (at most every
/// [`SAVE_EVERY_SECS`]).
pub(super) fn tick(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(id) = state.reads.dwelt(state.now) {
        effects.extend(mark_read(state, id));
    }
    let due = state
        .reads
        .saved
        .as_ref()
        .is_none_or(|(_, at)| state.now - *at >= Duration::seconds(SAVE_EVERY_SECS));
    if due {
        effects.extend(save_place(state));
    }
    effects
}

/// Saves the place if it differs from what was saved last.
pub(super) fn save_place(state: &mut AppState) -> Option<Effect> {
    let place = Place::of(state);
    if state.reads.saved.as_ref().is_some_and(|(p, _)| *p == place) {
        return None;
    }
    let values = place.to_pairs();
    state.reads.saved = Some((place, state.now));
    Some(Effect::SavePlace {
        values,
        at: state.now,
    })
}

/// Marks one post read, here at once and in the store.
pub(super) fn mark_read(state: &mut AppState, id: PostId) -> Option<Effect> {
    state.reads.dwell = None;
    let now = state.now;
    let mut changed = false;
    if let Some(post) = state.posts.get_mut(id).filter(|p| p.read_at.is_none()) {
        post.read_at = Some(now);
        changed = true;
    }
    if let Some(d) = state.detail.loaded.as_mut().filter(|d| d.post.id == id) {
        changed |= d.post.read_at.is_none();
        d.post.read_at.get_or_insert(now);
    }
    changed.then_some(Effect::MarkRead {
        posts: vec![id],
        at: now,
    })
}

/// Enter: the current post is read now.
pub(super) fn opened(state: &mut AppState) -> Vec<Effect> {
    match state.current_post_id() {
        Some(id) => mark_read(state, id).into_iter().collect(),
        None => vec![],
    }
}

/// `M`: asks before marking the focused pane's unread posts read.
pub(super) fn ask_mark_all_read(state: &mut AppState) -> Vec<Effect> {
    let pane = state.focus;
    if !pane.shows_posts() || state.follow_ups_open() || state.view != View::Panes {
        state.flash("mark read works on a pane of posts");
        return vec![];
    }
    match state.reads.unread_in(pane) {
        0 => state.flash(format!("nothing unread in {}", pane.title())),
        count => state.popup = Some(Popup::ConfirmMarkAllRead { pane, count }),
    }
    vec![]
}

/// After a yes: the pane's loaded posts read at once, the whole query in the store.
pub(super) fn mark_all_read(state: &mut AppState, pane: Pane) -> Vec<Effect> {
    let Some(query) = state.query(pane) else {
        return vec![];
    };
    let now = state.now;
    let ids: Vec<PostId> = state
        .list(pane)
        .map(|l| l.ids().collect())
        .unwrap_or_default();
    for id in ids {
        if let Some(post) = state.posts.get_mut(id) {
            post.read_at.get_or_insert(now);
        }
    }
    state.reads.dwell = None;
    vec![Effect::MarkAllRead {
        pane,
        query,
        at: now,
    }]
}

pub(super) fn all_read_marked(state: &mut AppState, pane: Pane, count: u64) {
    let posts = if count == 1 { "post" } else { "posts" };
    state.flash(format!(
        "{} {posts} in {} marked read",
        crate::text::thousands(count),
        pane.title()
    ));
    state.reads.stale = true;
}

/// `n` / `!`: asks the store for the next unread post: after the selection in the focused pane, then in the
/// other panes from their tops, then the focused pane from its top (`n`); the most urgent unread Attention
/// item (`!`).
pub(super) fn find_next(state: &mut AppState, jump: Jump) -> Vec<Effect> {
    let panes: Vec<Pane> = match jump {
        Jump::Urgent => vec![Pane::Attention],
        Jump::Unread => {
            let all = state.panes();
            let at = all.iter().position(|p| *p == state.focus).unwrap_or(0);
            (0..all.len())
                .map(|i| all[(at + i) % all.len()])
                .filter(|p| p.shows_posts())
                .collect()
        }
    };
    let mut tries = Vec::new();
    for pane in &panes {
        let Some(query) = state.query(*pane) else {
            continue;
        };
        let after = (*pane == state.focus && jump == Jump::Unread)
            .then(|| state.list(*pane))
            .flatten()
            .and_then(|l| {
                l.selected
                    .and_then(|id| l.window.rows.iter().find(|k| k.id == id))
            })
            .copied();
        if after.is_some() {
            // The focused pane after the selection first, and again from its top at the end.
            tries.push((*pane, query.clone(), after));
            tries.extend(
                panes[1..]
                    .iter()
                    .filter_map(|p| Some((*p, state.query(*p)?, None))),
            );
            tries.push((*pane, query, None));
            break;
        }
        tries.push((*pane, query, None));
    }
    if tries.is_empty() {
        return vec![];
    }
    vec![Effect::Load(Load::NextUnread { jump, tries })]
}

/// The store's answer: focus the pane and select the post.
pub(super) fn found(state: &mut AppState, jump: Jump, found: Option<(Pane, Box<Located>)>) {
    let Some((pane, located)) = found else {
        match jump {
            Jump::Unread => state.flash("nothing unread"),
            Jump::Urgent => {
                state.flash("no unread urgent post: the Attention queue's top");
                focus(state, Pane::Attention);
                if let Some(list) = state.lists.get_mut(&Pane::Attention) {
                    list.selected = list.window.rows.first().map(|k| k.id);
                }
            }
        }
        return;
    };
    focus(state, pane);
    select(state, pane, *located);
}

/// A restored selection found past the first page: selected where it sits (the focus stays as restored). One
/// that left the list while the console was closed leaves the top selected.
pub(super) fn relocated(state: &mut AppState, pane: Pane, found: Option<Box<Located>>) {
    if let Some(located) = found {
        select(state, pane, *located);
    }
}

/// Selects a located post, opening the pane's window on it when it is not among the loaded rows.
fn select(state: &mut AppState, pane: Pane, located: Located) {
    let Located {
        key,
        post,
        offset,
        total,
    } = located;
    let Some(list) = state.lists.get_mut(&pane) else {
        return;
    };
    if !list.window.rows.contains(&key) {
        list.window.open_at(
            key,
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(total).unwrap_or(usize::MAX),
        );
    }
    list.selected = Some(post.id);
    state.posts.insert([post]);
}

fn focus(state: &mut AppState, pane: Pane) {
    state.view = View::Panes;
    state.focus = pane;
    state.detail_focused = false;
    state.detail_scroll = 0;
}

/// The counts the store sent back.
pub(super) fn counted(state: &mut AppState, loaded: Loaded) {
    if let Loaded::Unread { counts, total } = loaded {
        state.reads.counting = false;
        state.reads.unread = counts.into_iter().collect();
        state.reads.total = total;
    }
}
