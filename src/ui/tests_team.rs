//! Snapshots of a team's console: the question when a teammate got to the post first, at 80x24, 120x40 and
//! 200x50.

use super::tests::{SIZES, draw, snap, with};
use crate::app::{Command, Msg, update};
use crate::domain::{PostId, Taken};
use crate::state::Pane;
use crate::state::fixture;

#[test]
fn a_teammate_replied_first() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let mut s = with(s, &[Command::Reply]);
    update(&mut s, Msg::Paste("So sorry, Tom!".into()));
    update(
        &mut s,
        Msg::ReplyClaimed {
            post: PostId(2),
            taken: Taken {
                by: "ana".into(),
                at: fixture::now() - chrono::Duration::minutes(3),
                replied: true,
            },
        },
    );
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            screen.contains("ana replied 09:57: send yours anyway?"),
            "{screen}"
        );
    }
    snap("claimed_by_a_teammate", &s);
}

/// The fixture with actions by three people and one from before names were kept.
fn a_team_at_work() -> fixture::Desk {
    use crate::domain::{ActionKind, NewAction};
    use crate::store::LogRepo;
    let mut desk = fixture::desk();
    for (minutes, staff, kind, note) in [
        (30, "", ActionKind::Note, "logged before the upgrade"),
        (
            20,
            "Anastasia Kowalska",
            ActionKind::GiftSent,
            "a polishing cloth",
        ),
        (10, "ben", ActionKind::Handled, "sorted at the till"),
    ] {
        desk.db
            .log_action(
                staff,
                &NewAction {
                    post: Some(PostId(1)),
                    customer: Some(crate::domain::CustomerId(1)),
                    kind,
                    note: note.into(),
                    at: fixture::now() - chrono::Duration::minutes(minutes),
                    url: None,
                },
            )
            .unwrap();
    }
    desk.send(Msg::Changed);
    desk
}

#[test]
fn the_log_says_who_did_what_aligned() {
    let mut desk = a_team_at_work();
    desk.state.focus = Pane::Log;
    for size in SIZES {
        let screen = draw(&desk.state, size);
        let rows: Vec<&str> = screen
            .lines()
            // Log rows, not Detail's header of the selected one ("Sun 22 Nov 09:50 · by ben").
            .filter(|l| {
                ["09:50 ", "09:40 ", "09:30 "].iter().any(|t| l.contains(t)) && !l.contains(" Nov ")
            })
            .collect();
        assert_eq!(rows.len(), 3, "{screen}");
        // The long name cut where the Log is wide, initials where it is narrow (120x40 here).
        assert!(
            rows.iter()
                .any(|r| r.contains(" Anastasia… ") || r.contains(" AK ")),
            "{screen}"
        );
        assert!(rows.iter().any(|r| r.contains(" — ")), "unknown: {screen}");
        // One column: every row's kind starts where the others' do.
        let at: Vec<Option<usize>> = rows
            .iter()
            .map(|r| {
                // The first kind on the line: Detail beside the Log may say "note:" further right.
                ["note", "gift sent", "handled"]
                    .iter()
                    .filter_map(|k| r.find(k))
                    .min()
                    .map(|i| r[..i].chars().count())
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] == w[1] && w[0].is_some()),
            "{at:?} {screen}"
        );
    }
    snap("log_with_staff", &desk.state);
}

#[test]
fn detail_names_a_teammates_draft_and_who_did_each_action() {
    use crate::domain::{Draft, DraftState};
    use crate::store::WorkRepo;
    let mut desk = a_team_at_work();
    let draft = Draft {
        post: PostId(1),
        text: "Ben's words, never shown here".into(),
        cursor: (0, 0),
        state: DraftState::Editing,
        idempotency_key: "k-ben".into(),
        updated_at: fixture::now(),
    };
    desk.db.save_draft("ben", &draft).unwrap();
    desk.send(Msg::Changed);
    desk.select(Pane::Regulars, PostId(1));
    let s = with(desk.state, &[Command::OpenDetail]);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("ben has a draft"), "{screen}");
        assert!(!screen.contains("never shown"), "{screen}");
    }
    snap("detail_with_a_teammates_draft", &s);
}
