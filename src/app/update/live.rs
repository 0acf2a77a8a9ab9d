//! A shared workspace in `update`: what another console changed reloads the panes through the read path
//! (never by polling tables), and the status bar follows the live link and the elected fetcher.

use crate::app::{Effect, Load};

use crate::domain::{Anchor, DraftsSeen};
use crate::state::AppState;
use crate::state::live::Fetcher;

/// Something changed elsewhere: every list starts over from its first page with its count (the rows stay shown
/// until the new ones arrive, selections kept where the post is still there, the Log's on its action), Detail
/// and the open follow-ups are read again, the unread counts recounted.
pub(super) fn changed(state: &mut AppState) -> Vec<Effect> {
    let mut effects = super::lists::restart_lists(state);
    if state.log.window.loaded {
        let generation = state.log.window.restart();
        effects.push(Effect::Load(Load::Log {
            generation,
            anchor: Anchor::First,
            count: true,
        }));
    }
    // Asked again by `wanted_loads`; what Detail shows stays until the answer.
    state.detail.wanted = None;
    state.follow_up_view.stale = true;
    // The open follow-ups, read again even with their view closed: the due ones are the Log's top rows.
    if !state.follow_up_view.pending {
        state.follow_up_view.pending = true;
        effects.push(Effect::Load(Load::FollowUps));
    }
    super::team::stale(state);
    effects.push(Effect::LoadDrafts);
    effects
}

/// The drafts as stored now: this person's (from another console of theirs) and teammates' names per post. The
/// draft open in the composer is the composer's: what is typed there wins over what was read.
pub(super) fn drafts_loaded(state: &mut AppState, seen: Result<DraftsSeen, String>) {
    let seen = match seen {
        Ok(seen) => seen,
        Err(why) => {
            state.flash(format!("drafts could not be read again: {why}"));
            return;
        }
    };
    state.take_drafts(seen);
}

pub(super) fn link(state: &mut AppState, down: Option<String>) {
    state.live.shared = true;
    match (&state.live.down, &down) {
        (None, Some(why)) => state.flash(format!(
            "live link down: {why} (trying again; other consoles' changes show once it is back)"
        )),
        (Some(_), None) => state.flash("live link back: the panes show what changed meanwhile"),
        _ => {}
    }
    state.live.down = down;
}

pub(super) fn fetching(state: &mut AppState, fetcher: Fetcher) {
    state.live.shared = true;
    state.live.fetcher = fetcher;
}
