//! The Follow-ups view, completing follow-ups and the question after a reply, over a real in-memory store.

use chrono::{Duration, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::Load;
use crate::domain::{ActionKind, CustomerId, PostId, Reply};
use crate::state::fixture::{self, Desk, now};
use crate::state::{LogRow, View};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn cmd(desk: &mut Desk, c: Command) -> Vec<Effect> {
    desk.send(Msg::Command(c))
}

/// The workspace (Sunday 22 Nov) with follow-ups in its store: Priya's on her complaint due today, one on
/// a stranger's question three days overdue, Tom's upcoming on Friday. Returns them by name.
fn desk() -> (Desk, [i64; 3]) {
    let mut desk = fixture::desk();
    desk.state.follow_ups.clear();
    let priya = desk.follow_up(Some(1), Some(1), day(22), "check the resized ring fits");
    let stranger = desk.follow_up(Some(4), None, day(19), "did the engraving answer help?");
    let tom = desk.follow_up(Some(2), Some(2), day(27), "");
    (desk, [priya, stranger, tom])
}

fn rows(s: &AppState) -> Vec<i64> {
    s.open_follow_ups().iter().map(|f| f.id).collect()
}

#[test]
fn f_opens_the_view_read_from_the_store_and_esc_closes_it() {
    let (mut desk, [priya, stranger, tom]) = desk();
    // The view reads its rows on opening, with their posts and last contact.
    let effects = super::update(&mut desk.state, Msg::Command(Command::FollowUps));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Load(Load::FollowUps))),
        "{effects:?}"
    );
    desk.state.follow_up_view.pending = false;
    cmd(&mut desk, Command::Close);
    cmd(&mut desk, Command::FollowUps);
    assert_eq!(desk.state.view, View::FollowUps);
    assert_eq!(rows(&desk.state), [stranger, priya, tom]);
    assert!(!desk.state.follow_up_view.pending);
    assert_eq!(
        desk.state.follow_up_view.last_contact.get(&priya),
        Some(&None),
        "no contact with Priya yet"
    );
    assert!(
        desk.state.posts.get(PostId(4)).is_some(),
        "the posts the view shows are held"
    );
    // Nothing more is read while nothing changes.
    assert!(
        super::update(&mut desk.state, Msg::Tick(now()))
            .iter()
            .all(|e| !matches!(e, Effect::Load(Load::FollowUps)))
    );
    // Detail shows the selected follow-up's post.
    assert_eq!(desk.state.current_post_id(), Some(PostId(4)));
    cmd(&mut desk, Command::Close);
    assert_eq!(desk.state.view, View::Panes);
    cmd(&mut desk, Command::FollowUps);
    cmd(&mut desk, Command::FollowUps);
    assert_eq!(desk.state.view, View::Panes, "F again closes it too");
}

#[test]
fn the_movement_keys_move_through_the_rows() {
    let (mut desk, [priya, stranger, tom]) = desk();
    cmd(&mut desk, Command::FollowUps);
    let selected = |d: &Desk| d.state.selected_follow_up().map(|f| f.id);
    assert_eq!(selected(&desk), Some(stranger));
    cmd(&mut desk, Command::NextPost);
    assert_eq!(selected(&desk), Some(priya));
    assert_eq!(desk.state.current_post_id(), Some(PostId(1)));
    cmd(&mut desk, Command::LastPost);
    assert_eq!(selected(&desk), Some(tom));
    cmd(&mut desk, Command::NextPost);
    assert_eq!(selected(&desk), Some(tom), "the last row is the last");
    cmd(&mut desk, Command::FirstPost);
    assert_eq!(selected(&desk), Some(stranger));
    cmd(&mut desk, Command::PrevPost);
    assert_eq!(selected(&desk), Some(stranger));
    cmd(&mut desk, Command::PageDown);
    assert_eq!(selected(&desk), Some(tom));
    cmd(&mut desk, Command::PageUp);
    assert_eq!(selected(&desk), Some(stranger));
    // The panes' selection did not move.
    assert_eq!(desk.state.focus, Pane::Attention);
}

