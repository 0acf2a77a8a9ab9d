//! `regulars customers list|show|forget`: the Customers view and a customer's story as text (or JSON), and
//! forgetting a customer once a person typed yes. The view draws the same columns and timeline lines
//! ([`columns`], [`entry_line`]).

use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::domain::{
    Category, Customer, CustomerStory, CustomerSummary, Hint, TimelineEntry, Urgency, hint, span,
};
use crate::money::Currency;
use crate::store::{CustomerRepo, StoryRepo};
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

/// The customer `name` names: their name or the shop's key for them, case-insensitively (whole, else part of
/// the name). None or several: an error saying which.
pub fn find(customers: &[Customer], name: &str) -> Result<Customer, String> {
    let wanted = name.trim().to_lowercase();
    let exact: Vec<&Customer> = customers
        .iter()
        .filter(|c| c.name.to_lowercase() == wanted || c.external_id.to_lowercase() == wanted)
        .collect();
    let found = if exact.is_empty() {
        customers
            .iter()
            .filter(|c| c.name.to_lowercase().contains(&wanted))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no customer matches {name:?}: `regulars customers list` shows them all"
        )),
        many => Err(format!(
            "{name:?} matches {} customers, name one of them by its id:\n{}",
            many.len(),
            many.iter()
                .map(|c| format!("  {} ({})", c.name, c.external_id))
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

/// `customers list`: every customer as the Customers view lists them.
pub fn list(
    db: &dyn StoryRepo,
    clock: &Clock,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let rows = db.customer_overview()?;
    if json {
        let rows: Vec<serde_json::Value> = rows.iter().map(|s| summary_json(s, clock)).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No customers yet: set up [customers] in your config, see README."
        )?;
        return Ok(());
    }
    let cols: Vec<Columns> = rows.iter().map(|s| columns(s, clock)).collect();
    let width = |f: fn(&Columns) -> &str, head: &str| {
        cols.iter()
            .map(|c| crate::text::display_width(f(c)))
            .chain([head.len()])
            .max()
            .unwrap_or(0)
    };
    let w = [
        width(|c| &c.rank, "rank"),
        width(|c| &c.name, "name"),
        width(|c| &c.spend, "spend"),
        width(|c| &c.last_post, "last post"),
        width(|c| &c.last_contact, "contact"),
        width(|c| &c.follow_ups, "follow-ups"),
    ];
    let line = |cells: [&str; 7]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = w
                .get(i)
                .map_or(0, |w| w.saturating_sub(crate::text::display_width(cell)));
            // Numbers right-aligned, words left.
            if i == 0 || i == 2 {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                if i < 6 {
                    s.push_str(&" ".repeat(pad));
                }
            }
            if i < 6 {
                s.push_str("  ");
            }
        }
        s.trim_end().to_string()
    };
    writeln!(
        out,
        "{}",
        line([
            "rank",
            "name",
            "spend",
            "last post",
            "contact",
            "follow-ups",
            "hint"
        ])
    )?;
    for c in &cols {
        let hint = c.hint.as_ref().map_or("", |(h, _)| h.as_str());
        writeln!(
            out,
            "{}",
            line([
                &c.rank,
                &c.name,
                &c.spend,
                &c.last_post,
                &c.last_contact,
                &c.follow_ups,
                hint
            ])
        )?;
    }
    Ok(())
}

fn summary_json(s: &CustomerSummary, clock: &Clock) -> serde_json::Value {
    let hint: Option<Hint> = hint(s, clock.now, clock.today());
    let mut v = serde_json::to_value(s).unwrap_or_default();
    v["spend"] = clock
        .currency
        .format(s.customer.lifetime_spend_cents)
        .into();
    v["hint"] = match hint {
        Some(h) => serde_json::json!({"text": h.text(clock.today()), "detail": h}),
        None => serde_json::Value::Null,
    };
    v
}

