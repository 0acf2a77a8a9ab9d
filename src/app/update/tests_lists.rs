//! The read path in `update`: pages asked for and merged, scrolling past what is loaded, `g`/`G` to the ends of
//! the whole list, stale answers dropped, live posts placed without moving the selection.

use super::*;
use crate::app::{Load, Loaded};
use crate::domain::{Anchor, Page, PostId};
use crate::state::fixture::{self, Desk};
use crate::state::lists::PAGE;

/// The fixture's workspace with 250 more mentions, a minute apart, older than its own posts.
fn busy_desk() -> Desk {
    let mut desk = fixture::desk();
    let posts = (7..257)
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
    desk.state.focus = Pane::Mentions;
    desk
}

fn loads(effects: &[Effect]) -> Vec<&Load> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Load(l) => Some(l),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_console_asks_for_every_pane_and_drops_answers_to_old_queries() {
    let mut s = fixture::empty();
    let effects = update(&mut s, Msg::Tick(fixture::now()));
    let asked = loads(&effects);
    let panes: Vec<Pane> = asked.iter().filter_map(|l| l.target()).collect();
    assert_eq!(
        panes,
        [Pane::Regulars, Pane::Mentions, Pane::Attention, Pane::Log]
    );
    assert!(asked.iter().all(|l| matches!(
        l,
        Load::Posts {
            anchor: Anchor::First,
            count: true,
            ..
        } | Load::Log {
            anchor: Anchor::First,
            count: true,
            ..
        }
    )));
    // Nothing is asked twice while the answers are on their way.
    assert!(loads(&update(&mut s, Msg::Tick(fixture::now()))).is_empty());
    // The filter changes before Mentions answers: the old answer is dropped, the new one taken.
    let Load::Posts {
        generation: old, ..
    } = asked[1].clone()
    else {
        panic!()
    };
    s.filter.editing = Some(crate::state::LineInput::new(""));
    let effects = update(&mut s, Msg::Paste("ring".into()));
    assert!(
        effects.is_empty(),
        "a paste edits the line; Enter applies it"
    );
    let effects = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Enter)),
    );
    let new = loads(&effects)
        .into_iter()
        .find_map(|l| match l {
            Load::Posts {
                pane: Pane::Mentions,
                generation,
                ..
            } => Some(*generation),
            _ => None,
        })
        .unwrap();
    assert!(new > old);
    let post = fixture::post(1, "a@b.c", None, true, 1, "a ring");
    let key = s.key_in(Pane::Mentions, &post).unwrap();
    let answer = |generation| {
        Msg::Loaded(Loaded::Posts {
            pane: Pane::Mentions,
            generation,
            anchor: Anchor::First,
            page: Page {
                rows: vec![(key, post.clone())],
                total: Some(1),
            },
        })
    };
    update(&mut s, answer(old));
    assert!(s.rows(Pane::Mentions).is_empty(), "stale answer dropped");
    update(&mut s, answer(new));
    assert_eq!(s.rows(Pane::Mentions).len(), 1);
    assert_eq!(s.list(Pane::Mentions).unwrap().window.total, 1);
}

#[test]
fn scrolling_past_the_loaded_page_loads_the_next_and_g_reaches_both_ends() {
    let mut desk = busy_desk();
    let total = desk.state.list(Pane::Mentions).unwrap().window.total;
    assert_eq!(total, 254, "4 of the fixture's and 250 more");
    assert_eq!(
        desk.state.rows(Pane::Mentions).len(),
        PAGE,
        "one page loaded"
    );
    for _ in 0..PAGE + 20 {
        desk.send(Msg::Command(Command::NextPost));
    }
    let list = desk.state.list(Pane::Mentions).unwrap();
    assert_eq!(list.window.offset + list.selected_index(), PAGE + 20);
    assert!(list.window.rows.len() > PAGE + 20, "the next page came");
    // The very last row, then back to the first, wherever they are.
    desk.send(Msg::Command(Command::LastPost));
    let list = desk.state.list(Pane::Mentions).unwrap();
    assert_eq!(list.window.offset + list.selected_index(), total - 1);
    assert_eq!(
        desk.state.current_post_id(),
        Some(PostId(256)),
        "the oldest"
    );
    desk.send(Msg::Command(Command::FirstPost));
    assert_eq!(desk.state.current_post_id(), Some(PostId(2)), "the newest");
    // From the last page, scrolling up loads the page before it.
    desk.send(Msg::Command(Command::LastPost));
    let list = desk.state.list(Pane::Mentions).unwrap();
    let offset = list.window.offset;
    assert!(offset > 0);
    for _ in 0..80 {
        desk.send(Msg::Command(Command::PrevPost));
    }
    let list = desk.state.list(Pane::Mentions).unwrap();
    assert!(list.window.offset < offset, "the rows above were loaded");
    assert_eq!(list.window.offset + list.selected_index(), total - 81);
    // Rows 0-3 are the fixture's own mentions; from row 4 on, row r is post r + 3.
    assert_eq!(
        desk.state.current_post_id(),
        Some(PostId(total as i64 - 81 + 3))
    );
}

