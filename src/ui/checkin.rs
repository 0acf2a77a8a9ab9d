//! The check-in, full screen: its queue (what fits in the time, most important first) with the current item
//! whole in Detail beside (wide) or below (narrow) it, and at the end its summary until dismissed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph};

use super::{ago, list, pane_block, popup_frame};
use crate::app::Command;
use crate::domain::checkin::{Item, ItemKind};
use crate::state::AppState;
use crate::state::checkin::{CheckIn, Phase};
use crate::text::{join_fitting, one_line, truncate_width};

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let Some(check_in) = &state.check_in else {
        return;
    };
    match check_in.phase {
        Phase::Summary { ended_at } => summary(frame, state, check_in, ended_at, area),
        Phase::Gathering { .. } => {
            let block = pane_block(state, title(" Check-in ", String::new()), true);
            let text =
                Paragraph::new("Gathering what is new or still open since the last check-in…")
                    .style(Style::default().fg(state.theme.muted))
                    .block(block);
            frame.render_widget(text, area);
        }
        Phase::Working if check_in.fits == 0 => {
            let block = pane_block(state, title(" Check-in ", String::new()), true);
            let text = format!(
                "Nothing is waiting: all clear ✓\n\nWhat arrives now joins the check-in; {} ends it.",
                state.keymap.hint(Command::StartCheckIn)
            );
            let text = Paragraph::new(text)
                .style(Style::default().fg(state.theme.muted))
                .block(block);
            frame.render_widget(text, area);
        }
        Phase::Working => {
            let (queue, detail) = if area.width >= super::layout::WIDE {
                let [q, d] = Layout::horizontal([Constraint::Percentage(45), Constraint::Min(20)])
                    .areas(area);
                (q, d)
            } else {
                let rows = (check_in.fits as u16 + 4).min(area.height / 2).max(5);
                let [q, d] =
                    Layout::vertical([Constraint::Length(rows), Constraint::Min(4)]).areas(area);
                (q, d)
            };
            render_queue(frame, state, check_in, queue);
            super::detail::render(frame, state, detail);
        }
    }
}

fn title(name: &str, rest: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            name.to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(rest),
    ])
}

