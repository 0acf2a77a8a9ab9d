//! A shared workspace in the status bar: the live link and who fetches, at every size.

use super::tests::{SIZES, draw, snap};
use crate::state::fixture;
use crate::state::live::Fetcher;

#[test]
fn the_status_bar_says_who_fetches_and_when_the_link_is_down() {
    let mut s = fixture::workspace();
    s.live.shared = true;
    s.live.fetcher = Fetcher::Elsewhere(Some("ana@till-2".into()));
    snap("status_live_fetching_elsewhere", &s);
    // Who fetches shows whole from 120 columns; at 80 the link alone (below).
    for &size in &SIZES[1..] {
        let screen = draw(&s, size);
        let bar = screen.lines().last().unwrap_or_default();
        assert!(
            bar.contains("● live · fetching: ana@till-2"),
            "{size:?}: {bar}"
        );
    }
    s.live.down = Some("the connection to PostgreSQL was lost".into());
    snap("status_live_down", &s);
    // At 80 columns the link alone, without who fetches.
    for &size in &SIZES {
        let screen = draw(&s, size);
        let bar = screen.lines().last().unwrap_or_default();
        assert!(bar.contains("live down"), "{size:?}: {bar}");
    }
}
