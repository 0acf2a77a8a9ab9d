//! Replies exactly once: the confirmation shows what will be posted, an unconfirmed send locks the text until
//! its outcome is known, a resend logs once, and a post already replied to asks first.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{
    Action, ActionKind, DraftState, Network, PostId, PriorReply, Reply, ReplyOrigin,
};
use crate::state::fixture::{self, now};

/// `update` with the reads it asks for left out: these tests are about the work (`lists_tests` covers reads).
fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    super::update(state, msg)
        .into_iter()
        .filter(|e| !matches!(e, Effect::Load(_)))
        .collect()
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn cmd(state: &mut AppState, c: Command) -> Vec<Effect> {
    update(state, Msg::Command(c))
}

/// Tom's mention (post 2) open in the composer with `text`, on a Mastodon console.
fn composing(text: &str) -> (AppState, tempfile::TempDir) {
    let (mut s, guard) = fixture::with_mastodon_replier(fixture::workspace());
    s.focus = Pane::Mentions;
    let effects = cmd(&mut s, Command::Reply);
    assert_eq!(effects, vec![Effect::CheckPriorReply(PostId(2))]);
    update(&mut s, Msg::Paste(text.into()));
    (s, guard)
}

/// Confirms the send; returns the key it went out with.
fn send(s: &mut AppState) -> String {
    cmd(s, Command::SendReply);
    match &cmd(s, Command::Confirm)[..] {
        [
            Effect::SaveDraft(_),
            Effect::SendReply {
                idempotency_key, ..
            },
        ] => idempotency_key.clone(),
        other => panic!("{other:?}"),
    }
}

fn reply(text: &str, key: &str) -> Reply {
    Reply {
        post: PostId(2),
        network: Network::Mastodon,
        text: text.into(),
        sent_at: now(),
        url: Some("https://mastodon.example/@shop/500".into()),
        remote_id: Some("500".into()),
        idempotency_key: Some(key.into()),
        staff: "ana".into(),
    }
}

fn replied(id: i64) -> Action {
    Action {
        id,
        post: Some(PostId(2)),
        customer: None,
        kind: ActionKind::Replied,
        note: "So sorry".into(),
        at: now(),
        url: None,
        staff: "ana".into(),
    }
}

#[test]
fn the_confirmation_holds_exactly_what_the_replier_will_post() {
    let (mut s, _guard) = composing("So sorry, Tom!");
    if let Some(p) = s.posts.get_mut(PostId(2)) {
        p.reply_ref =
            Some(serde_json::json!({"visibility": "private", "acct": "tom@mastodon.social"}));
    }
    cmd(&mut s, Command::SendReply);
    match &s.popup {
        Some(Popup::ConfirmSend {
            prepared: Some(p), ..
        }) => {
            assert_eq!(p.text, "@tom@mastodon.social So sorry, Tom!");
            assert_eq!(p.visibility, "private");
            assert_eq!(p.account, "@shop@mastodon.example");
        }
        other => panic!("{other:?}"),
    }
    // The keymap's cancel answers the question; nothing is sent.
    assert!(
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
        )
        .is_empty()
    );
    assert!(s.popup.is_none());
}

#[test]
fn the_mention_counts_towards_the_limit() {
    let (mut s, _guard) = composing(&"x".repeat(490));
    cmd(&mut s, Command::SendReply);
    assert!(s.popup.is_none(), "490 + the mention is over 500");
    assert!(
        s.flash.as_ref().unwrap().0.contains("511/500"),
        "{:?}",
        s.flash
    );
}

