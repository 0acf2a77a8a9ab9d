//! The status bar: DEMO label, each source's health, unread and urgent counts, follow-ups due, a message, key
//! hints, the clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::router::hints;
use crate::sources::Health;
use crate::state::AppState;
use crate::text::display_width;

fn health_dot(state: &AppState, health: &Health) -> (String, Color) {
    match health {
        Health::Live => ("live".into(), state.theme.praise),
        Health::Polling => ("polling".into(), state.theme.praise),
        Health::Connecting => ("connecting".into(), state.theme.question),
        Health::Finished(_) => ("done".into(), state.theme.muted),
        // A source that stopped (an error, a spent read budget) brings nothing until someone acts.
        Health::Disabled(_) => ("off".into(), state.theme.urgent),
        Health::BackingOff { until, .. } => (
            format!("retry {}", state.local(*until).format("%H:%M:%S")),
            state.theme.question,
        ),
        Health::AuthFailed(_) => ("auth failed".into(), state.theme.urgent),
        Health::Degraded(_) => ("degraded".into(), state.theme.question),
        Health::StreamingOff(_) => ("polling".into(), state.theme.praise),
        Health::Stale(_) => ("stale".into(), state.theme.question),
    }
}

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let muted = Style::default().fg(state.theme.muted);
    let mut left = Vec::new();
    if state.demo {
        left.push(Span::styled(
            " DEMO ",
            Style::default()
                .fg(Color::Black)
                .bg(state.theme.question)
                .add_modifier(Modifier::BOLD),
        ));
        left.push(Span::raw(" "));
    }
    if let Some(check_in) = &state.check_in {
        let left_secs = check_in.remaining_secs(state.now);
        left.push(Span::styled(
            format!(" CHECK-IN {}:{:02} ", left_secs / 60, left_secs % 60),
            Style::default()
                .fg(Color::Black)
                .bg(state.theme.accent)
                .add_modifier(Modifier::BOLD),
        ));
        left.push(Span::raw(" "));
    }
    for (name, health) in &state.sources {
        let (label, color) = health_dot(state, health);
        left.push(Span::styled("● ", Style::default().fg(color)));
        left.push(Span::styled(format!("{name} {label}  "), muted));
    }
    let urgent = state.urgent_count();
    left.push(Span::styled(
        format!("{} unread  ", crate::text::thousands(state.reads.total)),
        Style::default().fg(state.theme.accent),
    ));
    left.push(Span::styled(
        format!("{} urgent  ", crate::text::thousands(urgent as u64)),
        if urgent > 0 {
            Style::default()
                .fg(state.theme.urgent)
                .add_modifier(Modifier::BOLD)
        } else {
            muted
        },
    ));
    let due = state.due_follow_ups().count();
    if due > 0 {
        left.push(Span::styled(
            format!("{}  ", super::follow_ups_due(due)),
            Style::default()
                .fg(state.theme.question)
                .add_modifier(Modifier::BOLD),
        ));
    }
    let clock = state.local(state.now).format(" %H:%M ").to_string();
    let clock_width = clock.len() as u16;
    if let Some((text, _)) = &state.flash {
        left.push(Span::styled(
            format!("{text}  "),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    } else {
        // Hints only where they fit whole, most useful first.
        let mut used: usize = left.iter().map(|s| display_width(&s.content)).sum();
        let room = area.width.saturating_sub(clock_width) as usize;
        for command in hints(state) {
            let key = format!("{} ", state.keymap.hint(command));
            let label = format!("{}  ", command.hint_label());
            let width = display_width(&key) + display_width(&label);
            if used + width > room {
                break;
            }
            used += width;
            left.push(Span::styled(key, Style::default().fg(state.theme.accent)));
            left.push(Span::styled(label, muted));
        }
    }
    let text_area = Rect {
        width: area.width.saturating_sub(clock_width),
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(left)), text_area);
    let clock_area = Rect {
        x: area.right().saturating_sub(clock_width),
        width: clock_width.min(area.width),
        ..area
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            clock,
            Style::default().add_modifier(Modifier::BOLD),
        )),
        clock_area,
    );
}
