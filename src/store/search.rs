//! A list's query as SQL. Its listing and the cheap terms (category, open, customer, dates) are conditions on
//! `posts p`; words and handles go through the FTS5 table, whose `tags` column also carries each post's lists
//! (see `schema::TAGS`), so a search's matches in a list are counted inside the full-text index alone.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::Result;
use super::codec::ms;
use crate::domain::{Listing, PostQuery, Term};

/// Conditions (joined with AND) and their parameters, in order.
#[derive(Debug, Default, Clone)]
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

/// How a list's query is answered.
#[derive(Debug, Clone)]
pub(super) enum Plan {
    /// No post can match (a category prefix naming none, a customer nobody is called).
    Nothing,
    /// The listing, the search's conditions on `posts p`, and a full-text expression every row must also
    /// match (with the list's tags, so it alone counts the list's matches when `fts_counts` is set).
    Query {
        listing: Listing,
        terms: Conditions,
        fts: Option<String>,
        fts_counts: bool,
    },
}

impl Plan {
    /// The listing's own condition and then the search's. `driven_by_fts`: the listing's is written so that no
    /// index serves it (`+column`), for a page read from a few full-text matches rather than down its index.
    pub(super) fn conditions(
        listing: Listing,
        terms: &Conditions,
        driven_by_fts: bool,
    ) -> Conditions {
        let plus = if driven_by_fts { "+" } else { "" };
        let mut out = Conditions::default();
        match listing {
            Listing::Regulars => out.push(format!("{plus}p.customer_id IS NOT NULL"), []),
            Listing::Mentions => out.push(format!("{plus}p.is_mention = 1"), []),
            Listing::Attention => out.push(
                format!(
                    "{plus}p.handled_at IS NULL AND {plus}p.dismissed_at IS NULL AND {}",
                    attention_members(&format!("{plus}p."))
                ),
                [],
            ),
            Listing::Customer(c) => {
                out.push(format!("{plus}p.customer_id = ?"), [Value::Integer(c.0)])
            }
        }
        out.sql.extend(terms.sql.iter().cloned());
        out.params.extend(terms.params.iter().cloned());
        out
    }
}

/// The categories Attention queues (`Category::in_attention`) as SQL over the columns named `{col}category`
/// etc.: written exactly as the `posts_attention` index's condition (schema 10), so the index serves it.
pub(super) fn attention_members(col: &str) -> String {
    format!(
        "({col}category IN ('complaint', 'distress') OR ({col}category = 'question' AND {col}is_mention = 1))"
    )
}

/// The plan for `query`, read once per page (a search's customers are looked up here).
pub(super) fn plan(conn: &Connection, query: &PostQuery) -> Result<Plan> {
    let mut conditions = Conditions::default();
    let mut tags = vec![match query.listing {
        Listing::Regulars => "regular".to_string(),
        Listing::Mentions => "mention".into(),
        Listing::Attention => "attention".into(),
        Listing::Customer(c) => format!("c{}", c.0),
    }];
    let mut words = Vec::new();
    let mut open = false;
    let mut fts_counts = true;
    for term in &query.search.terms {
        match term {
            Term::Category(cats) if cats.is_empty() => return Ok(Plan::Nothing),
            Term::Category(cats) => {
                conditions.push(
                    format!("p.category IN ({})", vec!["?"; cats.len()].join(", ")),
                    cats.iter().map(|c| Value::Text(c.as_str().into())),
                );
                tags.push(any(cats.iter().map(|c| c.as_str().to_string())));
            }
            Term::Open => {
                conditions.push("p.handled_at IS NULL AND p.dismissed_at IS NULL", []);
                open = true;
            }
            Term::Customer(name) => {
                let ids = customers_named(conn, name)?;
                if ids.is_empty() {
                    return Ok(Plan::Nothing);
                }
                conditions.push(
                    format!("p.customer_id IN ({})", vec!["?"; ids.len()].join(", ")),
                    ids.iter().map(|id| Value::Integer(*id)),
                );
                // A few customers' posts: found through the index, not down a list of thousands.
                words.push(format!(
                    "tags : {}",
                    any(ids.iter().map(|id| format!("c{id}")))
                ));
            }
            Term::Since(t) => {
                conditions.push("p.created_at >= ?", [Value::Integer(ms(*t))]);
                fts_counts = false;
            }
            Term::Before(t) => {
                conditions.push("p.created_at < ?", [Value::Integer(ms(*t))]);
                fts_counts = false;
            }
            Term::Assigned(name) => {
                conditions.push(
                    "p.id IN (SELECT post_id FROM assignments WHERE staff = ?)",
                    [Value::Text(name.clone())],
                );
                fts_counts = false;
            }
            Term::Handle(h) => {
                if let Some(phrase) = phrase(h) {
                    words.push(format!("author_handle : {phrase}"));
                }
            }
            Term::Text(t) => {
                if let Some(phrase) = phrase(t) {
                    let ids = customers_named(conn, t)?;
                    let text = format!("{{text author_handle author_name}} : {phrase}");
                    words.push(if ids.is_empty() {
                        text
                    } else {
                        format!(
                            "({text} OR tags : {})",
                            any(ids.iter().map(|id| format!("c{id}")))
                        )
                    });
                }
            }
        }
    }
    let fts = (!words.is_empty()).then(|| {
        words.extend(tags.iter().map(|t| format!("tags : {t}")));
        let all = words.join(" AND ");
        if open {
            format!("({all}) NOT tags : handled")
        } else {
            all
        }
    });
    Ok(Plan::Query {
        listing: query.listing,
        terms: conditions,
        fts,
        fts_counts,
    })
}

/// `(a OR b OR c)`, or `a` alone.
fn any(words: impl Iterator<Item = String>) -> String {
    let words: Vec<String> = words.collect();
    match words.as_slice() {
        [one] => one.clone(),
        _ => format!("({})", words.join(" OR ")),
    }
}

/// The customers whose name contains `name` (case-insensitive), as a search means it.
fn customers_named(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM customers WHERE name LIKE ?1 ESCAPE '\\'")?;
    let ids = stmt
        .query_map([contains_pattern(name)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
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
