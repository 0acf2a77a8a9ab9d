//! The export side of `regulars bench`: `regulars export posts` as CSV on the bench's store, run in a child
//! process twice, on the newest seven hours (about 1% of the month) and on every post. Each child reads its own
//! peak resident memory at the end: the export streams rows, so the two peaks are alike, whatever the size.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use super::report::{Better, Report};
use crate::export::rows::{self, Format, Table};
use crate::store::{Db, PostRepo};

/// The two runs: a label and the `--since` of each.
const RUNS: [(&str, Option<&str>); 2] = [("newest 7 hours", Some("7h")), ("every post", None)];

/// Runs the export children on `db`, adding their figures to `report`.
pub fn in_child(db: &Path, report: &mut Report) -> anyhow::Result<()> {
    let exe =
        std::env::current_exe().context("cannot find this program to run the export bench")?;
    for (label, since) in RUNS {
        let mut command = std::process::Command::new(&exe);
        command.args(["bench", "--export"]).arg(db);
        if let Some(since) = since {
            command.args(["--export-since", since]);
        }
        let out = command.output().context("cannot run the export bench")?;
        anyhow::ensure!(
            out.status.success(),
            "the export bench failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let figure = |name: &str| -> anyhow::Result<f64> {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('\t'))
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("the export bench gave no {name}: {stdout:?}"))
        };
        let (posts, secs, peak) = (figure("posts")?, figure("secs")?, figure("peak")?);
        report.add(
            format!("export posts CSV, {label}: {posts:.0} posts"),
            "posts/s",
            posts / secs.max(1e-9),
            None,
            Better::Higher,
        );
        report.add(
            format!("export posts CSV, {label}: peak resident memory"),
            "MB",
            peak,
            None,
            Better::Lower,
        );
    }
    Ok(())
}

/// The child's side of [`in_child`]: exports the posts (since `since`) into a file beside `db`, then writes
/// `posts`, `secs` and `peak` (MB) lines, `name TAB value`.
pub fn child(db: &Path, since: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Db::open(db)?;
    let since = since
        .map(|s| crate::report::parse_since(s, Utc::now(), &Default::default()))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let path = db.with_extension("export.csv");
    let mut file = BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    let started = Instant::now();
    let posts = rows::export(&store, Table::Posts, Format::Csv, since, &mut file, None)?;
    file.flush()?;
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    anyhow::ensure!(
        since.is_some() || posts == store.post_count()?,
        "the export wrote {posts} posts of {}",
        store.post_count()?
    );
    let (_, peak) = super::console::memory();
    writeln!(out, "posts\t{posts}\nsecs\t{secs}\npeak\t{peak}")?;
    Ok(())
}
