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
        .log_action(
            "ana",
            &NewAction {
                post: Some(gone),
                customer: None,
                kind: ActionKind::Handled,
                note: "done at the other till".into(),
                at: fixture::now(),
                url: None,
            },
        )
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

#[test]
fn a_teammates_draft_is_named_after_changed_and_never_loaded_as_mine() {
    use crate::domain::{Draft, DraftState, PostId};
    use crate::store::WorkRepo;
    let mut desk = fixture::desk();
    let draft = |post: i64, text: &str| Draft {
        post: PostId(post),
        text: text.into(),
        cursor: (0, 0),
        state: DraftState::Editing,
        idempotency_key: format!("k-{text}"),
        updated_at: fixture::now(),
    };
    // Ben writes to post 2 and to post 1 (where this console's person has a draft too); the same person's
    // other console writes to post 3.
    desk.db.save_draft("ben", &draft(2, "Ben on two")).unwrap();
    desk.db.save_draft("ben", &draft(1, "Ben on one")).unwrap();
    desk.db
        .save_draft(fixture::STAFF, &draft(3, "mine from the laptop"))
        .unwrap();
    let before = desk.state.drafts.clone();
    assert!(desk.state.team_drafts.is_empty());

    let effects = update(&mut desk.state, Msg::Changed);
    assert!(effects.contains(&Effect::LoadDrafts), "{effects:?}");
    desk.send(Msg::Changed);

    assert_eq!(desk.state.team_drafts[&PostId(2)], ["ben"]);
    assert_eq!(desk.state.team_drafts[&PostId(1)], ["ben"]);
    assert_eq!(desk.state.drafts.get(&PostId(1)), before.get(&PostId(1)));
    assert!(!desk.state.drafts.contains_key(&PostId(2)), "Ben's is his");
    assert_eq!(desk.state.drafts[&PostId(3)].text, "mine from the laptop");
}

#[test]
fn the_draft_open_in_the_composer_is_the_composers_when_drafts_are_read_again() {
    use crate::domain::{DraftsSeen, PostId};
    let mut desk = fixture::desk();
    desk.select(Pane::Mentions, PostId(1));
    desk.send(Msg::Command(crate::app::Command::Reply));
    let open = desk.state.composer.as_ref().map(|c| c.post);
    let Some(open) = open else {
        panic!("the composer opens");
    };
    let typed = desk.state.drafts.get(&open).cloned();
    // Read before the last keystrokes were saved: an older text of the open draft, and nothing else.
    let mut stale = typed
        .clone()
        .unwrap_or_else(|| panic!("post {open:?} has a draft"));
    stale.text = "an older text".into();
    update(
        &mut desk.state,
        Msg::DraftsLoaded(Ok(DraftsSeen {
            mine: vec![stale],
            team: vec![(open, "ben".into())],
        })),
    );
    assert_eq!(desk.state.drafts.get(&open).cloned(), typed);
    assert_eq!(desk.state.team_drafts[&open], ["ben"]);

    update(
        &mut desk.state,
        Msg::DraftsLoaded(Err("connection lost".into())),
    );
    assert_eq!(
        desk.state.team_drafts[&open],
        ["ben"],
        "kept when the read fails"
    );
    let flash = desk.state.flash.as_ref().map(|(text, _)| text.as_str());
    assert!(
        flash.is_some_and(|t| t.contains("connection lost")),
        "{flash:?}"
    );
}
