//! The status bar: DEMO label, an alert (a spike going on, or the latest alert where no desktop notification
//! shows it), each source's health, unread counts and the open Attention items, follow-ups due, a message (or a
//! database taking no writes), key hints, the clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::router::hints;
use crate::app::{Command, Writer};
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

/// The status bar's message: the latest news, or else a database that takes no writes (it stays until it does).
fn message(state: &AppState) -> Option<(String, Style)> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    if let Some((text, _)) = &state.flash {
        return Some((text.clone(), bold));
    }
    let why = state.unwritable.values().next()?;
    let waiting: Vec<_> = state
        .unwritable
        .keys()
        .map(|writer| match writer {
            Writer::Ingest => "fetched posts",
            Writer::Work => "your work",
        })
        .collect();
    Some((
        format!("{why}; {} kept, written when it can", waiting.join(" and ")),
        bold.fg(state.theme.urgent),
    ))
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
    // An alert is news that lasts: it takes the room of the sources' health and the hints. A message is
    // fresher news: while it shows, the alert keeps only its label.
    let alert = alert_label(state);
    if let Some(name) = alert {
        left.push(Span::styled(
            format!(" {name} "),
            label(state, state.theme.urgent),
        ));
        left.push(Span::raw(" "));
    }
    let mut sources = Vec::new();
    // On a shared workspace: the live link to the other consoles, and who runs the sources.
    if state.live.shared {
        let color = if state.live.down.is_some() {
            state.theme.urgent
        } else {
            state.theme.praise
        };
        // Where the whole label does not fit (80 columns), the link alone: its loss must not go unsaid.
        let link = if state.live.down.is_some() {
            "live down"
        } else {
            "live"
        };
        let dot = Span::styled("● ", Style::default().fg(color));
        sources.push(vec![
            vec![
                dot.clone(),
                Span::styled(format!("{}  ", state.live.label()), muted),
            ],
            vec![dot, Span::styled(format!("{link}  "), muted)],
        ]);
    }
    for (name, health) in &state.sources {
        let (label, color) = health_dot(state, health);
        sources.push(vec![vec![
            Span::styled("● ", Style::default().fg(color)),
            Span::styled(format!("{name} {label}  "), muted),
        ]]);
    }
    let to_answer = state.to_answer_count();
    let mut counts = vec![
        vec![Span::styled(
            format!("{} unread  ", crate::text::thousands(state.reads.total)),
            Style::default().fg(state.theme.accent),
        )],
        vec![Span::styled(
            format!("{} open  ", crate::text::thousands(to_answer as u64)),
            if to_answer > 0 {
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
    let message = message(state);
    let flash_wanted = message
        .as_ref()
        .map_or(0, |(text, _)| display_width(text) + 2);
    let alert_wanted = if alert.is_some() && flash_wanted == 0 {
        display_width(&alert_text(state, usize::MAX)) + 2
    } else {
        0
    };
    let wanted = flash_wanted + alert_wanted;
    while counts.len() > 2
        && wanted > 0
        && width(&left) + counts.iter().map(|c| width(c)).sum::<usize>() + wanted > room
    {
        counts.pop();
    }
    let counts_width: usize = counts.iter().map(|c| width(c)).sum();
    if alert_wanted > 0 {
        let free = room.saturating_sub(width(&left) + counts_width);
        let text = alert_text(state, alert_wanted.min(free).saturating_sub(2));
        // A word or two is not worth showing: the label alone says there is something.
        if display_width(&text) >= 8 {
            left.push(Span::styled(
                format!("{text}  "),
                Style::default()
                    .fg(state.theme.urgent)
                    .add_modifier(Modifier::BOLD),
            ));
        }
    }
    for forms in sources {
        if let Some(form) = forms
            .into_iter()
            .find(|form| width(&left) + width(form) + counts_width + flash_wanted <= room)
        {
            left.extend(form);
        }
    }
    left.extend(counts.into_iter().flatten());
    let mut used = width(&left);
    if let Some((text, style)) = message {
        let text = truncate_words(&text, room.saturating_sub(used + 2));
        left.push(Span::styled(format!("{text}  "), style));
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

/// The alert the bar shows: the latest one where no desktop notification showed it, else the spikes going on.
fn alert_label(state: &AppState) -> Option<&'static str> {
    let alerts = &state.alerts;
    if alerts.banner.is_some() {
        Some("ALERT")
    } else if !alerts.spikes.is_empty() {
        Some("SPIKE")
    } else {
        None
    }
}

/// What the alert says, within `width` columns.
fn alert_text(state: &AppState, width: usize) -> String {
    if let Some(banner) = &state.alerts.banner {
        return truncate_words(banner, width);
    }
    let spikes: Vec<String> = state
        .alerts
        .spikes
        .iter()
        .map(|s| s.status(width))
        .collect();
    crate::text::join_fitting(&spikes, " · ", width)
}
