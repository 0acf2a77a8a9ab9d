//! Undo, reopen, dismiss and corrections, over a real in-memory store (`fixture::Desk`).

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::router;
use crate::domain::{ActionKind, Category, PostId, Undo};
use crate::state::fixture::{self, Desk};
use crate::store::{ListRepo, LogRepo};

fn cmd(desk: &mut Desk, c: Command) -> Vec<Effect> {
    desk.send(Msg::Command(c))
}

fn attention(desk: &Desk) -> Vec<PostId> {
    desk.state
        .rows(Pane::Attention)
        .iter()
        .map(|p| p.id)
        .collect()
}

fn stored(desk: &Desk, id: PostId) -> crate::domain::Post {
    desk.db.post_details(id).unwrap().unwrap().post
}

fn flash(desk: &Desk) -> String {
    desk.state
        .flash
        .as_ref()
        .map(|(t, _)| t.clone())
        .unwrap_or_default()
}

#[test]
fn undo_of_mark_handled_reopens_the_post_in_the_store_and_its_queue() {
    let mut d = fixture::desk();
    let id = d.state.current_post_id().unwrap();
    let (actions, open) = (d.db.action_count().unwrap(), d.state.open_attention);
    let effects = cmd(&mut d, Command::MarkHandled);
    assert!(!attention(&d).contains(&id));
    assert!(d.perform(effects).is_empty());
    assert!(stored(&d, id).handled_at.is_some());
    assert_eq!(flash(&d), "handled · u undo");
    assert!(router::hints(&d.state).first() == Some(&Command::Undo));

    let effects = cmd(&mut d, Command::Undo);
    assert!(
        matches!(&effects[..], [Effect::Undo(Undo::Action(a))] if a.kind == ActionKind::Handled)
    );
    assert!(d.perform(effects).is_empty());
    let post = stored(&d, id);
    assert!(post.handled_at.is_none() && post.first_response_at.is_none());
    assert_eq!(
        d.db.action_count().unwrap(),
        actions,
        "the action is deleted"
    );
    assert!(attention(&d).contains(&id), "back in Attention at once");
    assert_eq!(d.state.open_attention, open);
    assert!(d.state.posts.get(id).unwrap().is_open());
    assert!(
        !d.state
            .log
            .window
            .rows
            .iter()
            .any(|a| a.post == Some(id) && a.kind == ActionKind::Handled)
    );
    assert_eq!(flash(&d), "undone: handled");
    // Once only: nothing is left to undo.
    assert!(cmd(&mut d, Command::Undo).is_empty());
    assert!(flash(&d).starts_with("nothing to undo"), "{}", flash(&d));
}

#[test]
fn undo_is_offered_for_five_minutes_only() {
    let mut d = fixture::desk();
    let effects = cmd(&mut d, Command::MarkHandled);
    d.perform(effects);
    let later = d.state.now + Duration::minutes(6);
    d.send(Msg::Tick(later));
    assert!(!router::hints(&d.state).contains(&Command::Undo));
    assert!(cmd(&mut d, Command::Undo).is_empty());
    assert!(
        flash(&d).starts_with("too late to undo handled"),
        "{}",
        flash(&d)
    );
}

#[test]
fn a_handled_post_is_reopened_any_time_later() {
    let mut d = fixture::desk();
    let id = d.state.current_post_id().unwrap();
    let effects = cmd(&mut d, Command::MarkHandled);
    d.perform(effects);
    let later = d.state.now + Duration::hours(3);
    d.send(Msg::Tick(later));
    // Found in Regulars (it is a customer's), reopened there.
    d.select(Pane::Regulars, id);
    let again = cmd(&mut d, Command::MarkHandled);
    assert!(
        again.is_empty() && flash(&d).contains("X reopens it"),
        "{}",
        flash(&d)
    );
    let effects = cmd(&mut d, Command::Reopen);
    assert!(matches!(&effects[..], [Effect::Reopen { post, .. }] if *post == id));
    assert!(d.perform(effects).is_empty());
    assert!(stored(&d, id).is_open());
    assert!(attention(&d).contains(&id));
    assert_eq!(d.state.log.window.rows[0].kind, ActionKind::Reopened);
    // An open post has nothing to reopen.
    assert!(cmd(&mut d, Command::Reopen).is_empty());
}

#[test]
fn dismiss_is_not_handled_and_not_a_response_and_can_be_undone() {
    let mut d = fixture::desk();
    let id = d.state.current_post_id().unwrap();
    let open = d.state.open_attention;
    let effects = cmd(&mut d, Command::Dismiss);
    assert!(matches!(&effects[..], [Effect::Dismiss { post, .. }] if *post == id));
    assert!(!attention(&d).contains(&id), "leaves Attention at once");
    assert_eq!(d.state.open_attention, open - 1);
    d.perform(effects);
    let post = stored(&d, id);
    assert!(post.dismissed_at.is_some());
    assert!(post.handled_at.is_none() && post.first_response_at.is_none());
    assert_eq!(d.state.log.window.rows[0].kind, ActionKind::Dismissed);
    assert_eq!(d.state.open_attention, open - 1);
    assert!(flash(&d).starts_with("dismissed"), "{}", flash(&d));

    let effects = cmd(&mut d, Command::Undo);
    d.perform(effects);
    assert!(stored(&d, id).dismissed_at.is_none());
    assert!(attention(&d).contains(&id));
    assert_eq!(d.state.open_attention, open);
    assert!(
        d.state
            .log
            .window
            .rows
            .iter()
            .all(|a| a.kind != ActionKind::Dismissed)
    );
}

