//! The Stats view: first response times in business hours (a table), handled within the day, posts per day by
//! category (a bar chart, a bar per category) and per hour of the day (a sparkline per category).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline};

use crate::domain::Category;
use crate::report::{Report, duration_text};
use crate::state::AppState;
use crate::state::stats::STATS_DAYS;

/// The category column of the per-hour sparklines.
const LABEL: u16 = 10;

pub(super) fn render(frame: &mut Frame, state: &AppState, area: Rect) {
    let tz = state.stats.hours.time_zone();
    let title = Line::from(format!(
        " Stats · last {STATS_DAYS} days · business hours in {} ",
        tz.name()
    ));
    let block = super::pane_block(state, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let muted = Style::default().fg(state.theme.muted);
    let Some(report) = &state.stats.report else {
        let text = if state.stats.failed {
            "Reading the report failed (the status bar says why); close and open the view to try again."
        } else {
            "Counting…"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, muted)), inner);
        return;
    };
    let responses = response_lines(state, report);
    let wide = inner.width >= 110;
    let (table, days, hours) = if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Length(52), Constraint::Min(40)]).areas(inner);
        let [days, hours] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(right);
        (left, days, hours)
    } else {
        let charts = 6 + 7;
        let table = (responses.len() as u16).min(inner.height.saturating_sub(charts));
        let [table, days, hours] = Layout::vertical([
            Constraint::Length(table),
            Constraint::Min(6),
            Constraint::Length(7),
        ])
        .areas(inner);
        (table, days, hours)
    };
    frame.render_widget(Paragraph::new(responses), table);
    per_day(frame, state, report, days);
    per_hour(frame, state, report, hours, !wide);
}

/// The first-response table and the handled line.
fn response_lines<'a>(state: &AppState, report: &'a Report) -> Vec<Line<'a>> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let muted = Style::default().fg(state.theme.muted);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:<24}", "First response"), bold),
        Span::styled(
            format!(" {:>8} {:>8} {:>8}", "answered", "median", "90th pct"),
            muted,
        ),
    ])];
    for row in &report.first_response {
        let time = |s: Option<i64>| s.map_or("-".to_string(), duration_text);
        let who = if row.regulars { "regulars" } else { "everyone" };
        lines.push(Line::from(format!(
            "  {:<12} {:<9} {:>8} {:>8} {:>8}",
            row.network.map_or("all networks", |n| n.as_str()),
            who,
            row.answered,
            time(row.median_secs),
            time(row.p90_secs)
        )));
    }
    let h = report.handled;
    let counted = h.within + h.late;
    lines.push(Line::from(vec![
        Span::styled("Handled within the day ", bold),
        Span::raw(format!("{} of {counted}", h.within)),
        Span::styled(format!(" · {} waiting", h.waiting), muted),
    ]));
    lines
}

/// Posts per day: a group of bars per day, one bar per category in its colour, a legend above.
fn per_day(frame: &mut Frame, state: &AppState, report: &Report, area: Rect) {
    let [legend, chart] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let mut spans = vec![Span::styled(
        "Posts per day ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for category in Category::ALL {
        spans.push(Span::styled(
            "■",
            Style::default().fg(super::category_color(state, category)),
        ));
        spans.push(Span::raw(format!("{} ", category.as_str())));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), legend);
    let days = report.per_day.len().max(1) as u16;
    // Each day's group: five bars and a gap, as wide as the chart allows.
    let bar_width = ((chart.width / days).saturating_sub(1) / 5).clamp(1, 4);
    let mut bars = BarChart::default()
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(1);
    for day in &report.per_day {
        let label = chrono::NaiveDate::parse_from_str(&day.label, "%Y-%m-%d")
            .map(|d| {
                d.format(if bar_width >= 2 { "%a %d" } else { "%a" })
                    .to_string()
            })
            .unwrap_or_else(|_| day.label.clone());
        let group: Vec<Bar> = Category::ALL
            .iter()
            .zip(day.posts)
            .map(|(category, n)| {
                Bar::default()
                    .value(n)
                    .text_value(String::new())
                    .style(Style::default().fg(super::category_color(state, *category)))
            })
            .collect();
        bars = bars.data(BarGroup::default().label(Line::from(label)).bars(&group));
    }
    frame.render_widget(bars, chart);
}

/// Posts per hour of the day: a sparkline per category over the 24 hours, each hour as wide as fits, and the
/// hours marked below.
fn per_hour(frame: &mut Frame, state: &AppState, report: &Report, area: Rect, narrow: bool) {
    let rows = Layout::vertical([Constraint::Length(1); 7]).split(area);
    let mut hours = [[0u64; 24]; 5];
    for row in &report.per_hour {
        if let Ok(h) = row.label.parse::<usize>()
            && h < 24
        {
            for (c, n) in row.posts.iter().enumerate() {
                hours[c][h] = *n;
            }
        }
    }
    let max = hours.iter().flatten().copied().max().unwrap_or(0);
    let width = (area.width.saturating_sub(LABEL) / 24).max(1);
    let title = if narrow {
        "Posts per hour of the day"
    } else {
        "Posts per hour of the day (one scale for every category)"
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            title,
            Style::default().add_modifier(Modifier::BOLD),
        )),
        rows[0],
    );
    for (i, category) in Category::ALL.iter().enumerate() {
        let [label, line] =
            Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(1)]).areas(rows[i + 1]);
        let color = super::category_color(state, *category);
        frame.render_widget(
            Paragraph::new(Span::styled(category.as_str(), Style::default().fg(color))),
            label,
        );
        let data: Vec<u64> = hours[i]
            .iter()
            .flat_map(|n| std::iter::repeat_n(*n, width as usize))
            .collect();
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .max(max.max(1))
                .style(Style::default().fg(color)),
            line,
        );
    }
    let mut axis = vec![' '; 24 * width as usize + 2];
    for h in [0usize, 6, 12, 18] {
        for (j, c) in h.to_string().chars().enumerate() {
            axis[h * width as usize + j] = c;
        }
    }
    let axis: String = axis.into_iter().collect();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(" ".repeat(LABEL as usize)),
            Span::styled(axis, Style::default().fg(state.theme.muted)),
        ])),
        rows[6],
    );
}
