//! The reply composer: open, type, autosave, templates, confirm and send, and the answers from the network.

use chrono::Duration;
use crossterm::event::KeyEvent;

use super::DRAFT_SAVE_DELAY_MS;
use crate::app::Effect;
use crate::domain::{Action, DraftState, PostId, Reply};
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
    refresh_hints(state, &mut composer);
    state.composer = Some(composer);
    vec![]
}

pub(super) fn key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    if !composer.sending && composer.textarea.input(key) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

pub(super) fn paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    if !composer.sending && composer.textarea.insert_str(crate::text::sanitize(text)) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

fn edited(state: &AppState, composer: &mut Composer) {
    composer.unsaved_since = Some(state.now);
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
}

/// Saves the open draft once typing has paused; the loop ticks fast while a save is pending.
pub(super) fn autosave(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    match state.composer.as_mut() {
        Some(c)
            if c.unsaved_since
                .is_some_and(|t| now - t >= Duration::milliseconds(DRAFT_SAVE_DELAY_MS)) =>
        {
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

/// Greeting-first templates, addressed by name when the customer is known.
fn templates(state: &AppState, composer: &Composer) -> Vec<String> {
    let post = state.posts.get(composer.post);
    let name = post
        .and_then(|p| state.customer_of(p).map(|c| c.first_name().to_string()))
        .or_else(|| post.map(|p| format!("@{}", p.author.handle)))
        .unwrap_or_default();
    vec![
        format!("Hi {name}, thank you for telling us. "),
        format!(
            "Hi {name}, I'm so sorry about this. Let me sort it out for you: could you send us a DM with your order number? "
        ),
        format!("Hi {name}, just checking in: is everything all right now? "),
    ]
}

pub(super) fn insert_template(state: &mut AppState) -> Vec<Effect> {
    let Some(mut composer) = state.composer.take() else {
        return vec![];
    };
    let all = templates(state, &composer);
    let text = &all[composer.next_template % all.len()];
    composer.next_template += 1;
    if !composer.sending && composer.textarea.insert_str(text) {
        edited(state, &mut composer);
    }
    state.composer = Some(composer);
    vec![]
}

pub(super) fn ask_to_send(state: &mut AppState) -> Vec<Effect> {
    let Some(c) = state.composer.as_ref() else {
        return vec![];
    };
    if c.sending {
        state.flash("already sending");
    } else if c.text().trim().is_empty() {
        state.flash("nothing to send yet");
    } else if c.over_limit() {
        let (used, max) = c.length();
        state.flash(format!("too long for {}: {used}/{max}", c.network));
    } else {
        state.popup = Some(Popup::ConfirmSend { post: c.post });
    }
    vec![]
}

/// The user confirmed: send, keeping the draft saved until the network says it went out.
pub(super) fn send_confirmed(state: &mut AppState) -> Vec<Effect> {
    let mut effects = save_open_draft(state);
    let Some(c) = state.composer.as_mut() else {
        return effects;
    };
    let Some(post) = state.posts.get(c.post) else {
        state.flash("the post is no longer loaded; draft kept");
        return effects;
    };
    c.sending = true;
    effects.push(Effect::SendReply {
        post: Box::new(post.clone()),
        text: c.text().trim_end().to_string(),
        idempotency_key: c.idempotency_key.clone(),
    });
    effects
}

pub(super) fn reply_sent(state: &mut AppState, reply: Reply, action: Action) -> Vec<Effect> {
    let post = reply.post;
    super::advance_past(state, post);
    if state.composer.as_ref().is_some_and(|c| c.post == post) {
        state.composer = None;
    }
    state.drafts.remove(&post);
    state.flash(format!("reply sent to {}", reply.network));
    state.replies.entry(post).or_default().push(reply);
    super::action_logged(state, action)
}

pub(super) fn reply_failed(state: &mut AppState, post: PostId, reason: String) -> Vec<Effect> {
    state.flash(format!("reply not sent: {reason} (draft kept)"));
    let now = state.now;
    let failed = DraftState::Failed(reason);
    if let Some(c) = state.composer.as_mut().filter(|c| c.post == post) {
        c.sending = false;
        c.state = failed;
        return vec![Effect::SaveDraft(c.draft(now))];
    }
    match state.drafts.get_mut(&post) {
        Some(d) => {
            d.state = failed;
            d.updated_at = now;
            vec![Effect::SaveDraft(d.clone())]
        }
        None => vec![],
    }
}
