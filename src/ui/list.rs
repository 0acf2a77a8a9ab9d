//! The list panes: Regulars, Mentions and Attention (posts) and Log (assistance actions).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{ago, category_color, focused, pane_block};
use crate::domain::{Category, Post};
use crate::state::{AppState, LogRow, Pane};
use crate::text::{one_line, truncate_width, truncate_words, without_leading_mentions};

/// The narrow layout's line of pane names, the focused one highlighted, with counts.
pub fn tabs(state: &AppState) -> Paragraph<'static> {
    let mut spans = Vec::new();
    for pane in state.panes() {
        let count = count(state, pane);
        let style = if pane == state.focus {
            Style::default()
                .fg(state.theme.accent)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::default().fg(state.theme.muted)
        };
        spans.push(Span::styled(format!(" {} {count} ", pane.title()), style));
        let unread = state.reads.unread_in(pane);
        if unread > 0 {
            spans.push(Span::styled(
                format!("●{}", crate::text::thousands(unread)),
                Style::default().fg(state.theme.accent),
            ));
        }
        spans.push(Span::raw(" "));
    }
    Paragraph::new(Line::from(spans))
}

/// A pane's true size, its whole query's (not what is loaded), thousands grouped.
fn count(state: &AppState, pane: Pane) -> String {
    let n = match pane {
        Pane::Log => state.log.window.total,
        _ => state.list(pane).map_or(0, |l| l.window.total),
    };
    crate::text::thousands(n as u64)
}

fn title(state: &AppState, pane: Pane) -> Line<'static> {
    let name = match (pane, state.history.and_then(|c| state.customers.get(&c))) {
        (Pane::History, Some(c)) => format!(" {}'s posts ", c.name),
        _ => format!(" {} ", pane.title()),
    };
    let mut spans = vec![Span::styled(
        name,
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let extra = match pane {
        Pane::Attention => format!("{} open ", count(state, pane)),
        Pane::Log => match state.due_follow_ups().count() {
            0 => String::new(),
            due => format!("{} ", super::follow_ups_due(due)),
        },
        _ => format!("{} ", count(state, pane)),
    };
    spans.push(Span::styled(extra, Style::default().fg(state.theme.muted)));
    let unread = state.reads.unread_in(pane);
    if unread > 0 {
        spans.push(Span::styled(
            format!("· {} unread ", crate::text::thousands(unread)),
            Style::default().fg(state.theme.accent),
        ));
    }
    if state.team.mine && pane.shows_posts() {
        spans.push(Span::styled(
            "mine ",
            Style::default().fg(state.theme.accent),
        ));
    }
    if !state.filter.query.is_empty() && pane.shows_posts() {
        spans.push(Span::styled(
            format!("/{} ", truncate_width(&state.filter.query, 16)),
            Style::default().fg(state.theme.accent),
        ));
    }
    Line::from(spans)
}

pub fn render(frame: &mut Frame, state: &AppState, pane: Pane, area: Rect) {
    let rows = if pane.shows_posts() {
        state.rows(pane)
    } else {
        Vec::new()
    };
    let block = pane_block(state, title(state, pane), focused(state, pane));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if pane == Pane::Log {
        return render_log(frame, state, inner);
    }
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_text(state, pane))
                .style(Style::default().fg(state.theme.muted))
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    let selected = state.selected_index(pane);
    windowed(frame, state, inner, &rows, selected, 1, |p| {
        ListItem::new(post_line(state, p, width))
    });
}

/// Draws the rows of `rows` that fit in `area` (each `height` lines), scrolled so that `selected` shows and
/// highlighted: only the rows that can show are built, as a list may hold thousands.
pub(super) fn windowed<'a, T>(
    frame: &mut Frame,
    state: &AppState,
    area: Rect,
    rows: &[T],
    selected: usize,
    height: usize,
    item: impl Fn(&T) -> ListItem<'a>,
) {
    let visible = (area.height as usize / height).max(1);
    let start = (selected + 1).saturating_sub(visible);
    let items: Vec<ListItem> = rows.iter().skip(start).take(visible).map(item).collect();
    let mut list_state = ListState::default().with_selected(Some(selected - start));
    let list = List::new(items).highlight_style(
        Style::default()
            .patch(state.theme.selected())
            .add_modifier(Modifier::BOLD),
    );
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn empty_text(state: &AppState, pane: Pane) -> String {
    if !state.filter.query.is_empty() {
        return format!(
            "Nothing matches /{}. Esc clears the filter.",
            state.filter.query
        );
    }
    if state.sources.is_empty() {
        // Not an all-clear: nothing can arrive until a source is configured.
        return format!(
            "No sources configured, so no posts can arrive. Add a [sources.<name>] table to your config \
             (see config.example.toml); {} lists the sources.",
            state.keymap.hint(crate::app::Command::Sources)
        );
    }
    match pane {
        Pane::Regulars if state.customers.is_empty() => {
            "No customers imported yet: set shop.customers in the config.".into()
        }
        Pane::Regulars => "No posts from your regulars yet.".into(),
        Pane::History => "No posts from this customer stored yet.".into(),
        Pane::Mentions => "No brand mentions yet.".into(),
        Pane::Attention => "Nothing needs attention. ✓".into(),
        Pane::Log => "No actions logged yet.".into(),
    }
}

fn badge(category: Category) -> &'static str {
    match category {
        Category::Complaint => "complaint",
        Category::Distress => "distress",
        Category::Question => "question",
        Category::Praise => "praise",
        Category::Neutral => "",
    }
}

