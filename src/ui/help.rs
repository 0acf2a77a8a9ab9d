//! The help overlay, generated from the keymap: never typed by hand.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::centered;
use super::popup_frame;
use crate::app::command::{Command, Group};
use crate::state::AppState;

pub fn lines(state: &AppState) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for group in [
        Group::Move,
        Group::Work,
        Group::View,
        Group::Composer,
        Group::Picker,
        Group::Confirm,
    ] {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(
            group.title(),
            Style::default()
                .fg(state.theme.accent)
                .add_modifier(Modifier::BOLD),
        )));
        for command in Command::ALL.into_iter().filter(|c| c.group() == group) {
            let keys = state.keymap.labels(command).join(" ");
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {keys:<16}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(command.desc()),
            ]));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        "Filter: text, @handle, customer:name, cat:complaint|distress|question|praise, is:open",
        Style::default().fg(state.theme.muted),
    )));
    out
}

pub fn render(frame: &mut Frame, state: &AppState, area: Rect, scroll: u16) {
    let lines = lines(state);
    // As wide as its longest line where there is room, else the width there is, wrapping.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let rect = centered(
        area,
        (widest + 2).min(area.width.saturating_sub(4)),
        area.height.saturating_sub(2),
    );
    let inner = popup_frame(frame, state, rect, "Help · Esc closes · j/k scroll");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
