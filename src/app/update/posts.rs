//! What happens to posts in `update`: marked handled, answered by a logged action, arriving live.

use chrono::Duration;

use super::{Effect, advance_past, lists};
use crate::domain::{ActionKind, NewAction, Post};
use crate::state::{AppState, Pane};

/// Posts newer than this may alert; older ones arrive as backlog.
const NOTIFY_MAX_AGE_MIN: i64 = 15;

pub(super) fn mark_handled(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post() else {
        state.flash("no post selected");
        return vec![];
    };
    if !post.is_open() {
        let reopen = state.keymap.hint(crate::app::Command::Reopen);
        state.flash(format!(
            "already handled or dismissed ({reopen} reopens it)"
        ));
        return vec![];
    }
    let (id, customer) = (post.id, post.customer);
    let now = state.now;
    advance_past(state, id);
    handled(state, id, now);
    state.flash("marked handled");
    vec![Effect::LogAction(NewAction {
        post: Some(id),
        customer,
        kind: ActionKind::Handled,
        note: String::new(),
        at: now,
        url: None,
    })]
}

/// Applies a logged action to the post it concerns (first response, handled) and adds it to the Log.
/// Scheduling the next follow-up on a post completes the ones due on it (a reply asks instead: see
/// `follow_ups::offer_to_close`).
pub(super) fn action_logged(state: &mut AppState, action: crate::domain::Action) -> Vec<Effect> {
    // Whatever was offered for undo is no longer the last thing done (the callers that can be undone offer
    // this one after).
    state.undo = None;
    let mut effects = Vec::new();
    if action.kind.reaches_out() {
        // The view's "last contact" is out of date.
        state.follow_up_view.stale = true;
    }
    if action.kind == ActionKind::FollowUp && action.post.is_some() {
        let today = state.today();
        for f in state
            .follow_ups
            .iter_mut()
            .filter(|f| f.post == action.post && f.done_at.is_none() && f.due <= today)
        {
            f.done_at = Some(action.at);
            effects.push(Effect::CompleteFollowUp {
                id: f.id,
                at: action.at,
            });
        }
    }
    if let Some(id) = action.post {
        if action.kind.closes() {
            handled(state, id, action.at);
        }
        if let Some(post) = state.posts.get_mut(id)
            && action.kind.is_response()
            && post.first_response_at.is_none()
        {
            post.first_response_at = Some(action.at);
            lists::reposition(state, id);
        }
    }
    // The customer card lists their latest actions: read it again.
    if action.customer.is_some() {
        state.detail.wanted = None;
    }
    // The Log holds its newest rows: the action goes on top, and a selection below it stays on its row.
    let log = &mut state.log;
    if log.window.has_start() {
        let due = state.due_follow_ups().count();
        let log = &mut state.log;
        if log.window.place(action) && state.focus == Pane::Log && log.selected > due {
            log.selected += 1;
        }
    } else {
        log.window.total += 1;
        log.window.offset += 1;
    }
    effects
}

/// A post is handled now (here or, for a post not held, as logged): it leaves the open Attention queue.
fn handled(state: &mut AppState, id: crate::domain::PostId, at: chrono::DateTime<chrono::Utc>) {
    if let Some(post) = state.posts.get(id).filter(|p| p.handled_at.is_none()) {
        let mut post = post.clone();
        post.handled_at = Some(at);
        replace_post(state, post);
    }
}

/// A post changed (here, or as the store now has it after a reopen, dismissal, correction or undo): the open
/// Attention count follows it, and so does its place in every list.
pub(super) fn replace_post(state: &mut AppState, post: Post) {
    // It may have moved queues: the panes' unread counts may change.
    state.reads.stale = true;
    let id = post.id;
    match (
        state.posts.get(id).map(Post::in_attention),
        post.in_attention(),
    ) {
        (Some(true), false) => state.open_attention = state.open_attention.saturating_sub(1),
        (Some(false), true) => state.open_attention += 1,
        _ => {}
    }
    match state.posts.get_mut(id) {
        Some(held) => *held = post,
        None => {
            state.posts.insert([post]);
        }
    }
    lists::reposition(state, id);
}

pub(super) fn ingested(state: &mut AppState, source: String, posts: Vec<Post>) -> Vec<Effect> {
    let now = state.now;
    let live: Vec<&Post> = posts
        .iter()
        .filter(|p| now - p.created_at < Duration::minutes(NOTIFY_MAX_AGE_MIN))
        .collect();
    let effects = super::alerts::arrived(state, &live);
    state.reads.stale = true;
    if !posts.is_empty() {
        state.last_delivery.insert(source, now);
    }
    lists::place_live(state, posts);
    effects
}
