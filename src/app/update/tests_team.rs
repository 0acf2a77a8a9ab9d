//! A teammate got to the post first: the send stops, says who and when, and goes out only if staff confirm.

use super::*;
use crate::domain::{PostId, Taken};
use crate::state::fixture::{self, now};

fn cmd(state: &mut AppState, c: Command) -> Vec<Effect> {
    update(state, Msg::Command(c))
        .into_iter()
        .filter(|e| !matches!(e, Effect::Load(_)))
        .collect()
}

/// Tom's mention (post 2) sent from the composer; the runner's answer not yet in.
fn sending() -> (AppState, tempfile::TempDir) {
    let (mut s, guard) = fixture::with_mastodon_replier(fixture::workspace());
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    update(&mut s, Msg::Paste("So sorry, Tom!".into()));
    cmd(&mut s, Command::SendReply);
    let effects = cmd(&mut s, Command::Confirm);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SendReply { anyway: false, .. })),
        "{effects:?}"
    );
    (s, guard)
}

fn ana_replied() -> Msg {
    Msg::ReplyClaimed {
        post: PostId(2),
        taken: Taken {
            by: "ana".into(),
            at: now() - chrono::Duration::minutes(3),
            replied: true,
        },
    }
}

#[test]
fn a_teammates_claim_asks_and_confirming_sends_anyway() {
    let (mut s, _guard) = sending();
    assert!(update(&mut s, ana_replied()).is_empty());
    assert!(matches!(s.popup, Some(Popup::ConfirmClaimed { ref taken, .. }) if taken.by == "ana"));
    let composer = s.composer.as_ref().unwrap();
    assert!(!composer.sending, "the composer is free again");
    let effects = cmd(&mut s, Command::Confirm);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SendReply { anyway: true, .. })),
        "{effects:?}"
    );
    assert!(s.composer.as_ref().unwrap().sending);
}

#[test]
fn declining_keeps_the_draft_unsent() {
    let (mut s, _guard) = sending();
    update(&mut s, ana_replied());
    let effects = cmd(&mut s, Command::Cancel);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SendReply { .. })),
        "{effects:?}"
    );
    assert!(s.popup.is_none());
    assert_eq!(s.composer.as_ref().unwrap().text(), "So sorry, Tom!");
    assert!(s.flash.as_ref().unwrap().0.contains("not sent"));
}

#[test]
fn a_claim_found_after_the_composer_closed_is_said() {
    let (mut s, _guard) = sending();
    s.composer = None;
    update(&mut s, ana_replied());
    assert!(s.popup.is_none());
    let said = &s.flash.as_ref().unwrap().0;
    assert!(said.contains("reply not sent: ana replied at"), "{said}");
}
