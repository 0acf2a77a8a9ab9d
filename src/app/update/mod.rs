//! `update`: the one place state changes. Pure: no I/O, no `.await`; I/O is asked for as `Effect`s.

mod alerts;
mod checkin;
mod compose;
mod customers;
mod follow_ups;
mod forms;
pub mod handles;
mod links;
mod lists;
mod live;
mod posts;
mod reads;
mod reply_texts;
mod stats;
mod team;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_alerts;
#[cfg(test)]
mod tests_checkin;
#[cfg(test)]
mod tests_composer;
#[cfg(test)]
mod tests_customers;
#[cfg(test)]
mod tests_follow_ups;
#[cfg(test)]
mod tests_handles;
#[cfg(test)]
mod tests_links;
#[cfg(test)]
mod tests_lists;
#[cfg(test)]
mod tests_live;
#[cfg(test)]
mod tests_reads;
#[cfg(test)]
mod tests_replies;
#[cfg(test)]
mod tests_team;
#[cfg(test)]
mod tests_team_assign;
#[cfg(test)]
mod tests_undo;
mod undo;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};

use super::{Command, Effect, Msg, Writer};
use crate::state::{AppState, LineInput, Pane, Popup, View};
use posts::{action_logged, ingested, mark_handled};

use lists::advance_past;

/// How long after the last keystroke a draft is saved.
pub const DRAFT_SAVE_DELAY_MS: i64 = 500;
/// How long typing without a pause goes unsaved at most: with the loop's 150 ms ticks and the write, a crash
/// loses under a second of typing.
pub const DRAFT_SAVE_MAX_MS: i64 = 700;

/// Applies one message; then asks for whatever the state now needs loaded (pages, Detail's data).
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let reload = customers::touches(&msg);
    let typed = matches!(msg, Msg::Command(_) | Msg::Key(_));
    let mut effects = apply(state, msg);
    if typed {
        undo::superseded(state, &effects);
    }
    if reload {
        effects.extend(customers::reload(state));
    }
    effects.extend(lists::wanted_loads(state));
    effects.extend(reads::follow(state));
    effects.extend(checkin::wanted_load(state));
    effects.extend(team::follow(state));
    effects
}

