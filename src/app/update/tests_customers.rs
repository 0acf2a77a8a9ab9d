//! The Customers view in `update`: every message and command it adds.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Command, Effect, Msg, update};
use crate::domain::{ActionKind, CustomerId, PostId};
use crate::state::{View, fixture};

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn open() -> fixture::Desk {
    let mut desk = fixture::desk();
    let work = desk.send(Msg::Command(Command::Customers));
    assert!(work.is_empty(), "the view's reads are answered: {work:?}");
    desk
}

#[test]
fn r_opens_the_view_enter_a_story_and_esc_goes_back_step_by_step() {
    let mut s = fixture::workspace();
    let effects = update(&mut s, Msg::Command(Command::Customers));
    assert_eq!(s.view, View::Customers);
    assert!(effects.contains(&Effect::LoadCustomers));
    assert!(!s.customers_view.loaded);

    let mut desk = open();
    let names: Vec<&str> = desk
        .state
        .customers_view
        .rows
        .iter()
        .map(|r| r.customer.name.as_str())
        .collect();
    assert_eq!(names, ["Priya Raman", "Tom Okafor", "Ada Lind"]);
    desk.send(Msg::Command(Command::NextPost));
    desk.send(Msg::Command(Command::LastPost));
    assert_eq!(desk.state.customers_view.selected, 2);
    desk.send(Msg::Command(Command::PageUp));
    assert_eq!(desk.state.customers_view.selected, 0);

    let effects = update(&mut desk.state.clone(), Msg::Command(Command::OpenDetail));
    assert!(effects.contains(&Effect::LoadStory(CustomerId(1))));
    desk.send(Msg::Command(Command::OpenDetail));
    let story = desk.state.customers_view.story.as_ref().unwrap();
    assert_eq!(
        story.story.as_ref().unwrap().summary.customer.name,
        "Priya Raman"
    );
    // The story scrolls within what it holds (nothing to scroll on a tall terminal).
    desk.state.size = (80, 10);
    desk.send(Msg::Command(Command::LastPost));
    let room = crate::ui::story::story_room(&desk.state);
    assert!(room > 0);
    assert_eq!(
        desk.state.customers_view.story.as_ref().unwrap().scroll,
        room
    );
    desk.send(Msg::Command(Command::NextPost));
    assert_eq!(
        desk.state.customers_view.story.as_ref().unwrap().scroll,
        room
    );

    desk.send(Msg::Command(Command::Close));
    assert!(desk.state.customers_view.story.is_none());
    assert_eq!(desk.state.view, View::Customers);
    desk.send(Msg::Command(Command::Close));
    assert_eq!(desk.state.view, View::Panes);
    // R closes it too.
    desk.send(Msg::Command(Command::Customers));
    desk.send(Msg::Command(Command::Customers));
    assert_eq!(desk.state.view, View::Panes);
}

#[test]
fn other_work_waits_until_the_view_is_closed() {
    let mut desk = open();
    desk.send(Msg::Command(Command::Reply));
    assert!(desk.state.composer.is_none());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("Esc goes back"),
        "{:?}",
        desk.state.flash
    );
    desk.send(Msg::Command(Command::Help));
    assert!(desk.state.popup.is_some(), "help still opens");
}

#[test]
fn notes_are_edited_and_saved_on_close() {
    let mut desk = open();
    desk.send(Msg::Command(Command::EditNote));
    let editor = desk.state.customers_view.note.as_ref().unwrap();
    assert_eq!(
        (editor.customer, editor.text().as_str()),
        (CustomerId(1), "prefers rose gold")
    );
    // Keys the normal keymap binds are typing here.
    for c in " and".chars() {
        desk.send(key(c));
    }
    desk.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    desk.send(Msg::Paste("ring size N\x1b[31m".into()));
    let effects = update(
        &mut desk.state.clone(),
        Msg::Command(Command::CloseComposer),
    );
    assert_eq!(
        effects,
        vec![Effect::SaveCustomerNote {
            customer: CustomerId(1),
            note: "prefers rose gold and\nring size N".into()
        }]
    );
    desk.send(Msg::Command(Command::SendReply));
    assert!(desk.state.customers_view.note.is_none());
    let saved = "prefers rose gold and\nring size N";
    assert_eq!(desk.state.customers[&CustomerId(1)].note, saved);
    assert_eq!(desk.state.customers_view.rows[0].customer.note, saved);
    assert!(desk.state.flash.as_ref().unwrap().0.contains("saved"));
}

