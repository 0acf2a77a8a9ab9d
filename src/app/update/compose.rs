//! The reply composer: open, type, autosave, confirm and send, and the answers from the network.

use chrono::Duration;
use crossterm::event::KeyEvent;

use super::{DRAFT_SAVE_DELAY_MS, DRAFT_SAVE_MAX_MS};
use crate::app::{Command, Copied, Effect};
use crate::domain::{Action, DraftState, Post, PostId, PriorReply, Reply, Taken};
use crate::state::{AppState, Composer, Popup};
use crate::triage::coach::{self, CoachContext};

pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    let Some(post) = state.current_post() else {
        state.flash("no post selected to reply to");
        return vec![];
    };
    let key = format!("regulars-{}-{}", post.id.0, state.now.timestamp_millis());
    let limit = state.reply_limit(post.network);
    let mut composer = Composer::open(
        post.id,
        post.network,
        limit,
        state.drafts.get(&post.id),
        key,
    );
    let id = post.id;
    refresh_hints(state, &mut composer);
    state.composer = Some(composer);
    vec![Effect::CheckPriorReply(id)]
}

/// A fresh key for a draft whose last send is known not to have gone out.
fn new_key(post: PostId, now: chrono::DateTime<chrono::Utc>, old: &str) -> String {
    let mut key = format!("regulars-{}-{}", post.0, now.timestamp_millis());
    if key == old {
        key.push_str("-1");
    }
    key
}

/// Says why typing does nothing while the text is locked, and what staff can do.
pub(super) fn explain_lock(state: &mut AppState, composer: &Composer) {
    if composer.sending || composer.resolving {
        return;
    }
    let (send, edit) = (
        state.keymap.hint(Command::SendReply),
        state.keymap.hint(Command::EditReply),
    );
    state.flash(format!(
        "the last send is unconfirmed, so the text is locked: {send} sends it again (it cannot post twice), \
         {edit} checks whether it went out and then lets you edit"
    ));
}

pub(super) fn key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    if composer.locked() {
        explain_lock(state, &composer);
    } else if composer.textarea.input(key) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

pub(super) fn paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    if composer.locked() {
        explain_lock(state, &composer);
    } else if composer.textarea.insert_str(crate::text::sanitize(text)) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

pub(super) fn edited(state: &AppState, composer: &mut Composer) {
    composer.unsaved_since.get_or_insert(state.now);
    composer.edited_at = Some(state.now);
    if let DraftState::Failed(_) = composer.state {
        composer.state = DraftState::Editing;
    }
    refresh_hints(state, composer);
}

fn refresh_hints(state: &AppState, composer: &mut Composer) {
    let Some(post) = state.posts.get(composer.post) else {
        composer.hints.clear();
        return;
    };
    let first_name = state.customer_of(post).map(|c| c.first_name().to_string());
    let context = CoachContext {
        category: post.triage.category,
        crisis: post.triage.is_crisis(),
        first_name: first_name.as_deref(),
        promo_confirmed: false,
    };
    composer.hints = coach::check(&composer.text(), &context);
    composer.notice = notice(state, post, &composer.text());
}

/// What the composer says about the network before anything is sent.
fn notice(state: &AppState, post: &Post, text: &str) -> Option<String> {
    if let Some(why) = post.reply_route().reply_by_hand() {
        let send = state.keymap.hint(Command::SendReply);
        return Some(format!(
            "{why}: {send} copies your reply and opens the post, to paste it there"
        ));
    }
    state.preparers.prepare(post, text)?.caution
}

/// Saves the open draft once typing has paused, or has gone on unsaved for [`DRAFT_SAVE_MAX_MS`]; the loop
/// ticks fast while a save is pending.
pub(super) fn autosave(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let due = |c: &Composer| {
        let paused = c
            .edited_at
            .is_some_and(|t| now - t >= Duration::milliseconds(DRAFT_SAVE_DELAY_MS));
        c.unsaved_since
            .is_some_and(|first| paused || now - first >= Duration::milliseconds(DRAFT_SAVE_MAX_MS))
    };
    match state.composer.as_mut() {
        Some(c) if due(c) => {
            c.unsaved_since = None;
            vec![Effect::SaveDraft(c.draft(now))]
        }
        _ => vec![],
    }
}

/// Saves the open draft now (close, quit), unless it is empty and never saved.
pub(super) fn save_open_draft(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let Some(c) = state.composer.as_mut() else {
        return vec![];
    };
    c.unsaved_since = None;
    let draft = c.draft(now);
    if draft.text.trim().is_empty() {
        return if state.drafts.contains_key(&c.post) {
            vec![Effect::DeleteDraft(c.post)]
        } else {
            vec![]
        };
    }
    state.drafts.insert(draft.post, draft.clone());
    vec![Effect::SaveDraft(draft)]
}

