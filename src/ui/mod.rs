//! Rendering: a pure function of `AppState`. The only entry point is `render`.

mod candidates;
mod checkin;
mod composer;
pub mod customers;
mod detail;
mod follow_ups;
mod help;
pub mod layout;
mod list;
mod popup;
mod replies;
pub mod sources;
mod staff;
mod stats;
mod status_bar;
pub mod story;
mod team;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_alerts;
#[cfg(test)]
mod tests_checkin;
#[cfg(test)]
mod tests_composer;
#[cfg(test)]
mod tests_customers;
#[cfg(test)]
mod tests_live;
#[cfg(test)]
mod tests_reads;
#[cfg(test)]
mod tests_screens;
#[cfg(test)]
mod tests_stats;
#[cfg(test)]
mod tests_team;
#[cfg(test)]
mod tests_team_assign;
#[cfg(test)]
mod tests_undo;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::domain::Category;
use crate::state::{AppState, Pane, Popup, View};

pub fn render(frame: &mut Frame, state: &AppState) {
    let area = frame.area();
    match state.view {
        View::FollowUps | View::Customers | View::CheckIn | View::Stats => {
            let [main, status] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
            match state.view {
                View::FollowUps => follow_ups::render(frame, state, main),
                View::CheckIn => checkin::render(frame, state, main),
                View::Stats => stats::render(frame, state, main),
                _ => customers::render(frame, state, main),
            }
            status_bar::render(frame, state, status);
        }
        View::Panes => render_panes(frame, state, area),
    }
    if state.composer.is_some() {
        composer::render(frame, state, area);
    }
    story::render_note(frame, state, area);
    match &state.popup {
        Some(Popup::Help { scroll }) => help::render(frame, state, area, *scroll),
        Some(popup) => popup::render(frame, state, area, popup),
        None => {}
    }
}

/// The panes: the lists, Detail, the filter line and the status bar.
fn render_panes(frame: &mut Frame, state: &AppState, area: Rect) {
    let areas = layout::areas(
        area,
        state.panes(),
        state.focus,
        state.columns,
        state.filter.editing.is_some(),
    );
    if let Some(tabs) = areas.tabs {
        frame.render_widget(list::tabs(state), tabs);
    }
    for (pane, rect) in &areas.lists {
        list::render(frame, state, *pane, *rect);
    }
    detail::render(frame, state, areas.detail);
    if let (Some(rect), Some(input)) = (areas.filter, state.filter.editing.as_ref()) {
        let line = Line::from(vec![
            Span::styled(
                "/",
                Style::default()
                    .fg(state.theme.accent)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(input.text().to_string()),
            Span::styled(
                "   Enter apply · Esc cancel · cat:complaint @handle customer:name is:open",
                Style::default().fg(state.theme.muted),
            ),
        ]);
        frame.render_widget(Paragraph::new(line), rect);
        let x = rect.x
            + 1
            + crate::text::display_width(
                &input
                    .text()
                    .chars()
                    .take(input.cursor())
                    .collect::<String>(),
            ) as u16;
        frame.set_cursor_position((x.min(rect.right().saturating_sub(1)), rect.y));
    }
    status_bar::render(frame, state, areas.status);
}

/// A bordered block, highlighted when focused.
fn pane_block<'a>(state: &AppState, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused {
        Style::default().fg(state.theme.accent)
    } else {
        Style::default().fg(state.theme.muted)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(title)
}

fn category_color(state: &AppState, category: Category) -> Color {
    match category {
        Category::Complaint => state.theme.urgent,
        Category::Distress => state.theme.distress,
        Category::Question => state.theme.question,
        Category::Praise => state.theme.praise,
        Category::Neutral => Color::Reset,
    }
}

/// A post's triage cues as staff read them: each once, in the order they fired.
fn cues(post: &crate::domain::Post) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    post.triage
        .reasons
        .iter()
        .map(|r| r.cue(&post.text))
        .filter(|cue| seen.insert(cue.to_lowercase()))
        .collect()
}

/// "now", "5m", "3h", "2d", "Nov 3".
pub fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..=59 => "now".into(),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        86_400..=604_799 => format!("{}d", secs / 86_400),
        _ => t.format("%b %-d").to_string(),
    }
}

/// "1 follow-up due", "2 follow-ups due".
fn follow_ups_due(n: usize) -> String {
    format!("{n} follow-up{} due", if n == 1 { "" } else { "s" })
}

/// Clears an area and draws a bordered popup block in it, returning the inner area.
fn popup_frame(frame: &mut Frame, state: &AppState, rect: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(state.theme.accent))
        .title(Span::styled(
            format!(" {title} "),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

fn focused(state: &AppState, pane: Pane) -> bool {
    state.focus == pane
        && !state.detail_focused
        && state.composer.is_none()
        && state.popup.is_none()
}

#[cfg(test)]
mod time_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ago_scales() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        assert_eq!(ago(now, now), "now");
        assert_eq!(ago(now, now - chrono::Duration::minutes(5)), "5m");
        assert_eq!(ago(now, now - chrono::Duration::hours(3)), "3h");
        assert_eq!(ago(now, now - chrono::Duration::days(2)), "2d");
        assert_eq!(ago(now, now - chrono::Duration::days(30)), "Oct 23");
    }
}
