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
