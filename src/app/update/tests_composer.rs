//! The composer's ready-made texts and outside editing: greetings by name (never a handle) that switch rather
//! than pile up, saved replies with their variables, the picker, `$EDITOR`'s answers, Ctrl-Z.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::config::SavedReply;
use crate::domain::{Author, PostId};
use crate::state::fixture::{self, Desk};

fn cmd(state: &mut AppState, c: Command) -> Vec<Effect> {
    update(state, Msg::Command(c))
}

fn text(state: &AppState) -> String {
    state.composer.as_ref().expect("composer open").text()
}

fn typed(state: &mut AppState, s: &str) {
    for c in s.chars() {
        update(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

/// The composer open on a mention by someone who is not a customer.
fn stranger(display_name: &str, post_text: &str) -> Desk {
    let mut desk = fixture::desk();
    let mut post = fixture::post(7, "kezia.bsky.social", None, true, 3, post_text);
    post.author = Author {
        handle: "kezia.bsky.social".into(),
        display_name: display_name.into(),
    };
    desk.add(vec![post]);
    desk.select(Pane::Mentions, PostId(7));
    desk.send(Msg::Command(Command::Reply));
    desk
}

fn saved(name: &str, text: &str) -> SavedReply {
    SavedReply {
        name: name.into(),
        text: text.into(),
    }
}

#[test]
fn greetings_use_the_display_name_never_the_handle() {
    let mut desk = stranger("Kezia 🌿", "@marlowfinch where is my parcel?");
    cmd(&mut desk.state, Command::InsertTemplate);
    let t = text(&desk.state);
    assert!(t.starts_with("Hi Kezia, thank you"), "{t}");
    assert!(!t.contains('@'), "{t}");
    // A display name that is only the handle again: no name at all, still a greeting.
    let mut desk = stranger("kezia.bsky.social", "@marlowfinch where is my parcel?");
    cmd(&mut desk.state, Command::InsertTemplate);
    let t = text(&desk.state);
    assert!(t.starts_with("Hi, thank you"), "{t}");
}

#[test]
fn a_second_ctrl_t_switches_the_greeting_and_keeps_the_reply() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    cmd(&mut s, Command::InsertTemplate);
    typed(&mut s, "We'll fix it today.");
    cmd(&mut s, Command::InsertTemplate);
    let t = text(&s);
    assert!(t.starts_with("Hi Tom, I'm so sorry"), "{t}");
    assert!(t.ends_with("We'll fix it today."), "{t}");
    assert_eq!(t.matches("Hi Tom").count(), 1, "{t}");
    // The cursor stays where staff were typing: more text goes on the end.
    typed(&mut s, "!");
    assert!(text(&s).ends_with("today.!"));
    // Round the list and back to the first.
    cmd(&mut s, Command::InsertTemplate);
    cmd(&mut s, Command::InsertTemplate);
    let t = text(&s);
    assert!(
        t.starts_with("Hi Tom, thank you for telling us. We'll"),
        "{t}"
    );
}

#[test]
fn a_greeting_goes_first_even_when_the_reply_was_typed_first() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    typed(&mut s, "We'll fix it.");
    cmd(&mut s, Command::InsertTemplate);
    assert_eq!(text(&s), "Hi Tom, thank you for telling us. We'll fix it.");
}

#[test]
fn greetings_come_from_the_config() {
    let mut s = fixture::workspace();
    s.reply_texts.greetings = vec!["Hello {first_name} from {shop}! ".into()];
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    cmd(&mut s, Command::InsertTemplate);
    assert_eq!(text(&s), "Hello Tom from Marlow & Finch! ");
    // One greeting: Ctrl-T again leaves it as it is, once.
    cmd(&mut s, Command::InsertTemplate);
    assert_eq!(text(&s), "Hello Tom from Marlow & Finch! ");
    s.reply_texts.greetings.clear();
    cmd(&mut s, Command::InsertTemplate);
    assert!(s.flash.as_ref().unwrap().0.contains("[composer] greetings"));
}

#[test]
fn the_picker_filters_and_inserts_at_the_cursor_with_variables_filled() {
    let mut desk = stranger("Kezia", "@marlowfinch order #10482 still not here");
    let s = &mut desk.state;
    s.reply_texts.saved = vec![
        saved("Thanks", "Thank you {first_name}!"),
        saved(
            "Late parcel",
            "Sorry {name}, we are chasing order {order} with the courier.",
        ),
    ];
    typed(s, "Hi. ");
    cmd(s, Command::SavedReplies);
    assert!(matches!(s.popup, Some(Popup::SavedReplies(_))));
    // Typing filters; the popup has the keys, not the draft.
    typed(s, "courier");
    assert_eq!(text(s), "Hi. ");
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let routed = crate::app::router::route(s, enter).expect("a key");
    update(s, routed);
    assert!(s.popup.is_none());
    assert_eq!(
        text(s),
        "Hi. Sorry Kezia, we are chasing order 10482 with the courier."
    );
    assert!(
        s.composer.as_ref().unwrap().unsaved_since.is_some(),
        "autosaved"
    );
}

#[test]
fn the_picker_can_replace_the_draft_and_an_unknown_order_stays_visible() {
    let mut desk = stranger("Kezia", "@marlowfinch my parcel is late");
    let s = &mut desk.state;
    s.reply_texts.saved = vec![saved("Late", "Hi {first_name}, could you send us {order}?")];
    typed(s, "something else");
    cmd(s, Command::SavedReplies);
    let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let routed = crate::app::router::route(s, ctrl_r).expect("a key");
    update(s, routed);
    assert_eq!(text(s), "Hi Kezia, could you send us [order number]?");
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .contains("fill in [order number]")
    );
    // Undo brings the old draft back (clearing and inserting are two steps of the textarea's history).
    for _ in 0..2 {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        );
    }
    assert_eq!(text(s), "something else");
}

