//! Popups: the action form, the follow-up form and the questions (send? reply again? close the follow-up?); the
//! sources view has its own file.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::centered;
use super::popup_frame;
use crate::app::Command;
use crate::domain::{ActionKind, FollowUp, PostId, PriorReply, Taken};
use crate::sources::Prepared;
use crate::state::follow_ups::due_label;
use crate::state::popup::{ActionForm, FollowUpForm};
use crate::state::{AppState, LineInput, Pane, Popup};
use crate::text::{one_line, truncate_width};

pub fn render(frame: &mut Frame, state: &AppState, area: Rect, popup: &Popup) {
    match popup {
        Popup::Action(form) => action(frame, state, area, form),
        Popup::FollowUp(form) => follow_up(frame, state, area, form),
        Popup::ConfirmSend { prepared, .. } => confirm(frame, state, area, prepared.as_ref()),
        Popup::ConfirmReplyAgain { post, prior } => reply_again(frame, state, area, *post, prior),
        Popup::ConfirmClaimed { post, taken } => claimed(frame, state, area, *post, taken),
        Popup::CloseFollowUp { follow_up, who } => {
            close_follow_up(frame, state, area, follow_up, who)
        }
        Popup::Sources { scroll } => super::sources::render(frame, state, area, *scroll),
        Popup::ConfirmMarkAllRead { pane, count } => {
            mark_all_read(frame, state, area, *pane, *count)
        }
        Popup::Candidates(p) => super::candidates::candidates(frame, state, area, p),
        Popup::Unlink(p) => super::candidates::unlink(frame, state, area, p),
        Popup::Correct { post, selected } => correct(frame, state, area, *post, *selected),
        Popup::SavedReplies(picker) => super::replies::render(frame, state, area, picker),
        Popup::Assign(picker) => super::team::picker(frame, state, area, picker),
        Popup::Help { .. } => {}
    }
}

