//! Snapshots of the check-in: its queue with the current item in Detail, an item done, and the summary, at
//! 80x24, 120x40, 160x45 and 200x50.

use chrono::Duration;

use crate::app::{Command, Msg};
use crate::state::AppState;
use crate::state::fixture::{self, Desk, now};

const SIZES: [(u16, u16); 4] = [(80, 24), (120, 40), (160, 45), (200, 50)];

use super::tests::draw;

fn snap(name: &str, state: &AppState) {
    for size in SIZES {
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), draw(state, size));
    }
}

fn command(desk: &mut Desk, c: Command) {
    let effects = desk.send(Msg::Command(c));
    desk.perform(effects);
}

/// The fixture, a stranger's complaint and a follow-up due added, a check-in of 7 minutes started 1m40s ago.
fn started() -> Desk {
    let mut desk = fixture::desk_for_a_check_in();
    desk.state.check_in_config.minutes = 7;
    command(&mut desk, Command::StartCheckIn);
    desk.send(Msg::Tick(now() + Duration::seconds(100)));
    desk
}

#[test]
fn the_queue_with_its_current_item_and_the_timer() {
    let desk = started();
    snap("check_in", &desk.state);
    for size in SIZES {
        let screen = draw(&desk.state, size);
        assert!(screen.contains("CHECK-IN 5:20"), "the timer: {screen}");
        assert!(screen.contains("regular in trouble"), "{screen}");
        assert!(screen.contains("left for next time"), "{screen}");
        assert!(screen.contains("stranded in Lisbon"), "Detail: {screen}");
    }
}

#[test]
fn an_item_handled_is_ticked_and_the_next_shown() {
    let mut desk = started();
    command(&mut desk, Command::MarkHandled);
    snap("check_in_handled", &desk.state);
}

#[test]
fn the_summary_stays_until_dismissed() {
    let mut desk = started();
    command(&mut desk, Command::MarkHandled);
    command(&mut desk, Command::NextUnread);
    desk.send(Msg::Tick(now() + Duration::seconds(250)));
    command(&mut desk, Command::StartCheckIn);
    desk.send(Msg::Tick(now() + Duration::seconds(400)));
    snap("check_in_summary", &desk.state);
    for size in SIZES {
        let screen = draw(&desk.state, size);
        assert!(screen.contains("Check-in done"), "{screen}");
        assert!(!screen.contains("CHECK-IN"), "the timer stops: {screen}");
    }
}

#[test]
fn the_summary_says_what_became_of_mastodons_read_position() {
    use crate::sources::mastodon::markers::ReadPosition;
    let mut desk = started();
    desk.state.sync_read_position = true;
    command(&mut desk, Command::StartCheckIn);
    let screen = draw(&desk.state, (80, 24));
    assert!(
        screen.contains("Mastodon: marking notifications read…"),
        "{screen}"
    );
    let synced = ReadPosition {
        last_read_id: "9".into(),
        moved: true,
    };
    desk.send(Msg::ReadPositionSynced(Ok(synced)));
    let screen = draw(&desk.state, (80, 24));
    assert!(
        screen.contains("notifications marked read up to here"),
        "{screen}"
    );
    desk.send(Msg::ReadPositionSynced(Err("401 Unauthorized".into())));
    let screen = draw(&desk.state, (80, 24));
    assert!(screen.contains("not synced: 401 Unauthorized"), "{screen}");
}
