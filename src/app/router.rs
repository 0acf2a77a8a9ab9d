//! Keys are routed in one place: popup, then composer (unbound keys go to the textarea), then the filter line,
//! then the keymap's normal mode.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Command, Msg};
use crate::config::Mode;
use crate::state::{AppState, Popup};

pub fn route(state: &AppState, key: KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    // The Sources view has no text to type: its keys are the normal keymap's (movement scrolls it).
    if let Some(Popup::Sources { .. }) = state.popup {
        return state.keymap.command(Mode::Normal, &key).map(Msg::Command);
    }
    if state.popup.is_some() || state.filter.editing.is_some() {
        return Some(Msg::Key(key));
    }
    // The notes editor takes typing like the composer: its save keys are the composer's.
    if state.composer.is_some() || state.customers_view.note.is_some() {
        return Some(match state.keymap.command(Mode::Composer, &key) {
            Some(command) => Msg::Command(command),
            None => Msg::Key(key),
        });
    }
    state.keymap.command(Mode::Normal, &key).map(Msg::Command)
}

/// The keys a terminal key event stands for. Terminals send Esc and a key typed quickly after it as one
/// Alt-chord (crossterm reports `Esc q` as Alt-q): an Alt-chord no mode binds is taken as Esc, then the key,
/// so `Esc q` closes and quits. In the composer and the notes editor Alt-chords stay whole: the text editor
/// moves by words with them.
pub fn split_alt(state: &AppState, key: KeyEvent) -> Vec<KeyEvent> {
    let typing = state.composer.is_some() || state.customers_view.note.is_some();
    if typing || !key.modifiers.contains(KeyModifiers::ALT) || state.keymap.binds(&key) {
        return vec![key];
    }
    let mut plain = key;
    plain.modifiers.remove(KeyModifiers::ALT);
    vec![
        KeyEvent::new_with_kind(KeyCode::Esc, KeyModifiers::NONE, key.kind),
        plain,
    ]
}

/// Commands offered as status-bar hints in the current context, most useful first.
pub fn hints(state: &AppState) -> Vec<Command> {
    let unconfirmed = state
        .composer
        .as_ref()
        .is_some_and(|c| matches!(c.state, crate::domain::DraftState::Unconfirmed(_)));
    if unconfirmed {
        vec![
            Command::SendReply,
            Command::EditReply,
            Command::CloseComposer,
        ]
    } else if state.customers_view.note.is_some() {
        // The editor draws its own keys.
        vec![]
    } else if state.view == crate::state::View::CheckIn
        && state.check_in.as_ref().is_some_and(|c| !c.running())
    {
        vec![Command::Close, Command::Quit]
    } else if state.view == crate::state::View::CheckIn {
        // The check-in's own keys (next, end) are drawn in its view.
        vec![
            Command::Reply,
            Command::LogAction,
            Command::MarkHandled,
            Command::ScheduleFollowUp,
            Command::Quit,
        ]
    } else if state.view == crate::state::View::Stats {
        vec![Command::Stats, Command::Close, Command::Help, Command::Quit]
    } else if state.view == crate::state::View::Customers {
        vec![
            Command::EditNote,
            Command::Close,
            Command::Help,
            Command::Quit,
        ]
    } else if state.composer.is_some() {
        vec![
            Command::SendReply,
            Command::CloseComposer,
            Command::InsertTemplate,
            Command::SavedReplies,
            Command::EditInEditor,
        ]
    } else if state.follow_ups_open() {
        vec![
            Command::CompleteFollowUp,
            Command::Reply,
            Command::OpenDetail,
            Command::Close,
            Command::Help,
            Command::Quit,
        ]
    } else {
        let undo = state.undoable().map(|_| Command::Undo);
        undo.into_iter()
            .chain([
                Command::Reply,
                Command::LogAction,
                Command::MarkHandled,
                Command::ScheduleFollowUp,
                Command::FollowUps,
                Command::Filter,
                Command::Help,
                Command::Quit,
            ])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Keymap, Theme};
    use crate::domain::{Network, PostId};
    use crate::state::{Composer, Popup};

    fn state() -> AppState {
        AppState::new(chrono::Utc::now(), Keymap::defaults(), Theme::default())
    }

    #[test]
    fn popup_then_composer_then_normal() {
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        let mut s = state();
        assert!(matches!(
            route(&s, j),
            Some(Msg::Command(Command::NextPost))
        ));
        s.composer = Some(Composer::open(
            PostId(1),
            Network::Mastodon,
            Network::Mastodon.reply_limit(),
            None,
            "k".into(),
        ));
        assert!(matches!(route(&s, j), Some(Msg::Key(_))));
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(matches!(
            route(&s, ctrl_s),
            Some(Msg::Command(Command::SendReply))
        ));
        s.popup = Some(Popup::Help { scroll: 0 });
        assert!(matches!(route(&s, ctrl_s), Some(Msg::Key(_))));
        let mut s = state();
        assert!(route(&s, KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT)).is_none());
        s.filter.editing = Some(Default::default());
        assert!(matches!(route(&s, j), Some(Msg::Key(_))));
    }

    #[test]
    fn esc_then_q_typed_quickly_is_two_keys() {
        let alt_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT);
        let mut s = state();
        s.popup = Some(Popup::Help { scroll: 0 });
        let keys = split_alt(&s, alt_q);
        assert_eq!(
            keys,
            vec![
                KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
            ]
        );
        // Each key is routed in the state the one before left: Esc closes the help, then q quits.
        let mut effects = Vec::new();
        for key in keys {
            if let Some(msg) = route(&s, key) {
                effects.extend(crate::app::update(&mut s, msg));
            }
        }
        assert!(s.popup.is_none() && s.quitting, "{effects:?}");
        // A bound Alt-chord stays whole; in the composer the text editor keeps its Alt-chords.
        let plain_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(split_alt(&state(), plain_j), vec![plain_j]);
        let mut s = state();
        s.composer = Some(Composer::open(
            PostId(1),
            Network::Mastodon,
            Network::Mastodon.reply_limit(),
            None,
            String::new(),
        ));
        let alt_b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(split_alt(&s, alt_b), vec![alt_b]);
        let mut user = crate::config::KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("help".into(), vec!["alt-q".into()]);
        let mut s = state();
        s.keymap = Keymap::build(&crate::config::default_keys(), &user).unwrap();
        assert_eq!(split_alt(&s, alt_q), vec![alt_q]);
    }
}
