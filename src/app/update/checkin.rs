//! The check-in in `update`: started with `c` (or `regulars checkin`), its queue gathered from the store and
//! sized to the time, walked item by item, ended (queue done, time up, `c` or `q`) on a summary that stays
//! until dismissed, and stored. Its keys are its own: `/`, `Esc` and the panes' keys cannot break it.

use crate::app::{Command, Effect};
use crate::domain::Action;
use crate::domain::checkin::{self, Gathered};
use crate::state::checkin::Phase;
use crate::state::{AppState, View};

/// `c`: starts a check-in of the configured length (ends one in progress).
pub(super) fn start(state: &mut AppState) -> Vec<Effect> {
    state.begin_check_in(state.check_in_config.minutes);
    vec![]
}

/// The store read a check-in needs, once: run after every message.
pub(super) fn wanted_load(state: &mut AppState) -> Option<Effect> {
    let check_in = state.check_in.as_mut()?;
    match check_in.phase {
        Phase::Gathering { asked: false } => {
            check_in.phase = Phase::Gathering { asked: true };
            Some(Effect::GatherCheckIn { now: state.now })
        }
        _ => None,
    }
}

/// The store's candidates: the queue, most important first, sized to the time. Nothing waiting: the check-in
/// says all is clear and waits for what arrives (see [`arrived`]).
pub(super) fn gathered(state: &mut AppState, found: Result<Gathered, String>) -> Vec<Effect> {
    let today = state.today();
    let estimates = state.check_in_config.estimates;
    let Some(check_in) = state
        .check_in
        .as_mut()
        .filter(|c| matches!(c.phase, Phase::Gathering { .. }))
    else {
        return vec![];
    };
    let found = match found {
        Ok(found) => found,
        Err(error) => {
            state.check_in = None;
            state.view = View::Panes;
            state.flash(format!("the check-in could not start: {error}"));
            return vec![];
        }
    };
    let mut items = checkin::queue(
        &found.posts,
        &found.follow_ups,
        found.since,
        today,
        &estimates,
    );
    let team = &state.team;
    checkin::mine_first(&mut items, |post| {
        team.assignee(post) == Some(team.me.as_str())
    });
    check_in.fits = checkin::fitting(&items, check_in.budget_secs);
    check_in.seen = vec![false; items.len()];
    check_in.done = vec![false; items.len()];
    check_in.items = items;
    check_in.since = Some(found.since);
    check_in.phase = Phase::Working;
    state.posts.insert(found.posts);
    state
        .posts
        .insert(found.follow_ups.into_iter().filter_map(|r| r.post));
    if state.check_in.as_ref().is_some_and(|c| c.fits == 0) {
        return vec![];
    }
    show_current(state)
}

/// Posts arrived: a check-in with nothing in its queue gathers again (on a first start, the sources' first
/// posts are still on their way).
pub(super) fn arrived(state: &mut AppState) {
    if let Some(c) = state
        .check_in
        .as_mut()
        .filter(|c| c.phase == Phase::Working && c.fits == 0)
    {
        c.phase = Phase::Gathering { asked: false };
    }
}

/// The current item is seen (and its post read); past the end of the queue, the check-in ends.
fn show_current(state: &mut AppState) -> Vec<Effect> {
    state.detail_scroll = 0;
    let Some(check_in) = state.check_in.as_mut() else {
        return vec![];
    };
    if check_in.at >= check_in.fits {
        return end(state);
    }
    if let Some(seen) = check_in.seen.get_mut(check_in.at) {
        check_in.tally.seen += u32::from(!*seen);
        *seen = true;
    }
    match state.current_post_id() {
        Some(id) => super::reads::mark_read(state, id).into_iter().collect(),
        None => vec![],
    }
}

/// Ends the check-in: its summary shows until dismissed, and it is stored.
pub(super) fn end(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let Some(check_in) = state.check_in.as_mut().filter(|c| c.running()) else {
        return vec![];
    };
    check_in.phase = Phase::Summary { ended_at: now };
    let mut effects = vec![Effect::SaveCheckIn(check_in.record(now))];
    if state.sync_read_position {
        effects.push(Effect::SyncReadPosition);
    }
    state.view = View::CheckIn;
    state.detail_focused = false;
    effects
}

/// Mastodon's read position after the sync the end asked for: the summary says it (a failure too).
pub(super) fn read_position_synced(
    state: &mut AppState,
    synced: Result<crate::sources::mastodon::markers::ReadPosition, String>,
) {
    match state.check_in.as_mut() {
        Some(check_in) => check_in.read_position = Some(synced),
        None => {
            if let Err(why) = synced {
                state.flash(format!("read position not synced: {why}"));
            }
        }
    }
}

