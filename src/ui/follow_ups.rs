//! The Follow-ups view, full screen: the open follow-ups (overdue first, then today, then upcoming), each with
//! whom it is about, when it is due, why (its note and the post) and the shop's last contact; Detail shows the
//! selected one's post beside (wide) or below (narrow) the list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph};

use super::{ago, pane_block};
use crate::app::Command;
use crate::domain::FollowUp;
use crate::state::AppState;
use crate::state::follow_ups::{Due, due_label};
use crate::text::{display_width, one_line, truncate_width, truncate_words};

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let (list, detail) = if area.width >= super::layout::WIDE {
        split(area, Direction::Horizontal, Constraint::Percentage(60))
    } else {
        split(area, Direction::Vertical, Constraint::Percentage(55))
    };
    render_list(frame, state, list);
    super::detail::render(frame, state, detail);
}

fn split(area: Rect, direction: Direction, first: Constraint) -> (Rect, Rect) {
    let parts = Layout::default()
        .direction(direction)
        .constraints([first, Constraint::Min(4)])
        .split(area);
    (parts[0], parts[1])
}

fn render_list(frame: &mut Frame, state: &AppState, area: Rect) {
    let rows = state.open_follow_ups();
    let today = state.today();
    let due = rows
        .iter()
        .filter(|f| Due::of(f.due, today).is_due())
        .count();
    let mut title = vec![Span::styled(
        " Follow-ups ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if !rows.is_empty() {
        title.push(Span::styled(
            format!("{due} due · {} upcoming ", rows.len() - due),
            Style::default().fg(state.theme.muted),
        ));
    }
    let title = Line::from(title);
    let focused = !state.detail_focused && state.composer.is_none() && state.popup.is_none();
    let block = pane_block(state, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        let text = format!(
            "No follow-ups. Schedule one with {} on a post.",
            state.keymap.hint(Command::ScheduleFollowUp)
        );
        frame.render_widget(
            Paragraph::new(text).style(Style::default().fg(state.theme.muted)),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    // Two lines a row.
    super::list::windowed(
        frame,
        state,
        inner,
        &rows,
        state.follow_up_index(),
        2,
        |f| ListItem::new(row(state, f, width)),
    );
}

/// "overdue 3 days  Priya Raman  · last contact 2d ago" over "   check the ring fits · “still waiting on…”".
fn row(state: &AppState, f: &FollowUp, width: usize) -> Vec<Line<'static>> {
    let muted = Style::default().fg(state.theme.muted);
    let when = due_label(f.due, state.today());
    let when_style = match Due::of(f.due, state.today()) {
        Due::Overdue(_) => Style::default()
            .fg(state.theme.urgent)
            .add_modifier(Modifier::BOLD),
        Due::Today => Style::default()
            .fg(state.theme.question)
            .add_modifier(Modifier::BOLD),
        Due::Upcoming => muted,
    };
    let who = truncate_width(&state.follow_up_who(f), 28);
    let contact = state.follow_up_view.last_contact.get(&f.id).map(|at| {
        match at.map(|at| ago(state.now, at)) {
            None => "no contact yet".to_string(),
            Some(now) if now == "now" => "last contact just now".to_string(),
            // "2d" reads "2d ago"; an older contact is a date ("Oct 23").
            Some(recent) if recent.starts_with(|c: char| c.is_ascii_digit()) => {
                format!("last contact {recent} ago")
            }
            Some(date) => format!("last contact {date}"),
        }
    });
    let head = format!("{when:<15} ");
    let used = display_width(&head) + display_width(&who);
    let mut first = vec![
        Span::styled(head, when_style),
        Span::styled(who, Style::default().add_modifier(Modifier::BOLD)),
    ];
    if let Some(contact) = contact {
        first.push(Span::styled(
            truncate_width(&format!("  · {contact}"), width.saturating_sub(used)),
            muted,
        ));
    }
    let first = Line::from(first);
    let room = width.saturating_sub(3);
    let note = truncate_width(&one_line(&f.note), room);
    let post = f
        .post
        .and_then(|p| state.posts.get(p))
        .map(|p| one_line(&p.text))
        .filter(|t| !t.is_empty());
    let mut second = vec![Span::raw("   "), Span::raw(note.clone())];
    if let Some(text) = post {
        let sep = if note.is_empty() { "" } else { " · " };
        let left = room.saturating_sub(display_width(&note) + sep.len() + 2);
        if left >= 8 {
            second.push(Span::styled(
                format!("{sep}“{}”", truncate_words(&text, left)),
                muted,
            ));
        }
    } else if note.is_empty() {
        second.push(Span::styled("(no note)", muted));
    }
    vec![first, Line::from(second)]
}