#[test]
fn a_correction_moves_the_post_out_of_attention_and_back_when_undone() {
    let mut d = fixture::desk();
    let id = d.state.current_post_id().unwrap();
    let was = d.state.posts.get(id).unwrap().triage.category;
    assert!(was.needs_attention());
    assert!(cmd(&mut d, Command::CorrectCategory).is_empty());
    assert!(matches!(d.state.popup, Some(Popup::Correct { post, .. }) if post == id));
    // Down then up is where it started; `1` is "not a complaint".
    d.send(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    d.send(Msg::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)));
    let effects = d.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('1'),
        KeyModifiers::NONE,
    )));
    assert!(d.state.popup.is_none());
    assert!(
        matches!(&effects[..], [Effect::CorrectCategory { post, category: Category::Neutral, .. }] if *post == id)
    );
    d.perform(effects);
    assert_eq!(stored(&d, id).triage.category, Category::Neutral);
    assert!(!attention(&d).contains(&id), "moves queues at once");
    assert_eq!(flash(&d), "corrected to neutral · u undo");
    d.select(Pane::Regulars, id);
    let correction = d
        .state
        .detail
        .of(id)
        .and_then(|x| x.correction.clone())
        .unwrap();
    assert_eq!(
        (correction.category, correction.original.category),
        (Category::Neutral, was)
    );

    let effects = cmd(&mut d, Command::Undo);
    d.perform(effects);
    assert_eq!(stored(&d, id).triage.category, was);
    assert!(attention(&d).contains(&id));
    d.settle();
    assert!(d.state.detail.of(id).unwrap().correction.is_none());
}

#[test]
fn correcting_to_the_same_category_does_nothing() {
    let mut d = fixture::desk();
    cmd(&mut d, Command::CorrectCategory);
    // The popup opens on the post's own category: Enter keeps it.
    let effects = d.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(effects.is_empty() && d.state.popup.is_none());
    assert!(flash(&d).starts_with("already"), "{}", flash(&d));
}

#[test]
fn a_follow_up_scheduled_or_done_is_undone_in_the_store() {
    let mut d = fixture::desk();
    // The fixture's follow-up is in memory only: the store's numbering would meet its id.
    d.state.follow_ups.clear();
    let effects = cmd(&mut d, Command::ScheduleFollowUp);
    assert!(effects.is_empty());
    let effects = d.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let open = d.state.follow_ups.len();
    let stored_open = d.db.open_follow_ups().unwrap().len();
    d.perform(effects);
    assert_eq!(d.db.open_follow_ups().unwrap().len(), stored_open + 1);
    assert_eq!(d.state.follow_ups.len(), open + 1);
    assert!(
        flash(&d).starts_with("follow-up scheduled for"),
        "{}",
        flash(&d)
    );
    let effects = cmd(&mut d, Command::Undo);
    d.perform(effects);
    assert_eq!(d.state.follow_ups.len(), open);
    assert_eq!(d.db.open_follow_ups().unwrap().len(), stored_open);

    // A follow-up due today: done, then undone, it is open again in the store and the view.
    let today = d.state.today();
    let id = d.follow_up(Some(3), Some(3), today, "ask how the repair holds up");
    let actions = d.db.action_count().unwrap();
    let done = d.db.complete_follow_up("ana", id, d.state.now).unwrap();
    d.send(Msg::FollowUpCompleted { id, action: done });
    assert!(d.state.follow_ups.iter().all(|f| f.id != id));
    let effects = cmd(&mut d, Command::Undo);
    assert!(matches!(
        &effects[..],
        [Effect::Undo(Undo::FollowUpCompleted { .. })]
    ));
    d.perform(effects);
    assert!(
        d.state
            .follow_ups
            .iter()
            .any(|f| f.id == id && f.done_at.is_none())
    );
    assert!(d.db.open_follow_ups().unwrap().iter().any(|f| f.id == id));
    assert_eq!(d.db.action_count().unwrap(), actions);
}

#[test]
fn a_sent_reply_is_not_undone_by_an_earlier_offer() {
    let mut d = fixture::desk();
    let effects = cmd(&mut d, Command::MarkHandled);
    d.perform(effects);
    assert!(d.state.undoable().is_some());
    let reply = crate::domain::Reply {
        post: PostId(4),
        network: crate::domain::Network::Mastodon,
        text: "We open at 10".into(),
        sent_at: d.state.now,
        url: None,
        remote_id: None,
        idempotency_key: None,
        staff: "ana".into(),
    };
    let action = crate::domain::Action {
        id: 99,
        post: Some(PostId(4)),
        customer: None,
        kind: ActionKind::Replied,
        note: String::new(),
        at: d.state.now,
        url: None,
        staff: "ana".into(),
    };
    d.send(Msg::ReplySent { reply, action });
    assert!(d.state.undoable().is_none());
}

#[test]
fn a_quick_undo_never_takes_back_the_action_before_the_one_under_way() {
    let mut d = fixture::desk();
    let effects = cmd(&mut d, Command::MarkHandled);
    d.perform(effects);
    // The next post is marked handled; `u` comes before the store has answered.
    let pending = cmd(&mut d, Command::MarkHandled);
    assert!(matches!(&pending[..], [Effect::LogAction(_)]));
    assert!(cmd(&mut d, Command::Undo).is_empty());
    d.perform(pending);
    let effects = cmd(&mut d, Command::Undo);
    assert!(matches!(&effects[..], [Effect::Undo(_)]));
}
