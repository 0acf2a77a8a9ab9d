//! The list panes and what each shows: Regulars (or a customer's History), Mentions, Attention (posts) and Log
//! (actions), each a query over the store (see `lists`).

use crate::domain::{Customer, Listing, Post, PostId, PostKey, PostQuery};
use crate::triage::{UrgencyInputs, attention_rank, urgency};

use super::{AppState, LineInput, PostList};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    Regulars,
    /// One customer's posts, in the Regulars pane's place while open.
    History,
    Mentions,
    Attention,
    Log,
}

impl Pane {
    /// The panes that list posts.
    pub const POSTS: [Pane; 4] = [
        Pane::Regulars,
        Pane::History,
        Pane::Mentions,
        Pane::Attention,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Regulars => "Regulars",
            Pane::History => "History",
            Pane::Mentions => "Mentions",
            Pane::Attention => "Attention",
            Pane::Log => "Log",
        }
    }

    /// The pane's name where it is saved (the console's place).
    pub fn key(self) -> &'static str {
        match self {
            Pane::Regulars => "regulars",
            Pane::History => "history",
            Pane::Mentions => "mentions",
            Pane::Attention => "attention",
            Pane::Log => "log",
        }
    }

    pub fn from_key(key: &str) -> Option<Pane> {
        [
            Pane::Regulars,
            Pane::History,
            Pane::Mentions,
            Pane::Attention,
            Pane::Log,
        ]
        .into_iter()
        .find(|p| p.key() == key)
    }

    pub fn shows_posts(self) -> bool {
        self != Pane::Log
    }
}

/// A row of the Log pane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogRow<'a> {
    FollowUp(&'a crate::domain::FollowUp),
    Action(&'a crate::domain::Action),
}

/// Which row of the Log is selected, by identity: found again after the rows change under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogPick {
    FollowUp(i64),
    Action(i64),
}

impl LogRow<'_> {
    pub fn pick(&self) -> LogPick {
        match self {
            LogRow::FollowUp(f) => LogPick::FollowUp(f.id),
            LogRow::Action(a) => LogPick::Action(a.id),
        }
    }
}

/// The `/` filter line. Its applied query, parsed, is [`AppState::search`]: see [`crate::domain::Search`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The applied query.
    pub query: String,
    /// `Some` while the filter line is being edited.
    pub editing: Option<LineInput>,
}

impl AppState {
    /// The panes in their cycle order: History in Regulars' place while it is open.
    pub fn panes(&self) -> [Pane; 4] {
        let first = if self.history.is_some() {
            Pane::History
        } else {
            Pane::Regulars
        };
        [first, Pane::Mentions, Pane::Attention, Pane::Log]
    }

    /// The pane after (`step` 1) or before (`step` -1) the focused one.
    pub fn pane_beside(&self, step: isize) -> Pane {
        let panes = self.panes();
        let i = panes.iter().position(|p| *p == self.focus).unwrap_or(0) as isize;
        panes[(i + step).rem_euclid(panes.len() as isize) as usize]
    }

    /// The listing a post pane shows; `None` for the Log and for History with no customer chosen.
    pub fn listing(&self, pane: Pane) -> Option<Listing> {
        Some(match pane {
            Pane::Regulars => Listing::Regulars,
            Pane::History => Listing::Customer(self.history?),
            Pane::Mentions => Listing::Mentions,
            Pane::Attention => Listing::Attention,
            Pane::Log => return None,
        })
    }

    /// The query a post pane lists: its listing, narrowed by the applied search (and to my posts under the
    /// Mine filter).
    pub fn query(&self, pane: Pane) -> Option<PostQuery> {
        let mut search = self.search.clone();
        if self.team.mine {
            search
                .terms
                .push(crate::domain::Term::Assigned(self.team.me.clone()));
        }
        Some(PostQuery {
            listing: self.listing(pane)?,
            search,
        })
    }

    /// Whether a post belongs in a pane's query (for posts arriving live); its key there if so.
    pub fn key_in(&self, pane: Pane, post: &Post) -> Option<PostKey> {
        let listing = self.listing(pane)?;
        let belongs = match listing {
            Listing::Regulars => post.customer.is_some(),
            Listing::Customer(c) => post.customer == Some(c),
            Listing::Mentions => post.is_mention,
            Listing::Attention => post.in_attention(),
        };
        let customer = self.customer_of(post).map(|c| c.name.as_str());
        let mine = !self.team.mine || self.team.assignee(post.id) == Some(self.team.me.as_str());
        (belongs && mine && self.search.matches(post, customer)).then(|| PostKey {
            rank: if listing == Listing::Attention {
                self.attention_rank(post)
            } else {
                0
            },
            created_at: post.created_at,
            id: post.id,
        })
    }

