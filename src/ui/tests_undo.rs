//! Snapshots of undo, dismissal and corrections: the category popup, Detail of a corrected post and of a
//! dismissed one, with the status bar offering the undo, at 80x24, 120x40 and 200x50.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{Command, Msg};
use crate::domain::PostId;
use crate::state::fixture::{self, Desk};
use crate::state::{AppState, Pane};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

fn snap(name: &str, state: &AppState) {
    for (w, h) in SIZES {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::render(f, state)).unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend().to_string());
    }
}

fn command(desk: &mut Desk, c: Command) {
    let effects = desk.send(Msg::Command(c));
    desk.perform(effects);
}

#[test]
fn the_category_popup() {
    let mut desk = fixture::desk();
    desk.select(Pane::Attention, PostId(1));
    command(&mut desk, Command::CorrectCategory);
    snap("correct_popup", &desk.state);
}

#[test]
fn detail_of_a_corrected_post_offers_the_undo() {
    let mut desk = fixture::desk();
    desk.select(Pane::Regulars, PostId(1));
    command(&mut desk, Command::CorrectCategory);
    let effects = desk.send(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('4'),
        crossterm::event::KeyModifiers::NONE,
    )));
    desk.perform(effects);
    command(&mut desk, Command::OpenDetail);
    snap("detail_corrected", &desk.state);
}

#[test]
fn detail_of_a_dismissed_post() {
    let mut desk = fixture::desk();
    desk.select(Pane::Regulars, PostId(2));
    command(&mut desk, Command::Dismiss);
    command(&mut desk, Command::OpenDetail);
    snap("detail_dismissed", &desk.state);
}
