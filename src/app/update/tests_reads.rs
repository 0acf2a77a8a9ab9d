//! Read state in `update`, against a real store: read after resting on a post (injected time) or opening it,
//! not by passing over it; counts from the store; `M` after a yes; `n` and `!` to the next unread post, even one
//! no window holds; the place saved on quit.

use chrono::Duration;

use super::*;
use crate::domain::PostId;
use crate::state::fixture::{self, Desk};
use crate::state::reads::DWELL_MS;

fn read(desk: &Desk, id: PostId) -> bool {
    desk.state
        .posts
        .get(id)
        .map(|p| p.read_at.is_some())
        .unwrap_or_else(|| panic!("post {id:?} not held"))
}

fn later(desk: &mut Desk, ms: i64) -> Vec<Effect> {
    let now = desk.state.now + Duration::milliseconds(ms);
    desk.send(Msg::Tick(now))
}

/// The fixture's desk with 150 older unread mentions (more than a page) below its own posts.
fn unread_desk() -> Desk {
    let mut desk = fixture::desk();
    let posts = (7..157)
        .map(|id| {
            fixture::post(
                id,
                &format!("user{id}@example.social"),
                None,
                true,
                300 + id,
                &format!("@marlowfinch lovely shop visit number {id}"),
            )
        })
        .collect();
    desk.add(posts);
    desk
}

#[test]
fn a_post_rested_on_is_read_one_passed_over_is_not() {
    let mut desk = fixture::desk();
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), 1);
    assert_eq!(desk.state.reads.total, 1);
    desk.select(Pane::Mentions, PostId(4));
    // Over post 2 and off it again within the moment.
    desk.select(Pane::Mentions, PostId(2));
    later(&mut desk, DWELL_MS - 500);
    desk.send(Msg::Command(Command::NextPost));
    later(&mut desk, DWELL_MS);
    assert!(!read(&desk, PostId(2)), "passed over, not read");
    // Resting on it: read once the moment is over, here and in the store's counts.
    desk.select(Pane::Mentions, PostId(2));
    later(&mut desk, DWELL_MS - 100);
    assert!(!read(&desk, PostId(2)));
    let effects = later(&mut desk, 200);
    assert!(effects.is_empty(), "answered by the store: {effects:?}");
    assert!(read(&desk, PostId(2)));
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), 0);
    assert_eq!(desk.state.reads.total, 0);
    assert_eq!(desk.state.reads.dwell, None);
}

#[test]
fn opening_a_post_reads_it_at_once() {
    let mut desk = fixture::desk();
    desk.select(Pane::Attention, PostId(2));
    desk.send(Msg::Command(Command::OpenDetail));
    assert!(read(&desk, PostId(2)));
    assert_eq!(desk.state.reads.unread_in(Pane::Attention), 0);
    // Opening a read post writes nothing.
    let effects = update(&mut desk.state, Msg::Command(Command::OpenDetail));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::MarkRead { .. })),
        "{effects:?}"
    );
}

#[test]
fn next_unread_goes_down_the_pane_then_to_other_panes() {
    let mut desk = unread_desk();
    desk.select(Pane::Log, PostId(1));
    desk.state.focus = Pane::Log;
    desk.send(Msg::Command(Command::NextUnread));
    // From the Log: the first post pane in the cycle with an unread post (Regulars holds post 2).
    assert_eq!(desk.state.focus, Pane::Regulars);
    assert_eq!(desk.state.current_post_id(), Some(PostId(2)));
    desk.send(Msg::Command(Command::OpenDetail));
    desk.send(Msg::Command(Command::NextUnread));
    assert_eq!(
        desk.state.focus,
        Pane::Mentions,
        "Regulars has nothing unread"
    );
    assert_eq!(desk.state.current_post_id(), Some(PostId(7)));
    // Far down, beyond what the window held: the window opens on it, and fills around it.
    for id in [PostId(7), PostId(8)] {
        assert_eq!(desk.state.current_post_id(), Some(id));
        desk.send(Msg::Command(Command::OpenDetail));
        desk.send(Msg::Command(Command::NextUnread));
    }
    desk.send(Msg::Command(Command::MarkAllRead));
    desk.send(Msg::Command(Command::Confirm));
    desk.select(Pane::Mentions, PostId(2));
    let list = desk.state.list(Pane::Mentions).unwrap();
    assert_eq!(list.window.total, 154);
    desk.send(Msg::Command(Command::NextUnread));
    assert_eq!(desk.state.flash.as_ref().unwrap().0, "nothing unread");
}