pub(super) fn close(state: &mut AppState) -> Vec<Effect> {
    let effects = save_open_draft(state);
    if let Some(c) = state.composer.take()
        && effects.iter().any(|e| matches!(e, Effect::DeleteDraft(_)))
    {
        state.drafts.remove(&c.post);
    }
    if effects.iter().any(|e| matches!(e, Effect::SaveDraft(_))) {
        state.flash("draft kept");
    }
    effects
}

/// Hands the draft to the external editor, saved first: whatever happens out there, it is kept.
pub(super) fn edit_in_editor(state: &mut AppState) -> Vec<Effect> {
    let Some(composer) = state.composer.as_ref() else {
        return vec![];
    };
    if composer.locked() {
        let composer = composer.clone();
        explain_lock(state, &composer);
        return vec![];
    }
    let (post, text) = (composer.post, composer.text());
    let mut effects = save_open_draft(state);
    effects.push(Effect::EditDraft { post, text });
    effects
}

/// The text came back from the editor: it becomes the draft (undoable); a failed editor keeps the draft as it
/// was and says why.
pub(super) fn draft_edited(
    state: &mut AppState,
    post: PostId,
    result: Result<String, String>,
) -> Vec<Effect> {
    let text = match result {
        Ok(text) => text,
        Err(why) => {
            state.flash(format!("{why} (draft kept)"));
            return vec![];
        }
    };
    let Some(mut composer) = state.composer.take_if(|c| c.post == post) else {
        state.flash("the composer was closed while editing; the draft is as it was");
        return vec![];
    };
    // Editors end files with a newline; a reply does not.
    let text = crate::text::sanitize(text.trim_end_matches(['\n', '\r']));
    if composer.locked() {
        explain_lock(state, &composer);
    } else if text != composer.text() && composer.replace_text(&text) {
        edited(state, &mut composer);
        state.flash("draft updated from the editor");
    }
    state.composer = Some(composer);
    vec![]
}

pub(super) fn ask_to_send(state: &mut AppState) -> Vec<Effect> {
    let Some(c) = state.composer.as_ref() else {
        return vec![];
    };
    let text = c.text().trim_end().to_string();
    let prepared = state
        .posts
        .get(c.post)
        .and_then(|p| state.preparers.prepare(p, &text));
    // The network counts what is posted, mention included.
    let (used, max) = c.length_of(prepared.as_ref().map_or(&text, |p| &p.text));
    if c.sending {
        state.flash("already sending");
    } else if c.resolving {
        state.flash("still checking whether the last send went out");
    } else if text.trim().is_empty() {
        state.flash("nothing to send yet");
    } else if used > max {
        state.flash(format!("too long for {}: {used}/{max}", c.network));
    } else {
        state.popup = Some(Popup::ConfirmSend {
            post: c.post,
            prepared,
        });
    }
    vec![]
}

/// The user confirmed: send (`anyway`: over a teammate's claim or reply), keeping the draft saved until the
/// network says it went out.
pub(super) fn send_confirmed(state: &mut AppState, anyway: bool) -> Vec<Effect> {
    let mut effects = save_open_draft(state);
    let Some(c) = state.composer.as_mut() else {
        return effects;
    };
    let Some(post) = state.posts.get(c.post) else {
        state.flash("the post is no longer loaded; draft kept");
        return effects;
    };
    if post.reply_route().reply_by_hand().is_some() {
        // The browser first: the clipboard's answer is the one that stays on screen, saying what to do next.
        let address = super::links::web_address(post);
        let text = c.text().trim_end().to_string();
        match address {
            Ok(url) => effects.push(Effect::OpenLink(url)),
            Err(why) => state.flash(why),
        }
        effects.push(Effect::Copy {
            text,
            what: Copied::Reply,
        });
        return effects;
    }
    c.sending = true;
    effects.push(Effect::SendReply {
        post: Box::new(post.clone()),
        text: c.text().trim_end().to_string(),
        idempotency_key: c.idempotency_key.clone(),
        unconfirmed: matches!(c.state, DraftState::Unconfirmed(_)),
        anyway,
    });
    effects
}

/// After an unconfirmed send: find out whether it went out before the text may change.
pub(super) fn edit_unconfirmed(state: &mut AppState) -> Vec<Effect> {
    let Some(c) = state.composer.as_mut() else {
        return vec![];
    };
    if c.sending || c.resolving {
        state.flash("wait for the answer from the network");
        return vec![];
    }
    if !matches!(c.state, DraftState::Unconfirmed(_)) {
        state.flash("the draft is editable: just type");
        return vec![];
    }
    let Some(post) = state.posts.get(c.post) else {
        state.flash("the post is no longer loaded; the text stays locked");
        return vec![];
    };
    c.resolving = true;
    let effect = Effect::ResolveReply {
        post: Box::new(post.clone()),
        text: c.text().trim_end().to_string(),
        idempotency_key: c.idempotency_key.clone(),
    };
    state.flash("checking whether the last send went out…");
    vec![effect]
}