fn apply(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Command(command) => {
            alerts::seen(state);
            command_msg(state, command)
        }
        Msg::Key(key) => key_msg(state, key),
        Msg::Paste(text) => paste(state, &text),
        Msg::Resize { width, height } => {
            state.size = (width, height);
            vec![]
        }
        Msg::Tick(now) => {
            state.now = now;
            if state
                .flash
                .as_ref()
                .is_some_and(|(_, at)| now - *at > Duration::seconds(6))
            {
                state.flash = None;
            }
            let mut effects = compose::autosave(state);
            effects.extend(reads::tick(state));
            effects.extend(checkin::tick(state));
            effects.extend(alerts::tick(state));
            effects
        }
        Msg::Ingested { source, posts } => {
            checkin::arrived(state);
            ingested(state, source, posts)
        }
        Msg::Loaded(loaded) => lists::loaded(state, loaded),
        Msg::LoadFailed { load, error } => {
            lists::load_failed(state, load, &error);
            vec![]
        }
        Msg::ReplyLimit { network, max } => {
            state.reply_limits.insert(network, max);
            vec![]
        }
        Msg::SourceHealth { source, health } => {
            state.sources.insert(source, health);
            vec![]
        }
        Msg::SourceUsage { source, usage } => {
            state.usage.insert(source, usage);
            vec![]
        }
        Msg::ReplySent { reply, action } => {
            let mut effects = checkin::acted(state, &action, None);
            effects.extend(compose::reply_sent(state, reply, action));
            effects
        }
        Msg::ReplyFailed { post, reason } => compose::reply_failed(state, post, reason),
        Msg::ReplyClaimed { post, taken } => compose::reply_claimed(state, post, taken),
        Msg::ReplyUnconfirmed { post, reason } => compose::reply_unconfirmed(state, post, reason),
        Msg::ReplyFound { reply, action } => {
            let mut effects = checkin::acted(state, &action, None);
            effects.extend(compose::reply_found(state, reply, action));
            effects
        }
        Msg::ReplyNotPosted { post } => compose::reply_not_posted(state, post),
        Msg::PriorReply { post, prior } => compose::prior_reply(state, post, prior),
        Msg::RepliersReady(preparers) => {
            state.preparers = preparers;
            vec![]
        }
        Msg::ActionLogged(action) => {
            let mut effects = action_logged(state, action.clone());
            effects.extend(checkin::acted(state, &action, None));
            let done = action.kind.label();
            undo::offer(state, done, crate::domain::Undo::Action(action));
            effects
        }
        Msg::FollowUpScheduled { follow_up, action } => {
            // The scheduling action goes in first: it must not count as reaching out on the new follow-up.
            let mut effects = action_logged(state, action.clone());
            effects.extend(checkin::acted(state, &action, None));
            state.follow_ups.push(follow_up.clone());
            state.follow_ups.sort_by_key(|f| f.due);
            let done = format!(
                "follow-up scheduled for {}",
                follow_up.due.format("%a %d %b")
            );
            undo::offer(
                state,
                &done,
                crate::domain::Undo::FollowUpScheduled { follow_up, action },
            );
            effects
        }
        Msg::Reopened { post, action } => undo::reopened(state, post, action),
        Msg::Dismissed { post, action } => {
            let mut effects = checkin::acted(state, &action, None);
            effects.extend(undo::dismissed(state, post, action));
            effects
        }
        Msg::Undone { undo: taken, post } => undo::undone(state, taken, post),
        Msg::Corrected { post, correction } => undo::corrected(state, post, correction),
        Msg::FollowUpCompleted { id, action } => {
            let mut effects = match &action {
                Some(action) => checkin::acted(state, action, Some(id)),
                None => vec![],
            };
            effects.extend(follow_ups::completed(state, id, action));
            effects
        }
        Msg::CheckInGathered(found) => checkin::gathered(state, found),
        Msg::ReadPositionSynced(synced) => {
            checkin::read_position_synced(state, synced);
            vec![]
        }
        Msg::Terminate => {
            let mut effects = checkin::end(state);
            effects.extend(quit(state));
            effects
        }
        Msg::DraftEdited { post, result } => compose::draft_edited(state, post, result),
        Msg::DraftSaved(draft) => {
            state.drafts.insert(draft.post, draft);
            vec![]
        }
        Msg::Opened { url, error } => {
            links::opened(state, &url, error);
            vec![]
        }
        Msg::Copied { what, error } => {
            links::copied(state, what, error);
            vec![]
        }
        Msg::AccountsFound { customer, found } => {
            handles::accounts_found(state, customer, found);
            vec![]
        }
        Msg::HandleLinked { customer, handle } => handles::handle_linked(state, customer, &handle),
        Msg::HandleUnlinked { customer, handle } => {
            handles::handle_unlinked(state, customer, &handle)
        }
        Msg::CustomersLoaded(rows) => {
            customers::loaded(state, rows);
            vec![]
        }
        Msg::StoryLoaded { customer, story } => {
            customers::story_loaded(state, customer, story);
            vec![]
        }
        Msg::CustomerSaved(customer) => {
            customers::saved(state, customer);
            vec![]
        }
        Msg::NoteNotSaved {
            customer,
            note,
            error,
        } => {
            customers::not_saved(state, customer, note, &error);
            vec![]
        }
        Msg::ReadMarked => {
            state.reads.stale = true;
            vec![]
        }
        Msg::AllReadMarked { pane, count } => {
            reads::all_read_marked(state, pane, count);
            vec![]
        }
        Msg::Notified { title, error, .. } => alerts::notified(state, title, error),
        Msg::Rang { error } => {
            alerts::rang(state, error);
            vec![]
        }
        Msg::SpikesMeasured(measured) => alerts::spikes_measured(state, measured),
        Msg::AlwaysTellMeSet { customer, on } => {
            alerts::always_set(state, customer, on);
            vec![]
        }
        Msg::TaskFailed { what, error } => {
            state.flash(format!("{what} failed: {error}"));
            vec![]
        }
        Msg::StoreWritable { writer, why } => {
            match why {
                Some(why) => {
                    state.unwritable.insert(writer, why);
                }
                None if state.unwritable.remove(&writer).is_some() => state.flash(match writer {
                    Writer::Ingest => {
                        "the database takes writes again: the posts that waited are stored"
                    }
                    Writer::Work => {
                        "the database takes writes again: the work that waited is saved"
                    }
                }),
                None => {}
            }
            vec![]
        }
        Msg::Changed => live::changed(state),
        Msg::DraftsLoaded(seen) => {
            live::drafts_loaded(state, seen);
            vec![]
        }
        Msg::LiveLink(down) => {
            live::link(state, down);
            vec![]
        }
        Msg::Fetching(fetcher) => {
            live::fetching(state, fetcher);
            vec![]
        }
        Msg::Assigned { post, to, action } => team::assigned(state, post, to, action),
        Msg::TeamLoaded(view) => {
            team::loaded(state, view);
            vec![]
        }
        Msg::Heartbeat => team::heartbeat(state),
        Msg::PresenceChanged => {
            team::stale(state);
            vec![]
        }
    }
}

