//! `regulars report`'s output: text to read, CSV for a spreadsheet (one measure a row, ready to pivot), JSON.

use std::io::Write;

use super::{Counts, Report, ResponseRow, duration_text};
use crate::domain::Category;

/// `regulars report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Csv,
    Json,
}

pub fn write(report: &Report, format: Format, out: &mut impl Write) -> anyhow::Result<()> {
    match format {
        Format::Text => text(report, out)?,
        Format::Csv => csv(report, out)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn network_name(row: &ResponseRow) -> &'static str {
    row.network.map_or("all networks", |n| n.as_str())
}

fn who(row: &ResponseRow) -> &'static str {
    if row.regulars { "regulars" } else { "everyone" }
}

fn text(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let tz = report
        .time_zone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::UTC);
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M");
    writeln!(
        out,
        "Response report {} to {} ({})",
        local(report.from),
        local(report.to),
        report.time_zone
    )?;
    writeln!(out)?;
    writeln!(out, "First response, in business hours")?;
    writeln!(
        out,
        "  {:<14} {:<9} {:>8} {:>8} {:>8}",
        "network", "who", "answered", "median", "90th pct"
    )?;
    for row in &report.first_response {
        let time = |s: Option<i64>| s.map_or("-".to_string(), duration_text);
        writeln!(
            out,
            "  {:<14} {:<9} {:>8} {:>8} {:>8}",
            network_name(row),
            who(row),
            row.answered,
            time(row.median_secs),
            time(row.p90_secs)
        )?;
    }
    let h = report.handled;
    let counted = h.within + h.late;
    let share = (h.within * 100 + counted / 2)
        .checked_div(counted)
        .map_or("-".to_string(), |p| format!("{p}%"));
    writeln!(out)?;
    writeln!(
        out,
        "Handled within the day (complaints, distress, questions): {} of {counted} ({share}); {} late, {} waiting",
        h.within, h.late, h.waiting
    )?;
    table(out, "Posts per day", &report.per_day, |label| {
        chrono::NaiveDate::parse_from_str(label, "%Y-%m-%d")
            .map(|d| d.format("%a %d %b").to_string())
            .unwrap_or_else(|_| label.to_string())
    })?;
    table(
        out,
        "Posts per hour of the day",
        &report.per_hour,
        |label| format!("{label}:00"),
    )
}

fn table(
    out: &mut impl Write,
    title: &str,
    rows: &[Counts],
    label: impl Fn(&str) -> String,
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{title}")?;
    write!(out, "  {:<14}", "")?;
    for category in Category::ALL {
        write!(out, " {:>9}", category.as_str())?;
    }
    writeln!(out, " {:>9}", "total")?;
    if rows.is_empty() {
        writeln!(out, "  no posts")?;
    }
    for row in rows {
        write!(out, "  {:<14}", label(&row.label))?;
        for n in row.posts {
            write!(out, " {n:>9}")?;
        }
        writeln!(out, " {:>9}", row.total())?;
    }
    Ok(())
}

/// Long form: `measure,network,who,period,category,value`, one number a row. Times in whole minutes.
fn csv(report: &Report, out: &mut impl Write) -> anyhow::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(["measure", "network", "who", "period", "category", "value"])?;
    for row in &report.first_response {
        let network = row.network.map_or("all", |n| n.as_str());
        let minutes = |s: Option<i64>| s.map_or(String::new(), |s| ((s + 30) / 60).to_string());
        for (measure, value) in [
            ("first_response_answered", row.answered.to_string()),
            ("first_response_median_minutes", minutes(row.median_secs)),
            ("first_response_p90_minutes", minutes(row.p90_secs)),
        ] {
            w.write_record([measure, network, who(row), "", "", &value])?;
        }
    }
    let h = report.handled;
    for (measure, value) in [
        ("handled_within_day", h.within),
        ("handled_late", h.late),
        ("handled_waiting", h.waiting),
    ] {
        w.write_record([measure, "all", "everyone", "", "", &value.to_string()])?;
    }
    for (measure, rows) in [
        ("posts_per_day", &report.per_day),
        ("posts_per_hour", &report.per_hour),
    ] {
        for row in rows {
            for (category, n) in Category::ALL.iter().zip(row.posts) {
                w.write_record([
                    measure,
                    "all",
                    "everyone",
                    &row.label,
                    category.as_str(),
                    &n.to_string(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}
