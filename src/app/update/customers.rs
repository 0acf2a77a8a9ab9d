//! The Customers view in `update`: opening and closing it, moving through the rows, a customer's story, the
//! notes editor (saved on close, handed back if the save fails), and reading again what changed.

use crossterm::event::KeyEvent;

use crate::app::{Command, Effect, Msg};
use crate::domain::{CustomerId, CustomerStory};
use crate::state::{AppState, NoteEditor, StoryView, View};

/// `R`: the view opens (read afresh) or closes back to the panes.
pub(super) fn toggle(state: &mut AppState) -> Vec<Effect> {
    if state.view == View::Customers {
        state.view = View::Panes;
        state.customers_view.story = None;
        return vec![];
    }
    state.view = View::Customers;
    vec![Effect::LoadCustomers]
}

/// A command while the view is open; `None`: the usual handling (help, sources, quit).
pub(super) fn command(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    let page = (state.size.1 / 2).max(3);
    if state.customers_view.story.is_some() {
        let room = crate::ui::story::story_room(state);
        let scroll = state.customers_view.story.as_ref().map_or(0, |s| s.scroll);
        let next = match command {
            Command::NextPost | Command::ScrollDetailDown => scroll.saturating_add(1),
            Command::PrevPost | Command::ScrollDetailUp => scroll.saturating_sub(1),
            Command::PageDown => scroll.saturating_add(page),
            Command::PageUp => scroll.saturating_sub(page),
            Command::FirstPost => 0,
            Command::LastPost => room,
            _ => return other(state, command),
        };
        if let Some(story) = state.customers_view.story.as_mut() {
            story.scroll = next.min(room);
        }
        return Some(vec![]);
    }
    let view = &mut state.customers_view;
    let last = view.rows.len().saturating_sub(1);
    let step = |by: isize| {
        (view.selected as isize)
            .saturating_add(by)
            .clamp(0, last as isize) as usize
    };
    view.selected = match command {
        Command::NextPost => step(1),
        Command::PrevPost => step(-1),
        Command::PageDown => step(page as isize),
        Command::PageUp => step(-(page as isize)),
        Command::FirstPost => 0,
        Command::LastPost => last,
        Command::OpenDetail => {
            let Some(row) = view.selected_row() else {
                return Some(vec![]);
            };
            let customer = row.customer.id;
            view.story = Some(StoryView {
                customer,
                story: None,
                scroll: 0,
            });
            return Some(vec![Effect::LoadStory(customer)]);
        }
        _ => return other(state, command),
    };
    Some(vec![])
}

/// The commands that mean the same in the list and the story: back, the notes, and what the view passes on.
fn other(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Close => {
            if state.customers_view.story.take().is_none() {
                state.view = View::Panes;
            }
            Some(vec![])
        }
        Command::CustomerHistory => Some(history(state)),
        Command::Customers
        | Command::EditNote
        | Command::AlwaysTellMe
        | Command::FindHandles
        | Command::UnlinkHandle
        | Command::FollowUps
        | Command::Help
        | Command::Sources
        | Command::Quit => None,
        _ => {
            let close = state.keymap.hint(Command::Close);
            state.flash(format!(
                "not in the Customers view: {close} goes back to the panes"
            ));
            Some(vec![])
        }
    }
}

/// `C`: the customer (of the story, or the selected row) in the panes, all their posts in the History pane with
/// Detail beside it.
fn history(state: &mut AppState) -> Vec<Effect> {
    let Some(customer) = state.customers_view.customer() else {
        return vec![];
    };
    state.open_history(customer);
    state.detail_focused = false;
    state.view = View::Panes;
    vec![]
}

/// `e`: the notes of the customer in the story, the selected row, or (in the panes) the current post's.
pub(super) fn edit_note(state: &mut AppState) -> Vec<Effect> {
    let view = &state.customers_view;
    let customer = state.customer_in_context();
    let found = customer.and_then(|id| {
        state
            .customers
            .get(&id)
            .map(|c| (c.id, c.name.clone(), c.note.clone()))
            .or_else(|| {
                view.rows
                    .iter()
                    .find(|r| r.customer.id == id)
                    .map(|r| (id, r.customer.name.clone(), r.customer.note.clone()))
            })
    });
    match found {
        Some((id, name, note)) => {
            state.customers_view.note = Some(NoteEditor::open(id, &name, &note));
        }
        None => state.flash("no customer here to write notes on"),
    }
    vec![]
}

