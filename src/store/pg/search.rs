//! A list's query as PostgreSQL SQL: the twin of SQLite's `crate::store::search`, with the same matching.
//! Words and handles go through the `words` tsvector (GIN-indexed) as prefix phrases; the listing and the
//! cheap terms are conditions on `posts p` the planner serves from the list's own index.

use postgres::types::ToSql;

use crate::domain::{Listing, PostQuery, Term};
use crate::store::Result;
use crate::store::codec::ms;
use crate::store::lists::FEW_MATCHES;

/// A parameter of a condition (owned, so a plan can be narrowed and cloned).
#[derive(Debug, Clone)]
pub(super) enum Param {
    Int(i64),
    Text(String),
    Ints(Vec<i64>),
    Texts(Vec<String>),
}

impl Param {
    fn sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Param::Int(v) => v,
            Param::Text(v) => v,
            Param::Ints(v) => v,
            Param::Texts(v) => v,
        }
    }
}

/// Conditions (joined with AND) with `?` for their parameters, in order; [`Conditions::sql`] numbers them.
#[derive(Debug, Default, Clone)]
pub(super) struct Conditions {
    pub sql: Vec<String>,
    pub params: Vec<Param>,
}

impl Conditions {
    pub(super) fn push(&mut self, sql: impl Into<String>, params: impl IntoIterator<Item = Param>) {
        self.sql.push(sql.into());
        self.params.extend(params);
    }

    /// ` AND `-joined, `TRUE` when there is none.
    pub(super) fn joined(&self) -> String {
        if self.sql.is_empty() {
            "TRUE".into()
        } else {
            self.sql.join(" AND ")
        }
    }

    /// The parameters as the client takes them.
    pub(super) fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(Param::sql).collect()
    }
}

/// `sql` with each `?` numbered as PostgreSQL wants (`$1`, `$2`, ...). The SQL built here has no `?` of its
/// own (no literals holding one, no jsonb operators).
pub(super) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// How a list's query is answered.
#[derive(Debug, Clone)]
pub(super) enum Plan {
    /// No post can match (a category prefix naming none, a customer nobody is called).
    Nothing,
    /// The listing and the search's conditions on `posts p`; `words`: some of them are words or handles, which
    /// the `words` GIN index finds (see [`few_rows`]).
    Query {
        listing: Listing,
        terms: Conditions,
        words: bool,
    },
}

impl Plan {
    /// The listing's own condition and then the search's.
    pub(super) fn conditions(listing: Listing, terms: &Conditions) -> Conditions {
        let mut out = Conditions::default();
        match listing {
            Listing::Regulars => out.push("p.customer_id IS NOT NULL", []),
            Listing::Mentions => out.push("p.is_mention = TRUE", []),
            Listing::Attention => out.push(
                format!(
                    "p.handled_at IS NULL AND p.dismissed_at IS NULL AND {}",
                    attention_members("p.")
                ),
                [],
            ),
            Listing::Customer(c) => out.push("p.customer_id = ?", [Param::Int(c.0)]),
        }
        out.sql.extend(terms.sql.iter().cloned());
        out.params.extend(terms.params.iter().cloned());
        out
    }

    /// The plan narrowed by one more condition.
    pub(super) fn narrowed(mut self, add: impl FnOnce(&mut Conditions)) -> Plan {
        if let Plan::Query { terms, .. } = &mut self {
            add(terms);
        }
        self
    }
}

/// The categories Attention queues (`Category::in_attention`) over the columns named `{col}category` etc.:
/// written exactly as the `posts_attention` index's condition (schema V1), so the index serves it.
pub(super) fn attention_members(col: &str) -> String {
    format!(
        "({col}category IN ('complaint', 'distress') OR ({col}category = 'question' AND {col}is_mention))"
    )
}

