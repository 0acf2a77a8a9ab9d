//! The `/` search: what a query means, as terms. The store turns terms into SQL over the whole history (words
//! through its full-text index); the console uses [`Search::matches`] to place a live post in a searched pane.
//! Both follow the same rules: every term must match; text and handles match at word starts, case-insensitive.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{Category, Post};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `cat:` / `category:` and a prefix of category names (`cat:comp`). Empty when nothing matches.
    Category(Vec<Category>),
    /// `@handle`: the author's handle has a word starting so.
    Handle(String),
    /// `customer:name`: by a customer whose name contains this.
    Customer(String),
    /// `is:open`: not handled.
    Open,
    /// `since:YYYY-MM-DD` (local date): made on or after that day.
    Since(DateTime<Utc>),
    /// `before:YYYY-MM-DD` (local date): made before that day.
    Before(DateTime<Utc>),
    /// A word (or the start of one) in the text, the author's handle or name, or the customer's name.
    Text(String),
    /// `assigned:name`: assigned to this teammate (the Mine filter is this with one's own `[me] name`).
    Assigned(String),
}

/// A parsed `/` query. The empty search matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("{term}: {field} wants a date like 2026-11-30")]
    BadDate { term: String, field: &'static str },
}

impl Search {
    /// Parses a query; dates are local days in `tz`.
    pub fn parse(query: &str, tz: FixedOffset) -> Result<Search, SearchError> {
        let mut terms = Vec::new();
        for word in query.split_whitespace() {
            let lower = word.to_lowercase();
            let term = if let Some(cat) = lower
                .strip_prefix("cat:")
                .or_else(|| lower.strip_prefix("category:"))
            {
                Term::Category(
                    Category::ALL
                        .into_iter()
                        .filter(|c| !cat.is_empty() && c.as_str().starts_with(cat))
                        .collect(),
                )
            } else if let Some(name) = lower.strip_prefix("customer:") {
                Term::Customer(name.to_string())
            } else if let Some(name) = word
                .get(..9)
                .filter(|p| p.eq_ignore_ascii_case("assigned:"))
                .and_then(|_| word.get(9..))
            {
                Term::Assigned(name.to_string())
            } else if lower == "is:open" {
                Term::Open
            } else if let Some(day) = lower.strip_prefix("since:") {
                Term::Since(local_midnight(day, tz, word, "since:")?)
            } else if let Some(day) = lower.strip_prefix("before:") {
                Term::Before(local_midnight(day, tz, word, "before:")?)
            } else if let Some(h) = lower.strip_prefix('@').filter(|h| !h.is_empty()) {
                Term::Handle(h.to_string())
            } else {
                Term::Text(lower)
            };
            terms.push(term);
        }
        Ok(Search { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `post` (by the customer named `customer`, if any) matches every term.
    pub fn matches(&self, post: &Post, customer: Option<&str>) -> bool {
        let customer = customer.map(str::to_lowercase);
        self.terms.iter().all(|term| match term {
            Term::Category(cats) => cats.contains(&post.triage.category),
            Term::Handle(h) => has_word_starting(&post.author.handle, h),
            Term::Customer(name) => customer
                .as_deref()
                .is_some_and(|c| c.contains(name.as_str())),
            Term::Open => post.is_open(),
            Term::Since(t) => post.created_at >= *t,
            Term::Before(t) => post.created_at < *t,
            // Assignments are not part of a post: a post arriving live has none yet.
            Term::Assigned(_) => false,
            Term::Text(t) => {
                has_word_starting(&post.text, t)
                    || has_word_starting(&post.author.handle, t)
                    || has_word_starting(&post.author.display_name, t)
                    || customer.as_deref().is_some_and(|c| c.contains(t.as_str()))
            }
        })
    }
}

/// The words of `needle` start consecutive words of `hay` (the last one may be a prefix), as a full-text index
/// with prefix queries finds them: `ring` finds "Rings", `late del` finds "late delivery", `ing` finds nothing.
fn has_word_starting(hay: &str, needle: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (hay, needle) = (words(hay), words(needle));
    let Some((last, whole)) = needle.split_last() else {
        return true;
    };
    hay.windows(needle.len())
        .any(|w| w[..whole.len()] == *whole && w[whole.len()].starts_with(last.as_str()))
}

fn local_midnight(
    day: &str,
    tz: FixedOffset,
    word: &str,
    field: &'static str,
) -> Result<DateTime<Utc>, SearchError> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(tz).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| SearchError::BadDate {
            term: word.to_string(),
            field,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    #[test]
    fn terms() {
        let s = Search::parse(
            "cat:comp @Maya customer:lee is:open Ring since:2026-11-01 assigned:Ana",
            utc(),
        )
        .unwrap();
        assert_eq!(
            s.terms,
            vec![
                Term::Category(vec![Category::Complaint]),
                Term::Handle("maya".into()),
                Term::Customer("lee".into()),
                Term::Open,
                Term::Text("ring".into()),
                Term::Since(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()),
                Term::Assigned("Ana".into()),
            ]
        );
        assert_eq!(
            Search::parse("cat:", utc()).unwrap().terms,
            vec![Term::Category(vec![])]
        );
    }

    #[test]
    fn dates_are_local_days_and_bad_ones_say_how() {
        let paris = FixedOffset::east_opt(3600).unwrap();
        let s = Search::parse("before:2026-11-02", paris).unwrap();
        assert_eq!(
            s.terms,
            vec![Term::Before(
                Utc.with_ymd_and_hms(2026, 11, 1, 23, 0, 0).unwrap()
            )]
        );
        let err = Search::parse("since:yesterday", paris).unwrap_err();
        assert_eq!(
            err.to_string(),
            "since:yesterday: since: wants a date like 2026-11-30"
        );
    }

    #[test]
    fn words_match_at_their_start() {
        assert!(has_word_starting("My RINGS never came", "ring"));
        assert!(has_word_starting("a late delivery again", "late del"));
        assert!(!has_word_starting("a late delivery", "ate"));
        assert!(has_word_starting("maya@mastodon.social", "mast"));
        assert!(has_word_starting("Café crème", "crè"));
    }
}
