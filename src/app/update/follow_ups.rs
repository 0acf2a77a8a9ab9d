//! Follow-ups in `update`: the Follow-ups view (open, move, complete, close), completions coming back from the
//! store, and the question after a reply to someone with a follow-up due.

use crate::app::{Command, Effect, Load};
use crate::domain::{Action, CustomerId, FollowUpRow, PostId};
use crate::state::follow_ups::Due;
use crate::state::{AppState, LogRow, Pane, Popup, View};

/// After a failed read, the view waits this long before reading again.
const RETRY_SECS: i64 = 5;

/// `F`: opens the view (reading what it shows afresh), or closes it.
pub(super) fn toggle(state: &mut AppState) -> Vec<Effect> {
    if state.follow_ups_open() {
        close(state);
    } else {
        state.view = View::FollowUps;
        state.detail_focused = false;
        state.detail_scroll = 0;
        state.follow_up_view.stale = true;
    }
    vec![]
}

fn close(state: &mut AppState) {
    state.view = View::Panes;
    state.detail_focused = false;
    state.detail_scroll = 0;
}

/// A command while the view is open; `None` leaves it to the panes' handling (reply, log an action, Detail,
/// help, quit... all act on the selected follow-up's post).
pub(super) fn command(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    let delta = match command {
        Command::NextPost => Some(1),
        Command::PrevPost => Some(-1),
        Command::PageDown => Some(super::page(state)),
        Command::PageUp => Some(-super::page(state)),
        Command::FirstPost => Some(isize::MIN),
        Command::LastPost => Some(isize::MAX),
        _ => None,
    };
    // With Detail focused, movement scrolls it, as in the panes.
    if let Some(delta) = delta.filter(|_| !state.detail_focused) {
        move_selection(state, delta);
        return Some(vec![]);
    }
    match command {
        Command::FollowUps => Some(toggle(state)),
        Command::CompleteFollowUp => Some(complete_selected(state)),
        Command::Close if !state.detail_focused => {
            close(state);
            Some(vec![])
        }
        // What belongs to the panes takes you back to them.
        Command::NextPane
        | Command::PrevPane
        | Command::Filter
        | Command::ClearFilter
        | Command::StartCheckIn => {
            close(state);
            None
        }
        _ => None,
    }
}

fn move_selection(state: &mut AppState, delta: isize) {
    let rows = state.open_follow_ups();
    let last = rows.len().saturating_sub(1) as isize;
    let at = (state.follow_up_index() as isize)
        .saturating_add(delta)
        .clamp(0, last.max(0)) as usize;
    let id = rows.get(at).map(|f| f.id);
    state.follow_up_view.selected = id;
    state.detail_scroll = 0;
}

/// `d`: the follow-up selected in the view, or in the Log (its due follow-ups are rows there).
pub(super) fn complete_selected(state: &mut AppState) -> Vec<Effect> {
    let selected = if state.follow_ups_open() {
        state.selected_follow_up().map(|f| f.id)
    } else if state.focus == Pane::Log {
        match state.selected_log_row() {
            Some(LogRow::FollowUp(f)) => Some(f.id),
            _ => None,
        }
    } else {
        None
    };
    match selected {
        Some(id) => complete(state, id),
        None => {
            let open = state.keymap.hint(Command::FollowUps);
            state.flash(format!("no follow-up selected: {open} lists them"));
            vec![]
        }
    }
}

/// Asks the store to mark a follow-up done; the state changes when it says so (`Msg::FollowUpCompleted`).
fn complete(state: &AppState, id: i64) -> Vec<Effect> {
    vec![Effect::CompleteFollowUp { id, at: state.now }]
}