fn render_queue(frame: &mut Frame, state: &AppState, check_in: &CheckIn, area: Rect) {
    let ahead = (check_in.planned_ahead_secs() + 59) / 60;
    let rest = format!(
        "{} of {} · ~{ahead} min ahead ",
        check_in.at + 1,
        check_in.fits
    );
    let block = pane_block(state, title(" Check-in ", rest), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [rows, left, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = inner.width as usize;
    let queue: Vec<(usize, &Item)> = check_in.items[..check_in.fits].iter().enumerate().collect();
    list::windowed(frame, state, rows, &queue, check_in.at, 1, |(i, item)| {
        ListItem::new(item_line(state, check_in, *i, item, width))
    });
    let left_over = check_in.items.len() - check_in.fits;
    let muted = Style::default().fg(state.theme.muted);
    let text = match left_over {
        0 => "nothing left for next time".to_string(),
        n => format!("{n} more left for next time"),
    };
    frame.render_widget(Paragraph::new(Span::styled(text, muted)), left);
    let hints: Vec<String> = [
        (Command::NextUnread, "next"),
        (Command::PrevPost, "back"),
        (Command::Reply, "reply"),
        (Command::LogAction, "log"),
        (Command::MarkHandled, "handled"),
        (Command::CorrectCategory, "correct"),
        (Command::StartCheckIn, "end"),
    ]
    .iter()
    .map(|(c, label)| format!("{} {label}", state.keymap.hint(*c)))
    .collect();
    frame.render_widget(
        Paragraph::new(Span::styled(join_fitting(&hints, " · ", width), muted)),
        keys,
    );
}

/// A queue row: done or current mark, the estimate, the kind, who and what.
fn item_line(
    state: &AppState,
    check_in: &CheckIn,
    i: usize,
    item: &Item,
    width: usize,
) -> Line<'static> {
    let mark = if check_in.done.get(i) == Some(&true) {
        "✓ "
    } else if i == check_in.at {
        "▸ "
    } else {
        "  "
    };
    let estimate = format!("{:>4} ", minutes(item.secs));
    let kind = format!("{:<18} ", item.label());
    let rest = truncate_width(
        &describe(state, item),
        width.saturating_sub(2 + estimate.len() + kind.len()),
    );
    let color = match item.kind {
        ItemKind::RegularInTrouble | ItemKind::Complaint => state.theme.urgent,
        ItemKind::FollowUpDue | ItemKind::Question => state.theme.question,
        ItemKind::RegularPost | ItemKind::Praise => state.theme.praise,
    };
    Line::from(vec![
        Span::raw(mark),
        Span::styled(estimate, Style::default().fg(state.theme.muted)),
        Span::styled(kind, Style::default().fg(color)),
        Span::raw(rest),
    ])
}

/// Whose and what: "Tom Okafor #2: the post's text"; a follow-up's note (its post's text without one).
fn describe(state: &AppState, item: &Item) -> String {
    let post = item.post.and_then(|p| state.posts.get(p));
    let follow_up = item
        .follow_up
        .and_then(|id| state.follow_ups.iter().find(|f| f.id == id));
    let who = match (follow_up, post) {
        (Some(f), _) => state.follow_up_who(f),
        (None, Some(p)) => list::who(state, p),
        (None, None) => String::new(),
    };
    let what = match (follow_up.filter(|f| !f.note.trim().is_empty()), post) {
        (Some(f), _) => one_line(&f.note),
        (None, Some(p)) => one_line(crate::text::without_leading_mentions(&p.text)),
        (None, None) => String::new(),
    };
    format!("{who}: {what}")
}

/// "30s", "2m", "1½m".
fn minutes(secs: i64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, 30) => format!("{m}½m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

fn summary(
    frame: &mut Frame,
    state: &AppState,
    check_in: &CheckIn,
    ended_at: chrono::DateTime<chrono::Utc>,
    area: Rect,
) {
    let width = area.width.saturating_sub(4).min(72);
    let inner_width = width.saturating_sub(2) as usize;
    let muted = Style::default().fg(state.theme.muted);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let took = (ended_at - check_in.started_at).num_seconds().max(0);
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{}–{} · {} of {} min",
                state.local(check_in.started_at).format("%H:%M"),
                state.local(ended_at).format("%H:%M"),
                minutes(took),
                check_in.budget_secs / 60,
            ),
            muted,
        )),
        Line::from(Span::styled(
            match check_in.since {
                Some(since) => format!(
                    "what came since {}, and what was still open",
                    state.local(since).format("%a %-d %b %H:%M")
                ),
                None => String::new(),
            },
            muted,
        )),
        Line::raw(""),
    ];
    let tally = check_in.tally;
    for (label, n) in [
        ("seen", tally.seen as usize),
        ("replied", tally.replied as usize),
        ("actions logged", tally.logged as usize),
        ("handled", tally.handled as usize),
        ("left for next time", check_in.left()),
    ] {
        lines.push(Line::from(vec![
            Span::raw(format!("{label:<22}")),
            Span::styled(n.to_string(), bold),
        ]));
    }
    lines.push(Line::raw(""));
    lines.extend(oldest_lines(state, check_in, inner_width));
    if let Some(said) = read_position(state, check_in) {
        lines.push(Line::from(Span::styled(
            truncate_width(&said, inner_width),
            muted,
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(
            "{} or {} closes · {} quits",
            state.keymap.hint(Command::Close),
            state.keymap.hint(Command::OpenDetail),
            state.keymap.hint(Command::Quit)
        ),
        muted,
    )));
    // One row per line: each fits the box (the oldest item's line is cut to it).
    let height = (lines.len() as u16 + 2).min(area.height);
    let paragraph = Paragraph::new(lines);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let inner = popup_frame(frame, state, rect, "Check-in done");
    frame.render_widget(paragraph, inner);
}

/// What became of Mastodon's read position, where Mastodon is configured.
fn read_position(state: &AppState, check_in: &CheckIn) -> Option<String> {
    Some(match check_in.read_position.as_ref() {
        None if state.sync_read_position => "Mastodon: marking notifications read…".into(),
        None => return None,
        Some(Ok(p)) if p.moved => "Mastodon: notifications marked read up to here".into(),
        Some(Ok(_)) => "Mastodon: notifications already read there".into(),
        Some(Err(why)) => format!("Mastodon read position not synced: {why}"),
    })
}

/// The oldest item still waiting: what and for how long, then whose and what it says.
fn oldest_lines(state: &AppState, check_in: &CheckIn, width: usize) -> Vec<Line<'static>> {
    let label = format!("{:<22}", "oldest still waiting");
    let Some(item) = check_in.oldest_waiting() else {
        return vec![Line::from(vec![
            Span::raw(label),
            Span::raw("nothing: all clear ✓"),
        ])];
    };
    let waited = ago(state.now, item.waiting_since);
    // `ago` gives a date past a week.
    let waited = if waited.starts_with(|c: char| c.is_ascii_digit()) {
        format!("for {waited}")
    } else {
        format!("since {waited}")
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    vec![
        Line::from(vec![
            Span::raw(label),
            Span::styled(format!("{}, waiting {waited}", item.label()), bold),
        ]),
        Line::raw(truncate_width(&describe(state, item), width)),
    ]
}