#[test]
fn a_note_not_saved_goes_back_to_the_editor_and_quitting_saves_it() {
    let mut s = fixture::workspace();
    update(
        &mut s,
        Msg::NoteNotSaved {
            customer: CustomerId(2),
            note: "call after 6pm".into(),
            error: "database is locked".into(),
        },
    );
    let editor = s.customers_view.note.as_ref().unwrap();
    assert_eq!(
        (editor.name.as_str(), editor.text().as_str()),
        ("Tom Okafor", "call after 6pm")
    );
    assert!(s.flash.as_ref().unwrap().0.contains("database is locked"));
    let effects = update(&mut s, Msg::Command(Command::Quit));
    assert!(effects.contains(&Effect::SaveCustomerNote {
        customer: CustomerId(2),
        note: "call after 6pm".into()
    }));
    assert!(effects.contains(&Effect::Quit));
}

#[test]
fn in_the_panes_e_edits_the_current_posts_customer() {
    let mut desk = fixture::desk();
    desk.select(crate::state::Pane::Regulars, PostId(2));
    desk.send(Msg::Command(Command::EditNote));
    assert_eq!(
        desk.state.customers_view.note.as_ref().unwrap().customer,
        CustomerId(2)
    );
    let mut desk = fixture::desk();
    desk.select(crate::state::Pane::Mentions, PostId(4));
    desk.send(Msg::Command(Command::EditNote));
    assert!(desk.state.customers_view.note.is_none());
    assert!(desk.state.flash.is_some());
}

#[test]
fn what_changes_a_customer_reads_the_open_view_again() {
    let mut desk = open();
    desk.send(Msg::Command(Command::OpenDetail));
    let action = crate::domain::Action {
        id: 9,
        post: Some(PostId(1)),
        customer: Some(CustomerId(1)),
        kind: ActionKind::GiftSent,
        note: String::new(),
        at: desk.state.now,
        url: None,
        staff: "ana".into(),
    };
    let effects = update(&mut desk.state.clone(), Msg::ActionLogged(action.clone()));
    assert!(effects.contains(&Effect::LoadCustomers));
    assert!(effects.contains(&Effect::LoadStory(CustomerId(1))));
    // A stranger's post changes nothing here; a customer's does.
    let stranger = fixture::post(20, "x@y.z", None, true, 0, "hello");
    let effects = update(
        &mut desk.state.clone(),
        Msg::Ingested {
            source: "demo".into(),
            posts: vec![stranger],
        },
    );
    assert!(!effects.contains(&Effect::LoadCustomers));
    let theirs = fixture::post(21, "ada@mas.to", Some(3), false, 0, "hello");
    let effects = update(
        &mut desk.state.clone(),
        Msg::Ingested {
            source: "demo".into(),
            posts: vec![theirs],
        },
    );
    assert!(effects.contains(&Effect::LoadCustomers));
    // With the view closed, nothing is read: opening it reads afresh.
    let mut s = fixture::workspace();
    assert!(!update(&mut s, Msg::ActionLogged(action)).contains(&Effect::LoadCustomers));
}

#[test]
fn failed_reads_are_said() {
    let mut s = fixture::workspace();
    update(&mut s, Msg::Command(Command::Customers));
    update(&mut s, Msg::CustomersLoaded(Err("disk I/O error".into())));
    assert_eq!(s.customers_view.error.as_deref(), Some("disk I/O error"));
    let mut desk = open();
    desk.state.customers_view.story = Some(crate::state::StoryView {
        customer: CustomerId(1),
        story: None,
        scroll: 0,
    });
    update(
        &mut desk.state,
        Msg::StoryLoaded {
            customer: CustomerId(1),
            story: Err("disk I/O error".into()),
        },
    );
    assert!(desk.state.customers_view.story.is_none());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("disk I/O error")
    );
    // A story for another customer than the one open is dropped.
    desk.state.customers_view.story = Some(crate::state::StoryView {
        customer: CustomerId(2),
        story: None,
        scroll: 0,
    });
    update(
        &mut desk.state,
        Msg::StoryLoaded {
            customer: CustomerId(1),
            story: Ok(None),
        },
    );
    assert_eq!(
        desk.state.customers_view.story.as_ref().map(|s| s.customer),
        Some(CustomerId(2))
    );
}

#[test]
fn the_editor_takes_the_keys_and_the_composers_save_chords() {
    use crate::app::router::route;
    let mut desk = open();
    desk.send(Msg::Command(Command::EditNote));
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    assert!(matches!(route(&desk.state, j), Some(Msg::Key(_))));
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(matches!(
        route(&desk.state, ctrl_s),
        Some(Msg::Command(Command::SendReply))
    ));
}

#[test]
fn c_takes_the_customer_to_the_panes_history() {
    let mut desk = open();
    desk.send(Msg::Command(Command::NextPost));
    desk.send(Msg::Command(Command::OpenDetail));
    desk.send(Msg::Command(Command::CustomerHistory));
    assert_eq!(desk.state.view, View::Panes);
    assert_eq!(desk.state.history, Some(CustomerId(2)));
    assert_eq!(desk.state.focus, crate::state::Pane::History);
    assert_eq!(
        desk.state.current_post_id(),
        Some(PostId(2)),
        "their post, in Detail"
    );
}