#[test]
fn an_unconfirmed_send_locks_the_text_until_its_outcome_is_known() {
    let (mut s, _guard) = composing("So sorry, it ships today.");
    let first_key = send(&mut s);
    let effects = update(
        &mut s,
        Msg::ReplyUnconfirmed {
            post: PostId(2),
            reason: "timed out".into(),
        },
    );
    match &effects[..] {
        [Effect::SaveDraft(d)] => {
            assert_eq!(d.state, DraftState::Unconfirmed("timed out".into()));
            assert_eq!(d.idempotency_key, first_key);
        }
        other => panic!("{other:?}"),
    }
    let c = s.composer.as_ref().unwrap();
    assert!(c.locked() && !c.sending);
    // Typing, pasting and templates change nothing, and say why.
    update(&mut s, key('!'));
    update(&mut s, Msg::Paste(" Tracking AB123".into()));
    cmd(&mut s, Command::InsertTemplate);
    assert_eq!(
        s.composer.as_ref().unwrap().text(),
        "So sorry, it ships today."
    );
    assert!(
        s.flash.as_ref().unwrap().0.contains("Ctrl-e"),
        "{:?}",
        s.flash
    );

    // Retrying sends the same text with the same key.
    assert_eq!(send(&mut s), first_key);
    update(
        &mut s,
        Msg::ReplyUnconfirmed {
            post: PostId(2),
            reason: "timed out again".into(),
        },
    );

    // Asking to edit first finds out whether it went out; the text stays locked meanwhile.
    let effects = cmd(&mut s, Command::EditReply);
    match &effects[..] {
        [
            Effect::ResolveReply {
                post,
                text,
                idempotency_key,
            },
        ] => {
            assert_eq!(post.id, PostId(2));
            assert_eq!(text, "So sorry, it ships today.");
            assert_eq!(*idempotency_key, first_key);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.composer.as_ref().unwrap().resolving);
    assert!(
        cmd(&mut s, Command::EditReply).is_empty(),
        "one check at a time"
    );
    cmd(&mut s, Command::SendReply);
    assert!(s.popup.is_none(), "no send while checking");
    update(&mut s, key('!'));
    assert_eq!(
        s.composer.as_ref().unwrap().text(),
        "So sorry, it ships today."
    );

    // It did not go out: a new key, and the draft is editable.
    let effects = update(&mut s, Msg::ReplyNotPosted { post: PostId(2) });
    let new_key = match &effects[..] {
        [Effect::SaveDraft(d)] => {
            assert_eq!(d.state, DraftState::Editing);
            assert_ne!(d.idempotency_key, first_key);
            d.idempotency_key.clone()
        }
        other => panic!("{other:?}"),
    };
    update(&mut s, Msg::Paste(" Tracking AB123".into()));
    assert_eq!(
        s.composer.as_ref().unwrap().text(),
        "So sorry, it ships today. Tracking AB123"
    );
    assert_eq!(send(&mut s), new_key);
}

#[test]
fn an_unconfirmed_send_found_on_the_server_is_logged_with_the_servers_text() {
    let (mut s, _guard) = composing("So sorry, it ships today.");
    let first_key = send(&mut s);
    update(
        &mut s,
        Msg::ReplyUnconfirmed {
            post: PostId(2),
            reason: "timed out".into(),
        },
    );
    cmd(&mut s, Command::EditReply);
    let posted = "@tom So sorry, it ships today.";
    update(
        &mut s,
        Msg::ReplyFound {
            reply: reply(posted, &first_key),
            action: replied(9),
        },
    );
    assert!(s.composer.is_none() && !s.drafts.contains_key(&PostId(2)));
    assert_eq!(s.replies[&PostId(2)][0].text, posted);
    assert_eq!(s.log.window.rows[0].id, 9);
    let flash = &s.flash.as_ref().unwrap().0;
    assert!(
        flash.contains("had gone out") && flash.contains(posted),
        "{flash}"
    );
}

#[test]
fn an_unconfirmed_draft_closed_meanwhile_is_updated_in_place() {
    let (mut s, _guard) = composing("So sorry");
    send(&mut s);
    cmd(&mut s, Command::CloseComposer);
    assert!(s.composer.is_none());
    let effects = update(
        &mut s,
        Msg::ReplyUnconfirmed {
            post: PostId(2),
            reason: "connection dropped".into(),
        },
    );
    assert!(
        matches!(&effects[..], [Effect::SaveDraft(d)] if d.state == DraftState::Unconfirmed("connection dropped".into()))
    );
    // Reopened, it is still locked.
    cmd(&mut s, Command::Reply);
    assert!(s.composer.as_ref().unwrap().locked());
    let old = s.drafts[&PostId(2)].idempotency_key.clone();
    cmd(&mut s, Command::CloseComposer);
    let effects = update(&mut s, Msg::ReplyNotPosted { post: PostId(2) });
    assert!(
        matches!(&effects[..], [Effect::SaveDraft(d)] if d.state == DraftState::Editing && d.idempotency_key != old)
    );
}

#[test]
fn a_resend_reported_twice_is_logged_once() {
    let (mut s, _guard) = composing("So sorry");
    let key = send(&mut s);
    update(
        &mut s,
        Msg::ReplySent {
            reply: reply("@tom So sorry", &key),
            action: replied(7),
        },
    );
    let effects = update(
        &mut s,
        Msg::ReplySent {
            reply: reply("@tom So sorry", &key),
            action: replied(7),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(s.replies[&PostId(2)].len(), 1);
    assert_eq!(s.log.window.rows.iter().filter(|a| a.id == 7).count(), 1);
}

#[test]
fn replying_again_to_a_post_the_shop_answered_asks_first() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    let prior = PriorReply {
        at: now() - Duration::minutes(78),
        origin: ReplyOrigin::ThisConsole,
    };
    update(
        &mut s,
        Msg::PriorReply {
            post: PostId(2),
            prior,
        },
    );
    assert_eq!(
        s.popup,
        Some(Popup::ConfirmReplyAgain {
            post: PostId(2),
            prior
        })
    );
    // No: the composer closes (nothing typed, nothing kept).
    assert!(update(&mut s, key('n')).is_empty());
    assert!(s.popup.is_none() && s.composer.is_none());
    // Yes: the composer stays for the new reply.
    cmd(&mut s, Command::Reply);
    update(
        &mut s,
        Msg::PriorReply {
            post: PostId(2),
            prior,
        },
    );
    update(&mut s, key('y'));
    assert!(s.popup.is_none() && s.composer.is_some());
    // An answer about another post (the composer moved on) asks nothing.
    update(
        &mut s,
        Msg::PriorReply {
            post: PostId(4),
            prior,
        },
    );
    assert!(s.popup.is_none());
}

#[test]
fn the_runner_hands_over_the_repliers() {
    let (with, _guard) = fixture::with_mastodon_replier(fixture::workspace());
    let mut s = fixture::workspace();
    let post = s.posts.get(PostId(2)).unwrap().clone();
    assert_eq!(s.preparers.prepare(&post, "hi"), None);
    update(&mut s, Msg::RepliersReady(with.preparers.clone()));
    assert_eq!(
        s.preparers.prepare(&post, "hi").unwrap().text,
        "@tom@mastodon.social hi"
    );
}
