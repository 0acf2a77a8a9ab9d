//! `regulars export posts|actions|replies`: every row as CSV (a header, then one line a row) or JSON Lines (one
//! object a line), streamed: each row is written as the store reads it, so a million posts export in constant
//! memory. Times are RFC 3339 in UTC; ids are the store's, so posts, actions and replies join on `post_id`.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Action, Post, Reply};
use crate::store::ReportRepo;

/// What `regulars export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    Posts,
    Actions,
    Replies,
}

/// `regulars export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    /// JSON Lines: one object a line.
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRow {
    pub post_id: i64,
    pub network: String,
    pub native_id: String,
    pub url: Option<String>,
    pub author_handle: String,
    pub author_name: String,
    pub customer_id: Option<i64>,
    pub created_at: String,
    pub category: String,
    pub score: f32,
    pub is_mention: bool,
    pub by_shop: bool,
    pub rating: Option<u8>,
    pub first_response_at: Option<String>,
    pub handled_at: Option<String>,
    pub dismissed_at: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub action_id: i64,
    pub post_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub kind: String,
    pub at: String,
    pub note: String,
    pub url: Option<String>,
    /// Who logged it (`[me] name`); empty for actions from before names were kept.
    pub staff: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyRow {
    pub post_id: i64,
    pub network: String,
    pub sent_at: String,
    pub url: Option<String>,
    pub remote_id: Option<String>,
    pub text: String,
    /// Who sent it (`[me] name`); empty for replies from before names were kept.
    pub staff: String,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<&Post> for PostRow {
    fn from(p: &Post) -> PostRow {
        PostRow {
            post_id: p.id.0,
            network: p.network.as_str().into(),
            native_id: p.native_id.clone(),
            url: p.url.clone(),
            author_handle: p.author.handle.clone(),
            author_name: p.author.display_name.clone(),
            customer_id: p.customer.map(|c| c.0),
            created_at: time(p.created_at),
            category: p.triage.category.as_str().into(),
            score: p.triage.score,
            is_mention: p.is_mention,
            by_shop: p.by_shop,
            rating: p.rating,
            first_response_at: p.first_response_at.map(time),
            handled_at: p.handled_at.map(time),
            dismissed_at: p.dismissed_at.map(time),
            text: p.text.clone(),
        }
    }
}

impl From<&Action> for ActionRow {
    fn from(a: &Action) -> ActionRow {
        ActionRow {
            action_id: a.id,
            post_id: a.post.map(|p| p.0),
            customer_id: a.customer.map(|c| c.0),
            kind: a.kind.as_str().into(),
            at: time(a.at),
            note: a.note.clone(),
            url: a.url.clone(),
            staff: a.staff.clone(),
        }
    }
}

impl From<&Reply> for ReplyRow {
    fn from(r: &Reply) -> ReplyRow {
        ReplyRow {
            post_id: r.post.0,
            network: r.network.as_str().into(),
            sent_at: time(r.sent_at),
            url: r.url.clone(),
            remote_id: r.remote_id.clone(),
            text: r.text.clone(),
            staff: r.staff.clone(),
        }
    }
}

/// Writes rows one at a time in the chosen format, counting them for the progress line.
struct RowWriter<'o, 'p> {
    out: Sink<'o>,
    written: u64,
    progress: Option<&'p mut dyn Write>,
    table: &'static str,
}

enum Sink<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Json(&'a mut dyn Write),
}

/// Rows between two progress lines.
const PROGRESS_EVERY: u64 = 10_000;

impl RowWriter<'_, '_> {
    fn row(&mut self, row: &impl Serialize) -> std::io::Result<()> {
        match &mut self.out {
            Sink::Csv(w) => w.serialize(row).map_err(std::io::Error::other)?,
            Sink::Json(w) => {
                serde_json::to_writer(&mut **w, row)?;
                w.write_all(b"\n")?;
            }
        }
        self.written += 1;
        if self.written.is_multiple_of(PROGRESS_EVERY)
            && let Some(p) = self.progress.as_mut()
        {
            write!(p, "\r{} {} written", self.written, self.table)?;
            p.flush()?;
        }
        Ok(())
    }

    fn finish(self) -> std::io::Result<u64> {
        match self.out {
            Sink::Csv(mut w) => w.flush()?,
            Sink::Json(w) => w.flush()?,
        }
        if let Some(p) = self.progress {
            writeln!(p, "\r{} {} written", self.written, self.table)?;
        }
        Ok(self.written)
    }
}

/// Streams `table` (rows since `since`, or all) to `out`; a progress line goes to `progress` every
/// [`PROGRESS_EVERY`] rows when there is one (stderr on a terminal: see [`progress_on_terminal`]). A CSV export
/// with no rows still has its header. Returns how many rows were written.
pub fn export<R: ReportRepo + ?Sized>(
    store: &R,
    table: Table,
    format: Format,
    since: Option<DateTime<Utc>>,
    out: &mut dyn Write,
    progress: Option<&mut dyn Write>,
) -> anyhow::Result<u64> {
    let name = match table {
        Table::Posts => "posts",
        Table::Actions => "actions",
        Table::Replies => "replies",
    };
    let sink = match format {
        // The header is written with the first row; with none, it is written here from an empty row type.
        Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
        Format::Json => Sink::Json(out),
    };
    let mut w = RowWriter {
        out: sink,
        written: 0,
        progress,
        table: name,
    };
    match table {
        Table::Posts => store.each_post(since, &mut |p| w.row(&PostRow::from(p)))?,
        Table::Actions => store.each_action(since, &mut |a| w.row(&ActionRow::from(a)))?,
        Table::Replies => store.each_reply(since, &mut |r| w.row(&ReplyRow::from(r)))?,
    };
    if w.written == 0
        && let Sink::Csv(csv) = &mut w.out
    {
        csv.write_record(header(table))?;
    }
    Ok(w.finish()?)
}

/// The CSV header of a table with no rows (serde writes it with the first row otherwise).
fn header(table: Table) -> &'static [&'static str] {
    match table {
        Table::Posts => &[
            "post_id",
            "network",
            "native_id",
            "url",
            "author_handle",
            "author_name",
            "customer_id",
            "created_at",
            "category",
            "score",
            "is_mention",
            "by_shop",
            "rating",
            "first_response_at",
            "handled_at",
            "dismissed_at",
            "text",
        ],
        Table::Actions => &[
            "action_id",
            "post_id",
            "customer_id",
            "kind",
            "at",
            "note",
            "url",
            "staff",
        ],
        Table::Replies => &[
            "post_id",
            "network",
            "sent_at",
            "url",
            "remote_id",
            "text",
            "staff",
        ],
    }
}

/// Standard error for the progress line when it is a terminal; nothing in a pipe, a file or cron's mail.
pub fn progress_on_terminal(stderr: &mut std::io::Stderr) -> Option<&mut dyn Write> {
    stderr.is_terminal().then_some(stderr as &mut dyn Write)
}
