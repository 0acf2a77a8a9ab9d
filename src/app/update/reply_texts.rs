//! The composer's ready-made texts: greetings (`Ctrl-T`, switching rather than piling up) and the saved
//! replies' picker (type to filter, insert at the cursor or replace the draft), their variables filled per post.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::CursorMove;

use super::compose::{edited, explain_lock};
use crate::app::{Command, Effect};
use crate::config::Mode;
use crate::config::replies::{self, Fields};
use crate::state::{AppState, Composer, Popup, ReplyPicker};

/// What a greeting's or saved reply's variables stand for in a reply to the composer's post: the customer's
/// names when the shop knows them, else the author's display name, never their handle.
fn fill(state: &AppState, composer: &Composer, text: &str) -> String {
    let post = state.posts.get(composer.post);
    let customer = post.and_then(|p| state.customer_of(p));
    let spoken = post.and_then(|p| p.author.spoken_name());
    let order = post.and_then(|p| replies::order_number(&p.text));
    let fields = Fields {
        first_name: customer.map(|c| c.first_name()).or(spoken.as_deref()),
        name: customer.map(|c| c.name.as_str()).or(spoken.as_deref()),
        shop: Some(state.shop_name.as_str()),
        order: order.as_deref(),
    };
    replies::fill(text, &fields)
}

/// `Ctrl-T`: the draft starts with a greeting; pressed again, the greeting switches to the next one instead
/// of a second being added. Greetings come from `[composer] greetings`.
pub(super) fn insert_template(state: &mut AppState) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    if composer.locked() {
        explain_lock(state, &composer);
        state.composer = Some(composer);
        return vec![];
    }
    let greetings: Vec<String> = state
        .reply_texts
        .greetings
        .iter()
        .map(|g| fill(state, &composer, g))
        .collect();
    if greetings.is_empty() {
        state.flash("no greetings configured: add some under [composer] greetings");
        state.composer = Some(composer);
        return vec![];
    }
    let text = composer.text();
    // The longest greeting the draft starts with is the one in place.
    let current = greetings
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.is_empty() && text.starts_with(g.as_str()))
        .max_by_key(|(_, g)| g.len());
    let (old, next) = match current {
        Some((i, g)) => (g.chars().count(), &greetings[(i + 1) % greetings.len()]),
        None => (0, &greetings[0]),
    };
    if switch_greeting(&mut composer, old, next) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

/// Replaces the first `old` characters of the draft with `greeting`, the cursor staying where it was in the
/// rest of the text (or after the greeting, when it was in the old one).
fn switch_greeting(composer: &mut Composer, old: usize, greeting: &str) -> bool {
    let (row, col) = {
        let c = composer.textarea.cursor();
        (c.0, c.1)
    };
    let textarea = &mut composer.textarea;
    textarea.move_cursor(CursorMove::Jump(0, 0));
    let deleted = old > 0 && textarea.delete_str(old);
    let inserted = textarea.insert_str(greeting);
    let new = greeting.chars().count();
    let greeting_rows = greeting.matches('\n').count();
    let (row, col) = match (row, col) {
        (0, c) if c <= old && greeting_rows == 0 => (0, new),
        (0, c) if greeting_rows == 0 => (0, c - old + new),
        (r, c) => (r + greeting_rows, c),
    };
    if row != 0 || col != new {
        textarea.move_cursor(CursorMove::Jump(
            u16::try_from(row).unwrap_or(u16::MAX),
            u16::try_from(col).unwrap_or(u16::MAX),
        ));
    }
    deleted || inserted
}

/// Opens the saved-replies picker over the composer.
pub(super) fn open_saved_replies(state: &mut AppState) -> Vec<Effect> {
    let Some(composer) = state.composer.as_ref() else {
        return vec![];
    };
    if composer.locked() {
        let composer = composer.clone();
        explain_lock(state, &composer);
    } else if state.reply_texts.saved.is_empty() {
        state.flash("no saved replies yet: add [[replies]] with a name and text to the config");
    } else {
        state.popup = Some(Popup::SavedReplies(ReplyPicker::default()));
    }
    vec![]
}

/// The picker's chosen reply, filled for this post: inserted at the cursor, or `replace`s the whole draft.
pub(super) fn use_saved_reply(state: &mut AppState, replace: bool) -> Vec<Effect> {
    let Some(Popup::SavedReplies(picker)) = state.popup.take() else {
        return vec![];
    };
    let Some(reply) = picker.chosen(&state.reply_texts.saved).cloned() else {
        state.flash("no saved reply matches; Esc closes the picker");
        state.popup = Some(Popup::SavedReplies(picker));
        return vec![];
    };
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    let text = fill(state, &composer, &reply.text);
    let changed = if replace {
        composer.replace_text(&text)
    } else {
        composer.textarea.insert_str(&text)
    };
    if changed {
        edited(state, &mut composer);
    }
    if text.contains(replies::ORDER_BLANK) {
        state.flash(format!(
            "\"{}\" added: fill in {} (the post names none)",
            reply.name,
            replies::ORDER_BLANK
        ));
    }
    state.composer = Some(composer);
    vec![]
}

/// The picker's keys: the keymap's `[keys.picker]` (insert, replace), else typing filters, Up and Down choose
/// and Esc closes it, as in the other forms.
pub(super) fn picker_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    match state.keymap.command(Mode::Picker, &key) {
        Some(Command::InsertReply) => return use_saved_reply(state, false),
        Some(Command::ReplaceDraft) => return use_saved_reply(state, true),
        _ => {}
    }
    let Some(Popup::SavedReplies(mut picker)) = state.popup.take() else {
        return vec![];
    };
    let shown = picker.matching(&state.reply_texts.saved).len();
    match key.code {
        KeyCode::Esc => return vec![],
        KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Down => picker.selected = (picker.selected + 1).min(shown.saturating_sub(1)),
        _ => {
            if picker.query.handle(&key) {
                picker.selected = 0;
            }
        }
    }
    state.popup = Some(Popup::SavedReplies(picker));
    vec![]
}
