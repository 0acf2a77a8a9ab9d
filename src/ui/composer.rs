//! The reply composer over the post: the post quoted, the textarea, the length counter and the coach's hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::layout::centered;
use super::popup_frame;
use crate::domain::DraftState;
use crate::state::AppState;
use crate::text::one_line;

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let Some(composer) = state.composer.as_ref() else {
        return;
    };
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2).min(22),
    );
    let post = state.posts.get(composer.post);
    let who = post
        .map(|p| format!("@{}", p.author.handle))
        .unwrap_or_default();
    let inner = popup_frame(
        frame,
        state,
        rect,
        &format!("Reply to {who} on {}", composer.network),
    );
    // The network's notice goes first and may take two rows; the coach's hints share the rest.
    let notice_rows = composer.notice.as_ref().map_or(0, |n| {
        let width = usize::from(area.width.saturating_sub(6).min(96)).max(1);
        (crate::text::display_width(n) / width + 1).min(2) as u16
    });
    let hint_rows = (composer.hints.len() as u16).min(4 - notice_rows);
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(notice_rows),
            Constraint::Length(hint_rows),
        ])
        .split(inner);
    let quoted = post.map(|p| one_line(&p.text)).unwrap_or_default();
    frame.render_widget(
        Paragraph::new(quoted)
            .wrap(Wrap { trim: true })
            .style(Style::default().fg(state.theme.muted)),
        parts[0],
    );
    let mut textarea = composer.textarea.clone();
    textarea.set_block(
        Block::default()
            .borders(Borders::TOP)
            .border_style(Style::default().fg(state.theme.muted)),
    );
    textarea.set_cursor_line_style(Style::default());
    textarea.set_placeholder_text("Greet them by name, help first, offer a next step…");
    frame.render_widget(&textarea, parts[1]);

    let (used, max) = composer.length();
    let count_style = if used > max {
        Style::default()
            .fg(state.theme.urgent)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(state.theme.muted)
    };
    let mut status = vec![Span::styled(format!("{used}/{max}  "), count_style)];
    match (&composer.state, composer.sending, composer.resolving) {
        (_, true, _) => status.push(Span::styled(
            "sending…  ",
            Style::default().fg(state.theme.question),
        )),
        (_, _, true) => status.push(Span::styled(
            "checking whether it went out…  ",
            Style::default().fg(state.theme.question),
        )),
        (DraftState::Unconfirmed(_), _, _) => status.push(Span::styled(
            "send unconfirmed, text locked  ",
            Style::default()
                .fg(state.theme.urgent)
                .add_modifier(Modifier::BOLD),
        )),
        (DraftState::Failed(why), _, _) => status.push(Span::styled(
            format!("last send failed: {why}  "),
            Style::default().fg(state.theme.urgent),
        )),
        _ if composer.unsaved_since.is_some() => status.push(Span::styled(
            "editing  ",
            Style::default().fg(state.theme.muted),
        )),
        _ => status.push(Span::styled(
            "draft saved  ",
            Style::default().fg(state.theme.muted),
        )),
    }
    for command in crate::app::router::hints(state) {
        status.push(Span::styled(
            format!("{} ", state.keymap.hint(command)),
            Style::default().fg(state.theme.accent),
        ));
        status.push(Span::styled(
            format!("{}  ", command.hint_label()),
            Style::default().fg(state.theme.muted),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(status)), parts[2]);
    if let Some(notice) = &composer.notice {
        let style = Style::default()
            .fg(state.theme.urgent)
            .add_modifier(Modifier::BOLD);
        frame.render_widget(
            Paragraph::new(Span::styled(format!("! {notice}"), style)).wrap(Wrap { trim: true }),
            parts[3],
        );
    }
    let hints: Vec<Line> = composer
        .hints
        .iter()
        .take(hint_rows as usize)
        .map(|h| {
            Line::from(Span::styled(
                crate::text::truncate_words(&format!("· {}", h.message), parts[4].width as usize),
                Style::default().fg(state.theme.question),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(hints), parts[4]);
}
