//! What an import changes, against the customers stored: new regulars, former ones back, those dropping out
//! (kept as former), rank moves and spend changes. Printed by `regulars customers import` (with `--dry-run`
//! before anything is written), as text or JSON.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use crate::domain::Customer;
use crate::money::Currency;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Never stored before, by new rank.
    pub new: Vec<Entry>,
    /// Former regulars in the top N again, by new rank.
    pub back: Vec<Entry>,
    /// Regulars no longer in the top N, by the rank they had.
    pub dropped: Vec<Entry>,
    /// Regulars staying, at another rank; by new rank.
    pub moved: Vec<Move>,
    /// Lifetime spend changed, for anyone stored before and in the top N; by new rank.
    pub spend: Vec<SpendChange>,
    /// Regulars staying at the same rank with the same spend.
    pub unchanged: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub rank: u32,
    pub spend_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub id: String,
    pub name: String,
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpendChange {
    pub id: String,
    pub name: String,
    pub rank: u32,
    pub from_cents: i64,
    pub to_cents: i64,
}

fn entry(c: &Customer) -> Entry {
    Entry {
        id: c.external_id.clone(),
        name: c.name.clone(),
        rank: c.rank,
        spend_cents: c.lifetime_spend_cents,
    }
}

/// The changes from `stored` (every customer stored, former included) to `ranked` (the new top N).
pub fn diff(stored: &[Customer], ranked: &[Customer]) -> Diff {
    let before: HashMap<&str, &Customer> =
        stored.iter().map(|c| (c.external_id.as_str(), c)).collect();
    let mut d = Diff {
        new: Vec::new(),
        back: Vec::new(),
        dropped: Vec::new(),
        moved: Vec::new(),
        spend: Vec::new(),
        unchanged: 0,
    };
    for c in ranked {
        let Some(was) = before.get(c.external_id.as_str()) else {
            d.new.push(entry(c));
            continue;
        };
        let spend_changed = was.lifetime_spend_cents != c.lifetime_spend_cents;
        if spend_changed {
            d.spend.push(SpendChange {
                id: c.external_id.clone(),
                name: c.name.clone(),
                rank: c.rank,
                from_cents: was.lifetime_spend_cents,
                to_cents: c.lifetime_spend_cents,
            });
        }
        if was.former {
            d.back.push(entry(c));
        } else if was.rank != c.rank {
            d.moved.push(Move {
                id: c.external_id.clone(),
                name: c.name.clone(),
                from: was.rank,
                to: c.rank,
            });
        } else if !spend_changed {
            d.unchanged += 1;
        }
    }
    let staying: std::collections::HashSet<&str> =
        ranked.iter().map(|c| c.external_id.as_str()).collect();
    let mut dropped: Vec<&Customer> = stored
        .iter()
        .filter(|c| !c.former && !staying.contains(c.external_id.as_str()))
        .collect();
    dropped.sort_by_key(|c| (c.rank, c.external_id.as_str()));
    d.dropped = dropped.into_iter().map(entry).collect();
    d
}

impl Diff {
    /// "2 new, 1 back, 1 dropped out, 3 moved, 24 unchanged": the import's one-line summary.
    pub fn counts(&self) -> String {
        format!(
            "{} new, {} back, {} dropped out, {} moved, {} spend changed, {} unchanged",
            self.new.len(),
            self.back.len(),
            self.dropped.len(),
            self.moved.len(),
            self.spend.len(),
            self.unchanged
        )
    }