fn command_msg(state: &mut AppState, command: Command) -> Vec<Effect> {
    if let Some(Popup::Sources { scroll }) = state.popup {
        forms::sources_command(state, scroll, command);
        return vec![];
    }
    if state.customers_view.note.is_some() {
        return customers::note_command(state, command);
    }
    if state.view == View::CheckIn
        && state.popup.is_none()
        && state.composer.is_none()
        && let Some(effects) = checkin::command(state, command)
    {
        return effects;
    }
    if state.follow_ups_open()
        && let Some(effects) = follow_ups::command(state, command)
    {
        return effects;
    }
    if state.view == crate::state::View::Stats
        && state.popup.is_none()
        && let Some(effects) = stats::command(state, command)
    {
        return effects;
    }
    if state.view == crate::state::View::Customers
        && state.popup.is_none()
        && let Some(effects) = customers::command(state, command)
    {
        return effects;
    }
    match command {
        Command::Quit => quit(state),
        Command::Help => {
            state.popup = Some(Popup::Help { scroll: 0 });
            vec![]
        }
        Command::Sources => {
            state.popup = Some(Popup::Sources { scroll: 0 });
            vec![]
        }
        Command::FollowUps => follow_ups::toggle(state),
        Command::Stats => stats::toggle(state),
        Command::CompleteFollowUp => follow_ups::complete_selected(state),
        Command::Customers => customers::toggle(state),
        Command::EditNote => customers::edit_note(state),
        Command::AlwaysTellMe => alerts::toggle_always(state),
        Command::StartCheckIn => checkin::start(state),
        Command::NextPost => move_selection(state, 1),
        Command::PrevPost => move_selection(state, -1),
        Command::PageDown => move_selection(state, page(state)),
        Command::PageUp => move_selection(state, -page(state)),
        Command::FirstPost | Command::LastPost => {
            if state.detail_focused {
                return move_selection(
                    state,
                    if command == Command::FirstPost {
                        -1000
                    } else {
                        1000
                    },
                );
            }
            state.detail_scroll = 0;
            lists::jump(state, command == Command::LastPost)
        }
        Command::NextPane | Command::PrevPane => {
            state.focus = state.pane_beside(if command == Command::NextPane { 1 } else { -1 });
            state.detail_focused = false;
            state.detail_scroll = 0;
            vec![]
        }
        Command::CustomerHistory => {
            let Some(customer) = state.current_post().and_then(|p| p.customer) else {
                state.flash("not one of your customers: no history to show");
                return vec![];
            };
            state.open_history(customer);
            state.detail_focused = false;
            // From the Follow-ups view (the selected follow-up's customer): back to the panes.
            state.view = crate::state::View::Panes;
            vec![]
        }
        Command::OpenLink => links::open_link(state),
        Command::CopyLink => links::copy_link(state),
        Command::OpenDetail => {
            state.detail_focused = state.current_post().is_some();
            state.detail_scroll = 0;
            reads::opened(state)
        }
        Command::NextUnread => reads::find_next(state, crate::app::Jump::Unread),
        Command::NextUrgent => reads::find_next(state, crate::app::Jump::Urgent),
        Command::MarkAllRead => reads::ask_mark_all_read(state),
        Command::ScrollDetailDown => {
            state.detail_scroll = state.detail_scroll.saturating_add(3);
            vec![]
        }
        Command::ScrollDetailUp => {
            state.detail_scroll = state.detail_scroll.saturating_sub(3);
            vec![]
        }
        Command::Close => {
            if state.detail_focused {
                state.detail_focused = false;
            } else if !state.filter.query.is_empty() {
                return lists::apply_filter(state, String::new());
            } else if state.focus == Pane::History {
                state.history = None;
                state.focus = Pane::Regulars;
            }
            vec![]
        }
        Command::ClearFilter => lists::apply_filter(state, String::new()),
        Command::Filter => {
            state.filter.editing = Some(LineInput::new(&state.filter.query));
            vec![]
        }
        Command::Reply => compose::open(state),
        Command::LogAction => forms::open_action_form(state),
        Command::ScheduleFollowUp => forms::open_follow_up_form(state),
        Command::MarkHandled => mark_handled(state),
        Command::Reopen => undo::reopen(state),
        Command::Dismiss => undo::dismiss(state),
        Command::CorrectCategory => undo::open_correction(state),
        Command::AssignToMe => team::assign_to_me(state),
        Command::AssignTo => team::open_picker(state),
        Command::Unassign => team::unassign(state),
        Command::Mine => team::toggle_mine(state),
        Command::Undo => undo::undo(state),
        Command::FindHandles => match handles::customer_in_context(state) {
            Some(customer) => handles::find_for(state, customer),
            None => vec![],
        },
        Command::UnlinkHandle => match handles::customer_in_context(state) {
            Some(customer) => handles::unlink_for(state, customer),
            None => vec![],
        },
        Command::SendReply => compose::ask_to_send(state),
        Command::CloseComposer => compose::close(state),
        Command::InsertTemplate => reply_texts::insert_template(state),
        Command::EditReply => compose::edit_unconfirmed(state),
        Command::SavedReplies => reply_texts::open_saved_replies(state),
        Command::InsertReply => reply_texts::use_saved_reply(state, false),
        Command::ReplaceDraft => reply_texts::use_saved_reply(state, true),
        Command::EditInEditor => compose::edit_in_editor(state),
        Command::Suspend => vec![Effect::Suspend],
        Command::Confirm => forms::answer(state, true),
        Command::Cancel => forms::answer(state, false),
    }
}