#[test]
fn a_live_post_in_a_scrolled_pane_keeps_the_selection_on_its_post() {
    let mut desk = busy_desk();
    for _ in 0..150 {
        desk.send(Msg::Command(Command::NextPost));
    }
    let selected = desk.state.current_post_id().unwrap();
    let before = desk.state.list(Pane::Mentions).unwrap().clone();
    let live = fixture::post(
        300,
        "new@example.social",
        None,
        true,
        0,
        "@marlowfinch hello!",
    );
    desk.send(Msg::Ingested {
        source: "demo".into(),
        posts: vec![live],
    });
    let after = desk.state.list(Pane::Mentions).unwrap();
    assert_eq!(desk.state.current_post_id(), Some(selected));
    assert_eq!(after.window.total, before.window.total + 1, "counted");
    assert_eq!(
        after.window.offset + after.selected_index(),
        before.window.offset + before.selected_index() + 1,
        "one row more above it"
    );
    desk.send(Msg::Command(Command::FirstPost));
    assert_eq!(desk.state.current_post_id(), Some(PostId(300)), "on top");
    // A live post that belongs nowhere changes no list.
    let totals =
        |d: &Desk| Pane::POSTS.map(|p| d.state.list(p).map(|l| l.window.total).unwrap_or_default());
    let was = totals(&desk);
    let chatter = fixture::post(301, "z@example.social", None, false, 0, "nice weather");
    desk.send(Msg::Ingested {
        source: "demo".into(),
        posts: vec![chatter],
    });
    assert_eq!(totals(&desk), was);
}

#[test]
fn handling_takes_a_post_out_of_attention_and_the_count_follows() {
    let mut desk = fixture::desk();
    desk.state.focus = Pane::Attention;
    let open = desk.state.list(Pane::Attention).unwrap().window.total;
    assert_eq!(open, desk.state.open_attention);
    let first = desk.state.current_post_id().unwrap();
    desk.send(Msg::Command(Command::MarkHandled));
    let list = desk.state.list(Pane::Attention).unwrap();
    assert_eq!(list.window.total, open - 1);
    assert_eq!(desk.state.to_answer_count(), open - 1);
    assert!(!list.ids().any(|id| id == first));
}

#[test]
fn the_customer_history_opens_in_regulars_place_and_closes_with_esc() {
    let mut desk = fixture::desk();
    desk.select(Pane::Regulars, PostId(1));
    desk.send(Msg::Command(Command::CustomerHistory));
    assert_eq!(desk.state.focus, Pane::History);
    assert_eq!(desk.state.panes()[0], Pane::History);
    let rows: Vec<i64> = desk
        .state
        .rows(Pane::History)
        .iter()
        .map(|p| p.id.0)
        .collect();
    assert_eq!(rows, [1], "Priya's posts only");
    desk.send(Msg::Command(Command::Close));
    assert_eq!(
        (desk.state.focus, desk.state.history),
        (Pane::Regulars, None)
    );
    // A stranger has no history.
    desk.select(Pane::Mentions, PostId(4));
    desk.send(Msg::Command(Command::CustomerHistory));
    assert_eq!(desk.state.focus, Pane::Mentions);
    assert!(desk.state.flash.as_ref().unwrap().0.contains("no history"));
}

#[test]
fn a_failed_read_is_said_and_tried_again_a_little_later_not_at_once() {
    let mut s = fixture::empty();
    let asked = update(&mut s, Msg::Tick(fixture::now()));
    let mentions = loads(&asked)
        .into_iter()
        .find(|l| l.target() == Some(Pane::Mentions))
        .unwrap()
        .clone();
    let effects = update(
        &mut s,
        Msg::LoadFailed {
            load: mentions,
            error: "database is locked".into(),
        },
    );
    assert!(
        !loads(&effects)
            .iter()
            .any(|l| l.target() == Some(Pane::Mentions)),
        "not asked again at once: {effects:?}"
    );
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .contains("reading Mentions failed: database is locked")
    );
    let later = update(
        &mut s,
        Msg::Tick(fixture::now() + chrono::Duration::seconds(6)),
    );
    assert!(
        loads(&later)
            .iter()
            .any(|l| l.target() == Some(Pane::Mentions)),
        "asked again after a while: {later:?}"
    );
}
