//! The Detail pane: the whole post with its reasons highlighted, the thread around it, and the customer card.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{ago, category_color, pane_block};
use crate::domain::{Customer, Post};
use crate::state::AppState;
use crate::text::{one_line, truncate_words};

pub fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let focused = state.detail_focused && state.composer.is_none() && state.popup.is_none();
    let title = Line::from(Span::styled(
        " Detail ",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    let block = pane_block(state, title, focused);
    let Some(post) = state.current_post() else {
        let hint = format!(
            "Select a post to see it whole, its thread and the customer's card.\n\n{} help",
            state.keymap.hint(crate::app::Command::Help)
        );
        frame.render_widget(
            Paragraph::new(hint)
                .block(block)
                .style(Style::default().fg(state.theme.muted))
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = selected_log_row(state);
    lines.extend(self::lines(state, post, width));
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}

/// With the Log focused, its selected row in full (the row cuts the note short), above the post it concerns.
fn selected_log_row(state: &AppState) -> Vec<Line<'static>> {
    let Some(row) = state
        .selected_log_row()
        .filter(|_| state.focus == crate::state::Pane::Log && !state.follow_ups_open())
    else {
        return Vec::new();
    };
    let muted = Style::default().fg(state.theme.muted);
    let accent = Style::default()
        .fg(state.theme.accent)
        .add_modifier(Modifier::BOLD);
    let (title, when, note, url) = match row {
        crate::state::LogRow::Action(a) => (
            a.kind.label().to_string(),
            format!(
                "{}{}",
                state.local(a.at).format("%a %d %b %H:%M"),
                super::staff::by(&a.staff)
            ),
            a.note.clone(),
            a.url.clone(),
        ),
        crate::state::LogRow::FollowUp(f) => (
            "follow-up due".to_string(),
            f.due.format("%a %d %b").to_string(),
            f.note.clone(),
            None,
        ),
    };
    let mut out = vec![Line::from(vec![
        Span::styled(title, accent),
        Span::styled(format!(" · {when}"), muted),
    ])];
    if !note.is_empty() {
        out.push(Line::from(format!("note: {note}")));
    }
    if let Some(url) = url {
        out.push(Line::from(Span::styled(url, muted)));
    }
    out.push(Line::from(Span::styled("─".repeat(20), muted)));
    out
}

fn lines(state: &AppState, post: &Post, width: usize) -> Vec<Line<'static>> {
    let muted = Style::default().fg(state.theme.muted);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let color = category_color(state, post.triage.category);
    let mut out = Vec::new();
    let name = state
        .customer_of(post)
        .map(|c| c.name.clone())
        .filter(|_| post.author.display_name.is_empty())
        .unwrap_or_else(|| post.author.display_name.clone());
    let mut header = Vec::new();
    if post.by_shop {
        header.push(Span::styled(
            "YOUR SHOP ",
            Style::default()
                .fg(state.theme.praise)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if !name.is_empty() {
        header.push(Span::styled(format!("{name} "), bold));
    }
    header.push(Span::styled(
        format!(
            "@{} · {} · {}",
            post.author.handle,
            post.network,
            state.local(post.created_at).format("%a %d %b %H:%M")
        ),
        muted,
    ));
    out.push(Line::from(header));
    if post.by_shop {
        out.extend(shop_post(state, post, width));
        return out;
    }
    let mut status = vec![Span::styled(
        format!("{} {:.2}", post.triage.category.as_str(), post.triage.score),
        Style::default().fg(color).add_modifier(Modifier::BOLD),
    )];
    if let Some(stars) = post.rating {
        status.push(Span::styled(
            format!("  {} {stars}/5", crate::triage::stars(stars)),
            Style::default().fg(color),
        ));
    }
    if post.triage.category.needs_attention() {
        status.push(Span::styled(
            format!("  urgency {:.2}", state.urgency(post)),
            Style::default().fg(color),
        ));
    }
    if post.triage.is_crisis() {
        status.push(Span::styled(
            "  PERSON IN CRISIS: reply with care first",
            Style::default()
                .fg(state.theme.distress)
                .add_modifier(Modifier::BOLD),
        ));
    }
    match (post.handled_at, post.dismissed_at, post.first_response_at) {
        (Some(h), _, _) => status.push(Span::styled(
            format!("  ✓ handled {}", ago(state.now, h)),
            Style::default().fg(state.theme.praise),
        )),
        (None, Some(d), _) => status.push(Span::styled(
            format!("  – dismissed {} (not for us)", ago(state.now, d)),
            muted,
        )),
        (None, None, Some(r)) => status.push(Span::styled(
            format!("  answered {}", ago(state.now, r)),
            muted,
        )),
        _ => {}
    }
    // Beside the status, where every screen size shows it: a teammate may be answering this post too.
    status.extend(super::staff::team_drafts(state, post.id));
    out.push(Line::from(status));
    out.extend(super::team::detail_line(state, post));
    out.push(Line::default());

    // The post first, why it was flagged after: on a small screen the words matter most.
    let (ancestors, replies) = thread(state, post, width);
    out.extend(ancestors);
    out.extend(highlighted_text(state, post));
    out.extend(quoted(state, post, width));
    if let Some(url) = &post.url {
        out.push(Line::from(Span::styled(url.clone(), muted)));
    }
    if !post.triage.reasons.is_empty() {
        let cues = super::cues(post);
        out.push(Line::from(Span::styled(
            format!("why: {}", cues.join(" · ")),
            Style::default().fg(color),
        )));
    }
    if let Some(c) = state.detail.of(post.id).and_then(|d| d.correction.as_ref()) {
        out.push(Line::from(Span::styled(
            format!(
                "corrected to {} (was {}) {}{}",
                c.category.as_str(),
                c.original.category.as_str(),
                state.local(c.at).format("%H:%M"),
                super::staff::by(&c.staff)
            ),
            muted,
        )));
    }
    out.extend(replies);
    if let Some(draft) = state.drafts.get(&post.id) {
        out.push(Line::default());
        let label = match &draft.state {
            crate::domain::DraftState::Failed(why) => {
                format!("✎ draft (last send failed: {why}): ")
            }
            crate::domain::DraftState::Unconfirmed(_) => {
                "✎ draft (send unconfirmed, text locked): ".to_string()
            }
            crate::domain::DraftState::Editing => "✎ draft: ".to_string(),
        };
        out.push(Line::from(vec![
            Span::styled(label, Style::default().fg(state.theme.question)),
            Span::raw(truncate_words(
                &one_line(&draft.text),
                width.saturating_sub(10),
            )),
        ]));
    }
    for reply in state.replies.get(&post.id).into_iter().flatten() {
        let sender = match reply.staff.as_str() {
            "" => String::new(),
            name if name == state.team.me => " you".to_string(),
            name => format!(" {name}"),
        };
        out.push(Line::from(vec![
            Span::styled(
                format!("↩{sender} replied {}: ", ago(state.now, reply.sent_at)),
                Style::default().fg(state.theme.praise),
            ),
            Span::raw(truncate_words(
                &one_line(&reply.text),
                width.saturating_sub(20),
            )),
        ]));
    }
    out.push(Line::default());
    match state.customer_of(post) {
        Some(c) => out.extend(customer_card(state, c, post, width)),
        None => out.push(Line::from(Span::styled(
            "Not one of your top customers.",
            muted,
        ))),
    }
    out
}

/// The thread around a post, as lines: its ancestors (then a blank line) and its replies. The shop's own posts
/// are marked and coloured as the shop's.
fn thread(state: &AppState, post: &Post, width: usize) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let Some(details) = state.detail.of(post.id) else {
        return (Vec::new(), Vec::new());
    };
    let (ancestors, replies) = (&details.ancestors, &details.replies_below);
    let line = |mark: &str, p: &Post| {
        let (who, style) = if p.by_shop {
            ("your shop ", Style::default().fg(state.theme.praise))
        } else {
            ("", Style::default().fg(state.theme.muted))
        };
        let text = format!("{mark} {who}@{}: {}", p.author.handle, one_line(&p.text));
        Line::from(Span::styled(truncate_words(&text, width), style))
    };
    let mut above: Vec<Line<'static>> = ancestors.iter().map(|p| line("↑", p)).collect();
    if !above.is_empty() {
        above.push(Line::default());
    }
    (above, replies.iter().map(|p| line("↳", p)).collect())
}

/// The post a post quotes, under its text: what the quote is about.
fn quoted(state: &AppState, post: &Post, width: usize) -> Vec<Line<'static>> {
    if post.quotes.is_none() {
        return Vec::new();
    }
    let style = Style::default().fg(state.theme.muted);
    let Some(details) = state.detail.of(post.id) else {
        return vec![Line::from(Span::styled("┃ quotes a post", style))];
    };
    let Some(q) = &details.quoted else {
        return vec![Line::from(Span::styled(
            "┃ quotes a post not fetched yet",
            style,
        ))];
    };
    let mut out = vec![Line::from(Span::styled(
        truncate_words(&format!("┃ quoting @{}:", q.author.handle), width),
        style,
    ))];
    out.extend(q.text.lines().take(6).map(|l| {
        Line::from(Span::styled(
            truncate_words(&format!("┃ {l}"), width),
            style,
        ))
    }));
    out
}

/// The rest of a post of the shop's own: not triaged, and the thread it belongs to.
fn shop_post(state: &AppState, post: &Post, width: usize) -> Vec<Line<'static>> {
    let muted = Style::default().fg(state.theme.muted);
    let mut out = vec![
        Line::from(Span::styled(
            "posted by the shop: not triaged, never in Attention",
            muted,
        )),
        Line::default(),
    ];
    let (ancestors, replies) = thread(state, post, width);
    out.extend(ancestors);
    out.extend(post.text.lines().map(|l| Line::from(l.to_string())));
    if let Some(url) = &post.url {
        out.push(Line::from(Span::styled(url.clone(), muted)));
    }
    out.extend(replies);
    out
}

/// The post's text with the reasons' spans highlighted (spans are byte offsets into the stored text).
fn highlighted_text(state: &AppState, post: &Post) -> Vec<Line<'static>> {
    let text = &post.text;
    let hl = Style::default()
        .fg(category_color(state, post.triage.category))
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut marks: Vec<(usize, usize)> = post
        .triage
        .reasons
        .iter()
        .filter(|r| !r.words(text).is_empty())
        .map(|r| (r.start, r.end))
        .collect();
    marks.sort();
    let mut lines = vec![Line::default()];
    let push = |segment: &str, style: Style, lines: &mut Vec<Line<'static>>| {
        for (i, part) in segment.split('\n').enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            if !part.is_empty()
                && let Some(last) = lines.last_mut()
            {
                last.spans.push(Span::styled(part.to_string(), style));
            }
        }
    };
    let mut at = 0;
    for (start, end) in marks {
        if start < at {
            continue; // overlapping cue: the first one already shows these words
        }
        push(&text[at..start], Style::default(), &mut lines);
        push(&text[start..end], hl, &mut lines);
        at = end;
    }
    push(&text[at..], Style::default(), &mut lines);
    lines
}