/// A command while the notes editor is open: its save keys (the composer's send and close) save and close it.
pub(super) fn note_command(state: &mut AppState, command: Command) -> Vec<Effect> {
    match command {
        Command::SendReply | Command::CloseComposer => save_open_note(state),
        Command::Quit => {
            let mut effects = save_open_note(state);
            state.quitting = true;
            effects.push(Effect::Quit);
            effects
        }
        _ => vec![],
    }
}

/// Closes the notes editor, saving what it holds.
pub(super) fn save_open_note(state: &mut AppState) -> Vec<Effect> {
    let Some(editor) = state.customers_view.note.take() else {
        return vec![];
    };
    vec![Effect::SaveCustomerNote {
        customer: editor.customer,
        note: editor.text(),
    }]
}

pub(super) fn note_key(state: &mut AppState, key: KeyEvent) {
    if let Some(editor) = state.customers_view.note.as_mut() {
        editor.textarea.input(key);
    }
}

/// Pasted text goes in line by line (notes keep their lines; each line is sanitized like any text).
pub(super) fn note_paste(state: &mut AppState, text: &str) {
    if let Some(editor) = state.customers_view.note.as_mut() {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                editor.textarea.insert_newline();
            }
            editor.textarea.insert_str(crate::text::sanitize(line));
        }
    }
}

pub(super) fn loaded(
    state: &mut AppState,
    rows: Result<Vec<crate::domain::CustomerSummary>, String>,
) {
    match rows {
        Ok(rows) => state.customers_view.set_rows(rows),
        Err(e) => {
            state.flash(format!("reading the customers failed: {e}"));
            state.customers_view.error = Some(e);
        }
    }
}

pub(super) fn story_loaded(
    state: &mut AppState,
    customer: CustomerId,
    story: Result<Option<Box<CustomerStory>>, String>,
) {
    let Some(view) = state
        .customers_view
        .story
        .as_mut()
        .filter(|s| s.customer == customer)
    else {
        return;
    };
    match story {
        Ok(Some(story)) => view.story = Some(*story),
        Ok(None) => {
            state.customers_view.story = None;
            state.flash("that customer is no longer stored");
        }
        Err(e) => {
            state.customers_view.story = None;
            state.flash(format!("reading the story failed: {e}"));
        }
    }
}

/// Saved notes: the customer everywhere they are shown.
pub(super) fn saved(state: &mut AppState, customer: crate::domain::Customer) {
    state.flash(format!("notes on {} saved", customer.name));
    let view = &mut state.customers_view;
    for row in view
        .rows
        .iter_mut()
        .filter(|r| r.customer.id == customer.id)
    {
        row.customer = customer.clone();
    }
    if let Some(story) = view
        .story
        .as_mut()
        .and_then(|s| s.story.as_mut())
        .filter(|s| s.summary.customer.id == customer.id)
    {
        story.summary.customer = customer.clone();
    }
    state.customers.insert(customer.id, customer);
}

/// Notes that could not be saved go back into the editor, with why.
pub(super) fn not_saved(state: &mut AppState, customer: CustomerId, note: String, error: &str) {
    let name = state
        .customers
        .get(&customer)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    state.flash(format!("notes not saved ({error}): still in the editor"));
    if state.customers_view.note.is_none() {
        state.customers_view.note = Some(NoteEditor::open(customer, &name, &note));
    }
}

/// Whether a message changes what the view shows about a customer (a reply, an action, a follow-up, a
/// customer's post).
pub(super) fn touches(msg: &Msg) -> bool {
    match msg {
        Msg::ReplySent { .. }
        | Msg::ReplyFound { .. }
        | Msg::ActionLogged(_)
        | Msg::FollowUpScheduled { .. }
        | Msg::FollowUpCompleted { .. }
        | Msg::HandleLinked { .. }
        | Msg::HandleUnlinked { .. } => true,
        Msg::Ingested { posts, .. } => posts.iter().any(|p| p.customer.is_some()),
        _ => false,
    }
}

/// Reads the open view again (the opening read covers a closed one).
pub(super) fn reload(state: &AppState) -> Vec<Effect> {
    if state.view != View::Customers {
        return vec![];
    }
    let mut effects = vec![Effect::LoadCustomers];
    effects.extend(
        state
            .customers_view
            .story
            .as_ref()
            .map(|s| Effect::LoadStory(s.customer)),
    );
    effects
}