#[test]
fn enter_opens_detail_on_the_post_and_esc_steps_back() {
    let (mut desk, _) = desk();
    cmd(&mut desk, Command::FollowUps);
    cmd(&mut desk, Command::OpenDetail);
    assert!(desk.state.detail_focused);
    assert_eq!(
        desk.state.detail.loaded.as_ref().map(|d| d.post.id),
        Some(PostId(4)),
        "Detail read the follow-up's post"
    );
    cmd(&mut desk, Command::NextPost);
    assert_eq!(desk.state.detail_scroll, 1, "j scrolls Detail");
    assert_eq!(desk.state.follow_up_index(), 0);
    cmd(&mut desk, Command::Close);
    assert!(!desk.state.detail_focused);
    assert_eq!(desk.state.view, View::FollowUps);
    cmd(&mut desk, Command::Close);
    assert_eq!(desk.state.view, View::Panes);
}

#[test]
fn pane_commands_go_back_to_the_panes() {
    let (mut desk, _) = desk();
    cmd(&mut desk, Command::FollowUps);
    cmd(&mut desk, Command::NextPost);
    cmd(&mut desk, Command::CustomerHistory);
    assert_eq!(desk.state.view, View::Panes);
    assert_eq!(desk.state.focus, Pane::History);
    assert_eq!(
        desk.state.history,
        Some(CustomerId(1)),
        "Priya's history: the selected follow-up's customer"
    );
    cmd(&mut desk, Command::FollowUps);
    cmd(&mut desk, Command::NextPane);
    assert_eq!(desk.state.view, View::Panes);
}

#[test]
fn d_completes_the_selected_follow_up_and_the_log_shows_it() {
    let (mut desk, [priya, stranger, tom]) = desk();
    cmd(&mut desk, Command::FollowUps);
    cmd(&mut desk, Command::NextPost);
    let logged_before = desk.state.log.window.total;
    let effects = cmd(&mut desk, Command::CompleteFollowUp);
    assert!(
        matches!(&effects[..], [Effect::CompleteFollowUp { id, at }] if *id == priya && *at == now()),
        "{effects:?}"
    );
    assert_eq!(
        rows(&desk.state),
        [stranger, priya, tom],
        "changed only by the answer"
    );
    desk.complete(&effects);
    assert_eq!(rows(&desk.state), [stranger, tom]);
    assert_eq!(
        desk.state.selected_follow_up().map(|f| f.id),
        Some(tom),
        "the next row is selected"
    );
    let top = &desk.state.log.window.rows[0];
    assert_eq!(top.kind, ActionKind::FollowedUp);
    assert_eq!(top.note, "followed up: check the resized ring fits");
    assert_eq!(desk.state.log.window.total, logged_before + 1);
    assert!(desk.state.flash.as_ref().unwrap().0.contains("Priya Raman"));
    assert_eq!(desk.state.due_follow_ups().count(), 1);
    // Done twice (a second d on a stale screen): nothing more is logged.
    let again = desk.send(Msg::FollowUpCompleted {
        id: priya,
        action: None,
    });
    assert!(again.is_empty());
    assert_eq!(desk.state.log.window.total, logged_before + 1);
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("already done")
    );
    // The last one done: the view is empty.
    for _ in 0..2 {
        let effects = cmd(&mut desk, Command::CompleteFollowUp);
        desk.complete(&effects);
    }
    assert!(rows(&desk.state).is_empty());
    assert_eq!(desk.state.current_post_id(), None);
    let effects = cmd(&mut desk, Command::CompleteFollowUp);
    assert!(effects.is_empty());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("no follow-up selected")
    );
}

