//! The Customers view's rows and a story's lines as text: what the console draws and `regulars customers`
//! prints, computed once for both.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::domain::{Category, Customer, CustomerSummary, TimelineEntry, Urgency, hint, span};
use crate::money::Currency;
use crate::text::one_line;

/// How many timeline entries `show` prints and the story view loads.
pub const STORY_ENTRIES: usize = 200;

/// What the command line and the view need to write times and money as the shop reads them.
#[derive(Debug, Clone)]
pub struct Clock {
    pub now: DateTime<Utc>,
    /// Local offset times are shown in.
    pub tz: FixedOffset,
    pub currency: Currency,
}

impl Clock {
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%-d %b %H:%M").to_string()
    }
}

/// A row of the Customers view as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// "1", or "former".
    pub rank: String,
    pub name: String,
    pub spend: String,
    /// "3d mastodon", or "".
    pub last_post: String,
    /// "2h", or "never".
    pub last_contact: String,
    /// "2 (next 3 Dec)", or "".
    pub follow_ups: String,
    pub hint: Option<(String, Urgency)>,
}

pub fn columns(s: &CustomerSummary, clock: &Clock) -> Columns {
    let c = &s.customer;
    let ago = |t| crate::ui::ago(clock.now, t);
    Columns {
        rank: if c.former {
            "former".into()
        } else {
            c.rank.to_string()
        },
        name: c.name.clone(),
        spend: clock.currency.format_whole(c.lifetime_spend_cents),
        last_post: s
            .last_post
            .map(|(t, n)| format!("{} {n}", ago(t)))
            .unwrap_or_default(),
        last_contact: s.last_contact.map_or_else(|| "never".into(), |c| ago(c.at)),
        follow_ups: match (s.open_follow_ups, s.next_due) {
            (0, _) => String::new(),
            (n, Some(due)) => format!("{n} (next {})", due.format("%-d %b")),
            (n, None) => n.to_string(),
        },
        hint: hint(s, clock.now, clock.today()).map(|h| (h.text(clock.today()), h.urgency())),
    }
}

/// What a timeline entry is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EntryKind {
    Post(Category),
    Reply,
    Action,
    FollowUp { done: bool },
}

/// A timeline entry as one line: when, what, the text, and a detail after it (first-response time, the post a
/// reply answered, a follow-up's state).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryLine {
    pub when: String,
    pub label: String,
    pub text: String,
    pub detail: String,
    pub kind: EntryKind,
}

pub fn entry_line(e: &TimelineEntry, clock: &Clock) -> EntryLine {
    match e {
        TimelineEntry::Post(p) => EntryLine {
            when: clock.local(p.created_at),
            label: format!("{} {}", p.network, p.category.as_str()),
            text: one_line(&p.text),
            detail: match (p.first_response(), p.handled_at) {
                (Some(d), _) => format!("answered in {}", span(d)),
                (None, Some(_)) => "handled".into(),
                (None, None) if p.category.needs_attention() => "no reply yet".into(),
                (None, None) => String::new(),
            },
            kind: EntryKind::Post(p.category),
        },
        TimelineEntry::Reply(r) => EntryLine {
            when: clock.local(r.sent_at),
            label: format!("↩ replied on {}", r.network),
            text: one_line(&r.text),
            detail: format!(
                "to \"{}\"",
                crate::text::truncate_width(&one_line(&r.answered), 40)
            ),
            kind: EntryKind::Reply,
        },
        TimelineEntry::Action(a) => EntryLine {
            when: clock.local(a.at),
            label: a.kind.label().to_string(),
            text: one_line(&a.note),
            detail: String::new(),
            kind: EntryKind::Action,
        },
        TimelineEntry::FollowUp(f) => EntryLine {
            when: f.due.format("%-d %b").to_string(),
            label: "⏰ follow-up".into(),
            text: one_line(&f.note),
            detail: match f.done_at {
                Some(t) => format!("done {}", clock.local(t)),
                None if f.due < clock.today() => "overdue".into(),
                None => "due".into(),
            },
            kind: EntryKind::FollowUp {
                done: f.done_at.is_some(),
            },
        },
    }
}

/// "handles: mastodon @priya@hachyderm.io (linked) · bluesky @priya.bsky.social", or "handles: none".
/// "last post 3d mastodon · last contact never · follow-ups open: none", for the story and `customers show`.
pub fn contact_line(cols: &Columns) -> String {
    let or_none = |s: &str| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "last post {} · last contact {} · follow-ups open: {}",
        or_none(&cols.last_post),
        cols.last_contact,
        or_none(&cols.follow_ups)
    )
}

pub fn handles_line(c: &Customer) -> String {
    if c.handles.is_empty() {
        return "handles: none".into();
    }
    let list: Vec<String> = c
        .handles
        .iter()
        .map(|h| {
            format!(
                "{} @{}{}",
                h.network,
                h.handle,
                if h.linked { " (linked)" } else { "" }
            )
        })
        .collect();
    format!("handles: {}", list.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerId, Handle, Network};

    fn named(id: i64, name: &str, key: &str) -> Customer {
        Customer {
            id: CustomerId(id),
            name: name.into(),
            external_id: key.into(),
            ..Default::default()
        }
    }

    #[test]
    fn handles_are_listed_with_the_linked_ones_marked() {
        let mut c = named(1, "Bea", "C-4");
        assert_eq!(handles_line(&c), "handles: none");
        c.handles = vec![
            Handle::imported(Network::Bluesky, "bea.bsky.social"),
            Handle {
                network: Network::Mastodon,
                handle: "bea@mas.to".into(),
                linked: true,
            },
        ];
        assert_eq!(
            handles_line(&c),
            "handles: bluesky @bea.bsky.social · mastodon @bea@mas.to (linked)"
        );
    }
}
