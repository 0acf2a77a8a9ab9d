//! A team on one workspace on screen: the assignee column and presence marker on list rows, the line in
//! Detail ("assigned to ana · ben is replying"), and the assign picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation;

use super::layout::centered;
use super::popup_frame;
use crate::app::Command;
use crate::domain::{Doing, Post};
use crate::state::AppState;
use crate::state::team::AssignPicker;
use crate::text::truncate_width;

/// The assignee column's width in a list pane `pane` columns wide: two letters in a narrow pane, four at 80
/// columns, a name cut short in a wide one (the presence marker goes before it, a space after).
pub(super) fn column_width(pane: usize) -> usize {
    match pane {
        ..60 => 2,
        60..100 => 4,
        _ => 8,
    }
}

/// The row's team column: a presence marker (`▸` someone is replying, `◇` viewing) and who has the post ("me"
/// for mine); `None` when the workspace has no assignment and nobody else is about (a person alone sees the
/// rows as they always were).
pub(super) fn row_column(state: &AppState, post: &Post, pane: usize) -> Option<Vec<Span<'static>>> {
    let team = &state.team;
    if team.view.assignees.is_empty() && team.view.present.is_empty() {
        return None;
    }
    let at = team.at(post.id);
    let marker = match at.first().map(|p| p.doing) {
        Some(Doing::Replying) => "▸",
        Some(Doing::Viewing) => "◇",
        None => " ",
    };
    let name = match team.assignee(post.id) {
        Some(a) if a == team.me => "me",
        Some(a) => a,
        None => "",
    };
    let width = column_width(pane);
    // An ellipsis in a short column would leave a letter or two less of the name.
    let name = if width < 8 {
        first_letters(name, width)
    } else {
        truncate_width(name, width)
    };
    let pad = width.saturating_sub(crate::text::display_width(&name));
    Some(vec![
        Span::styled(marker, Style::default().fg(state.theme.accent)),
        Span::styled(
            format!("{name}{} ", " ".repeat(pad)),
            Style::default().fg(state.theme.muted),
        ),
    ])
}

/// The start of a name, `width` columns at most, without an ellipsis.
fn first_letters(name: &str, width: usize) -> String {
    let mut used = 0;
    name.graphemes(true)
        .take_while(|g| {
            used += crate::text::grapheme_width(g);
            used <= width
        })
        .collect()
}

/// Detail's team line: who has the post, and what teammates are doing with it.
pub(super) fn detail_line(state: &AppState, post: &Post) -> Option<Line<'static>> {
    let team = &state.team;
    let mut spans = Vec::new();
    if let Some(a) = team.assignee(post.id) {
        let who = if a == team.me { "you" } else { a };
        spans.push(Span::styled(
            format!("assigned to {who}"),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(doing) = team.presence_line(post.id) {
        if !spans.is_empty() {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled(
            doing,
            Style::default()
                .fg(state.theme.accent)
                .add_modifier(Modifier::BOLD),
        ));
    }
    (!spans.is_empty()).then(|| Line::from(spans))
}

pub(super) fn picker(frame: &mut Frame, state: &AppState, area: Rect, picker: &AssignPicker) {
    let height = (picker.names.len() as u16)
        .saturating_add(6)
        .min(area.height);
    let rect = centered(area, 44, height);
    let inner = popup_frame(frame, state, rect, "Assign to");
    let muted = Style::default().fg(state.theme.muted);
    let now = state.team.assignee(picker.post);
    let mut lines = vec![Line::from(Span::styled(
        match now {
            Some(a) => format!("now: {a}"),
            None => "now: nobody".to_string(),
        },
        muted,
    ))];
    for (i, name) in picker.names.iter().enumerate() {
        let chosen = i == picker.selected;
        let style = if chosen {
            Style::default()
                .bg(state.theme.selected_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let me = if *name == state.team.me { " (me)" } else { "" };
        let mark = if chosen { "▸" } else { " " };
        lines.push(Line::from(Span::styled(
            truncate_width(&format!("{mark} {name}{me}"), inner.width as usize),
            style,
        )));
    }
    lines.push(Line::default());
    let first = |c| state.keymap.labels(c).first().cloned().unwrap_or_default();
    lines.push(Line::from(Span::styled(
        format!(
            "{} {} choose",
            first(Command::PrevPost),
            first(Command::NextPost)
        ),
        muted,
    )));
    lines.push(super::popup::answers(state, "assign", "cancel"));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