#[test]
fn d_in_the_log_completes_a_due_follow_up_and_the_selection_stays_on_its_row() {
    let (mut desk, [priya, stranger, _]) = desk();
    desk.state.focus = Pane::Log;
    // Rows: the two due follow-ups, then the actions. Select the second action.
    desk.state.log.selected = 3;
    let below = match desk.state.selected_log_row() {
        Some(LogRow::Action(a)) => a.id,
        other => panic!("{other:?}"),
    };
    assert!(
        cmd(&mut desk, Command::CompleteFollowUp).is_empty(),
        "an action is not a follow-up"
    );
    desk.state.log.selected = 0;
    assert!(matches!(desk.state.selected_log_row(), Some(LogRow::FollowUp(f)) if f.id == stranger));
    let effects = cmd(&mut desk, Command::CompleteFollowUp);
    desk.state.log.selected = 3;
    desk.complete(&effects);
    assert_eq!(
        desk.state
            .due_follow_ups()
            .map(|f| f.id)
            .collect::<Vec<_>>(),
        [priya]
    );
    // One due row less above, one action more on top: the selection is still on the same action.
    assert!(
        matches!(desk.state.selected_log_row(), Some(LogRow::Action(a)) if a.id == below),
        "{:?}",
        desk.state.selected_log_row()
    );
    desk.state.focus = Pane::Mentions;
    let effects = cmd(&mut desk, Command::CompleteFollowUp);
    assert!(effects.is_empty());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("F lists them")
    );
}

#[test]
fn r_in_the_view_replies_to_the_follow_ups_post() {
    let (mut desk, _) = desk();
    cmd(&mut desk, Command::FollowUps);
    let effects = cmd(&mut desk, Command::Reply);
    assert_eq!(effects, [Effect::CheckPriorReply(PostId(4))]);
    assert_eq!(
        desk.state.composer.as_ref().map(|c| c.post),
        Some(PostId(4))
    );
    // The post stays held while it is being answered, whatever the panes load.
    desk.settle();
    assert!(desk.state.posts.get(PostId(4)).is_some());
}

fn sent(post: i64, action_id: i64, customer: Option<i64>) -> Msg {
    Msg::ReplySent {
        reply: Reply {
            post: PostId(post),
            network: crate::domain::Network::Mastodon,
            text: "Hi!".into(),
            sent_at: now(),
            url: None,
            remote_id: None,
            idempotency_key: Some(format!("k-{action_id}")),
            staff: "ana".into(),
        },
        action: crate::domain::Action {
            id: action_id,
            post: Some(PostId(post)),
            customer: customer.map(CustomerId),
            kind: ActionKind::Replied,
            note: String::new(),
            at: now(),
            url: None,
            staff: "ana".into(),
        },
    }
}

