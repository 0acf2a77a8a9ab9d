//! Popups' keys: help, the action form, the follow-up form, the send confirmation, sources.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::{Command, Effect};
use crate::config::Mode;
use crate::domain::{ActionKind, NewAction, NewFollowUp};
use crate::state::popup::{ActionForm, FollowUpForm, parse_due};
use crate::state::{AppState, LineInput, Popup};

pub(super) fn open_action_form(state: &mut AppState) -> Vec<Effect> {
    match state.current_post_id() {
        Some(post) => {
            state.popup = Some(Popup::Action(ActionForm {
                post,
                kind: 0,
                note: LineInput::default(),
            }))
        }
        None => state.flash("no post selected"),
    }
    vec![]
}

pub(super) fn open_follow_up_form(state: &mut AppState) -> Vec<Effect> {
    match state.current_post_id() {
        Some(post) => {
            state.popup = Some(Popup::FollowUp(FollowUpForm {
                post,
                date: LineInput::new("+3"),
                note: LineInput::default(),
                field: 0,
                error: None,
            }))
        }
        None => state.flash("no post selected"),
    }
    vec![]
}

/// The text input that has the keys in the open popup, if any.
pub(super) fn focused_input(state: &mut AppState) -> Option<&mut LineInput> {
    if let Some(input) = state.filter.editing.as_mut() {
        return Some(input);
    }
    match state.popup.as_mut()? {
        Popup::Action(form) => Some(&mut form.note),
        Popup::SavedReplies(picker) => Some(&mut picker.query),
        Popup::FollowUp(form) => Some(if form.field == 0 {
            &mut form.date
        } else {
            &mut form.note
        }),
        _ => None,
    }
}

pub(super) fn popup_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(popup) = state.popup.take() else {
        return vec![];
    };
    let (kept, effects) = match popup {
        Popup::Help { scroll } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                (None, vec![])
            }
            KeyCode::Down | KeyCode::Char('j') => (
                Some(Popup::Help {
                    scroll: scroll.saturating_add(1),
                }),
                vec![],
            ),
            KeyCode::Up | KeyCode::Char('k') => (
                Some(Popup::Help {
                    scroll: scroll.saturating_sub(1),
                }),
                vec![],
            ),
            KeyCode::PageDown => (
                Some(Popup::Help {
                    scroll: scroll.saturating_add(10),
                }),
                vec![],
            ),
            KeyCode::PageUp => (
                Some(Popup::Help {
                    scroll: scroll.saturating_sub(10),
                }),
                vec![],
            ),
            _ => (Some(Popup::Help { scroll }), vec![]),
        },
        // Its keys come as commands (see `sources_command`).
        popup @ Popup::Sources { .. } => (Some(popup), vec![]),
        question @ (Popup::ConfirmSend { .. }
        | Popup::ConfirmReplyAgain { .. }
        | Popup::ConfirmClaimed { .. }
        | Popup::CloseFollowUp { .. }
        | Popup::ConfirmMarkAllRead { .. }) => {
            state.popup = Some(question);
            return match state.keymap.command(Mode::Confirm, &key) {
                Some(Command::Confirm) => answer(state, true),
                Some(Command::Cancel) => answer(state, false),
                _ => vec![],
            };
        }
        Popup::Candidates(popup) => super::handles::candidates_key(state, popup, key),
        Popup::Unlink(popup) => super::handles::unlink_key(state, popup, key),
        Popup::SavedReplies(picker) => {
            state.popup = Some(Popup::SavedReplies(picker));
            return super::reply_texts::picker_key(state, key);
        }
        Popup::Action(form) => action_key(state, form, key),
        Popup::FollowUp(form) => follow_up_key(state, form, key),
        Popup::Correct { post, selected } => {
            super::undo::correction_key(state, post, selected, key)
        }
        Popup::Assign(picker) => super::team::picker_key(state, picker, key),
    };
    if state.popup.is_none() {
        state.popup = kept;
    }
    effects
}

