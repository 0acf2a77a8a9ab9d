//! The reply composer: a textarea over the post, with the network's limit and the coach's hints.
//!
//! The draft soft-wraps with ratatui-textarea's own wrapping (`WrapMode::WordOrGlyph`, since 0.9): words move
//! to the next row whole, a word wider than the pane breaks between graphemes, wide characters count two
//! cells. The textarea learns the width it is drawn at while drawing (its own cache), so Up and Down move by
//! the rows staff see.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::domain::{Draft, DraftState, Network, Post, PostId, ReplyLimit};
use crate::sources::{Prepared, Replier};
use crate::triage::coach::Hint;

/// Each network's replier, used only for its pure [`Replier::prepare`]: the send confirmation shows what the
/// replier will post, computed by the replier's own code.
#[derive(Clone, Default)]
pub struct Preparers(HashMap<Network, Arc<dyn Replier>>);

impl Preparers {
    pub fn new(repliers: HashMap<Network, Arc<dyn Replier>>) -> Preparers {
        Preparers(repliers)
    }

    /// What replying `text` to `post` would post, if a replier for the post's network is configured.
    pub fn prepare(&self, post: &Post, text: &str) -> Option<Prepared> {
        self.0
            .get(&post.reply_route())
            .map(|r| r.prepare(post, text))
    }
}

impl super::AppState {
    /// Whether a reply on `route` can leave this console: through an account configured for it, or by hand
    /// where the network has no reply API. A send that cannot succeed is never offered.
    pub fn can_reply_on(&self, route: Network) -> bool {
        self.accounts.contains_key(&route)
            || self.preparers.0.contains_key(&route)
            || route.reply_by_hand().is_some()
    }
}

impl std::fmt::Debug for Preparers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[derive(Debug, Clone)]
pub struct Composer {
    pub post: PostId,
    pub network: Network,
    /// The network's (or instance's) length limit for this reply.
    pub limit: ReplyLimit,
    pub textarea: TextArea<'static>,
    pub idempotency_key: String,
    pub state: DraftState,
    /// The first change not saved yet (`None`: all saved).
    pub unsaved_since: Option<DateTime<Utc>>,
    /// The last change.
    pub edited_at: Option<DateTime<Utc>>,
    pub hints: Vec<Hint>,
    /// What the network wants staff to know before sending (the reply goes by hand, a reply restriction).
    pub notice: Option<String>,
    /// Staff confirmed a promotion belongs in this reply (silences that hint).
    pub promo_confirmed: bool,
    /// A send is in flight.
    pub sending: bool,
    /// Finding out whether an unconfirmed send went out.
    pub resolving: bool,
}

impl Composer {
    pub fn open(
        post: PostId,
        network: Network,
        limit: ReplyLimit,
        draft: Option<&Draft>,
        idempotency_key: String,
    ) -> Composer {
        let (lines, cursor, state, key) = match draft {
            Some(d) => (
                d.text.split('\n').map(str::to_string).collect::<Vec<_>>(),
                d.cursor,
                d.state.clone(),
                d.idempotency_key.clone(),
            ),
            None => (
                vec![String::new()],
                (0, 0),
                DraftState::Editing,
                idempotency_key,
            ),
        };
        let mut textarea = TextArea::new(lines);
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.set_cursor_line_style(Style::default());
        textarea.set_placeholder_text("Greet them by name, help first, offer a next step…");
        textarea.move_cursor(CursorMove::Jump(
            u16::try_from(cursor.0).unwrap_or(u16::MAX),
            u16::try_from(cursor.1).unwrap_or(u16::MAX),
        ));
        Composer {
            post,
            network,
            limit,
            textarea,
            idempotency_key: key,
            state,
            unsaved_since: None,
            edited_at: None,
            hints: Vec::new(),
            notice: None,
            promo_confirmed: false,
            sending: false,
            resolving: false,
        }
    }

    /// The text may not change: it is being sent, or a send of it is unconfirmed (an edit could otherwise be
    /// logged as what went out).
    pub fn locked(&self) -> bool {
        self.sending || self.resolving || matches!(self.state, DraftState::Unconfirmed(_))
    }

    /// Replaces the whole draft (kept in the textarea's undo history), the cursor after the new text.
    pub fn replace_text(&mut self, text: &str) -> bool {
        let cleared = self.textarea.clear();
        self.textarea.insert_str(text) || cleared
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// Used and allowed length, counted the way the network counts.
    pub fn length(&self) -> (usize, usize) {
        self.length_of(&self.text())
    }

    /// `text`'s length and the allowed one, counted the way the network counts.
    pub fn length_of(&self, text: &str) -> (usize, usize) {
        match self.limit {
            ReplyLimit::Chars(max) => (crate::text::char_count(text), max),
            ReplyLimit::Graphemes(max) => (crate::text::grapheme_count(text), max),
        }
    }

    pub fn over_limit(&self) -> bool {
        let (used, max) = self.length();
        used > max
    }

    pub fn draft(&self, now: DateTime<Utc>) -> Draft {
        Draft {
            post: self.post,
            text: self.text(),
            cursor: {
                let c = self.textarea.cursor();
                (c.0, c.1)
            },
            state: self.state.clone(),
            idempotency_key: self.idempotency_key.clone(),
            updated_at: now,
        }
    }
}