fn yes_no(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[test]
fn a_reply_to_a_customer_with_a_follow_up_due_offers_to_close_it() {
    let (mut desk, [priya, _, _]) = desk();
    // Another of Priya's, overdue: the earliest is the one asked about.
    let earlier = desk.follow_up(None, Some(1), day(20), "ask about the anniversary");
    // A reply to another post of hers (her customer id on the logged action) asks.
    let effects = desk.send(sent(3, 900, Some(1)));
    assert!(
        effects.is_empty(),
        "nothing is completed without asking: {effects:?}"
    );
    match &desk.state.popup {
        Some(Popup::CloseFollowUp { follow_up, who }) => {
            assert_eq!((follow_up.id, who.as_str()), (earlier, "Priya Raman"));
        }
        other => panic!("{other:?}"),
    }
    // n leaves it open.
    assert!(desk.send(yes_no('n')).is_empty());
    assert!(desk.state.popup.is_none());
    assert!(rows(&desk.state).contains(&earlier));
    // y completes it, logged.
    desk.send(sent(1, 901, Some(1)));
    let effects = desk.send(yes_no('y'));
    assert!(
        matches!(&effects[..], [Effect::CompleteFollowUp { id, .. }] if *id == earlier),
        "{effects:?}"
    );
    desk.complete(&effects);
    assert!(!rows(&desk.state).contains(&earlier));
    assert!(
        desk.state
            .log
            .window
            .rows
            .iter()
            .any(|a| a.kind == ActionKind::FollowedUp
                && a.note == "followed up: ask about the anniversary")
    );
    // The next reply asks about the one due today.
    desk.send(sent(1, 902, Some(1)));
    assert!(
        matches!(&desk.state.popup, Some(Popup::CloseFollowUp { follow_up, .. }) if follow_up.id == priya)
    );
}

#[test]
fn only_due_follow_ups_are_offered_and_never_over_another_question() {
    let (mut desk, [_, stranger, _]) = desk();
    // Tom's is on Friday: not due, no question.
    desk.send(sent(2, 900, Some(2)));
    assert!(desk.state.popup.is_none());
    // The stranger's post has one overdue: a reply to the post itself asks (no customer).
    desk.state.popup = Some(Popup::Help { scroll: 0 });
    desk.send(sent(4, 901, None));
    assert_eq!(
        desk.state.popup,
        Some(Popup::Help { scroll: 0 }),
        "not replaced"
    );
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("has a follow-up due")
    );
    desk.state.popup = None;
    desk.send(sent(4, 902, None));
    assert!(
        matches!(&desk.state.popup, Some(Popup::CloseFollowUp { follow_up, .. }) if follow_up.id == stranger)
    );
    // A reply reported again (same action) asks nothing more.
    desk.state.popup = None;
    desk.send(sent(4, 902, None));
    assert!(desk.state.popup.is_none());
}

#[test]
fn the_view_reads_again_after_contact_and_after_a_failed_read() {
    let (mut desk, _) = desk();
    cmd(&mut desk, Command::FollowUps);
    // A gift to Priya: her last contact is read again.
    let effects = super::update(
        &mut desk.state,
        Msg::ActionLogged(crate::domain::Action {
            id: 77,
            post: None,
            customer: Some(CustomerId(1)),
            kind: ActionKind::GiftSent,
            note: String::new(),
            at: now(),
            url: None,
            staff: "ana".into(),
        }),
    );
    let load = effects
        .into_iter()
        .find(|e| matches!(e, Effect::Load(Load::FollowUps)))
        .expect("read again");
    let Effect::Load(load) = load else {
        unreachable!()
    };
    super::update(
        &mut desk.state,
        Msg::LoadFailed {
            load,
            error: "database is locked".into(),
        },
    );
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .contains("Follow-ups failed")
    );
    let asks = |d: &mut Desk, at| {
        super::update(&mut d.state, Msg::Tick(at))
            .iter()
            .any(|e| matches!(e, Effect::Load(Load::FollowUps)))
    };
    assert!(!asks(&mut desk, now() + Duration::seconds(1)), "waits");
    assert!(
        asks(&mut desk, now() + Duration::seconds(6)),
        "then tries again"
    );
}

#[test]
fn a_reply_no_longer_closes_a_follow_up_silently_but_rescheduling_does() {
    let (mut desk, [priya, ..]) = desk();
    let effects = super::update(
        &mut desk.state,
        Msg::ActionLogged(crate::domain::Action {
            id: 88,
            post: Some(PostId(1)),
            customer: Some(CustomerId(1)),
            kind: ActionKind::Replied,
            note: String::new(),
            at: now(),
            url: None,
            staff: "ana".into(),
        }),
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CompleteFollowUp { .. }))
    );
    assert!(rows(&desk.state).contains(&priya));
}

#[test]
fn f_and_d_are_bound_by_default() {
    let s = fixture::empty();
    let route = |c: char| {
        let modifiers = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        crate::app::router::route(&s, KeyEvent::new(KeyCode::Char(c), modifiers))
    };
    assert!(matches!(route('F'), Some(Msg::Command(Command::FollowUps))));
    assert!(matches!(
        route('d'),
        Some(Msg::Command(Command::CompleteFollowUp))
    ));
}
