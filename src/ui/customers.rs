//! The Customers view: a table of every customer (regulars by rank, former ones after, muted) with where they
//! stand and a hint coloured by urgency (a customer's story is drawn over it by `story`). Narrow terminals drop
//! the least needed columns first and keep rank, name and hint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_block;
use crate::app::Command;
use crate::customers::story::{Clock, Columns, columns};
use crate::domain::Urgency;
use crate::state::AppState;
use crate::text::{display_width, join_fitting, truncate_width};

/// Beside the rank of a customer whose every post notifies ("always tell me").
pub(super) const ALWAYS_MARK: char = '⚑';

pub(super) fn clock(state: &AppState) -> Clock {
    Clock {
        now: state.now,
        tz: state.tz,
        currency: state.currency.clone(),
    }
}

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    match state
        .customers_view
        .story
        .as_ref()
        .and_then(|s| s.story.as_ref().map(|story| (story, s.scroll)))
    {
        Some((story, scroll)) => super::story::render(frame, state, area, story, scroll),
        None => render_table(frame, state, area),
    }
}

/// A column: its title, width, and whether it is right-aligned.
struct Col {
    title: &'static str,
    width: usize,
    right: bool,
    cell: fn(&Columns) -> &str,
}

/// The columns shown at `width`: rank, name (as wide as the longest, within reason) and hint always; then,
/// while the hint keeps room, last contact, spend, follow-ups and last post.
fn layout(width: usize, longest_name: usize) -> Vec<Col> {
    // The longest hint, whole ("posted about a problem, no reply yet").
    const HINT_MIN: usize = 36;
    let rank = Col {
        title: "rank",
        width: 6,
        right: true,
        cell: |c| &c.rank,
    };
    let name_width = longest_name.clamp(8, if width >= 100 { 30 } else { 16 });
    let name = Col {
        title: "name",
        width: name_width,
        right: false,
        cell: |c| &c.name,
    };
    let optional = [
        Col {
            title: "contact",
            width: 7,
            right: true,
            cell: |c| &c.last_contact,
        },
        Col {
            title: "spend",
            width: 9,
            right: true,
            cell: |c| &c.spend,
        },
        Col {
            title: "follow-ups",
            width: 15,
            right: false,
            cell: |c| &c.follow_ups,
        },
        Col {
            title: "last post",
            width: 18,
            right: false,
            cell: |c| &c.last_post,
        },
    ];
    // Each column takes its width and a space.
    let mut used = rank.width + 1 + name.width + 1;
    let mut shown = vec![rank, name];
    for col in optional {
        if used + col.width + 1 + HINT_MIN <= width {
            used += col.width + 1;
            shown.push(col);
        }
    }
    // Shown in reading order: who, then money, then when.
    let order = [
        "rank",
        "name",
        "spend",
        "last post",
        "contact",
        "follow-ups",
    ];
    shown.sort_by_key(|c| order.iter().position(|t| *t == c.title));
    shown
}

/// A name cut to `width` at a word boundary ("Priya Raman-Whitfield" -> "Priya …").
fn cut_name(name: &str, width: usize) -> String {
    if display_width(name) <= width {
        return name.to_string();
    }
    let mut out = String::new();
    for word in name.split_whitespace() {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if display_width(&next) + 2 > width {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        truncate_width(name, width)
    } else {
        format!("{out} …")
    }
}

fn cell(text: &str, col: &Col) -> String {
    let text = if col.title == "name" {
        cut_name(text, col.width)
    } else {
        truncate_width(text, col.width)
    };
    let pad = col.width.saturating_sub(display_width(&text));
    if col.right {
        format!("{}{text} ", " ".repeat(pad))
    } else {
        format!("{text}{} ", " ".repeat(pad))
    }
}

pub(super) fn hint_color(state: &AppState, urgency: Urgency) -> Color {
    match urgency {
        Urgency::Now => state.theme.urgent,
        Urgency::Soon => state.theme.question,
        Urgency::Someday => state.theme.accent,
    }
}

fn render_table(frame: &mut Frame, state: &AppState, area: Rect) {
    let view = &state.customers_view;
    let muted = Style::default().fg(state.theme.muted);
    let former = view.rows.iter().filter(|r| r.customer.former).count();
    let title = Line::from(vec![
        Span::styled(" Customers ", Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!("{} regulars · {former} former ", view.rows.len() - former),
            muted,
        ),
    ]);
    let block = pane_block(state, title, state.popup.is_none());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let key = |c: Command| state.keymap.hint(c);
    let message = if let Some(e) = &view.error {
        Some(format!("Could not read the customers: {e}"))
    } else if !view.loaded {
        Some("Reading the customers…".to_string())
    } else if view.rows.is_empty() {
        Some("No customers yet: set up [customers] in your config, see README.".to_string())
    } else {
        None
    };
    if let Some(message) = message {
        frame.render_widget(Paragraph::new(message).style(muted), inner);
        return;
    }
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(inner);
    let width = usize::from(inner.width);
    let longest = view
        .rows
        .iter()
        .map(|r| display_width(&r.customer.name))
        .max()
        .unwrap_or(0);
    let cols = layout(width, longest);
    let head: String = cols
        .iter()
        .map(|c| {
            let pad = c.width.saturating_sub(c.title.len());
            if c.right {
                format!("{}{} ", " ".repeat(pad), c.title)
            } else {
                format!("{}{} ", c.title, " ".repeat(pad))
            }
        })
        .collect::<String>()
        + "hint";
    frame.render_widget(
        Paragraph::new(truncate_width(&head, width)).style(muted.add_modifier(Modifier::BOLD)),
        parts[0],
    );
    let clock = clock(state);
    let visible = usize::from(parts[1].height).max(1);
    let start = (view.selected + 1).saturating_sub(visible);
    let lines: Vec<Line> = view
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, row)| {
            let mut c = columns(row, &clock);
            if state.alerts.always.contains(&row.customer.id) {
                c.rank = format!("{ALWAYS_MARK} {}", c.rank);
            }
            let base = if row.customer.former {
                muted
            } else {
                Style::default()
            };
            let mut spans: Vec<Span> = cols
                .iter()
                .map(|col| {
                    let style = if col.title == "name" && !row.customer.former {
                        base.add_modifier(Modifier::BOLD)
                    } else {
                        base
                    };
                    Span::styled(cell((col.cell)(&c), col), style)
                })
                .collect();
            let used: usize = cols.iter().map(|c| c.width + 1).sum();
            if let Some((hint, urgency)) = &c.hint {
                spans.push(Span::styled(
                    truncate_width(hint, width.saturating_sub(used)),
                    Style::default().fg(hint_color(state, *urgency)),
                ));
            }
            let mut line = Line::from(spans);
            if i == view.selected {
                line = line.style(
                    Style::default()
                        .patch(state.theme.selected())
                        .add_modifier(Modifier::BOLD),
                );
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), parts[1]);
    let footer = [
        format!("{} story", key(Command::OpenDetail)),
        format!("{} back to the panes", key(Command::Close)),
        format!("{} notes", key(Command::EditNote)),
        format!("{} their posts", key(Command::CustomerHistory)),
        format!("{} find handles", key(Command::FindHandles)),
        format!("{} unlink", key(Command::UnlinkHandle)),
        format!("{} always tell me", key(Command::AlwaysTellMe)),
        format!("{}/{} move", key(Command::NextPost), key(Command::PrevPost)),
    ];
    frame.render_widget(
        Paragraph::new(join_fitting(&footer, " · ", width)).style(muted),
        parts[2],
    );
}
