//! Where panes go, as a pure function of the terminal size: three columns on wide screens, one list and the
//! Detail pane on narrow ones (80x24 up).

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::state::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    /// List panes shown, with their areas.
    pub lists: Vec<(Pane, Rect)>,
    /// A line of pane tabs (narrow layout only).
    pub tabs: Option<Rect>,
    pub detail: Rect,
    /// The filter line or the status bar's first line.
    pub filter: Option<Rect>,
    pub status: Rect,
}

pub const WIDE: u16 = 120;

/// `panes` are the list panes in their order (the first is Regulars, or History in its place); `columns` the
/// relative widths of the wide layout's three columns.
pub fn areas(
    area: Rect,
    panes: [Pane; 4],
    focus: Pane,
    columns: [u16; 3],
    filter_line: bool,
) -> Areas {
    let mut rows = vec![Constraint::Min(3)];
    if filter_line {
        rows.push(Constraint::Length(1));
    }
    rows.push(Constraint::Length(1));
    let v = Layout::default()
        .direction(Direction::Vertical)
        .constraints(rows)
        .split(area);
    let (main, filter, status) = if filter_line {
        (v[0], Some(v[1]), v[2])
    } else {
        (v[0], None, v[1])
    };

    if area.width >= WIDE {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints(columns.map(|w| Constraint::Fill(w.max(1))))
            .split(main);
        let left = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(55), Constraint::Percentage(45)])
            .split(cols[0]);
        let middle = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(65), Constraint::Percentage(35)])
            .split(cols[1]);
        Areas {
            lists: vec![
                (panes[0], left[0]),
                (panes[1], left[1]),
                (panes[2], middle[0]),
                (panes[3], middle[1]),
            ],
            tabs: None,
            detail: cols[2],
            filter,
            status,
        }
    } else {
        let parts = Layout::default()
            .direction(Direction::Vertical)
            .constraints([
                Constraint::Length(1),
                Constraint::Percentage(50),
                Constraint::Min(4),
            ])
            .split(main);
        Areas {
            lists: vec![(focus, parts[1])],
            tabs: Some(parts[0]),
            detail: parts[2],
            filter,
            status,
        }
    }
}

/// A centred rectangle for popups, clamped to the area.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_shows_every_pane_narrow_shows_the_focused_one() {
        let panes = [Pane::History, Pane::Mentions, Pane::Attention, Pane::Log];
        let wide = areas(
            Rect::new(0, 0, 160, 45),
            panes,
            Pane::Regulars,
            [1, 2, 1],
            false,
        );
        assert_eq!(
            wide.lists[2].1.width, 80,
            "Attention takes the half its weight asks for"
        );
        assert_eq!(wide.lists[0].0, Pane::History);
        assert_eq!(wide.lists.len(), 4);
        assert_eq!(wide.status.y, 44);
        let narrow = areas(
            Rect::new(0, 0, 80, 24),
            panes,
            Pane::Mentions,
            [1, 2, 1],
            true,
        );
        assert_eq!(narrow.lists.len(), 1);
        assert_eq!(narrow.lists[0].0, Pane::Mentions);
        assert!(narrow.tabs.is_some() && narrow.filter.is_some());
        assert!(narrow.detail.height >= 4);
    }

    #[test]
    fn centered_is_clamped() {
        let r = centered(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!((r.x, r.width, r.y, r.height), (0, 80, 7, 10));
    }
}
