//! The status bar: DEMO label, each source's health, unread and urgent counts, follow-ups due, a message, key
//! hints, the clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::Command;
use crate::app::router::hints;
use crate::sources::Health;
use crate::state::AppState;
use crate::text::{display_width, truncate_words};

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

/// A label in a coloured box; without colour, in reverse video.
fn label(state: &AppState, color: Color) -> Style {
    let style = Style::default().add_modifier(Modifier::BOLD);
    if state.theme.no_color {
        style.add_modifier(Modifier::REVERSED)
    } else {
        style.fg(Color::Black).bg(color)
    }
}

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let muted = Style::default().fg(state.theme.muted);
    let mut left = Vec::new();
    if state.demo {
        left.push(Span::styled(" DEMO ", label(state, state.theme.question)));
        left.push(Span::raw(" "));
    }
    if let Some(check_in) = state.check_in.as_ref().filter(|c| c.running()) {
        let left_secs = check_in.remaining_secs(state.now);
        left.push(Span::styled(
            format!(" CHECK-IN {}:{:02} ", left_secs / 60, left_secs % 60),
            label(state, state.theme.accent),
        ));
        left.push(Span::raw(" "));
    }
    let mut sources = Vec::new();
    for (name, health) in &state.sources {
        let (label, color) = health_dot(state, health);
        sources.push(vec![
            Span::styled("● ", Style::default().fg(color)),
            Span::styled(format!("{name} {label}  "), muted),
        ]);
    }
    let urgent = state.urgent_count();
    let mut counts = vec![
        vec![Span::styled(
            format!("{} unread  ", crate::text::thousands(state.reads.total)),
            Style::default().fg(state.theme.accent),
        )],
        vec![Span::styled(
            format!("{} urgent  ", crate::text::thousands(urgent as u64)),
            if urgent > 0 {
                Style::default()
                    .fg(state.theme.urgent)
                    .add_modifier(Modifier::BOLD)
            } else {
                muted
            },
        )],
    ];
    let due = state.due_follow_ups().count();
    if due > 0 {
        counts.push(vec![Span::styled(
            format!("{}  ", super::follow_ups_due(due)),
            Style::default()
                .fg(state.theme.question)
                .add_modifier(Modifier::BOLD),
        )]);
    }
    let clock = state.local(state.now).format(" %H:%M ").to_string();
    let clock_width = clock.len() as u16;
    // `? help` always shows: the way to every other key. The message and the hints share what is left.
    let help = [
        Span::styled(
            format!("{} ", state.keymap.hint(Command::Help)),
            Style::default().fg(state.theme.accent),
        ),
        Span::styled(format!("{} ", Command::Help.hint_label()), muted),
    ];
    let help_width: usize = help.iter().map(|s| display_width(&s.content)).sum();
    let room = (area.width.saturating_sub(clock_width) as usize).saturating_sub(help_width);
    // Whole parts only, in order of need. A message is news: it takes the room of the sources' health (the
    // Sources view has it) and then of the follow-ups count, to show whole where it can.
    let width = |spans: &[Span]| -> usize { spans.iter().map(|s| display_width(&s.content)).sum() };
    let wanted = state
        .flash
        .as_ref()
        .map_or(0, |(text, _)| display_width(text) + 2);
    while counts.len() > 2
        && wanted > 0
        && width(&left) + counts.iter().map(|c| width(c)).sum::<usize>() + wanted > room
    {
        counts.pop();
    }
    let counts_width: usize = counts.iter().map(|c| width(c)).sum();
    for source in sources {
        if width(&left) + width(&source) + counts_width + wanted <= room {
            left.extend(source);
        }
    }
    left.extend(counts.into_iter().flatten());
    let mut used = width(&left);
    if let Some((text, _)) = &state.flash {
        let text = truncate_words(text, room.saturating_sub(used + 2));
        left.push(Span::styled(
            format!("{text}  "),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    } else {
        // Hints only where they fit whole, most useful first.
        for command in hints(state).into_iter().filter(|c| *c != Command::Help) {
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
    // Each part in its own area, so a long left part can never push `? help` or the clock off.
    let text_area = Rect {
        width: room.min(area.width as usize) as u16,
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(left)), text_area);
    let help_area = Rect {
        x: area.x + text_area.width,
        width: (help_width as u16).min(area.width.saturating_sub(text_area.width)),
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(help.to_vec())), help_area);
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
