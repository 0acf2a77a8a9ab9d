//! Snapshots of the Stats view: a week's report at every size, and before it arrives.

use super::tests::{SIZES, draw};
use crate::app::{Command, Loaded, Msg, update};
use crate::state::fixture;
use crate::state::stats::sample_report;

#[test]
fn the_stats_view_at_every_size() {
    let mut state = fixture::empty();
    update(&mut state, Msg::Command(Command::Stats));
    update(
        &mut state,
        Msg::Loaded(Loaded::Stats(Box::new(sample_report()))),
    );
    for size in SIZES.into_iter().chain([(160, 45)]) {
        insta::assert_snapshot!(format!("stats_{}x{}", size.0, size.1), draw(&state, size));
    }
}

#[test]
fn the_stats_view_while_counting() {
    let mut state = fixture::empty();
    update(&mut state, Msg::Command(Command::Stats));
    insta::assert_snapshot!("stats_counting_80x24", draw(&state, (80, 24)));
}
