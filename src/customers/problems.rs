//! Why an import was refused: every bad line or row of the source, each naming its place, column, what is
//! wrong and the fix, in the order of the source. Nothing is written while there is one.

use super::table::Place;

/// Lines shown before "and N more": enough to see the pattern, few enough to read.
const SHOWN: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Problems {
    origin: String,
    /// By place (problems with the whole source first), in the order found.
    lines: Vec<(Option<Place>, String)>,
}

impl Problems {
    pub fn new(origin: &str) -> Problems {
        Problems {
            origin: origin.to_string(),
            lines: Vec::new(),
        }
    }

    /// One problem with the whole source (missing file, missing column, a refused query).
    pub fn one(origin: &str, what: impl Into<String>) -> Problems {
        let mut p = Problems::new(origin);
        p.push(what);
        p
    }

    /// A problem with the whole source ("no column `id`...").
    pub fn push(&mut self, what: impl Into<String>) {
        let i = self.lines.partition_point(|(p, _)| p.is_none());
        self.lines.insert(i, (None, what.into()));
    }

    /// A problem at one line or row, in one column if given: "line 7, column spend: ...".
    pub fn at(&mut self, place: Place, column: Option<&str>, what: impl std::fmt::Display) {
        let text = match column {
            Some(column) => format!("{place}, column {column}: {what}"),
            None => format!("{place}: {what}"),
        };
        let i = self.lines.partition_point(|(p, _)| *p <= Some(place));
        self.lines.insert(i, (Some(place), text));
    }

    /// Another reader's or step's problems, kept in place order.
    pub fn extend(&mut self, other: Problems) {
        for (place, text) in other.lines {
            let i = self.lines.partition_point(|(p, _)| *p <= place);
            self.lines.insert(i, (place, text));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// `Ok(value)` when nothing was found wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// The first problem, and how many more: one line for the status bar.
    pub fn summary(&self) -> String {
        let first = self.lines.first().map_or("", |(_, t)| t.as_str());
        match self.lines.len() {
            0 | 1 => format!("{}: {first}", self.origin),
            n => format!("{}: {first} (and {} more)", self.origin, n - 1),
        }
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (_, line) in self.lines.iter().take(SHOWN) {
            writeln!(f, "{}: {line}", self.origin)?;
        }
        if self.lines.len() > SHOWN {
            writeln!(f, "{}: and {} more", self.origin, self.lines.len() - SHOWN)?;
        }
        write!(
            f,
            "nothing was imported; the stored customers are kept (fix the source and import again)"
        )
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_with_a_count_and_summarised_in_one_line() {
        let mut p = Problems::new("shop.csv");
        for line in (2..30).rev() {
            p.at(Place::Line(line), Some("id"), "empty");
        }
        p.push("no column `note`");
        let text = p.to_string();
        assert_eq!(text.lines().count(), SHOWN + 2);
        assert!(
            text.starts_with("shop.csv: no column `note`\nshop.csv: line 2, column id: empty\n"),
            "in the source's order: {text}"
        );
        assert!(text.contains("shop.csv: line 20, column id: empty\nshop.csv: and 9 more\n"));
        assert_eq!(p.summary(), "shop.csv: no column `note` (and 28 more)");
        assert_eq!(
            Problems::one("x.db", "no such table").summary(),
            "x.db: no such table"
        );
    }
}