/// Quits, saving what is open (the draft, the notes, the place).
fn quit(state: &mut AppState) -> Vec<Effect> {
    state.quitting = true;
    let mut effects = compose::save_open_draft(state);
    effects.extend(customers::save_open_note(state));
    effects.extend(reads::save_place(state));
    effects.push(Effect::Quit);
    effects
}

fn key_msg(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    if state.popup.is_some() {
        return forms::popup_key(state, key);
    }
    if let Some(input) = state.filter.editing.as_mut() {
        let done = matches!(key.code, KeyCode::Enter | KeyCode::Esc);
        if !done {
            input.handle(&key);
        }
        // Live filtering while typing (a half-typed date waits for the rest quietly).
        let query = input.text().trim().to_string();
        if done {
            state.filter.editing = None;
        }
        return match crate::domain::Search::parse(&query, state.tz) {
            Err(_) if !done => vec![],
            _ => lists::apply_filter(state, query),
        };
    }
    if state.customers_view.note.is_some() {
        customers::note_key(state, key);
        return vec![];
    }
    compose::key(state, key)
}

fn paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    if let Some(input) = forms::focused_input(state) {
        input.insert_str(text);
        return vec![];
    }
    if state.customers_view.note.is_some() {
        customers::note_paste(state, text);
        return vec![];
    }
    compose::paste(state, text)
}

fn page(state: &AppState) -> isize {
    (state.size.1 as isize / 3).max(3)
}

fn move_selection(state: &mut AppState, delta: isize) -> Vec<Effect> {
    if state.detail_focused {
        let step = delta.unsigned_abs().min(1000) as u16;
        state.detail_scroll = if delta > 0 {
            state.detail_scroll.saturating_add(step)
        } else {
            state.detail_scroll.saturating_sub(step)
        };
        return vec![];
    }
    state.detail_scroll = 0;
    lists::move_selection(state, delta);
    vec![]
}