#[test]
fn the_picker_moves_filters_to_nothing_and_closes() {
    let mut s = fixture::workspace();
    s.reply_texts.saved = vec![saved("A", "alpha"), saved("B", "beta")];
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    cmd(&mut s, Command::SavedReplies);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    );
    let Some(Popup::SavedReplies(p)) = &s.popup else {
        panic!("picker")
    };
    assert_eq!(p.chosen(&s.reply_texts.saved).unwrap().name, "B");
    typed(&mut s, "zzz");
    cmd(&mut s, Command::InsertReply);
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .contains("no saved reply matches")
    );
    assert!(s.popup.is_some());
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(s.popup.is_none());
    assert!(
        s.composer.is_some(),
        "Esc closes the picker, not the composer"
    );
    // No saved replies: say how to add some.
    s.reply_texts.saved.clear();
    cmd(&mut s, Command::SavedReplies);
    assert!(s.popup.is_none());
    assert!(s.flash.as_ref().unwrap().0.contains("[[replies]]"));
}

#[test]
fn the_editor_gets_the_saved_draft_and_its_text_comes_back() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    typed(&mut s, "Hi Tom");
    let post = s.composer.as_ref().unwrap().post;
    let effects = cmd(&mut s, Command::EditInEditor);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveDraft(d) if d.text == "Hi Tom")),
        "saved before the editor runs: {effects:?}"
    );
    assert!(effects.contains(&Effect::EditDraft {
        post,
        text: "Hi Tom".into()
    }));
    update(
        &mut s,
        Msg::DraftEdited {
            post,
            result: Ok("Hi Tom,\nso sorry.\n".into()),
        },
    );
    assert_eq!(text(&s), "Hi Tom,\nso sorry.");
    assert!(s.composer.as_ref().unwrap().unsaved_since.is_some());
}

#[test]
fn a_failed_editor_keeps_the_draft_and_says_why() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    typed(&mut s, "Hi Tom");
    let post = s.composer.as_ref().unwrap().post;
    update(
        &mut s,
        Msg::DraftEdited {
            post,
            result: Err("no editor set: export VISUAL or EDITOR".into()),
        },
    );
    assert_eq!(text(&s), "Hi Tom");
    let flash = &s.flash.as_ref().unwrap().0;
    assert!(
        flash.contains("no editor set") && flash.contains("draft kept"),
        "{flash}"
    );
}

#[test]
fn ctrl_z_suspends_from_normal_mode_and_undoes_in_the_composer() {
    let mut s = fixture::workspace();
    let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
    let routed = crate::app::router::route(&s, ctrl_z).expect("bound");
    assert_eq!(update(&mut s, routed), vec![Effect::Suspend]);
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    assert!(matches!(
        crate::app::router::route(&s, ctrl_z),
        Some(Msg::Key(_))
    ));
}