fn correct(frame: &mut Frame, state: &AppState, area: Rect, post: PostId, selected: usize) {
    let rect = centered(area, 56, 12);
    let inner = popup_frame(frame, state, rect, "Correct the category");
    let was = state
        .posts
        .get(post)
        .map(|p| p.triage.category.as_str())
        .unwrap_or_default();
    let mut lines = vec![
        about(state, post, inner.width as usize),
        Line::from(Span::styled(
            format!("triage said: {was}"),
            Style::default().fg(state.theme.muted),
        )),
    ];
    for (i, (_, label)) in crate::domain::CORRECTIONS.iter().enumerate() {
        let style = if i == selected {
            Style::default()
                .bg(state.theme.selected_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let mark = if i == selected { "▸" } else { " " };
        lines.push(Line::from(Span::styled(
            format!("{mark} {} {label}", i + 1),
            style,
        )));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "↑↓ or 1-5 choose · Enter correct · Esc cancel",
        Style::default().fg(state.theme.muted),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn about(state: &AppState, post: crate::domain::PostId, width: usize) -> Line<'static> {
    let text = state
        .posts
        .get(post)
        .map(|p| format!("@{}: {}", p.author.handle, one_line(&p.text)))
        .unwrap_or_default();
    Line::from(Span::styled(
        truncate_width(&text, width),
        Style::default().fg(state.theme.muted),
    ))
}

pub(super) fn input_line(
    state: &AppState,
    label: &str,
    input: &LineInput,
    active: bool,
) -> Line<'static> {
    let style = if active {
        Style::default()
            .fg(state.theme.accent)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    Line::from(vec![
        Span::styled(format!("{label}: "), style),
        Span::raw(input.text().to_string()),
        Span::styled(if active { "▏" } else { "" }, style),
    ])
}

fn action(frame: &mut Frame, state: &AppState, area: Rect, form: &ActionForm) {
    let rect = centered(area, 64, 15);
    let inner = popup_frame(frame, state, rect, "Log an action");
    let mut lines = vec![
        about(state, form.post, inner.width as usize),
        Line::default(),
    ];
    for (i, kind) in ActionKind::LOGGABLE.iter().enumerate() {
        let selected = i == form.kind;
        let style = if selected {
            Style::default()
                .patch(state.theme.selected())
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(
            format!("{} {}", if selected { "▸" } else { " " }, kind.label()),
            style,
        )));
    }
    lines.push(Line::default());
    lines.push(input_line(state, "note", &form.note, true));
    lines.push(Line::from(Span::styled(
        "↑↓ choose · type a note · Enter log · Esc cancel",
        Style::default().fg(state.theme.muted),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn follow_up(frame: &mut Frame, state: &AppState, area: Rect, form: &FollowUpForm) {
    let rect = centered(area, 64, 10);
    let inner = popup_frame(frame, state, rect, "Schedule a follow-up");
    let mut lines = vec![
        about(state, form.post, inner.width as usize),
        Line::default(),
    ];
    lines.push(input_line(state, "when", &form.date, form.field == 0));
    lines.push(input_line(state, "note", &form.note, form.field == 1));
    match &form.error {
        Some(e) => lines.push(Line::from(Span::styled(
            e.clone(),
            Style::default().fg(state.theme.urgent),
        ))),
        None => lines.push(Line::default()),
    }
    lines.push(Line::from(Span::styled(
        "2026-12-01, +3, 1w, tomorrow, fri · Tab next field · Enter save · Esc cancel",
        Style::default().fg(state.theme.muted),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// "y / Enter send · n / Esc back": the confirm and cancel keys as bound.
pub(super) fn answers(state: &AppState, yes: &str, no: &str) -> Line<'static> {
    let keys = |c| state.keymap.labels(c).join(" / ");
    Line::from(Span::styled(
        format!(
            "{} {yes} · {} {no}",
            keys(Command::Confirm),
            keys(Command::Cancel)
        ),
        Style::default().fg(state.theme.accent),
    ))
}

fn confirm(frame: &mut Frame, state: &AppState, area: Rect, prepared: Option<&Prepared>) {
    let Some(composer) = state.composer.as_ref() else {
        return;
    };
    let route = state
        .posts
        .get(composer.post)
        .map_or(composer.network, |p| p.reply_route());
    let by_hand = route.reply_by_hand();
    let sendable = state.can_reply_on(route);
    let account = prepared
        .map(|p| p.account.clone())
        .or_else(|| state.accounts.get(&route).cloned())
        .unwrap_or_else(|| match by_hand {
            Some(_) => "you, in the browser".to_string(),
            None => "no account".to_string(),
        });
    let network = if route == composer.network {
        route.to_string()
    } else {
        format!("{route} (a {} post)", composer.network)
    };
    let mut head = vec![Span::raw(format!("network: {network}   as: {account}"))];
    if let Some(p) = prepared {
        head.push(Span::raw("   visible: "));
        head.push(Span::styled(
            p.visibility,
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    let mut lines = vec![Line::from(head)];
    let warning = Style::default()
        .fg(state.theme.urgent)
        .add_modifier(Modifier::BOLD);
    if !sendable {
        lines.push(Line::from(Span::styled(
            format!(
                "No {route} account is configured, so this reply cannot be sent from here. Add a \
                 [sources.<name>] table with kind = \"{route}\" and its credentials to your config; the \
                 draft is kept."
            ),
            warning,
        )));
    }
    if let Some(why) = by_hand {
        lines.push(Line::from(Span::styled(
            format!("{why}: this copies the reply and opens the post, to paste it there"),
            warning,
        )));
    }
    if let Some(caution) = prepared.and_then(|p| p.caution.as_deref()) {
        lines.push(Line::from(Span::styled(format!("! {caution}"), warning)));
    }
    let width = area.width.saturating_sub(4).clamp(20, 76);
    lines.extend([
        Line::from("in reply to:"),
        about(state, composer.post, width.saturating_sub(2) as usize),
        Line::default(),
    ]);
    let text = prepared.map_or_else(|| composer.text(), |p| p.text.clone());
    for l in text.lines() {
        lines.push(Line::from(Span::styled(
            l.to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        )));
    }
    if !composer.hints.is_empty() {
        lines.push(Line::default());
    }
    for hint in &composer.hints {
        lines.push(Line::from(Span::styled(
            format!("· {}", hint.message),
            Style::default().fg(state.theme.question),
        )));
    }
    let answers = match (sendable, by_hand) {
        (false, _) => back_only(state),
        (true, Some(_)) => answers(state, "copy and open the post", "back to the draft"),
        (true, None) => answers(state, "send", "back to the draft"),
    };
    // As tall as the question needs (about: words wrap), the answers always on the last line: a long draft
    // is cut at the popup's foot, never the way out of it.
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let wrapped: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let height = (wrapped as u16 + 4).min(area.height.saturating_sub(2).max(6));
    let body = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = centered(area, width, height);
    let title = if sendable {
        "Send this reply?"
    } else {
        "This reply cannot be sent"
    };
    let inner = popup_frame(frame, state, rect, title);
    let [text_area, answer_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(body, text_area);
    frame.render_widget(Paragraph::new(answers), answer_area);
}

/// "n / Esc back to the draft": the only answer to a question with no yes.
fn back_only(state: &AppState) -> Line<'static> {
    Line::from(Span::styled(
        format!(
            "{} back to the draft",
            state.keymap.labels(Command::Cancel).join(" / ")
        ),
        Style::default().fg(state.theme.accent),
    ))
}

fn reply_again(frame: &mut Frame, state: &AppState, area: Rect, post: PostId, prior: &PriorReply) {
    let replaces = state
        .posts
        .get(post)
        .is_some_and(|p| p.reply_route().reply_replaces());
    // The longer question takes two lines.
    let rect = centered(area, 64, if replaces { 8 } else { 7 });
    let inner = popup_frame(frame, state, rect, "Already replied");
    let when = when(state, prior.at);
    let (question, yes) = if replaces {
        (
            "replace that reply? (one reply per post here)",
            "replace it",
        )
    } else {
        ("reply again?", "reply again")
    };
    let lines = vec![
        about(state, post, inner.width as usize),
        Line::default(),
        Line::from(Span::styled(
            format!(
                "already replied {when} {}: {question}",
                prior.origin.label()
            ),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::default(),
        answers(state, yes, "no, close the composer"),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// "10:42" today, "Tue 01 Dec 10:42" before, in the shop's time zone.
fn when(state: &AppState, at: DateTime<Utc>) -> String {
    let local = state.local(at);
    if local.date_naive() == state.today() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %d %b %H:%M").to_string()
    }
}

/// A teammate claimed or answered the post before this send: nothing went out yet.
fn claimed(frame: &mut Frame, state: &AppState, area: Rect, post: PostId, taken: &Taken) {
    let rect = centered(area, 64, 8);
    let inner = popup_frame(frame, state, rect, "A teammate got there first");
    let what = if taken.replied {
        "replied"
    } else {
        "started replying"
    };
    let lines = vec![
        about(state, post, inner.width as usize),
        Line::default(),
        Line::from(Span::styled(
            format!(
                "{} {what} {}: send yours anyway?",
                taken.by,
                when(state, taken.at)
            ),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::default(),
        answers(state, "send anyway", "no, keep the draft"),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn close_follow_up(frame: &mut Frame, state: &AppState, area: Rect, f: &FollowUp, who: &str) {
    let due = match due_label(f.due, state.today()).as_str() {
        "today" => "due today".to_string(),
        overdue => overdue.to_string(),
    };
    let note = match f.note.trim() {
        "" => String::new(),
        note => format!(": {}", truncate_width(&one_line(note), 200)),
    };
    let question = format!("{who} has a follow-up {due}{note}. Close it?");
    let answers = answers(state, "close it (logged as followed up)", "leave it open");
    // As tall as the wrapped question and answers need.
    let wrapped = |text: &str| crate::text::display_width(text).div_ceil(62).max(1) as u16;
    let height = 5 + wrapped(&question) + wrapped(&answers.to_string());
    let rect = centered(area, 64, height);
    let inner = popup_frame(frame, state, rect, "Close the follow-up?");
    let mut lines = match f.post {
        Some(post) => vec![about(state, post, inner.width as usize)],
        None => vec![],
    };
    lines.extend([
        Line::default(),
        Line::from(Span::styled(
            question,
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::default(),
        answers,
    ]);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn mark_all_read(frame: &mut Frame, state: &AppState, area: Rect, pane: Pane, count: u64) {
    let posts = if count == 1 { "post" } else { "posts" };
    let filter = match state.filter.query.as_str() {
        "" => String::new(),
        q => format!(" matching /{}", truncate_width(q, 40)),
    };
    let question = format!(
        "Mark the {} unread {posts} in {}{filter} as read?",
        crate::text::thousands(count),
        pane.title()
    );
    let answers = answers(state, "mark them read", "keep them unread");
    let wrapped = |text: &str| crate::text::display_width(text).div_ceil(58).max(1) as u16;
    let height = 4 + wrapped(&question) + wrapped(&answers.to_string());
    let rect = centered(area, 60, height);
    let inner = popup_frame(frame, state, rect, "Mark all read?");
    let lines = vec![
        Line::from(Span::styled(
            question,
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::default(),
        answers,
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
