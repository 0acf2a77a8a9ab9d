//! The Stats view in `update`: opening it asks the store for a fresh report of the last days; the answer (or
//! its failure) comes back as a message; `Esc` or the view's key closes it.

use chrono::Duration;

use crate::app::{Command, Effect, Load};
use crate::report::Report;
use crate::state::stats::STATS_DAYS;
use crate::state::{AppState, View};

/// Opens the view (reading the report afresh), or closes it.
pub(super) fn toggle(state: &mut AppState) -> Vec<Effect> {
    if state.view == View::Stats {
        state.view = View::Panes;
        return vec![];
    }
    state.view = View::Stats;
    state.stats.pending = true;
    state.stats.failed = false;
    vec![Effect::Load(Load::Stats {
        hours: Box::new(state.stats.hours.clone()),
        from: state.now - Duration::days(STATS_DAYS),
        to: state.now,
    })]
}

/// A command while the view is open: it has nothing to select, so only closing, help, suspend and quit act.
pub(super) fn command(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Stats => Some(toggle(state)),
        Command::Close => {
            state.view = View::Panes;
            Some(vec![])
        }
        Command::Help | Command::Quit | Command::Suspend => None,
        _ => Some(vec![]),
    }
}

pub(super) fn loaded(state: &mut AppState, report: Report) {
    state.stats.pending = false;
    state.stats.report = Some(report);
}

pub(super) fn load_failed(state: &mut AppState) {
    state.stats.pending = false;
    state.stats.failed = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Loaded, Msg, update};
    use crate::state::fixture;

    fn opened() -> (AppState, Vec<Effect>) {
        let mut state = fixture::empty();
        let effects = update(&mut state, Msg::Command(Command::Stats));
        (state, effects)
    }

    #[test]
    fn opening_asks_for_the_last_days() {
        let (state, effects) = opened();
        assert_eq!(state.view, View::Stats);
        assert!(state.stats.pending);
        assert!(effects.iter().any(|e| matches!(
            e,
            Effect::Load(Load::Stats { from, to, .. })
                if *to == state.now && *from == state.now - Duration::days(STATS_DAYS)
        )));
    }

    #[test]
    fn the_report_arrives_and_esc_closes() {
        let (mut state, _) = opened();
        let report = crate::state::stats::sample_report();
        update(
            &mut state,
            Msg::Loaded(Loaded::Stats(Box::new(report.clone()))),
        );
        assert_eq!(state.stats.report.as_ref(), Some(&report));
        assert!(!state.stats.pending);
        // Keys of the panes do nothing here; Esc goes back.
        update(&mut state, Msg::Command(Command::MarkHandled));
        assert_eq!(state.view, View::Stats);
        update(&mut state, Msg::Command(Command::Close));
        assert_eq!(state.view, View::Panes);
    }

    #[test]
    fn a_failed_read_is_said() {
        let (mut state, effects) = opened();
        let Some(Effect::Load(load)) = effects
            .into_iter()
            .find(|e| matches!(e, Effect::Load(Load::Stats { .. })))
        else {
            panic!("no load");
        };
        update(
            &mut state,
            Msg::LoadFailed {
                load,
                error: "disk I/O error".into(),
            },
        );
        assert!(state.stats.failed && !state.stats.pending);
        let flash = state.flash.as_ref().map(|(m, _)| m.as_str()).unwrap_or("");
        assert!(
            flash.contains("the Stats") && flash.contains("disk I/O error"),
            "{flash}"
        );
    }
}
