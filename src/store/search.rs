//! The `/` search as SQL: each term a condition on `posts p`, words through the FTS5 index.

use rusqlite::types::Value;

use super::codec::ms;
use crate::domain::{Search, Term};

/// Conditions (joined with AND) and their parameters, in order.
#[derive(Debug, Default)]
pub(super) struct Conditions {
    pub sql: Vec<String>,
    pub params: Vec<Value>,
}

impl Conditions {
    pub(super) fn push(&mut self, sql: impl Into<String>, params: impl IntoIterator<Item = Value>) {
        self.sql.push(sql.into());
        self.params.extend(params);
    }

    /// ` AND `-joined, `1` when there is none.
    pub(super) fn joined(&self) -> String {
        if self.sql.is_empty() {
            "1".into()
        } else {
            self.sql.join(" AND ")
        }
    }
}

/// Adds the search's terms to `out`.
pub(super) fn conditions(search: &Search, out: &mut Conditions) {
    for term in &search.terms {
        match term {
            Term::Category(cats) if cats.is_empty() => out.push("0", []),
            Term::Category(cats) => out.push(
                format!("p.category IN ({})", vec!["?"; cats.len()].join(", ")),
                cats.iter().map(|c| Value::Text(c.as_str().into())),
            ),
            Term::Open => out.push("p.handled_at IS NULL", []),
            Term::Since(t) => out.push("p.created_at >= ?", [Value::Integer(ms(*t))]),
            Term::Before(t) => out.push("p.created_at < ?", [Value::Integer(ms(*t))]),
            Term::Customer(name) => out.push(
                "p.customer_id IN (SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\')",
                [Value::Text(contains_pattern(name))],
            ),
            Term::Handle(h) => {
                if let Some(phrase) = phrase(h) {
                    out.push(
                        "p.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)",
                        [Value::Text(format!("author_handle : {phrase}"))],
                    );
                }
            }
            Term::Text(t) => {
                if let Some(phrase) = phrase(t) {
                    out.push(
                        "(p.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)
                          OR p.customer_id IN (SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\'))",
                        [Value::Text(phrase), Value::Text(contains_pattern(t))],
                    );
                }
            }
        }
    }
}

/// An FTS5 prefix phrase for the words of `term` (`late del` -> `"late del" *`): consecutive words, the last
/// one a prefix. `None` when the term has no word at all (it then narrows nothing, as in `Search::matches`).
fn phrase(term: &str) -> Option<String> {
    let words: Vec<&str> = term
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| format!("\"{}\" *", words.join(" ")))
}

/// A LIKE pattern for "contains `s`", with LIKE's own wildcards escaped.
fn contains_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_words_with_a_prefix_end() {
        assert_eq!(phrase("late-del").as_deref(), Some("\"late del\" *"));
        assert_eq!(
            phrase("\"quoted\" OR x").as_deref(),
            Some("\"quoted OR x\" *")
        );
        assert_eq!(phrase("!!!"), None);
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