/// The plan for `query`, read once per page (a search's customers are looked up here).
pub(super) fn plan(conn: &mut postgres::Client, query: &PostQuery) -> Result<Plan> {
    let mut terms = Conditions::default();
    let mut words = false;
    for term in &query.search.terms {
        match term {
            Term::Category(cats) if cats.is_empty() => return Ok(Plan::Nothing),
            Term::Category(cats) => terms.push(
                "p.category = ANY(?)",
                [Param::Texts(
                    cats.iter().map(|c| c.as_str().to_string()).collect(),
                )],
            ),
            Term::Open => terms.push("p.handled_at IS NULL AND p.dismissed_at IS NULL", []),
            Term::Customer(name) => {
                let ids = customers_named(conn, name)?;
                if ids.is_empty() {
                    return Ok(Plan::Nothing);
                }
                terms.push("p.customer_id = ANY(?)", [Param::Ints(ids)]);
            }
            Term::Since(t) => terms.push("p.created_at >= ?", [Param::Int(ms(*t))]),
            Term::Before(t) => terms.push("p.created_at < ?", [Param::Int(ms(*t))]),
            Term::Assigned(name) => terms.push(
                "p.id IN (SELECT post_id FROM assignments WHERE staff = ?)",
                [Param::Text(name.clone())],
            ),
            Term::Handle(h) => {
                if let Some(phrase) = phrase(h) {
                    words = true;
                    // The words index finds the candidates; the handle alone must hold the phrase.
                    terms.push(
                        format!("p.words @@ {WORDS} AND {HANDLE_WORDS} @@ {WORDS}"),
                        [Param::Text(phrase.clone()), Param::Text(phrase)],
                    );
                }
            }
            Term::Text(t) => {
                if let Some(phrase) = phrase(t) {
                    words = true;
                    let ids = customers_named(conn, t)?;
                    if ids.is_empty() {
                        terms.push(format!("p.words @@ {WORDS}"), [Param::Text(phrase)]);
                    } else {
                        terms.push(
                            format!("(p.words @@ {WORDS} OR p.customer_id = ANY(?))"),
                            [Param::Text(phrase), Param::Ints(ids)],
                        );
                    }
                }
            }
        }
    }
    Ok(Plan::Query {
        listing: query.listing,
        terms,
        words,
    })
}

/// Whether a planned search's rows (`conditions`: the listing's and the search's) are few, at most SQLite's
/// [`FEW_MATCHES`]: counted up to one more, which the `words` GIN index answers quickly for rare words and a
/// plain scan stops early for common ones. PostgreSQL cannot tell a rare prefix phrase from a common one
/// before it runs (its estimate for `word:*` is a guess), so it would walk the list's index in order, probing
/// every row for a word a handful of posts hold; with few rows the page is read from the matches and sorted.
pub(super) fn few_rows(conn: &mut postgres::Client, conditions: &Conditions) -> Result<bool> {
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM posts p WHERE {} LIMIT {}) m",
        conditions.joined(),
        FEW_MATCHES + 1
    );
    let n: i64 = conn
        .query_one(&numbered(&sql), &conditions.values())?
        .try_get(0)?;
    Ok(n <= FEW_MATCHES)
}

/// A prefix phrase as a query of the `words` column.
const WORDS: &str = "to_tsquery('simple', ?)";

/// The author's handle alone, split into words as the `words` column splits it (schema V1).
const HANDLE_WORDS: &str =
    "to_tsvector('simple', translate(p.author_handle, '@._-/:#+', '        '))";

/// The customers whose name contains `name` (case-insensitive), as a search means it.
fn customers_named(conn: &mut postgres::Client, name: &str) -> Result<Vec<i64>> {
    let rows = conn.query(
        "SELECT id FROM customers WHERE strpos(lower(name), lower($1)) > 0",
        &[&name],
    )?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?)
}

/// A tsquery prefix phrase for the words of `term` (`late del` -> `late <-> del:*`): consecutive words, the
/// last one a prefix, as SQLite's FTS5 phrase. `None` when the term has no word at all (it then narrows
/// nothing, as in `Search::matches`). Words are letters and digits only: nothing in them is tsquery syntax.
fn phrase(term: &str) -> Option<String> {
    let words: Vec<String> = term
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (!words.is_empty()).then(|| format!("{}:*", words.join(" <-> ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_words_with_a_prefix_end() {
        assert_eq!(phrase("Late-del").as_deref(), Some("late <-> del:*"));
        assert_eq!(
            phrase("\"quoted\" | x & !y").as_deref(),
            Some("quoted <-> x <-> y:*")
        );
        assert_eq!(phrase("!!!"), None);
        assert_eq!(numbered("a = ? AND b = ANY(?)"), "a = $1 AND b = ANY($2)");
    }
}
