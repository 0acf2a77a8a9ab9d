//! Taking back what was done by mistake: reopen, dismiss ("not for us"), undo the last action, correct the
//! category. Each goes to the store as an `Effect`; the post comes back as stored and moves queues at once.

use crossterm::event::{KeyCode, KeyEvent};

use super::posts::{action_logged, replace_post};
use super::{Command, Effect, advance_past};
use crate::domain::{Action, CORRECTIONS, Correction, Post, UNDO_FOR, Undo};
use crate::state::{AppState, Popup};

/// What staff just did (`done`: said in the status bar) can be taken back: remembered, and the status bar
/// says how ("handled · u undo").
pub(super) fn offer(state: &mut AppState, done: &str, undo: Undo) {
    state.flash(format!(
        "{done} · {} undo",
        state.keymap.hint(Command::Undo)
    ));
    state.undo = Some((undo, state.now));
}

/// Staff just did something new that can be undone: the offer for the thing before it ends now, before the
/// store answers, so a quick `u` never takes back an older action.
pub(super) fn superseded(state: &mut AppState, effects: &[Effect]) {
    if effects.iter().any(|e| {
        matches!(
            e,
            Effect::LogAction(_)
                | Effect::ScheduleFollowUp(_)
                | Effect::CompleteFollowUp { .. }
                | Effect::Reopen { .. }
                | Effect::Dismiss { .. }
                | Effect::CorrectCategory { .. }
                | Effect::SendReply { .. }
        )
    }) {
        state.undo = None;
    }
}

pub(super) fn undo(state: &mut AppState) -> Vec<Effect> {
    if let Some(undo) = state.undoable().cloned() {
        state.undo = None;
        return vec![Effect::Undo(undo)];
    }
    let reopen = state.keymap.hint(Command::Reopen);
    match state.undo.take() {
        Some((undo, _)) => state.flash(format!(
            "too late to undo {} (after {} minutes): {reopen} reopens a post",
            undo.label(),
            UNDO_FOR.num_minutes()
        )),
        None => state.flash(format!("nothing to undo: {reopen} reopens a post")),
    }
    vec![]
}

pub(super) fn undone(state: &mut AppState, undo: Undo, post: Option<Post>) -> Vec<Effect> {
    if let Some(action) = undo.action() {
        let log = &mut state.log;
        if log.window.remove(|a| a.id == action.id).is_none() && !log.window.has_start() {
            log.window.total = log.window.total.saturating_sub(1);
        }
        let last = state.log_rows().len().saturating_sub(1);
        state.log.selected = state.log.selected.min(last);
    }
    match &undo {
        Undo::FollowUpScheduled { follow_up, .. } => {
            state.follow_ups.retain(|f| f.id != follow_up.id);
        }
        Undo::FollowUpCompleted { follow_up, .. } => {
            let mut open = follow_up.clone();
            open.done_at = None;
            state.follow_ups.push(open);
            state.follow_ups.sort_by_key(|f| f.due);
        }
        Undo::Action(_) | Undo::Correction(_) => {}
    }
    state.follow_up_view.stale = true;
    if let Some(post) = post {
        replace_post(state, post);
    }
    // Detail's customer actions and correction line are read again.
    state.detail.wanted = None;
    state.flash(format!("undone: {}", undo.label()));
    vec![]
}

pub(super) fn reopen(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post() else {
        state.flash("no post selected");
        return vec![];
    };
    if post.is_open() {
        state.flash("this post is open: nothing to reopen");
        return vec![];
    }
    vec![Effect::Reopen {
        post: post.id,
        at: state.now,
    }]
}

pub(super) fn reopened(state: &mut AppState, post: Post, action: Action) -> Vec<Effect> {
    replace_post(state, post);
    let effects = action_logged(state, action);
    state.flash("reopened: back in its queue");
    effects
}

/// Leaves Attention at once, as marking handled does; the store's answer confirms it.
pub(super) fn dismiss(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post() else {
        state.flash("no post selected");
        return vec![];
    };
    if !post.is_open() {
        let reopen = state.keymap.hint(Command::Reopen);
        state.flash(format!(
            "already handled or dismissed ({reopen} reopens it)"
        ));
        return vec![];
    }
    let mut dismissed = post.clone();
    let id = dismissed.id;
    dismissed.dismissed_at = Some(state.now);
    advance_past(state, id);
    replace_post(state, dismissed);
    vec![Effect::Dismiss {
        post: id,
        at: state.now,
    }]
}

pub(super) fn dismissed(state: &mut AppState, post: Post, action: Action) -> Vec<Effect> {
    replace_post(state, post);
    let effects = action_logged(state, action.clone());
    offer(state, "dismissed", Undo::Action(action));
    effects
}

pub(super) fn open_correction(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post() else {
        state.flash("no post selected");
        return vec![];
    };
    let selected = CORRECTIONS
        .iter()
        .position(|(c, _)| *c == post.triage.category)
        .unwrap_or(0);
    state.popup = Some(Popup::Correct {
        post: post.id,
        selected,
    });
    vec![]
}

/// The category popup: up/down (or j/k) to pick, Enter to correct, a digit to pick and correct, Esc to leave.
pub(super) fn correction_key(
    state: &mut AppState,
    post: crate::domain::PostId,
    selected: usize,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    let n = CORRECTIONS.len();
    let keep = |selected| (Some(Popup::Correct { post, selected }), vec![]);
    let chosen = match key.code {
        KeyCode::Esc => return (None, vec![]),
        KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => return keep((selected + n - 1) % n),
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => return keep((selected + 1) % n),
        KeyCode::Enter => selected,
        KeyCode::Char(c) => match c.to_digit(10).map(|d| d as usize) {
            Some(d) if (1..=n).contains(&d) => d - 1,
            _ => return keep(selected),
        },
        _ => return keep(selected),
    };
    let (category, label) = CORRECTIONS[chosen.min(n - 1)];
    if state
        .posts
        .get(post)
        .is_some_and(|p| p.triage.category == category)
    {
        state.flash(format!("already {label}"));
        return (None, vec![]);
    }
    (
        None,
        vec![Effect::CorrectCategory {
            post,
            category,
            at: state.now,
        }],
    )
}

pub(super) fn corrected(state: &mut AppState, post: Post, correction: Correction) -> Vec<Effect> {
    replace_post(state, post);
    state.detail.wanted = None;
    let done = format!("corrected to {}", correction.category.as_str());
    offer(state, &done, Undo::Correction(correction));
    vec![]
}