/// The store marked a follow-up done and logged `action` for it (`None`: it was done already).
pub(super) fn completed(state: &mut AppState, id: i64, action: Option<Action>) -> Vec<Effect> {
    let done = state.follow_ups.iter().find(|f| f.id == id).cloned();
    let who = done.as_ref().map(|f| state.follow_up_who(f));
    // The view's selection goes to the next row (the previous at the end), as working down a list does.
    if state.follow_up_view.selected == Some(id) || state.follow_up_view.selected.is_none() {
        let rows = state.open_follow_ups();
        let at = state.follow_up_index();
        let next = rows
            .get(at + 1)
            .or_else(|| at.checked_sub(1).and_then(|i| rows.get(i)));
        state.follow_up_view.selected = next.map(|f| f.id);
    }
    // A due follow-up above the Log's selection leaves it: the selection stays on its row.
    let due_at = state.due_follow_ups().position(|f| f.id == id);
    if let Some(at) = due_at
        && state.log.selected > at
    {
        state.log.selected -= 1;
    }
    state.follow_ups.retain(|f| f.id != id);
    state.follow_up_view.last_contact.remove(&id);
    let effects = match action {
        Some(action) => {
            let effects = super::action_logged(state, action.clone());
            let said = format!("follow-up done: {}", who.unwrap_or_default());
            match done {
                Some(follow_up) => super::undo::offer(
                    state,
                    &said,
                    crate::domain::Undo::FollowUpCompleted { follow_up, action },
                ),
                None => state.flash(said),
            }
            effects
        }
        None => {
            state.flash("that follow-up was already done");
            vec![]
        }
    };
    let last = state.log_rows().len().saturating_sub(1);
    state.log.selected = state.log.selected.min(last);
    effects
}

/// The read the view needs now: when it opens, after the shop reached out, or for a follow-up it has not
/// read yet. Run after every message.
pub(super) fn wanted_load(state: &mut AppState) -> Option<Effect> {
    let view = &state.follow_up_view;
    if !state.follow_ups_open() || view.pending || view.retry_at.is_some_and(|at| state.now < at) {
        return None;
    }
    let unread = state
        .open_follow_ups()
        .iter()
        .any(|f| !view.last_contact.contains_key(&f.id));
    if !(view.stale || unread) {
        return None;
    }
    state.follow_up_view.pending = true;
    Some(Effect::Load(Load::FollowUps))
}

/// The store's open follow-ups with their posts and last contact: the rows from now on (one marked done
/// here while the read was on its way stays done).
pub(super) fn loaded(state: &mut AppState, rows: Vec<FollowUpRow>) {
    let view = &mut state.follow_up_view;
    view.pending = false;
    view.stale = false;
    view.retry_at = None;
    view.last_contact = rows
        .iter()
        .map(|r| (r.follow_up.id, r.last_contact))
        .collect();
    let done: Vec<i64> = state
        .follow_ups
        .iter()
        .filter(|f| f.done_at.is_some())
        .map(|f| f.id)
        .collect();
    let (follow_ups, posts): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter(|r| !done.contains(&r.follow_up.id))
        .map(|r| (r.follow_up, r.post))
        .unzip();
    // The due ones are the Log's top rows: its selection stays on its row.
    let picked = state.selected_log_row().map(|r| r.pick());
    state.follow_ups = follow_ups;
    state.reselect_log(picked);
    state.posts.insert(posts.into_iter().flatten());
}

pub(super) fn load_failed(state: &mut AppState) {
    state.follow_up_view.pending = false;
    state.follow_up_view.retry_at = Some(state.now + chrono::Duration::seconds(RETRY_SECS));
}

/// After a reply to `post` (by `customer`): a follow-up due today or overdue on that post or for that
/// customer is offered to be closed, the earliest if several. One question at a time: with another popup
/// open, the status bar says it instead.
pub(super) fn offer_to_close(state: &mut AppState, post: PostId, customer: Option<CustomerId>) {
    let today = state.today();
    let Some(f) = state
        .open_follow_ups()
        .into_iter()
        .filter(|f| Due::of(f.due, today).is_due())
        .find(|f| f.post == Some(post) || (customer.is_some() && f.customer == customer))
        .cloned()
    else {
        return;
    };
    let who = state.follow_up_who(&f);
    if state.popup.is_some() {
        let done = state.keymap.hint(Command::CompleteFollowUp);
        let open = state.keymap.hint(Command::FollowUps);
        state.flash(format!(
            "{who} has a follow-up due: {done} in the Follow-ups view ({open}) closes it"
        ));
        return;
    }
    state.popup = Some(Popup::CloseFollowUp { follow_up: f, who });
}

/// The answer to "close it?": yes completes the follow-up (logged as done), no leaves it open.
pub(super) fn answered(state: &mut AppState, id: i64, yes: bool) -> Vec<Effect> {
    if yes {
        complete(state, id)
    } else {
        state.flash("follow-up left open");
        vec![]
    }
}

/// Keeps the posts the view shows in the cache while it is open.
pub(super) fn shown_posts(state: &AppState) -> Vec<PostId> {
    if !state.follow_ups_open() {
        return vec![];
    }
    state
        .open_follow_ups()
        .iter()
        .filter_map(|f| f.post)
        .collect()
}