/// The clock: time up ends it.
pub(super) fn tick(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    match &state.check_in {
        Some(c) if c.running() && c.remaining_secs(now) == 0 => end(state),
        _ => vec![],
    }
}

/// A command while the check-in (or its summary) fills the screen; `None` leaves it to the usual handling,
/// which acts on the current item's post (reply, log, correct, handled, undo, help...).
pub(super) fn command(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    let phase = state.check_in.as_ref()?.phase.clone();
    if let Phase::Summary { .. } = phase {
        return match command {
            Command::Quit | Command::Help | Command::Suspend => None,
            _ => {
                state.check_in = None;
                state.view = View::Panes;
                Some(vec![])
            }
        };
    }
    let working = phase == Phase::Working;
    match command {
        Command::NextUnread | Command::OpenDetail | Command::NextPost if working => {
            Some(step(state, 1))
        }
        Command::PrevPost if working => Some(step(state, -1)),
        // Still gathering: nothing to move to yet.
        Command::NextUnread | Command::OpenDetail | Command::NextPost | Command::PrevPost => {
            Some(vec![])
        }
        Command::StartCheckIn | Command::Quit => Some(end(state)),
        Command::CompleteFollowUp => {
            let follow_up = state.check_in.as_ref()?.current()?.follow_up;
            Some(match follow_up {
                Some(id) => vec![Effect::CompleteFollowUp { id, at: state.now }],
                None => refuse(state, "not a follow-up"),
            })
        }
        Command::Reply
        | Command::LogAction
        | Command::MarkHandled
        | Command::Dismiss
        | Command::Reopen
        | Command::CorrectCategory
        | Command::ScheduleFollowUp
        | Command::Undo
        | Command::OpenLink
        | Command::CopyLink
        | Command::EditNote
        | Command::FindHandles
        | Command::UnlinkHandle
        | Command::ScrollDetailDown
        | Command::ScrollDetailUp
        | Command::Help
        | Command::Suspend => None,
        // Esc, `/` and the panes' keys would leave the queue behind: they wait for the end.
        _ => Some(refuse(state, "not during a check-in")),
    }
}

/// Says what works instead of `what`, from the keymap.
fn refuse(state: &mut AppState, what: &str) -> Vec<Effect> {
    let next = state.keymap.hint(Command::NextUnread);
    let end = state.keymap.hint(Command::StartCheckIn);
    state.flash(format!("{what}: {next} next item, {end} ends the check-in"));
    vec![]
}

fn step(state: &mut AppState, delta: isize) -> Vec<Effect> {
    // An empty queue waits for arrivals rather than ending.
    let Some(check_in) = state.check_in.as_mut().filter(|c| c.fits > 0) else {
        return vec![];
    };
    check_in.at = check_in.at.saturating_add_signed(delta);
    show_current(state)
}

/// An action staff took (a reply, a logged action, handled, dismissed, a follow-up done) counts in the tally;
/// one that closes the current item moves on to the next.
pub(super) fn acted(state: &mut AppState, action: &Action, follow_up: Option<i64>) -> Vec<Effect> {
    let Some(check_in) = state
        .check_in
        .as_mut()
        .filter(|c| c.phase == Phase::Working)
    else {
        return vec![];
    };
    check_in.tally.count(action.kind);
    let closes = matches!(
        action.kind,
        crate::domain::ActionKind::Replied
            | crate::domain::ActionKind::Handled
            | crate::domain::ActionKind::Resolved
            | crate::domain::ActionKind::Dismissed
            | crate::domain::ActionKind::FollowedUp
    );
    if !closes {
        return vec![];
    }
    let matches = |i: &checkin::Item| {
        action.post.is_some() && i.post == action.post
            || follow_up.is_some() && i.follow_up == follow_up
    };
    for (item, done) in check_in.items.iter().zip(check_in.done.iter_mut()) {
        *done |= matches(item);
    }
    // A reply leaves the item in view (to log or schedule after); handling it moves on.
    let current_closed = check_in.current().is_some_and(matches);
    if current_closed && action.kind != crate::domain::ActionKind::Replied {
        return step(state, 1);
    }
    vec![]
}

/// Keeps the posts the check-in shows in the cache while it lasts.
pub(super) fn shown_posts(state: &AppState) -> Vec<crate::domain::PostId> {
    state
        .check_in
        .as_ref()
        .map(|c| c.posts().collect())
        .unwrap_or_default()
}
