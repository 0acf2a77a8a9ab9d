//! A team on one workspace in `update`: assigning posts (to me, to a teammate through a picker, to nobody), the
//! Mine filter, reading who has what and who is where, and telling the others what this console is doing.

use crossterm::event::KeyEvent;

use crate::app::{Command, Effect};
use crate::config::keymap::Mode;
use crate::domain::{Action, Doing, PRESENCE_FOR, PostId, TeamView};
use crate::state::team::AssignPicker;
use crate::state::{AppState, Popup, View};

pub(super) fn assign_to_me(state: &mut AppState) -> Vec<Effect> {
    let me = state.team.me.clone();
    assign(state, Some(me))
}

pub(super) fn unassign(state: &mut AppState) -> Vec<Effect> {
    assign(state, None)
}

/// Asks the store to give the current post to `to`; says so when it already is.
fn assign(state: &mut AppState, to: Option<String>) -> Vec<Effect> {
    let Some(post) = state.current_post_id() else {
        state.flash("no post selected");
        return vec![];
    };
    if state.team.assignee(post) == to.as_deref() {
        state.flash(match &to {
            Some(name) => format!("already assigned to {name}"),
            None => "nobody has it: nothing to unassign".to_string(),
        });
        return vec![];
    }
    vec![Effect::Assign {
        post,
        to,
        by: state.team.me.clone(),
        at: state.now,
    }]
}

pub(super) fn open_picker(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post_id() else {
        state.flash("no post selected");
        return vec![];
    };
    let names = state.team.known();
    let selected = state
        .team
        .assignee(post)
        .and_then(|a| names.iter().position(|n| n == a))
        .unwrap_or(0);
    state.popup = Some(Popup::Assign(AssignPicker {
        post,
        names,
        selected,
    }));
    vec![]
}

/// The picker's keys, through the keymap: next/previous post move, confirm assigns, cancel closes.
pub(super) fn picker_key(
    state: &mut AppState,
    mut picker: AssignPicker,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    let n = picker.names.len().max(1);
    let command = state
        .keymap
        .command(Mode::Confirm, &key)
        .or_else(|| state.keymap.command(Mode::Normal, &key));
    match command {
        Some(Command::Cancel | Command::Close) => (None, vec![]),
        Some(Command::NextPost) => {
            picker.selected = (picker.selected + 1) % n;
            (Some(Popup::Assign(picker)), vec![])
        }
        Some(Command::PrevPost) => {
            picker.selected = (picker.selected + n - 1) % n;
            (Some(Popup::Assign(picker)), vec![])
        }
        Some(Command::Confirm) => {
            let Some(to) = picker.names.get(picker.selected).cloned() else {
                return (None, vec![]);
            };
            if state.team.assignee(picker.post) == Some(to.as_str()) {
                state.flash(format!("already assigned to {to}"));
                return (None, vec![]);
            }
            let effect = Effect::Assign {
                post: picker.post,
                to: Some(to),
                by: state.team.me.clone(),
                at: state.now,
            };
            (None, vec![effect])
        }
        _ => (Some(Popup::Assign(picker)), vec![]),
    }
}

/// The store took an assignment: the row and Detail show it at once, the Log gets its action.
pub(super) fn assigned(
    state: &mut AppState,
    post: PostId,
    to: Option<String>,
    action: Option<Action>,
) -> Vec<Effect> {
    let Some(action) = action else {
        state.flash(match to {
            Some(name) => format!("already assigned to {name}"),
            None => "nobody had it".into(),
        });
        return vec![];
    };
    state.flash(match &to {
        Some(name) if *name == state.team.me => "assigned to you".to_string(),
        Some(name) => format!("assigned to {name}"),
        None => "unassigned".to_string(),
    });
    match to {
        Some(name) => state.team.view.assignees.insert(post, name),
        None => state.team.view.assignees.remove(&post),
    };
    stale(state);
    let mut effects = super::posts::action_logged(state, action);
    // Under Mine the post may have come or gone.
    if state.team.mine {
        effects.extend(super::lists::restart_lists(state));
    }
    effects
}

pub(super) fn toggle_mine(state: &mut AppState) -> Vec<Effect> {
    state.team.mine = !state.team.mine;
    state.flash(if state.team.mine {
        "mine: only the posts assigned to you"
    } else {
        "mine off: every post"
    });
    super::lists::restart_lists(state)
}

/// Something changed elsewhere: read again (once the read on its way, if any, is back).
pub(super) fn stale(state: &mut AppState) {
    if state.team.loading {
        state.team.again = true;
    } else {
        state.team.stale = true;
    }
}

pub(super) fn loaded(state: &mut AppState, view: Result<TeamView, String>) {
    state.team.loading = false;
    state.team.stale = std::mem::take(&mut state.team.again);
    match view {
        Ok(view) => state.team.view = view,
        // Kept as it was; the next change or heartbeat reads again.
        Err(e) => {
            tracing::warn!(error = %e, "cannot read assignments and presence");
            state.team.stale = false;
        }
    }
}

/// The heartbeat: on a shared workspace, tell the others again (or still) what this console is doing, and
/// read theirs (a teammate whose heartbeat stopped is gone after [`PRESENCE_FOR`], unannounced).
pub(super) fn heartbeat(state: &mut AppState) -> Vec<Effect> {
    stale(state);
    if !state.live.shared {
        return vec![];
    }
    let now = doing_now(state);
    if now.is_none() && state.team.told.is_none() {
        return vec![];
    }
    state.team.told = now;
    vec![beat(state)]
}

/// After each message: the view read when it is stale, and on a shared workspace the others told at once when
/// this console starts, stops or moves to another post.
pub(super) fn follow(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state.team.stale && !state.team.loading {
        state.team.loading = true;
        effects.push(Effect::LoadTeam {
            me: state.team.me.clone(),
            since: state.now - PRESENCE_FOR,
        });
    }
    let now = doing_now(state);
    if state.live.shared && now != state.team.told {
        state.team.told = now;
        effects.push(beat(state));
    }
    effects
}

fn beat(state: &AppState) -> Effect {
    Effect::Beat {
        staff: state.team.me.clone(),
        doing: state.team.told,
        at: state.now,
    }
}

/// What this console shows: replying in the composer, else viewing the post Detail shows.
fn doing_now(state: &AppState) -> Option<(PostId, Doing)> {
    if state.quitting {
        return None;
    }
    if let Some(composer) = &state.composer {
        return Some((composer.post, Doing::Replying));
    }
    if matches!(state.view, View::Panes | View::CheckIn) {
        return state.current_post_id().map(|p| (p, Doing::Viewing));
    }
    None
}