pub(super) fn reply_sent(state: &mut AppState, reply: Reply, action: Action) -> Vec<Effect> {
    state.flash(format!("reply sent to {}", reply.network));
    logged(state, reply, action)
}

/// The unconfirmed send had gone out: it is logged with the server's text.
pub(super) fn reply_found(state: &mut AppState, reply: Reply, action: Action) -> Vec<Effect> {
    state.flash(format!(
        "the last send had gone out; logged as sent: \"{}\"",
        crate::text::truncate_width(&crate::text::one_line(&reply.text), 80)
    ));
    logged(state, reply, action)
}

/// A reply the store has logged (once per key: a resend reports the same reply and action again).
fn logged(state: &mut AppState, reply: Reply, action: Action) -> Vec<Effect> {
    let post = reply.post;
    super::advance_past(state, post);
    if state.composer.as_ref().is_some_and(|c| c.post == post) {
        state.composer = None;
    }
    state.drafts.remove(&post);
    let replies = state.replies.entry(post).or_default();
    if reply.idempotency_key.is_none()
        || !replies
            .iter()
            .any(|r| r.idempotency_key == reply.idempotency_key)
    {
        replies.push(reply);
    }
    if state.log.window.rows.iter().any(|a| a.id == action.id) {
        return vec![];
    }
    let customer = action.customer;
    let effects = super::action_logged(state, action);
    super::follow_ups::offer_to_close(state, post, customer);
    effects
}

/// The send may have gone out: the text is locked until that is known.
pub(super) fn reply_unconfirmed(state: &mut AppState, post: PostId, reason: String) -> Vec<Effect> {
    let edit = state.keymap.hint(Command::EditReply);
    state.flash(format!(
        "reply not confirmed: {reason}. Text locked; {edit} checks whether it went out"
    ));
    set_state(state, post, DraftState::Unconfirmed(reason), None)
}

/// The unconfirmed send had not gone out: a new key, so the edited text goes out as a reply of its own.
pub(super) fn reply_not_posted(state: &mut AppState, post: PostId) -> Vec<Effect> {
    state.flash("the last send did not go out: edit freely; it will go out as a new reply");
    let now = state.now;
    let old = state
        .composer
        .as_ref()
        .filter(|c| c.post == post)
        .map(|c| c.idempotency_key.clone())
        .or_else(|| state.drafts.get(&post).map(|d| d.idempotency_key.clone()))
        .unwrap_or_default();
    set_state(
        state,
        post,
        DraftState::Editing,
        Some(new_key(post, now, &old)),
    )
}

/// The composer (or, when it is closed, the stored draft) of `post` gets `draft_state` (and `key`), saved.
fn set_state(
    state: &mut AppState,
    post: PostId,
    draft_state: DraftState,
    key: Option<String>,
) -> Vec<Effect> {
    let now = state.now;
    if let Some(c) = state.composer.as_mut().filter(|c| c.post == post) {
        c.sending = false;
        c.resolving = false;
        c.state = draft_state;
        if let Some(key) = key {
            c.idempotency_key = key;
        }
        let draft = c.draft(now);
        state.drafts.insert(post, draft.clone());
        return vec![Effect::SaveDraft(draft)];
    }
    match state.drafts.get_mut(&post) {
        Some(d) => {
            d.state = draft_state;
            if let Some(key) = key {
                d.idempotency_key = key;
            }
            d.updated_at = now;
            vec![Effect::SaveDraft(d.clone())]
        }
        None => vec![],
    }
}

/// The shop already replied to the post whose composer is open: ask before going on.
pub(super) fn prior_reply(state: &mut AppState, post: PostId, prior: PriorReply) -> Vec<Effect> {
    if state.popup.is_none() && state.composer.as_ref().is_some_and(|c| c.post == post) {
        state.popup = Some(Popup::ConfirmReplyAgain { post, prior });
    }
    vec![]
}

/// A teammate got to the post first: nothing went out. Ask whether to send anyway (the composer still open)
/// or say so (it was closed meanwhile; the draft is kept).
pub(super) fn reply_claimed(state: &mut AppState, post: PostId, taken: Taken) -> Vec<Effect> {
    match state.composer.as_mut().filter(|c| c.post == post) {
        Some(c) => {
            c.sending = false;
            state.popup = Some(Popup::ConfirmClaimed { post, taken });
        }
        None => {
            let at = state.local(taken.at).format("%H:%M");
            let what = if taken.replied {
                "replied"
            } else {
                "started replying"
            };
            state.flash(format!(
                "reply not sent: {} {what} at {at} (draft kept)",
                taken.by
            ));
        }
    }
    vec![]
}

pub(super) fn reply_failed(state: &mut AppState, post: PostId, reason: String) -> Vec<Effect> {
    state.flash(format!("reply not sent: {reason} (draft kept)"));
    set_state(state, post, DraftState::Failed(reason), None)
}