/// The category in two columns at most: `!` complaint, `!!` distress, `?` question, `+` praise.
fn symbol(category: Category) -> &'static str {
    match category {
        Category::Complaint => "!",
        Category::Distress => "!!",
        Category::Question => "?",
        Category::Praise => "+",
        Category::Neutral => "",
    }
}

pub(super) fn who(state: &AppState, post: &Post) -> String {
    match state.customer_of(post) {
        Some(c) => format!("{} #{}", c.name, c.rank),
        None if !post.author.display_name.is_empty() => post.author.display_name.clone(),
        None => format!("@{}", post.author.handle),
    }
}

/// The widest category word: the column is this wide whether or not a row has one, so rows align.
const BADGE_WIDTH: usize = 9;

/// Below this many columns a list row shows the category as a symbol ([`symbol`]), not a word.
const NARROW: usize = 60;

/// A post as a list row, on one line: unread dot, age, mark, category, who, stars, text (cut at a word).
fn post_line(state: &AppState, post: &Post, width: usize) -> Line<'static> {
    let muted = Style::default().fg(state.theme.muted);
    let color = category_color(state, post.triage.category);
    let handled = post.handled_at.is_some();
    let mut spans = vec![
        Span::styled(
            if post.read_at.is_none() { "●" } else { " " },
            Style::default().fg(state.theme.accent),
        ),
        Span::styled(format!("{:>4} ", ago(state.now, post.created_at)), muted),
    ];
    let mark = if handled {
        "✓ "
    } else if post.dismissed_at.is_some() {
        "– "
    } else if state.drafts.contains_key(&post.id) {
        "✎ "
    } else {
        "  "
    };
    spans.push(Span::styled(mark, Style::default().fg(state.theme.praise)));
    let mut style = Style::default().fg(color);
    if post.triage.category.needs_attention() && !handled {
        style = style.add_modifier(Modifier::BOLD);
    }
    // A narrow pane shows the category as a symbol, leaving the room to the post's words.
    let (label, label_width, name_width) = if width < NARROW {
        (symbol(post.triage.category), 2, 16)
    } else {
        (badge(post.triage.category), BADGE_WIDTH, 22)
    };
    spans.push(Span::styled(format!("{label:<label_width$} "), style));
    let mut used = 8 + label_width + 1;
    if let Some(team) = super::team::row_column(state, post, width) {
        spans.extend(team);
        used += super::team::column_width(width) + 2;
    }
    let who = truncate_words(&who(state, post), name_width);
    used += crate::text::display_width(&who) + 1;
    let who_style = if post.customer.is_some() {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    spans.push(Span::styled(format!("{who} "), who_style));
    if let Some(stars) = post.rating {
        spans.push(Span::styled(
            format!("{} ", crate::triage::stars(stars)),
            Style::default().fg(color),
        ));
        used += 6;
    }
    let text = truncate_words(
        &one_line(without_leading_mentions(&post.text)),
        width.saturating_sub(used),
    );
    spans.push(Span::styled(
        text,
        if handled { muted } else { Style::default() },
    ));
    Line::from(spans)
}

fn render_log(frame: &mut Frame, state: &AppState, area: Rect) {
    let muted = Style::default().fg(state.theme.muted);
    let width = area.width as usize;
    // Who did it: a name where the pane has room, initials where it is narrow, aligned either way.
    let staff_width = if width < 60 { 3 } else { 10 };
    let who = |customer: Option<crate::domain::CustomerId>, post: Option<crate::domain::PostId>| {
        customer
            .and_then(|c| state.customers.get(&c))
            .map(|c| c.name.clone())
            .or_else(|| {
                post.and_then(|p| state.posts.get(p))
                    .map(|p| format!("@{}", p.author.handle))
            })
            .unwrap_or_default()
    };
    let items: Vec<ListItem> = state
        .log_rows()
        .into_iter()
        .map(|row| match row {
            LogRow::FollowUp(f) => {
                let text = format!(
                    "⏰ follow-up due {} {} {}",
                    f.due.format("%a %d %b"),
                    who(f.customer, f.post),
                    f.note
                );
                ListItem::new(Line::from(Span::styled(
                    truncate_words(&text, width),
                    Style::default().fg(state.theme.question),
                )))
            }
            LogRow::Action(action) => {
                let who = who(action.customer, action.post);
                let time = state.local(action.at).format("%H:%M").to_string();
                let by = super::staff::staff_cell(&action.staff, staff_width);
                let who = truncate_words(&who, width.saturating_sub(25 + staff_width).max(8));
                let head = format!("{time} {by} {:<16} {who} ", action.kind.label());
                let note = truncate_words(
                    &one_line(&action.note),
                    width.saturating_sub(crate::text::display_width(&head)),
                );
                ListItem::new(Line::from(vec![
                    Span::styled(time, muted),
                    Span::raw(format!(" {by}")),
                    Span::styled(
                        format!(" {:<16} ", action.kind.label()),
                        Style::default().fg(state.theme.accent),
                    ),
                    Span::raw(format!("{who} ")),
                    Span::styled(note, muted),
                ]))
            }
        })
        .collect();
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_text(state, Pane::Log))
                .style(muted)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let selected = (state.focus == Pane::Log).then_some(state.log.selected);
    let mut list_state = ListState::default().with_selected(selected);
    let list = List::new(items).highlight_style(Style::default().patch(state.theme.selected()));
    frame.render_stateful_widget(list, area, &mut list_state);
}
