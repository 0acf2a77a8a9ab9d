//! The saved-replies picker over the composer: the search line, the matching replies by name, the chosen
//! one's text, and its keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::centered;
use super::popup::input_line;
use super::popup_frame;
use crate::app::Command;
use crate::state::{AppState, ReplyPicker};
use crate::text::{join_fitting, truncate_width};

pub fn render(frame: &mut Frame, state: &AppState, area: Rect, picker: &ReplyPicker) {
    let matching = picker.matching(&state.reply_texts.saved);
    // Frame 2, search 1, preview 5, keys 1, and a row per reply (up to 11).
    let height = (matching.len().clamp(1, 11) as u16 + 9).min(area.height.saturating_sub(4));
    let rect = centered(area, area.width.saturating_sub(8).min(90), height);
    let inner = popup_frame(frame, state, rect, "Saved replies");
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(5),
            Constraint::Length(1),
        ])
        .split(inner);
    frame.render_widget(
        Paragraph::new(input_line(state, "find", &picker.query, true)),
        parts[0],
    );
    let width = usize::from(inner.width);
    // The chosen reply stays in sight in a long list.
    let rows = usize::from(parts[1].height).max(1);
    let first = picker.selected.saturating_sub(rows - 1);
    let mut list: Vec<Line> = matching
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, reply)| {
            let chosen = i == picker.selected;
            let style = if chosen {
                Style::default()
                    .bg(state.theme.selected_bg)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let marker = if chosen { "▸ " } else { "  " };
            Line::from(Span::styled(
                truncate_width(&format!("{marker}{}", reply.name), width),
                style,
            ))
        })
        .collect();
    if matching.is_empty() {
        list.push(Line::from(Span::styled(
            "no saved reply matches: Backspace widens the search",
            Style::default().fg(state.theme.muted),
        )));
    }
    frame.render_widget(Paragraph::new(list), parts[1]);
    if let Some(reply) = picker.chosen(&state.reply_texts.saved) {
        frame.render_widget(
            Paragraph::new(reply.text.as_str())
                .wrap(Wrap { trim: true })
                .style(Style::default().fg(state.theme.muted)),
            parts[2],
        );
    }
    let keys: Vec<String> = [Command::InsertReply, Command::ReplaceDraft]
        .into_iter()
        .map(|c| format!("{} {}", state.keymap.hint(c), c.hint_label()))
        .chain(["↑↓ choose".to_string(), "esc close".to_string()])
        .collect();
    frame.render_widget(
        Paragraph::new(Span::styled(
            join_fitting(&keys, "  ", width),
            Style::default().fg(state.theme.accent),
        )),
        parts[3],
    );
}
