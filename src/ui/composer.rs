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
    // The popup grows with the draft, up to the screen's height: the whole reply stays in sight (the start of
    // it above all), and only a draft taller than the screen scrolls.
    let width = area.width.saturating_sub(4).min(100);
    let text_width = usize::from(width.saturating_sub(2)).max(1);
    // The network's notice goes first and may take two rows; the coach's hints share the rest.
    let notice_rows = composer.notice.as_ref().map_or(0, |n| {
        (crate::text::display_width(n) / text_width + 1).min(2) as u16
    });
    let hint_rows = (composer.hints.len() as u16).min(4 - notice_rows);
    let draft_rows = u16::try_from(wrapped_rows(composer.textarea.lines(), text_width))
        .unwrap_or(u16::MAX)
        .max(3);
    let most = area.height.saturating_sub(2);
    // Frame 2, quoted post 3, the rule over the draft 1, the status line 1.
    let wanted = draft_rows.saturating_add(7 + notice_rows + hint_rows);
    let rect = centered(area, width, wanted.clamp(most.min(22), most));
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
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Min(2),
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
    frame.render_widget(
        Block::default()
            .borders(Borders::TOP)
            .border_style(Style::default().fg(state.theme.muted)),
        parts[1],
    );
    // The composer's own textarea, not a copy: drawing tells it its width (for Up/Down by wrapped rows) and
    // keeps its scroll position, so the view does not jump while staff move through a long draft.
    frame.render_widget(&composer.textarea, parts[2]);

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
    // Whole hints while they fit, most useful first.
    let mut room = text_width.saturating_sub(status.iter().map(|s| s.width()).sum());
    for command in crate::app::router::hints(state) {
        let (key, label) = (state.keymap.hint(command), command.hint_label());
        let width = crate::text::display_width(&key) + crate::text::display_width(label) + 3;
        if width > room {
            break;
        }
        room -= width;
        status.push(Span::styled(
            format!("{key} "),
            Style::default().fg(state.theme.accent),
        ));
        status.push(Span::styled(
            format!("{label}  "),
            Style::default().fg(state.theme.muted),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(status)), parts[3]);
    if let Some(notice) = &composer.notice {
        let style = Style::default()
            .fg(state.theme.urgent)
            .add_modifier(Modifier::BOLD);
        frame.render_widget(
            Paragraph::new(Span::styled(format!("! {notice}"), style)).wrap(Wrap { trim: true }),
            parts[4],
        );
    }
    let hints: Vec<Line> = composer
        .hints
        .iter()
        .take(hint_rows as usize)
        .map(|h| {
            Line::from(Span::styled(
                crate::text::truncate_words(&format!("· {}", h.message), text_width),
                Style::default().fg(state.theme.question),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(hints), parts[5]);
}

/// How many rows `lines` take soft-wrapped at `width` the way the textarea wraps them (`WordOrGlyph`): whole
/// words while they fit, a word wider than the row broken between graphemes. Sizes the popup only; the
/// textarea draws (and scrolls) by its own count.
fn wrapped_rows(lines: &[String], width: usize) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    let width = width.max(1);
    let mut rows = 0;
    for line in lines {
        rows += 1;
        let mut used = 0;
        for word in line.split_word_bounds() {
            let w = crate::text::display_width(word);
            if used + w <= width {
                used += w;
                continue;
            }
            if used > 0 {
                rows += 1;
                used = 0;
            }
            if w <= width {
                used = w;
                continue;
            }
            for g in word.graphemes(true) {
                let gw = crate::text::grapheme_width(g);
                if used > 0 && used + gw > width {
                    rows += 1;
                    used = 0;
                }
                used += gw;
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrapped_rows;

    fn rows(lines: &[&str], width: usize) -> usize {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        wrapped_rows(&lines, width)
    }

    #[test]
    fn rows_counted_as_the_textarea_wraps() {
        assert_eq!(rows(&[""], 10), 1);
        assert_eq!(rows(&["Hi there friend"], 8), 2);
        assert_eq!(rows(&["Hi", "", "there"], 8), 3);
        // A word wider than the row breaks between graphemes.
        assert_eq!(rows(&[&"x".repeat(20)], 8), 3);
        // Wide characters take two cells each.
        assert_eq!(rows(&["日本語"], 4), 2);
    }
}