/// The answer to the open yes/no question (the keymap's `confirm` / `cancel`).
pub(super) fn answer(state: &mut AppState, yes: bool) -> Vec<Effect> {
    match state.popup.take() {
        Some(Popup::ConfirmSend { post, .. })
            if yes
                && state
                    .posts
                    .get(post)
                    .is_some_and(|p| state.can_reply_on(p.reply_route())) =>
        {
            super::compose::send_confirmed(state, false)
        }
        Some(Popup::ConfirmSend { .. }) => vec![],
        Some(Popup::ConfirmClaimed { .. }) if yes => super::compose::send_confirmed(state, true),
        Some(Popup::ConfirmClaimed { .. }) => {
            state.flash("not sent: the draft is kept");
            vec![]
        }
        // Reply again: the composer is already open under the question.
        Some(Popup::ConfirmReplyAgain { .. }) if yes => vec![],
        Some(Popup::ConfirmReplyAgain { .. }) => super::compose::close(state),
        Some(Popup::CloseFollowUp { follow_up, .. }) => {
            super::follow_ups::answered(state, follow_up.id, yes)
        }
        Some(Popup::ConfirmMarkAllRead { pane, .. }) if yes => {
            super::reads::mark_all_read(state, pane)
        }
        Some(Popup::ConfirmMarkAllRead { .. }) => vec![],
        other => {
            state.popup = other;
            vec![]
        }
    }
}

/// The Sources view's commands, from the normal keymap: movement scrolls it (clamped to what the view holds
/// on this terminal), close, sources, quit and open close it; the rest wait until it is closed.
pub(super) fn sources_command(state: &mut AppState, scroll: u16, command: Command) {
    let (max, page) = crate::ui::sources::scroll_room(state);
    let scroll = scroll.min(max);
    let page = page.saturating_sub(1).max(1);
    state.popup = match command {
        Command::NextPost => Some(scroll.saturating_add(1)),
        Command::PrevPost => Some(scroll.saturating_sub(1)),
        Command::PageDown => Some(scroll.saturating_add(page)),
        Command::PageUp => Some(scroll.saturating_sub(page)),
        Command::FirstPost => Some(0),
        Command::LastPost => Some(max),
        Command::Close | Command::Sources | Command::Quit | Command::OpenDetail => None,
        _ => Some(scroll),
    }
    .map(|s| Popup::Sources { scroll: s.min(max) });
}

fn action_key(
    state: &mut AppState,
    mut form: ActionForm,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    let kinds = ActionKind::LOGGABLE.len();
    match key.code {
        KeyCode::Esc => return (None, vec![]),
        KeyCode::Up => form.kind = (form.kind + kinds - 1) % kinds,
        KeyCode::Down | KeyCode::Tab => form.kind = (form.kind + 1) % kinds,
        KeyCode::BackTab => form.kind = (form.kind + kinds - 1) % kinds,
        KeyCode::Enter => {
            let customer = state.posts.get(form.post).and_then(|p| p.customer);
            let kind = form.kind();
            state.flash(format!("logged: {}", kind.label()));
            return (
                None,
                vec![Effect::LogAction(NewAction {
                    post: Some(form.post),
                    customer,
                    kind,
                    note: form.note.text().trim().to_string(),
                    at: state.now,
                    url: None,
                })],
            );
        }
        _ => {
            form.note.handle(&key);
        }
    }
    (Some(Popup::Action(form)), vec![])
}

fn follow_up_key(
    state: &mut AppState,
    mut form: FollowUpForm,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    match key.code {
        KeyCode::Esc => return (None, vec![]),
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            form.field = 1 - form.field.min(1)
        }
        KeyCode::Enter => match parse_due(form.date.text(), state.today()) {
            Ok(due) => {
                let customer = state.posts.get(form.post).and_then(|p| p.customer);
                return (
                    None,
                    vec![Effect::ScheduleFollowUp(NewFollowUp {
                        post: Some(form.post),
                        customer,
                        due,
                        note: form.note.text().trim().to_string(),
                        created_at: state.now,
                    })],
                );
            }
            Err(e) => {
                form.error = Some(e);
                form.field = 0;
            }
        },
        _ => {
            let input = if form.field == 0 {
                &mut form.date
            } else {
                &mut form.note
            };
            if input.handle(&key) {
                form.error = None;
            }
        }
    }
    (Some(Popup::FollowUp(form)), vec![])
}
