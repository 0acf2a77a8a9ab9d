//! `regulars customers list|show|forget`: the Customers view and a customer's story as text (or JSON), and
//! forgetting a customer once a person typed yes.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};

use super::story::{Clock, Columns, STORY_ENTRIES, columns, entry_line, handles_line};
use crate::domain::{Customer, CustomerStory, CustomerSummary, Hint, hint, span};
use crate::store::{CustomerRepo, StoryRepo};

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
    out.push(super::story::contact_line(&cols));
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
    use crate::domain::CustomerId;

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
}