#[test]
fn next_unread_opens_a_window_on_a_post_far_down() {
    let mut desk = unread_desk();
    // Everything but the oldest mention read.
    let all: Vec<PostId> = (1..156).map(PostId).collect();
    crate::store::ReadRepo::mark_read(&mut desk.db, &all, fixture::now()).unwrap();
    desk.select(Pane::Mentions, PostId(2));
    desk.send(Msg::Command(Command::NextUnread));
    assert_eq!(desk.state.focus, Pane::Mentions);
    assert_eq!(desk.state.current_post_id(), Some(PostId(156)));
    let list = desk.state.list(Pane::Mentions).unwrap();
    assert!(list.window.has_end() && !list.window.has_start());
    assert_eq!(
        list.window.offset + list.selected_index(),
        153,
        "the last row"
    );
    assert!(list.window.rows.len() > 1, "filled around it");
}

#[test]
fn next_urgent_is_the_top_unread_attention_item_else_the_top() {
    let mut desk = fixture::desk();
    desk.select(Pane::Mentions, PostId(4));
    desk.send(Msg::Command(Command::NextUrgent));
    assert_eq!(desk.state.focus, Pane::Attention);
    assert_eq!(desk.state.current_post_id(), Some(PostId(2)));
    desk.send(Msg::Command(Command::OpenDetail));
    desk.select(Pane::Mentions, PostId(4));
    desk.send(Msg::Command(Command::NextUrgent));
    assert_eq!(desk.state.focus, Pane::Attention);
    let top = desk.state.list(Pane::Attention).unwrap().window.rows[0].id;
    assert_eq!(desk.state.current_post_id(), Some(top));
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("no unread urgent")
    );
}

#[test]
fn mark_all_read_asks_then_marks_the_filtered_pane_only() {
    let mut desk = unread_desk();
    desk.state.focus = Pane::Mentions;
    desk.send(Msg::Command(Command::Filter));
    for c in "number 1".chars() {
        desk.send(Msg::Key(KeyEvent::from(KeyCode::Char(c))));
    }
    desk.send(Msg::Key(KeyEvent::from(KeyCode::Enter)));
    // 10..19, 100..156 (and 1? no: post 1 is not "number 1...").
    let filtered = desk.state.reads.unread_in(Pane::Mentions);
    assert_eq!(filtered, 10 + 57);
    let effects = desk.send(Msg::Command(Command::MarkAllRead));
    assert!(effects.is_empty());
    assert_eq!(
        desk.state.popup,
        Some(Popup::ConfirmMarkAllRead {
            pane: Pane::Mentions,
            count: filtered
        })
    );
    // No: nothing changes.
    desk.send(Msg::Command(Command::Cancel));
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), filtered);
    desk.send(Msg::Command(Command::MarkAllRead));
    desk.send(Msg::Command(Command::Confirm));
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), 0);
    assert_eq!(
        desk.state.flash.as_ref().unwrap().0,
        "67 posts in Mentions marked read"
    );
    desk.send(Msg::Command(Command::ClearFilter));
    // Posts 2 and the 150 added, less the 67 marked.
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), 151 - 67);
    // Nothing unread: no question.
    desk.send(Msg::Command(Command::NextPane));
    desk.send(Msg::Command(Command::NextPane));
    assert_eq!(desk.state.focus, Pane::Log);
    desk.send(Msg::Command(Command::MarkAllRead));
    assert_eq!(desk.state.popup, None);
}

#[test]
fn the_place_is_saved_on_quit_and_on_the_clock_when_it_changed() {
    let mut desk = fixture::desk();
    desk.select(Pane::Mentions, PostId(4));
    let saves = |effects: &[Effect]| {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::SavePlace { values, .. } => Some(values.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    // The desk's first tick saved the place it opened on; the change waits for the next save.
    let (saved, _) = desk.state.reads.saved.clone().unwrap();
    assert_eq!(saved.focus, Some(Pane::Attention));
    let first = later(&mut desk, 10_000);
    assert!(
        saves(&first)[0].contains(&("focus".into(), "mentions".into())),
        "{first:?}"
    );
    assert!(saves(&later(&mut desk, 20_000)).is_empty(), "unchanged");
    desk.send(Msg::Command(Command::NextPane));
    assert_eq!(saves(&later(&mut desk, 100)).len(), 1, "changed, 20 s on");
    desk.send(Msg::Command(Command::PrevPane));
    assert!(
        saves(&later(&mut desk, 1_000)).is_empty(),
        "saved at most every 10 s"
    );
    desk.send(Msg::Command(Command::NextPane));
    desk.send(Msg::Command(Command::PrevPane));
    let quit = desk.send(Msg::Command(Command::Quit));
    let saved = saves(&quit);
    assert_eq!(saved.len(), 1, "{quit:?}");
    assert!(saved[0].contains(&("selected.mentions".into(), "4".into())));
    assert_eq!(quit.last(), Some(&Effect::Quit));
}
