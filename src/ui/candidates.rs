//! The popups that find a customer's handles (candidates per network, one to link) and unlink one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout::centered;
use super::popup::answers;
use super::popup_frame;
use crate::app::Command;
use crate::domain::Candidate;
use crate::state::AppState;
use crate::state::handles::{CandidatesPopup, UnlinkPopup};
use crate::text::{display_width, one_line, thousands, truncate_width, truncate_words};

pub fn candidates(frame: &mut Frame, state: &AppState, area: Rect, popup: &CandidatesPopup) {
    let name = state
        .customers
        .get(&popup.customer)
        .map_or("the customer", |c| c.name.as_str());
    // The width first: the lines are laid out for it, then the height fits them.
    let width = centered(area, 100, 1).width.saturating_sub(2) as usize;
    let muted = Style::default().fg(state.theme.muted);
    let mut lines = Vec::new();
    // The line of the selected candidate, to keep it in view.
    let mut selected_line = 0;
    let mut index = 0;
    for (network, found) in &popup.found {
        lines.push(Line::from(Span::styled(
            network.to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        )));
        match found {
            Err(why) => {
                // Under the network's heading, its name need not be said again.
                let why = why.strip_prefix(&format!("{network} ")).unwrap_or(why);
                lines.extend(wrap(why, width.saturating_sub(2)).into_iter().map(|l| {
                    Line::from(Span::styled(
                        format!("  {l}"),
                        Style::default().fg(state.theme.urgent),
                    ))
                }))
            }
            Ok(found) if found.is_empty() => {
                lines.push(Line::from(Span::styled("  no candidates", muted)))
            }
            Ok(found) => {
                for c in found {
                    let selected = index == popup.selected;
                    if selected {
                        selected_line = lines.len();
                    }
                    lines.extend(candidate(state, c, selected, width));
                    index += 1;
                }
            }
        }
    }
    if !popup.searching.is_empty() {
        let networks: Vec<&str> = popup.searching.iter().map(|n| n.as_str()).collect();
        lines.push(Line::from(Span::styled(
            format!("searching {}…", networks.join(", ")),
            muted,
        )));
    }
    let keys = |c| state.keymap.labels(c).join("/");
    let footer = vec![
        Line::from(Span::styled(
            format!(
                "{} {} choose · a new handle is followed from the next start",
                keys(Command::NextPost),
                keys(Command::PrevPost)
            ),
            muted,
        )),
        answers(state, "link the selected account", "close, linking nothing"),
    ];
    let wanted = (lines.len() + footer.len() + 2) as u16;
    let rect = centered(area, 100, wanted.min(area.height.saturating_sub(2)).max(8));
    let inner = popup_frame(
        frame,
        state,
        rect,
        &format!("{name}: accounts found by name"),
    );
    let body = inner.height.saturating_sub(footer.len() as u16);
    // Scrolled just enough to show the selected candidate and its bio.
    let scroll = (selected_line as u16 + 2).saturating_sub(body);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)),
        Rect {
            height: body,
            ..inner
        },
    );
    frame.render_widget(
        Paragraph::new(footer),
        Rect {
            y: inner.y + body,
            height: inner.height - body,
            ..inner
        },
    );
}

fn candidate(state: &AppState, c: &Candidate, selected: bool, width: usize) -> [Line<'static>; 2] {
    let style = if selected {
        Style::default()
            .patch(state.theme.selected())
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    let followers = c
        .followers
        .map(|n| format!(" · {} followers", thousands(n)))
        .unwrap_or_default();
    let head = format!(
        "{} @{} · {}{followers}",
        if selected { "▸" } else { " " },
        c.handle,
        c.display_name
    );
    let bio = if c.bio.trim().is_empty() {
        "(no bio)".to_string()
    } else {
        truncate_words(&one_line(&c.bio), width.saturating_sub(4))
    };
    [
        Line::from(Span::styled(truncate_width(&head, width), style)),
        Line::from(Span::styled(
            format!("    {bio}"),
            Style::default().fg(state.theme.muted),
        )),
    ]
}

/// Text in lines of at most `width` columns, broken between words.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| display_width(l));
        if last > 0 && last + 1 + display_width(word) > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
        .into_iter()
        .map(|l| truncate_width(&l, width))
        .collect()
}

pub fn unlink(frame: &mut Frame, state: &AppState, area: Rect, popup: &UnlinkPopup) {
    let Some(customer) = state.customers.get(&popup.customer) else {
        return;
    };
    let rows = customer.handles.len() as u16;
    let rect = centered(area, 64, rows + 6);
    let inner = popup_frame(
        frame,
        state,
        rect,
        &format!("Unlink one of {}'s handles", customer.name),
    );
    let mut lines: Vec<Line> = customer
        .handles
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let selected = i == popup.selected;
            let style = if selected {
                Style::default()
                    .patch(state.theme.selected())
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let origin = if h.linked {
                "linked here"
            } else {
                "from the shop's database"
            };
            Line::from(Span::styled(
                truncate_width(
                    &format!(
                        "{} {:<9} @{}  ({origin})",
                        if selected { "▸" } else { " " },
                        h.network.as_str(),
                        h.handle
                    ),
                    inner.width as usize,
                ),
                style,
            ))
        })
        .collect();
    lines.push(Line::default());
    match customer.handles.get(popup.selected) {
        Some(h) if popup.asking => {
            lines.push(Line::from(Span::styled(
                format!("unlink {} @{} from {}?", h.network, h.handle, customer.name),
                Style::default()
                    .fg(state.theme.urgent)
                    .add_modifier(Modifier::BOLD),
            )));
            lines.push(answers(state, "unlink it", "keep it"));
        }
        _ => {
            lines.push(Line::from(Span::styled(
                "an imported handle comes back at the next import if the shop's database lists it",
                Style::default().fg(state.theme.muted),
            )));
            lines.push(answers(state, "unlink the selected (asks first)", "close"));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
