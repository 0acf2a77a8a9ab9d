//! The composer soft-wraps: the start of a reply stays in sight, the cursor is always on screen, Up and Down
//! move by the rows staff see; long words and wide characters wrap too. Snapshots at 80x24, 120x40, 200x50.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Command, Msg, update};
use crate::config::SavedReply;
use crate::state::fixture;
use crate::state::{AppState, Pane};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

const LONG: &str = "Hi Tom, I'm so sorry the ring is stuck in lost luggage the night before the proposal. \
    Here is what we will do right now: our Lisbon partner shop can resize and deliver an identical ring to \
    your hotel by ten tomorrow morning, at no cost to you. Could you send us a DM with the hotel's name and \
    your room number? I'll stay on this personally until it is in your hands, and I'll call the airline's \
    baggage desk as well in case the original turns up first. We're with you on this one, Tom.";

use super::tests::draw;

fn composing(text: &str) -> AppState {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    update(&mut s, Msg::Command(Command::Reply));
    update(&mut s, Msg::Paste(text.into()));
    s
}

fn press(s: &mut AppState, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn cursor(s: &AppState) -> (usize, usize) {
    let c = s.composer.as_ref().unwrap().textarea.cursor();
    (c.0, c.1)
}

#[test]
fn a_long_draft_wraps_whole_from_its_first_word_to_its_last() {
    let s = composing(LONG);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("│Hi Tom, I'm so sorry"), "{screen}");
        assert!(screen.contains("We're with you on this one,"), "{screen}");
        // No row scrolled sideways: every word is whole somewhere.
        for word in ["personally", "identical", "baggage"] {
            assert!(screen.contains(word), "{word} at {size:?}:\n{screen}");
        }
        insta::assert_snapshot!(format!("composer_long_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn a_draft_taller_than_the_screen_scrolls_with_the_cursor_in_sight() {
    let long = [LONG, LONG, LONG].join("\n\n");
    let mut s = composing(&long);
    // The cursor at the end: the end is on screen.
    let screen = draw(&s, (80, 24));
    assert!(screen.contains("with you on this one, Tom."), "{screen}");
    // Back at the start: the start is on screen.
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Home, KeyModifiers::CONTROL)),
    );
    for _ in 0..60 {
        press(&mut s, KeyCode::Up);
        draw(&s, (80, 24));
    }
    assert_eq!(cursor(&s), (0, 0));
    let screen = draw(&s, (80, 24));
    assert!(screen.contains("│Hi Tom, I'm so sorry"), "{screen}");
}

#[test]
fn up_and_down_move_by_wrapped_rows() {
    let mut s = composing(LONG);
    draw(&s, (80, 24));
    let (row, end) = cursor(&s);
    assert_eq!(row, 0, "one paragraph");
    press(&mut s, KeyCode::Up);
    let (row, col) = cursor(&s);
    assert_eq!(row, 0, "still the same line of text");
    assert!(
        col < end && col > end - 80,
        "one row up, not the line's start: {col}/{end}"
    );
    press(&mut s, KeyCode::Down);
    assert_eq!(cursor(&s), (0, end));
}

#[test]
fn long_words_and_wide_characters_wrap_without_being_lost() {
    let word = "x".repeat(150);
    let s = composing(&format!("Hi {word} end"));
    let screen = draw(&s, (80, 24));
    // The word's pieces, row after row: runs of x longer than any other word on screen.
    let xs: usize = screen
        .split(|c| c != 'x')
        .filter(|run| run.len() >= 2)
        .map(str::len)
        .sum();
    assert_eq!(xs, 150, "{screen}");
    assert!(screen.contains("end"), "{screen}");
    let wide = "日本語のお客様".repeat(12);
    let s = composing(&wide);
    let screen = draw(&s, (80, 24));
    let shown: usize = screen
        .lines()
        .map(|l| l.matches("日本語のお客様").count())
        .sum();
    // A row may break inside the repeated phrase; every character is drawn.
    let chars: usize = screen.lines().map(|l| l.matches('客').count()).sum();
    assert_eq!(chars, 12, "{screen}");
    assert!(shown >= 9, "{screen}");
}

#[test]
fn the_saved_replies_picker() {
    let mut s = composing("Hi Tom, ");
    s.reply_texts.saved = vec![
        SavedReply {
            name: "Late parcel".into(),
            text: "Sorry {first_name}, we are chasing order {order} with the courier today.".into(),
        },
        SavedReply {
            name: "Thank you".into(),
            text: "Thank you {first_name}, that means a lot to all of us at {shop}!".into(),
        },
    ];
    update(&mut s, Msg::Command(Command::SavedReplies));
    for c in "par".chars() {
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("find: par"), "{screen}");
        assert!(screen.contains("▸ Late parcel"), "{screen}");
        assert!(!screen.contains("Thank you {"), "{screen}");
        assert!(screen.contains("Enter insert"), "{screen}");
        insta::assert_snapshot!(format!("saved_replies_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn the_coach_warns_about_a_rude_reply_in_the_composer() {
    let s = composing("Calm down. As per our policy this is not our fault. Whatever.");
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            screen.contains(
                "· \"calm down\": reads as dismissive: acknowledge how they feel instead."
            ),
            "{screen}"
        );
        assert!(screen.contains("· \"not our fault\": "), "{screen}");
        insta::assert_snapshot!(format!("composer_warnings_{}x{}", size.0, size.1), screen);
    }
}