fn customer_card(state: &AppState, c: &Customer, post: &Post, width: usize) -> Vec<Line<'static>> {
    let muted = Style::default().fg(state.theme.muted);
    let accent = Style::default()
        .fg(state.theme.accent)
        .add_modifier(Modifier::BOLD);
    let mut out = vec![
        Line::from(Span::styled(format!("── {} ──", c.name), accent)),
        Line::from(vec![
            Span::raw(format!(
                "{} #{} · lifetime spend {}",
                if c.former { "former rank" } else { "rank" },
                c.rank,
                state.currency.format(c.lifetime_spend_cents)
            )),
            Span::styled(format!(" · {}", c.external_id), muted),
        ]),
    ];
    let handles: Vec<String> = c
        .handles
        .iter()
        .map(|h| format!("{}: @{}", h.network, h.handle))
        .collect();
    if !handles.is_empty() {
        out.push(Line::from(Span::styled(handles.join("  "), muted)));
    }
    if !c.note.is_empty() {
        out.push(Line::from(format!("note: {}", c.note)));
    }
    let details = state.detail.of(post.id);
    let recent: &[Post] = details.map_or(&[], |d| &d.customer_posts);
    if !recent.is_empty() {
        out.push(Line::from(Span::styled("last posts", accent)));
        for p in recent {
            out.push(Line::from(Span::styled(
                truncate_words(
                    &format!("{:>4} {}", ago(state.now, p.created_at), one_line(&p.text)),
                    width,
                ),
                muted,
            )));
        }
    }
    let actions: &[crate::domain::Action] = details.map_or(&[], |d| &d.customer_actions);
    if !actions.is_empty() {
        out.push(Line::from(Span::styled("past actions", accent)));
        for a in actions {
            let line = format!(
                "{} {} {} {}",
                state.local(a.at).format("%d %b %H:%M"),
                super::staff::staff_cell(&a.staff, if width < 60 { 3 } else { 10 }),
                a.kind.label(),
                one_line(&a.note)
            );
            out.push(Line::from(truncate_words(&line, width)));
        }
    }
    let follow_ups: Vec<_> = state
        .follow_ups
        .iter()
        .filter(|f| f.customer == Some(c.id) && f.done_at.is_none())
        .collect();
    for f in follow_ups {
        out.push(Line::from(Span::styled(
            truncate_words(
                &format!("⏰ follow up {} {}", f.due.format("%a %d %b"), f.note),
                width,
            ),
            Style::default().fg(state.theme.question),
        )));
    }
    out
}
