//! Snapshots of read state: unread counts in the pane titles (the tabs on a narrow screen) and the status bar,
//! unread rows marked, and the question before marking a pane read, at 80x24, 120x40 and 200x50.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{Command, Msg};
use crate::domain::PostId;
use crate::state::Pane;
use crate::state::fixture::{self, Desk};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

fn snap(name: &str, desk: &Desk) {
    for (w, h) in SIZES {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::render(f, &desk.state)).unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend().to_string());
    }
}

/// The fixture's desk with a dozen new mentions, two of them complaints, and post 2 still unread.
fn desk_with_unread() -> Desk {
    let mut desk = fixture::desk();
    let posts = (7..19)
        .map(|id| {
            let text = if id % 6 == 0 {
                format!("@marlowfinch my order {id} arrived broken, really disappointed")
            } else {
                format!("@marlowfinch lovely shop visit number {id}")
            };
            fixture::post(
                id,
                &format!("user{id}@example.social"),
                None,
                true,
                id,
                &text,
            )
        })
        .collect();
    desk.add(posts);
    desk.select(Pane::Mentions, PostId(4));
    desk
}

#[test]
fn unread_counts_in_the_titles_and_the_status_bar() {
    let desk = desk_with_unread();
    assert_eq!(desk.state.reads.unread_in(Pane::Mentions), 13);
    snap("reads_unread_counts", &desk);
}

#[test]
fn marking_a_pane_read_asks_first() {
    let mut desk = desk_with_unread();
    desk.send(Msg::Command(Command::MarkAllRead));
    snap("reads_mark_all_read", &desk);
}
