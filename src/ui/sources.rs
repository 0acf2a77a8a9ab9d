//! The Sources view: each source, its health and why, its last delivery. Long reasons wrap word-wise under the
//! health column; the list scrolls with the keymap's movement keys when it is taller than the popup.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;

use super::layout::centered;
use super::popup_frame;
use crate::app::Command;
use crate::sources::{Health, Usage};
use crate::state::AppState;
use crate::text::{display_width, grapheme_width, thousands, truncate_width};

const MAX_WIDTH: u16 = 90;
/// Borders, the blank line and the footer.
const CHROME: u16 = 4;

/// Where the view goes on a terminal of `area`, its list rows, and how many of them it shows.
fn geometry(state: &AppState, area: Rect) -> (Rect, Vec<Line<'static>>, usize) {
    let inner_width = MAX_WIDTH.min(area.width).saturating_sub(2);
    let rows = rows(state, usize::from(inner_width));
    let height = u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(CHROME)
        .max(7);
    let rect = centered(area, MAX_WIDTH, height);
    let visible = usize::from(rect.height.saturating_sub(CHROME)).max(1);
    (rect, rows, visible)
}

/// How far the list scrolls on the terminal `state.size` (0: it fits), and how many rows it shows (a page).
pub fn scroll_room(state: &AppState) -> (u16, u16) {
    let (_, rows, visible) = geometry(state, Rect::new(0, 0, state.size.0, state.size.1));
    let max = rows.len().saturating_sub(visible);
    (
        u16::try_from(max).unwrap_or(u16::MAX),
        u16::try_from(visible).unwrap_or(u16::MAX),
    )
}

/// Every source as wrapped lines: the name, then its health (coloured) and last delivery (muted), continued
/// under the health column.
fn rows(state: &AppState, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if state.sources.is_empty() {
        lines.push(Line::from(
            "No sources configured: add [sources.<name>] tables to your config.",
        ));
        return lines;
    }
    let longest = state
        .sources
        .keys()
        .map(|n| display_width(n))
        .max()
        .unwrap_or(0);
    let name_width = (longest + 2).clamp(8, (width / 3).max(8)).min(width);
    for (name, health) in &state.sources {
        let last = state
            .last_delivery
            .get(name)
            .map(|t| format!("(last post {})", super::ago(state.now, *t)))
            .unwrap_or_else(|| "(nothing yet)".into());
        let color = if health.is_problem() || matches!(health, Health::Disabled(_)) {
            state.theme.urgent
        } else {
            state.theme.praise
        };
        let usage = state
            .usage
            .get(name)
            .map(|u| usage_label(u, state.now))
            .unwrap_or_default();
        let words: Vec<(String, Style)> = health
            .label()
            .split_whitespace()
            .map(|w| (w.to_string(), Style::default().fg(color)))
            .chain(
                usage
                    .split_whitespace()
                    .map(|w| (w.to_string(), Style::default())),
            )
            .chain(
                last.split_whitespace()
                    .map(|w| (w.to_string(), Style::default().fg(state.theme.muted))),
            )
            .collect();
        let name = truncate_width(name, name_width.saturating_sub(1));
        let pad = name_width - display_width(&name);
        for (i, spans) in wrap(&words, width - name_width).into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(
                    format!("{name}{}", " ".repeat(pad)),
                    Style::default().add_modifier(Modifier::BOLD),
                )
            } else {
                Span::raw(" ".repeat(name_width))
            };
            lines.push(Line::from(
                std::iter::once(lead).chain(spans).collect::<Vec<_>>(),
            ));
        }
    }
    lines
}

/// A metered source's use: "(reads 1,234 / 10,000 this month)".
fn usage_label(usage: &Usage, now: DateTime<Utc>) -> String {
    let period = if usage.period == now.format("%Y-%m").to_string() {
        "this month".to_string()
    } else {
        format!("in {}", usage.period)
    };
    match usage.budget {
        Some(budget) => format!(
            "({} {} / {} {period})",
            usage.unit,
            thousands(usage.used),
            thousands(budget)
        ),
        None => format!("({} {} {period})", usage.unit, thousands(usage.used)),
    }
}

/// Greedy word wrap to `width` columns; a word longer than a line is cut between graphemes.
fn wrap(words: &[(String, Style)], width: usize) -> Vec<Vec<Span<'static>>> {
    let width = width.max(1);
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (word, style) in words {
        let w = display_width(word);
        if used > 0 && used + 1 + w > width {
            lines.push(Vec::new());
            used = 0;
        }
        let Some(line) = lines.last_mut() else {
            break;
        };
        if used > 0 {
            line.push(Span::raw(" "));
            used += 1;
        }
        if w <= width - used {
            line.push(Span::styled(word.clone(), *style));
            used += w;
            continue;
        }
        // Longer than a whole line (a URL in an error, say): cut it into line-long pieces.
        let mut piece = String::new();
        for g in word.graphemes(true) {
            let gw = grapheme_width(g);
            if used + gw > width && used > 0 {
                if let Some(line) = lines.last_mut() {
                    line.push(Span::styled(std::mem::take(&mut piece), *style));
                }
                lines.push(Vec::new());
                used = 0;
            }
            piece.push_str(g);
            used += gw;
        }
        if let Some(line) = lines.last_mut() {
            line.push(Span::styled(piece, *style));
        }
    }
    lines
}

pub fn render(frame: &mut Frame, state: &AppState, area: Rect, scroll: u16) {
    let (rect, all, visible) = geometry(state, area);
    let inner = popup_frame(frame, state, rect, "Sources");
    let max = all.len().saturating_sub(visible);
    let top = usize::from(scroll).min(max);
    let below = all.len().saturating_sub(top + visible);
    let mut lines: Vec<Line> = all.into_iter().skip(top).take(visible).collect();
    lines.resize(visible, Line::default());
    lines.push(Line::default());
    let muted = Style::default().fg(state.theme.muted);
    let key = |c: Command| state.keymap.hint(c);
    let mut footer = Vec::new();
    if max > 0 {
        let more = Style::default()
            .fg(state.theme.accent)
            .add_modifier(Modifier::BOLD);
        if top > 0 {
            footer.push(Span::styled(format!("▲ {top} above  "), more));
        }
        if below > 0 {
            footer.push(Span::styled(format!("▼ {below} more  "), more));
        }
        footer.push(Span::styled(
            format!(
                "{}/{} scroll · {}/{} page · {}/{} top/end · ",
                key(Command::NextPost),
                key(Command::PrevPost),
                key(Command::PageDown),
                key(Command::PageUp),
                key(Command::FirstPost),
                key(Command::LastPost),
            ),
            muted,
        ));
    }
    footer.push(Span::styled(
        format!("{} closes", key(Command::Close)),
        muted,
    ));
    lines.push(Line::from(footer));
    frame.render_widget(Paragraph::new(lines), inner);
}