/// `customers show NAME`: one customer's story.
pub fn show(
    db: &dyn StoryRepo,
    customers: &[Customer],
    name: &str,
    clock: &Clock,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let customer = find(customers, name).map_err(anyhow::Error::msg)?;
    let story = db
        .customer_story(customer.id, STORY_ENTRIES)?
        .ok_or_else(|| anyhow::anyhow!("{} is no longer stored", customer.name))?;
    if json {
        let mut v = serde_json::to_value(&story)?;
        v["summary"] = summary_json(&story.summary, clock);
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    for line in story_lines(&story, clock) {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// A story as plain lines: the card, then the timeline.
fn story_lines(story: &CustomerStory, clock: &Clock) -> Vec<String> {
    let s = &story.summary;
    let c = &s.customer;
    let cols = columns(s, clock);
    let mut out = vec![format!(
        "{} ({}) · {} · lifetime spend {}",
        c.name,
        c.external_id,
        if c.former {
            format!("former regular, last rank {}", c.rank)
        } else {
            format!("rank {}", c.rank)
        },
        clock.currency.format(c.lifetime_spend_cents)
    )];
    let mut facts = Vec::new();
    if !c.email.is_empty() {
        facts.push(c.email.clone());
    }
    if let Some(n) = c.orders {
        facts.push(format!("{n} orders"));
    }
    if let Some(d) = c.last_purchase {
        facts.push(format!("last purchase {d}"));
    }
    if !facts.is_empty() {
        out.push(facts.join(" · "));
    }
    out.push(handles_line(c));
    if !c.note.is_empty() {
        out.push("notes:".into());
        out.extend(c.note.lines().map(|l| format!("  {l}")));
    }
    out.push(format!(
        "last post {} · last contact {} · follow-ups open: {}",
        if cols.last_post.is_empty() {
            "none".into()
        } else {
            cols.last_post
        },
        cols.last_contact,
        if cols.follow_ups.is_empty() {
            "none".into()
        } else {
            cols.follow_ups
        }
    ));
    if let Some((h, _)) = cols.hint {
        out.push(format!("hint: {h}"));
    }
    out.push(match story.median_first_response {
        Some(d) => format!(
            "first response: median {} over {} posts stored",
            span(d),
            story.posts
        ),
        None => format!("first response: none yet ({} posts stored)", story.posts),
    });
    out.push(String::new());
    if story.timeline.is_empty() {
        out.push("Nothing yet: no posts, replies, actions or follow-ups.".into());
    }
    for e in &story.timeline {
        let l = entry_line(e, clock);
        let detail = if l.detail.is_empty() {
            String::new()
        } else {
            format!("  ({})", l.detail)
        };
        out.push(format!("{:<12}  {}: {}{detail}", l.when, l.label, l.text));
    }
    out
}

/// "handles: mastodon @priya@hachyderm.io (linked) · bluesky @priya.bsky.social", or "handles: none".
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

/// `customers forget NAME`: names what goes and what stays, and forgets only on `yes` (or `assume_yes`).
/// Returns whether the customer was forgotten.
pub fn forget<R: CustomerRepo + StoryRepo + ?Sized>(
    db: &mut R,
    name: &str,
    with_posts: bool,
    assume_yes: bool,
    now: DateTime<Utc>,
    answers: &mut dyn BufRead,
    prompt: &mut dyn Write,
) -> anyhow::Result<bool> {
    let customers = db.customers()?;
    let customer = find(&customers, name).map_err(anyhow::Error::msg)?;
    let posts = db.customer_story(customer.id, 0)?.map_or(0, |s| s.posts);
    let handles = match customer.handles.len() {
        1 => "1 handle".to_string(),
        n => format!("{n} handles"),
    };
    let fate = match (posts, with_posts) {
        (0, _) => "no posts stored".to_string(),
        (n, false) => format!("{n} posts kept as anonymous posts"),
        (n, true) => format!("{n} posts deleted"),
    };
    let question = format!(
        "Forget {} ({}): name, email, spend, notes, {handles}; {fate}?",
        customer.name, customer.external_id
    );
    if assume_yes {
        writeln!(prompt, "{question} --yes")?;
    } else {
        write!(prompt, "{question} Type yes to continue: ")?;
        prompt.flush()?;
        let mut answer = String::new();
        answers.read_line(&mut answer)?;
        if !answer.trim().eq_ignore_ascii_case("yes") {
            return Ok(false);
        }
    }
    let done = db.forget_customer(customer.id, with_posts, now)?;
    writeln!(
        prompt,
        "Forgotten: {} posts kept anonymous, {} deleted; {} replies, {} actions and {} follow-ups kept without them. \
         An import will skip them.",
        done.posts_kept,
        done.posts_deleted,
        done.replies_unlinked,
        done.actions_unlinked,
        done.follow_ups_unlinked
    )?;
    Ok(true)
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
    fn a_name_finds_one_customer_or_says_why_not() {
        let all = [
            named(1, "Priya Raman", "C-1042"),
            named(2, "Priya Shah", "C-9"),
            named(3, "Tom Okafor", "C-7"),
        ];
        assert_eq!(find(&all, "priya raman").unwrap().id, CustomerId(1));
        assert_eq!(find(&all, " c-9 ").unwrap().id, CustomerId(2));
        assert_eq!(find(&all, "okaf").unwrap().id, CustomerId(3));
        let e = find(&all, "Priya").unwrap_err();
        assert!(
            e.contains("matches 2 customers")
                && e.contains("Priya Raman (C-1042)")
                && e.contains("Priya Shah (C-9)"),
            "{e}"
        );
        assert!(
            find(&all, "zed")
                .unwrap_err()
                .starts_with("no customer matches")
        );
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
