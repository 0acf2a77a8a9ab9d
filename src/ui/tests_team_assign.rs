//! Snapshots of a team's assignments and presence: the row's column and marker, Detail's line, the Mine title
//! and the assign picker, at 80x24, 120x40 and 200x50.

use super::tests::{SIZES, draw, snap, with};
use crate::app::Command;
use crate::domain::{Doing, PostId, Presence};
use crate::state::fixture;
use crate::state::{AppState, Pane};

/// Ben's console: Attention focused, its selected post assigned to Ana who is replying to it, another of
/// its posts his own with Cy viewing it.
fn team_console() -> (AppState, PostId) {
    let mut s = fixture::workspace();
    s.focus = Pane::Attention;
    s.team.me = "ben".into();
    s.team.members = vec!["ana".into(), "ben".into(), "cy".into()];
    let rows: Vec<PostId> = s.rows(Pane::Attention).iter().map(|p| p.id).collect();
    let current = s.current_post_id().expect("a post selected");
    let other = *rows.iter().find(|id| **id != current).expect("two posts");
    s.team.view.assignees.insert(current, "ana".into());
    s.team.view.assignees.insert(other, "ben".into());
    let at = fixture::now();
    s.team.view.present = vec![
        Presence {
            staff: "ana".into(),
            post: current,
            doing: Doing::Replying,
            at,
        },
        Presence {
            staff: "cy".into(),
            post: other,
            doing: Doing::Viewing,
            at,
        },
    ];
    (s, current)
}

#[test]
fn assignees_and_presence_on_rows_and_in_detail() {
    let (s, _) = team_console();
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            screen.contains("assigned to ana · ana is replying"),
            "{screen}"
        );
        assert!(
            screen.contains("▸an ") || screen.contains("▸ana "),
            "{screen}"
        );
        assert!(screen.contains("◇me"), "{screen}");
    }
    snap("team_assigned_and_present", &s);
}

#[test]
fn a_person_alone_sees_the_rows_as_before() {
    let s = fixture::workspace();
    let (team, _) = team_console();
    for size in SIZES {
        assert!(!draw(&s, size).contains("assigned to"));
        assert_ne!(draw(&s, size), draw(&team, size));
    }
}

#[test]
fn the_assign_picker_and_the_mine_title() {
    let (s, _) = team_console();
    let s = with(s, &[Command::AssignTo]);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("Assign to"), "{screen}");
        assert!(screen.contains("now: ana"), "{screen}");
        assert!(screen.contains("ben (me)"), "{screen}");
    }
    snap("team_assign_picker", &s);

    let (mut s, _) = team_console();
    s.team.mine = true;
    for size in SIZES {
        assert!(draw(&s, size).contains("mine"), "the pane title says so");
    }
}
