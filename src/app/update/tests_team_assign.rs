//! Assigning posts and the Mine filter through `update`, answered by a real store (the fixture's desk); and
//! presence: told on change and on the heartbeat (only on a shared workspace), read again when stale.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{ActionKind, Doing, PostId, Presence, TeamView};
use crate::state::fixture::{self, Desk, now};

fn desk_as(me: &str) -> Desk {
    let mut desk = fixture::desk();
    desk.state.team.me = me.into();
    desk.state.team.members = vec!["ana".into(), "ben".into()];
    desk.state.focus = Pane::Attention;
    desk
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn beats(effects: &[Effect]) -> Vec<Option<(PostId, Doing)>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Beat { doing, .. } => Some(*doing),
            _ => None,
        })
        .collect()
}

#[test]
fn assign_to_me_shows_on_the_post_and_in_the_log() {
    let mut desk = desk_as("ben");
    let post = desk.state.current_post_id().expect("a post selected");
    let left = desk.send(Msg::Command(Command::AssignToMe));
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(desk.state.team.assignee(post), Some("ben"));
    assert_eq!(desk.state.flash.as_ref().unwrap().0, "assigned to you");
    let logged = &desk.state.log.window.rows[0];
    assert_eq!(
        (logged.kind, logged.note.as_str()),
        (ActionKind::Assigned, "to ben")
    );
    // Again: already mine, nothing asked of the store.
    assert!(desk.send(Msg::Command(Command::AssignToMe)).is_empty());
    assert_eq!(
        desk.state.flash.as_ref().unwrap().0,
        "already assigned to ben"
    );
    desk.send(Msg::Command(Command::Unassign));
    assert_eq!(desk.state.team.assignee(post), None);
    assert_eq!(desk.state.log.window.rows[0].note, "unassigned (was ben)");
}

#[test]
fn the_picker_lists_the_team_and_assigns_the_one_chosen() {
    let mut desk = desk_as("ben");
    let post = desk.state.current_post_id().unwrap();
    desk.send(Msg::Command(Command::AssignTo));
    let Some(Popup::Assign(picker)) = &desk.state.popup else {
        panic!("the picker opens: {:?}", desk.state.popup);
    };
    assert_eq!(picker.names, ["ben", "ana"], "me first, then the members");
    desk.send(key(KeyCode::Char('j')));
    desk.send(key(KeyCode::Enter));
    assert!(desk.state.popup.is_none());
    assert_eq!(desk.state.team.assignee(post), Some("ana"));
    // Opened again, it starts on who has it; Esc leaves it be.
    desk.send(Msg::Command(Command::AssignTo));
    assert!(matches!(&desk.state.popup, Some(Popup::Assign(p)) if p.selected == 1));
    desk.send(key(KeyCode::Esc));
    assert!(desk.state.popup.is_none());
    assert_eq!(desk.state.team.assignee(post), Some("ana"));
}

#[test]
fn mine_narrows_every_list_to_my_posts_and_comes_back_after_a_restart() {
    let mut desk = desk_as("ben");
    let post = desk.state.current_post_id().unwrap();
    desk.send(Msg::Command(Command::AssignToMe));
    desk.send(Msg::Command(Command::Mine));
    assert!(desk.state.team.mine);
    let rows = desk.state.rows(Pane::Attention);
    assert_eq!(rows.iter().map(|p| p.id).collect::<Vec<_>>(), [post]);
    assert!(desk.state.rows(Pane::Regulars).iter().all(|p| p.id == post));
    // The place saved says so, and a console restored from it lists mine again.
    let place = crate::state::reads::Place::of(&desk.state);
    let pairs = place.to_pairs().into_iter().collect();
    let mut restored = fixture::empty();
    crate::state::reads::Place::from_pairs(&pairs).restore(&mut restored);
    assert!(restored.team.mine);
    desk.send(Msg::Command(Command::Mine));
    assert!(
        desk.state.rows(Pane::Attention).len() > 1,
        "every post again"
    );
}

#[test]
fn presence_is_told_on_change_and_on_the_heartbeat_only_when_shared() {
    let mut desk = desk_as("ben");
    let post = desk.state.current_post_id().unwrap();
    assert!(
        beats(&desk.send(Msg::Heartbeat)).is_empty(),
        "alone: nobody to tell"
    );
    let told = beats(&desk.send(Msg::LiveLink(None)));
    assert_eq!(told, [Some((post, Doing::Viewing))], "shared: said at once");
    assert!(
        beats(&desk.send(Msg::Tick(now()))).is_empty(),
        "unchanged: not again"
    );
    assert_eq!(
        beats(&desk.send(Msg::Heartbeat)),
        [Some((post, Doing::Viewing))]
    );
    let replying = beats(&desk.send(Msg::Command(Command::Reply)));
    assert_eq!(replying, [Some((post, Doing::Replying))]);
    let quit = beats(&desk.send(Msg::Terminate));
    assert_eq!(quit, [None], "leaving: gone at once, not after expiry");
}

#[test]
fn a_change_elsewhere_reads_the_team_again_once_the_read_on_its_way_is_back() {
    let mut s = fixture::empty();
    s.team.me = "ben".into();
    s.team.stale = true;
    let loads = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::LoadTeam { .. }))
            .count()
    };
    assert_eq!(loads(&update(&mut s, Msg::PresenceChanged)), 1);
    assert_eq!(
        loads(&update(&mut s, Msg::PresenceChanged)),
        0,
        "one at a time"
    );
    let ana = Presence {
        staff: "ana".into(),
        post: PostId(1),
        doing: Doing::Replying,
        at: now(),
    };
    let view = TeamView {
        assignees: [(PostId(1), "ana".to_string())].into(),
        present: vec![ana],
    };
    let effects = update(&mut s, Msg::TeamLoaded(Ok(view)));
    assert_eq!(loads(&effects), 1, "what changed meanwhile is read");
    assert_eq!(
        s.team.presence_line(PostId(1)).as_deref(),
        Some("ana is replying")
    );
    assert!(update(&mut s, Msg::TeamLoaded(Err("gone".into()))).is_empty());
    assert_eq!(
        s.team.assignee(PostId(1)),
        Some("ana"),
        "a failed read keeps the last"
    );
}