    /// The changes as text, a section per kind (empty sections left out), amounts in `currency`.
    pub fn render(&self, currency: &Currency) -> String {
        let mut out = String::new();
        let who = |id: &str, name: &str| format!("{name} ({id})");
        entries(&mut out, "New regulars", &self.new, currency);
        entries(&mut out, "Back from former", &self.back, currency);
        if !self.dropped.is_empty() {
            let _ = writeln!(
                out,
                "Dropping out, kept as former with their notes and posts ({}):",
                self.dropped.len()
            );
            for e in &self.dropped {
                let _ = writeln!(out, "  was #{:<3} {}", e.rank, who(&e.id, &e.name));
            }
        }
        if !self.moved.is_empty() {
            let _ = writeln!(out, "Rank moves ({}):", self.moved.len());
            for m in &self.moved {
                let arrow = if m.to < m.from {
                    format!("↑{}", m.from - m.to)
                } else {
                    format!("↓{}", m.to - m.from)
                };
                let _ = writeln!(
                    out,
                    "  #{:<3} {}  {arrow} (was #{})",
                    m.to,
                    who(&m.id, &m.name),
                    m.from
                );
            }
        }
        if !self.spend.is_empty() {
            let _ = writeln!(out, "Spend changes ({}):", self.spend.len());
            for s in &self.spend {
                let delta = s.to_cents - s.from_cents;
                let sign = if delta >= 0 { "+" } else { "" };
                let _ = writeln!(
                    out,
                    "  #{:<3} {}  {} → {} ({sign}{})",
                    s.rank,
                    who(&s.id, &s.name),
                    currency.format(s.from_cents),
                    currency.format(s.to_cents),
                    currency.format(delta)
                );
            }
        }
        let _ = writeln!(out, "Unchanged: {}", self.unchanged);
        out
    }
}

/// A section of new or returning regulars: their rank, who they are and their spend.
fn entries(out: &mut String, title: &str, entries: &[Entry], currency: &Currency) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title} ({}):", entries.len());
    for e in entries {
        let _ = writeln!(
            out,
            "  #{:<3} {} ({})  {}",
            e.rank,
            e.name,
            e.id,
            currency.format(e.spend_cents)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, rank: u32, spend: i64, former: bool) -> Customer {
        Customer {
            external_id: id.into(),
            name: format!("Name {id}"),
            rank,
            lifetime_spend_cents: spend,
            former,
            ..Customer::default()
        }
    }

    #[test]
    fn every_kind_of_change_in_order() {
        let stored = vec![
            c("a", 1, 10_000, false),
            c("b", 2, 9_000, false),
            c("c", 3, 8_000, false),
            c("d", 4, 7_000, false),
            c("f", 7, 500, true),
        ];
        let ranked = vec![
            c("b", 1, 12_050, false),
            c("a", 2, 10_000, false),
            c("n", 3, 9_500, false),
            c("d", 4, 7_000, false),
            c("f", 5, 6_000, false),
        ];
        let d = diff(&stored, &ranked);
        assert_eq!(
            d.render(&Currency::default()),
            "New regulars (1):\n\
             \x20 #3   Name n (n)  £95.00\n\
             Back from former (1):\n\
             \x20 #5   Name f (f)  £60.00\n\
             Dropping out, kept as former with their notes and posts (1):\n\
             \x20 was #3   Name c (c)\n\
             Rank moves (2):\n\
             \x20 #1   Name b (b)  ↑1 (was #2)\n\
             \x20 #2   Name a (a)  ↓1 (was #1)\n\
             Spend changes (2):\n\
             \x20 #1   Name b (b)  £90.00 → £120.50 (+£30.50)\n\
             \x20 #5   Name f (f)  £5.00 → £60.00 (+£55.00)\n\
             Unchanged: 1\n"
        );
        assert_eq!(
            d.counts(),
            "1 new, 1 back, 1 dropped out, 2 moved, 2 spend changed, 1 unchanged"
        );
    }

    #[test]
    fn nothing_stored_everyone_is_new_and_the_same_list_is_unchanged() {
        let ranked = vec![c("a", 1, 100, false), c("b", 2, 50, false)];
        let d = diff(&[], &ranked);
        assert_eq!((d.new.len(), d.unchanged), (2, 0));
        let d = diff(&ranked, &ranked);
        assert_eq!(d.render(&Currency::default()), "Unchanged: 2\n");
        let lower = vec![c("a", 1, 80, false), c("b", 2, 50, false)];
        assert!(
            diff(&ranked, &lower)
                .render(&Currency::default())
                .contains("(-£0.20)")
        );
    }
}
