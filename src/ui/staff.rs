//! Who did it, as a cell of the Log and Detail: the `[me] name` cut to fit, initials where a pane is narrow,
//! "—" for work from before names were kept.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::domain::PostId;
use crate::state::AppState;
use crate::text::{display_width, truncate_width};

/// Below this many columns a name shows as initials.
const INITIALS_BELOW: usize = 6;

/// `name` in exactly `width` columns (padded): whole when it fits, else cut with "…" or, in fewer than
/// [`INITIALS_BELOW`] columns, its initials ("Ana Kowalska" -> "AK", "ana" -> "A"); "—" when unknown.
pub(super) fn staff_cell(name: &str, width: usize) -> String {
    let shown = match name.trim() {
        "" => "—".to_string(),
        name if display_width(name) <= width => name.to_string(),
        name if width < INITIALS_BELOW => {
            let initials: String = name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_uppercase)
                .collect();
            truncate_width(&initials, width)
        }
        name => truncate_width(name, width),
    };
    let pad = width.saturating_sub(display_width(&shown));
    format!("{shown}{}", " ".repeat(pad))
}

/// " · by Ana" after a time; nothing when who did it was never recorded.
pub(super) fn by(name: &str) -> String {
    match name.trim() {
        "" => String::new(),
        name => format!(" · by {name}"),
    }
}

/// Detail's "✎ Ana has a draft": teammates writing to this post too (their text is theirs, never loaded here).
pub(super) fn team_drafts(state: &AppState, post: PostId) -> Option<Span<'static>> {
    let names = state.team_drafts.get(&post).filter(|n| !n.is_empty())?;
    let text = match names.as_slice() {
        [one] => format!("  ✎ {one} has a draft"),
        [rest @ .., last] => format!("  ✎ {} and {last} have drafts", rest.join(", ")),
        [] => return None,
    };
    Some(Span::styled(
        text,
        Style::default().fg(state.theme.question),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_their_cell_aligned() {
        assert_eq!(staff_cell("Ana", 10), "Ana       ");
        assert_eq!(staff_cell("Anastasia Kowalska", 10), "Anastasia…");
        assert_eq!(staff_cell("Ana Kowalska", 3), "AK ");
        assert_eq!(staff_cell("bartholomew", 3), "B  ");
        assert_eq!(staff_cell("", 3), "—  ");
        assert_eq!(staff_cell("Zoë", 3), "Zoë");
        for (name, width) in [
            ("Ana Kowalska", 3),
            ("李小龍 王", 3),
            ("x", 10),
            ("李小龍李小龍", 7),
        ] {
            assert_eq!(display_width(&staff_cell(name, width)), width, "{name}");
        }
    }
}
