//! A customer's story in the Customers view (their card, notes and timeline, one line per entry so it scrolls
//! the same at any width), and the editor of their private notes, drawn over anything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::customers::{clock, hint_color};
use super::layout::centered;
use super::{category_color, pane_block, popup_frame};
use crate::app::Command;
use crate::customers::story::{EntryKind, columns, entry_line, handles_line};
use crate::domain::{CustomerStory, span};
use crate::state::AppState;
use crate::text::{display_width, truncate_width, truncate_words};

/// How far the open story scrolls on the terminal `state.size` (0: it fits).
pub fn story_room(state: &AppState) -> u16 {
    let Some(story) = state
        .customers_view
        .story
        .as_ref()
        .and_then(|s| s.story.as_ref())
    else {
        return 0;
    };
    let (width, height) = (
        state.size.0.saturating_sub(2),
        state.size.1.saturating_sub(3),
    );
    let lines = story_lines(state, story, usize::from(width)).len();
    u16::try_from(lines.saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
}

pub(super) fn render(
    frame: &mut Frame,
    state: &AppState,
    area: Rect,
    story: &CustomerStory,
    scroll: u16,
) {
    let c = &story.summary.customer;
    let title = Line::from(vec![
        Span::styled(
            format!(" {}'s story ", c.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            match story.posts {
                1 => "1 post ".to_string(),
                n => format!("{} posts ", crate::text::thousands(n)),
            },
            Style::default().fg(state.theme.muted),
        ),
    ]);
    let block = pane_block(state, title, state.popup.is_none());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = story_lines(state, story, usize::from(inner.width));
    let max =
        u16::try_from(lines.len().saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll.min(max), 0)), inner);
}

/// The story as lines cut to `width` (one per timeline entry: the scroll is the same at any width).
fn story_lines(state: &AppState, story: &CustomerStory, width: usize) -> Vec<Line<'static>> {
    let clock = clock(state);
    let s = &story.summary;
    let c = &s.customer;
    let cols = columns(s, &clock);
    let muted = Style::default().fg(state.theme.muted);
    let accent = Style::default()
        .fg(state.theme.accent)
        .add_modifier(Modifier::BOLD);
    let cut = |t: String| truncate_width(&t, width);
    let key = |c: Command| state.keymap.hint(c);
    let mut facts = vec![
        if c.former {
            format!("former regular, last rank {}", c.rank)
        } else {
            format!("rank {}", c.rank)
        },
        format!(
            "lifetime spend {}",
            state.currency.format(c.lifetime_spend_cents)
        ),
        c.external_id.clone(),
    ];
    if state.alerts.always.contains(&c.id) {
        facts.push(format!(
            "{} every post notifies ({} stops it)",
            super::customers::ALWAYS_MARK,
            key(Command::AlwaysTellMe)
        ));
    }
    facts.extend(c.orders.map(|n| format!("{n} orders")));
    facts.extend(c.last_purchase.map(|d| format!("last purchase {d}")));
    if !c.email.is_empty() {
        facts.push(c.email.clone());
    }
    let mut out = vec![
        Line::from(cut(facts.join(" · "))),
        Line::from(Span::styled(cut(handles_line(c)), muted)),
        Line::from(cut(crate::customers::story::contact_line(&cols))),
    ];
    if let Some((hint, urgency)) = cols.hint {
        out.push(Line::from(Span::styled(
            cut(format!("hint: {hint}")),
            Style::default()
                .fg(hint_color(state, urgency))
                .add_modifier(Modifier::BOLD),
        )));
    }
    out.push(Line::from(Span::styled(
        cut(match story.median_first_response {
            Some(d) => format!("first response: median {} over their posts", span(d)),
            None => "first response: none yet".into(),
        }),
        muted,
    )));
    out.push(Line::from(Span::styled(
        cut(format!("notes ({} to edit)", key(Command::EditNote))),
        accent,
    )));
    if c.note.is_empty() {
        out.push(Line::from(Span::styled("  none yet", muted)));
    }
    out.extend(c.note.lines().map(|l| Line::from(cut(format!("  {l}")))));
    out.push(Line::from(Span::styled(
        cut(format!(
            "timeline, newest first · {} their posts in the panes · {} back to the list",
            key(Command::CustomerHistory),
            key(Command::Close)
        )),
        accent,
    )));
    if story.timeline.is_empty() {
        out.push(Line::from(Span::styled(
            "  nothing yet: no posts, replies, actions or follow-ups",
            muted,
        )));
    }
    for e in &story.timeline {
        let l = entry_line(e, &clock);
        let (color, text_style) = match l.kind {
            EntryKind::Post(category) => (category_color(state, category), Style::default()),
            EntryKind::Reply => (state.theme.praise, Style::default()),
            EntryKind::Action => (state.theme.accent, muted),
            EntryKind::FollowUp { done: false } => (state.theme.question, Style::default()),
            EntryKind::FollowUp { done: true } => (state.theme.muted, muted),
        };
        let head = format!("{:<12} {} ", l.when, l.label);
        let detail = if l.detail.is_empty() {
            String::new()
        } else {
            format!("  {}", l.detail)
        };
        let room = width.saturating_sub(display_width(&head) + display_width(&detail));
        out.push(Line::from(vec![
            Span::styled(format!("{:<12} ", l.when), muted),
            Span::styled(
                format!("{} ", l.label),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            ),
            Span::styled(truncate_words(&l.text, room), text_style),
            Span::styled(detail, muted),
        ]));
    }
    out
}

/// The notes editor, over whatever is on screen.
pub fn render_note(frame: &mut Frame, state: &AppState, area: Rect) {
    let Some(editor) = state.customers_view.note.as_ref() else {
        return;
    };
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(80),
        area.height.saturating_sub(2).min(16),
    );
    let inner = popup_frame(
        frame,
        state,
        rect,
        &format!("Notes on {} (private)", editor.name),
    );
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(1)])
        .split(inner);
    let mut textarea = editor.textarea.clone();
    textarea.set_block(Block::default().borders(Borders::NONE));
    textarea.set_cursor_line_style(Style::default());
    textarea.set_placeholder_text("Sizes, preferences, what they bought, what to ask next time…");
    frame.render_widget(&textarea, parts[0]);
    let footer = format!(
        "{} or {} saves and closes · kept in this workspace only, never sent",
        state.keymap.hint(Command::SendReply),
        state.keymap.hint(Command::CloseComposer),
    );
    frame.render_widget(
        Paragraph::new(truncate_width(&footer, usize::from(parts[1].width)))
            .style(Style::default().fg(state.theme.muted)),
        parts[1],
    );
}
