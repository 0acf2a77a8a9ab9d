//! The list panes and what each shows: Regulars, Mentions, Attention (posts) and Log (actions).

use crate::domain::{Category, Post, PostId};
use crate::triage::{UrgencyInputs, urgency};

use super::{AppState, LineInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    Regulars,
    Mentions,
    Attention,
    Log,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Regulars, Pane::Mentions, Pane::Attention, Pane::Log];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Regulars => "Regulars",
            Pane::Mentions => "Mentions",
            Pane::Attention => "Attention",
            Pane::Log => "Log",
        }
    }

    pub fn shows_posts(self) -> bool {
        self != Pane::Log
    }

    pub fn next(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + 1) % Pane::ALL.len()]
    }

    pub fn prev(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// A row of the Log pane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogRow<'a> {
    FollowUp(&'a crate::domain::FollowUp),
    Action(&'a crate::domain::Action),
}

/// The `/` filter: every term must match. `cat:complaint` (or `category:`), `@handle`, `customer:name`,
/// `is:open`, anything else is text searched in the post, the author and the customer's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The applied query.
    pub query: String,
    /// `Some` while the filter line is being edited.
    pub editing: Option<LineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Category(Vec<Category>),
    Handle(String),
    Customer(String),
    Open,
    Text(String),
}

fn parse_terms(query: &str) -> Vec<Term> {
    query
        .split_whitespace()
        .map(|word| {
            let lower = word.to_lowercase();
            if let Some(cat) = lower
                .strip_prefix("cat:")
                .or_else(|| lower.strip_prefix("category:"))
            {
                let cats = Category::ALL
                    .into_iter()
                    .filter(|c| c.as_str().starts_with(cat) && !cat.is_empty())
                    .collect();
                Term::Category(cats)
            } else if let Some(name) = lower.strip_prefix("customer:") {
                Term::Customer(name.to_string())
            } else if lower == "is:open" {
                Term::Open
            } else if let Some(h) = lower.strip_prefix('@').filter(|h| !h.is_empty()) {
                Term::Handle(h.to_string())
            } else {
                Term::Text(lower)
            }
        })
        .collect()
}

impl AppState {
    fn matches(&self, post: &Post, terms: &[Term]) -> bool {
        if terms.is_empty() {
            return true;
        }
        let customer = self.customer_of(post).map(|c| c.name.to_lowercase());
        terms.iter().all(|term| match term {
            Term::Category(cats) => cats.contains(&post.triage.category),
            Term::Handle(h) => post.author.handle.to_lowercase().contains(h.as_str()),
            Term::Customer(name) => customer
                .as_deref()
                .is_some_and(|c| c.contains(name.as_str())),
            Term::Open => post.handled_at.is_none(),
            Term::Text(t) => {
                post.text.to_lowercase().contains(t.as_str())
                    || post.author.handle.to_lowercase().contains(t.as_str())
                    || post.author.display_name.to_lowercase().contains(t.as_str())
                    || customer.as_deref().is_some_and(|c| c.contains(t.as_str()))
            }
        })
    }

    /// How urgent a post is for the Attention queue, from its triage, customer and answer state.
    pub fn urgency(&self, post: &Post) -> f32 {
        let inputs = UrgencyInputs {
            customer_value: self.customer_of(post).map(|c| c.value()),
            age_minutes: (self.now - post.created_at).num_seconds().max(0) as f32 / 60.0,
            addressed_to_shop: post.is_mention,
            unanswered: post.first_response_at.is_none() && post.handled_at.is_none(),
        };
        urgency(&post.triage, &inputs)
    }

    /// The posts a pane lists, in its order, after the filter.
    pub fn rows(&self, pane: Pane) -> Vec<&Post> {
        let terms = parse_terms(&self.filter.query);
        let wanted = |p: &&Post| match pane {
            Pane::Regulars => p.customer.is_some(),
            Pane::Mentions => p.is_mention,
            Pane::Attention => p.triage.category.needs_attention(),
            Pane::Log => false,
        };
        let mut rows: Vec<&Post> = self
            .posts
            .iter()
            .filter(wanted)
            .filter(|p| self.matches(p, &terms))
            .collect();
        if pane == Pane::Attention {
            // Unhandled first, then by urgency (customer value included), newest first on ties.
            let mut keyed: Vec<(bool, f32, &Post)> = rows
                .into_iter()
                .map(|p| (p.handled_at.is_some(), self.urgency(p), p))
                .collect();
            keyed.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(b.1.total_cmp(&a.1))
                    .then(b.2.created_at.cmp(&a.2.created_at))
            });
            rows = keyed.into_iter().map(|(_, _, p)| p).collect();
        }
        rows
    }

    /// Index of the selected row in a post pane (0 when nothing or a vanished post was selected).
    pub fn selected_index(&self, pane: Pane, rows: &[&Post]) -> usize {
        self.selected_post
            .get(&pane)
            .and_then(|id| rows.iter().position(|p| p.id == *id))
            .unwrap_or(0)
    }

    /// The Log's rows: follow-ups due today or earlier first, then the actions, newest first.
    pub fn log_rows(&self) -> Vec<LogRow<'_>> {
        self.due_follow_ups()
            .map(LogRow::FollowUp)
            .chain(self.actions.iter().map(LogRow::Action))
            .collect()
    }

    pub fn selected_log_row(&self) -> Option<LogRow<'_>> {
        self.log_rows().get(self.log_selected).copied()
    }

    /// The post the Detail pane shows: the selection of the focused post pane, or of the Log's row.
    pub fn current_post(&self) -> Option<&Post> {
        if self.focus == Pane::Log {
            let post = match self.selected_log_row()? {
                LogRow::FollowUp(f) => f.post,
                LogRow::Action(a) => a.post,
            };
            return post.and_then(|id| self.posts.get(id));
        }
        let rows = self.rows(self.focus);
        rows.get(self.selected_index(self.focus, &rows)).copied()
    }

    pub fn current_post_id(&self) -> Option<PostId> {
        self.current_post().map(|p| p.id)
    }

    /// Open (unhandled) Attention items, for the status bar.
    pub fn urgent_count(&self) -> usize {
        self.posts
            .iter()
            .filter(|p| p.triage.category.needs_attention() && p.handled_at.is_none())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_terms() {
        assert_eq!(
            parse_terms("cat:comp @Maya customer:lee is:open Ring"),
            vec![
                Term::Category(vec![Category::Complaint]),
                Term::Handle("maya".into()),
                Term::Customer("lee".into()),
                Term::Open,
                Term::Text("ring".into())
            ]
        );
        assert_eq!(parse_terms("cat:"), vec![Term::Category(vec![])]);
    }

    #[test]
    fn panes_cycle() {
        assert_eq!(Pane::Log.next(), Pane::Regulars);
        assert_eq!(Pane::Regulars.prev(), Pane::Log);
    }
}
