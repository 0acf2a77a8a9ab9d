//! A shared workspace in `update`: what another console did shows after `Changed` reloads through the read
//! path; the live link and the fetcher in the state.

use super::*;
use crate::app::Load;
use crate::domain::{ActionKind, NewAction};
use crate::state::fixture;
use crate::state::live::Fetcher;
use crate::store::LogRepo;

#[test]
fn a_post_handled_elsewhere_leaves_attention_after_changed() {
    let mut desk = fixture::desk();
    let attention =
        |desk: &fixture::Desk| -> Vec<_> { desk.state.lists[&Pane::Attention].ids().collect() };
    let before = attention(&desk);
    let open = desk.state.open_attention;
    let Some(&gone) = before.first() else {
        panic!("the fixture has posts in Attention");
    };
    desk.select(Pane::Attention, gone);
    let actions = desk.state.log.window.rows.len();
    // Another console handles it: the store changes, this console's state does not know yet.
    desk.db
        .log_action(&NewAction {
            post: Some(gone),
            customer: None,
            kind: ActionKind::Handled,
            note: "done at the other till".into(),
            at: fixture::now(),
            url: None,
        })
        .unwrap();
    assert_eq!(
        attention(&desk),
        before,
        "nothing moves before the notification"
    );

    desk.send(Msg::Changed);

    let after = attention(&desk);
    assert!(!after.contains(&gone), "{after:?}");
    assert_eq!(after.len(), before.len() - 1);
    assert_eq!(
        desk.state.open_attention,
        open - 1,
        "the count is the store's"
    );
    assert_eq!(
        desk.state.log.window.rows.len(),
        actions + 1,
        "the Log has the action"
    );
    let current = desk.state.current_post_id();
    assert_ne!(current, Some(gone), "the selection moved on");
    assert_eq!(
        desk.state.detail.loaded.as_ref().map(|d| d.post.id),
        current,
        "Detail follows"
    );
}

#[test]
fn changed_asks_every_loaded_list_from_its_first_page_with_counts() {
    let mut desk = fixture::desk();
    let current = desk
        .state
        .current_post_id()
        .expect("the fixture selects a post");
    let effects = update(&mut desk.state, Msg::Changed);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Load(Load::Details(id)) if *id == current)),
        "Detail is read again: {effects:?}"
    );
    let targets: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Load(
                l @ (Load::Posts {
                    anchor: crate::domain::Anchor::First,
                    count: true,
                    ..
                }
                | Load::Log {
                    anchor: crate::domain::Anchor::First,
                    count: true,
                    ..
                }),
            ) => Some(l.target()),
            _ => None,
        })
        .collect();
    for pane in desk.state.panes() {
        assert!(targets.contains(&Some(pane)), "{pane:?} in {targets:?}");
    }
    assert!(desk.state.follow_up_view.stale);
}

#[test]
fn the_link_and_the_fetcher_are_followed() {
    let mut s = fixture::empty();
    assert!(!s.live.shared, "a SQLite console shows neither");
    update(
        &mut s,
        Msg::Fetching(Fetcher::Elsewhere(Some("ana@till-2".into()))),
    );
    assert!(s.live.shared);
    assert_eq!(s.live.label(), "live · fetching: ana@till-2");
    update(&mut s, Msg::LiveLink(Some("the server went away".into())));
    assert_eq!(s.live.label(), "live down · fetching: ana@till-2");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|(t, _)| t.contains("the server went away"))
    );
    update(&mut s, Msg::LiveLink(None));
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|(t, _)| t.starts_with("live link back"))
    );
    update(&mut s, Msg::Fetching(Fetcher::Here));
    assert_eq!(s.live.label(), "live · fetching here");
}
