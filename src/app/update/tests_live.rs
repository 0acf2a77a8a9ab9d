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

/// An action logged at another till, as the other console's store write.
fn logged_elsewhere(desk: &mut fixture::Desk, note: &str) -> i64 {
    desk.db
        .log_action(
            fixture::STAFF,
            &NewAction {
                post: None,
                customer: None,
                kind: ActionKind::Note,
                note: note.into(),
                at: fixture::now(),
                url: None,
            },
        )
        .unwrap()
        .id
}

/// The id of the action the Log's selection is on.
fn selected_action(desk: &fixture::Desk) -> Option<i64> {
    match desk.state.selected_log_row() {
        Some(crate::state::LogRow::Action(a)) => Some(a.id),
        _ => None,
    }
}

#[test]
fn the_log_keeps_its_selected_action_when_another_console_logs_one() {
    let mut desk = fixture::desk();
    for i in 0..4 {
        desk.log(NewAction {
            post: None,
            customer: None,
            kind: ActionKind::Note,
            note: format!("note {i}"),
            at: fixture::now() - chrono::Duration::minutes(10 - i),
            url: None,
        });
    }
    desk.state.focus = Pane::Log;
    desk.state.log.selected = desk.state.due_follow_ups().count() + 2;
    let kept = selected_action(&desk).expect("an action selected");

    let newest = logged_elsewhere(&mut desk, "from the other till");
    desk.send(Msg::Changed);

    let rows = desk.state.log_rows();
    let due = desk.state.due_follow_ups().count();
    assert!(
        matches!(rows.get(due), Some(crate::state::LogRow::Action(a)) if a.id == newest),
        "the new action is on top of the actions"
    );
    assert_eq!(selected_action(&desk), Some(kept), "still on its action");
    assert_eq!(
        desk.state.log.selected,
        due + 3,
        "one row down among the actions, as it moved"
    );

    // A selection at the top of the actions stays on that action too, the newer one arriving above it.
    desk.state.log.selected = due;
    let top = selected_action(&desk);
    logged_elsewhere(&mut desk, "and another");
    desk.send(Msg::Changed);
    assert_eq!(selected_action(&desk), top);
}

#[test]
fn a_follow_up_scheduled_elsewhere_shows_in_the_log_after_changed() {
    use crate::store::LogRepo;
    let mut desk = fixture::desk();
    desk.follow_up(Some(1), None, fixture::now().date_naive(), "call back");
    assert!(!desk.state.follow_ups_open(), "the view is closed");
    desk.state.focus = Pane::Log;
    desk.state.log.selected = desk.state.due_follow_ups().count();
    let kept = selected_action(&desk).expect("an action selected");
    let due_before: Vec<i64> = desk.state.due_follow_ups().map(|f| f.id).collect();

    let (elsewhere, _) = desk
        .db
        .schedule_follow_up(
            fixture::STAFF,
            &crate::domain::NewFollowUp {
                post: Some(crate::domain::PostId(3)),
                customer: None,
                due: fixture::now().date_naive(),
                note: "scheduled at the other till".into(),
                created_at: fixture::now(),
            },
        )
        .unwrap();
    let effects = update(&mut desk.state, Msg::Changed);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Load(Load::FollowUps))),
        "read through the read path: {effects:?}"
    );
    desk.state.follow_up_view.pending = false;
    desk.send(Msg::Changed);

    let due: Vec<i64> = desk.state.due_follow_ups().map(|f| f.id).collect();
    assert!(due.contains(&elsewhere.id), "{due:?}");
    assert_eq!(
        due.len(),
        due_before.len() + 1,
        "{due:?} after {due_before:?}"
    );
    assert_eq!(
        selected_action(&desk),
        Some(kept),
        "the Log's selection stays on its action"
    );
    // Done elsewhere: it leaves the Log at the next change.
    desk.db
        .complete_follow_up(fixture::STAFF, elsewhere.id, fixture::now())
        .unwrap();
    desk.send(Msg::Changed);
    assert!(!desk.state.due_follow_ups().any(|f| f.id == elsewhere.id));
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