    /// The post's place in the Attention queue, as the store computes it.
    pub fn attention_rank(&self, post: &Post) -> i64 {
        attention_rank(
            &post.triage,
            self.customer_of(post).and_then(Customer::value),
            post.is_mention,
            post.first_response_at.is_none(),
        )
    }

    /// How urgent a post is now (its age included), for the rows, Detail and notifications.
    pub fn urgency(&self, post: &Post) -> f32 {
        let inputs = UrgencyInputs {
            customer_value: self.customer_of(post).and_then(Customer::value),
            age_minutes: (self.now - post.created_at).num_seconds().max(0) as f32 / 60.0,
            addressed_to_shop: post.is_mention,
            unanswered: post.first_response_at.is_none() && post.handled_at.is_none(),
        };
        urgency(&post.triage, &inputs)
    }

    pub fn list(&self, pane: Pane) -> Option<&PostList> {
        self.lists.get(&pane)
    }

    /// The loaded posts of a pane, in its order.
    pub fn rows(&self, pane: Pane) -> Vec<&Post> {
        self.list(pane)
            .map(|l| l.ids().filter_map(|id| self.posts.get(id)).collect())
            .unwrap_or_default()
    }

    /// Index of the selected row among a post pane's loaded rows (0 when nothing or a vanished post was
    /// selected).
    pub fn selected_index(&self, pane: Pane) -> usize {
        self.list(pane).map_or(0, PostList::selected_index)
    }

    /// The Log's rows: follow-ups due today or earlier first, then the loaded actions, newest first.
    pub fn log_rows(&self) -> Vec<LogRow<'_>> {
        self.due_follow_ups()
            .map(LogRow::FollowUp)
            .chain(self.log.window.rows.iter().map(LogRow::Action))
            .collect()
    }

    pub fn selected_log_row(&self) -> Option<LogRow<'_>> {
        self.log_rows().get(self.log.selected).copied()
    }

    /// Puts the Log's selection back on `pick` where that row is still there, as the post lists keep theirs;
    /// else it stays at its place, within the rows.
    pub fn reselect_log(&mut self, pick: Option<LogPick>) {
        let rows = self.log_rows();
        let at = pick.and_then(|p| rows.iter().position(|r| r.pick() == p));
        let last = rows.len().saturating_sub(1);
        self.log.selected = at.unwrap_or(self.log.selected.min(last));
    }

    /// The post the Detail pane shows: the selection of the focused post pane, the post of the Log's row, or in
    /// the Follow-ups view the selected follow-up's post, in a check-in its current item's.
    pub fn current_post_id(&self) -> Option<PostId> {
        if self.view == super::View::CheckIn {
            return self.check_in.as_ref()?.current()?.post;
        }
        if self.follow_ups_open() {
            return self.selected_follow_up()?.post;
        }
        if self.focus == Pane::Log {
            return match self.selected_log_row()? {
                LogRow::FollowUp(f) => f.post,
                LogRow::Action(a) => a.post,
            };
        }
        let list = self.list(self.focus)?;
        list.window.rows.get(list.selected_index()).map(|k| k.id)
    }

    /// The current post: held by a list, or (a Log row's post) as Detail loaded it.
    pub fn current_post(&self) -> Option<&Post> {
        let id = self.current_post_id()?;
        self.posts
            .get(id)
            .or_else(|| self.detail.of(id).map(|d| &d.post))
    }

    /// Open Attention items (problems and questions to the shop) in the whole store, for the status bar.
    pub fn to_answer_count(&self) -> usize {
        self.open_attention
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixture;

    #[test]
    fn panes_cycle_with_history_in_regulars_place() {
        let mut s = fixture::empty();
        s.focus = Pane::Log;
        assert_eq!(s.pane_beside(1), Pane::Regulars);
        s.history = Some(crate::domain::CustomerId(1));
        assert_eq!(s.pane_beside(1), Pane::History);
        s.focus = Pane::History;
        assert_eq!(s.pane_beside(-1), Pane::Log);
    }
}
