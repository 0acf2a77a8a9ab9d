//! `regulars bench`: a store of a month of realistic posts built through the real ingest, timed against a plain
//! SQLite program writing the same rows into the same schema in the same batches, in the same run.
//!
//! Each run (`--runs`, alternating sides, fresh files every time) measures:
//! - ours, store write: `Db::insert_batch` per batch (dedupe, shop answers, cursors, one transaction each) on
//!   posts prepared beforehand: the comparison with the baseline;
//! - the baseline: [`baseline::Baseline`] inserting the rows ours wrote, batch for batch;
//! - ours, backlog grouped: `Db::insert_batches` with as many batches per transaction as the ingest task
//!   groups when they queue up (the "bigger batches when a source has a backlog");
//! - ours, full pipeline: the ingest task itself (`ingest::run`: sanitize, match, triage, store through the
//!   store thread, the backlog grouped), fed the same batches as a source would.

pub mod baseline;
pub mod console;
pub mod customers;
pub mod export;
pub mod generate;
mod ids;
pub mod report;
mod sides;
pub mod soak;
mod texts;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;

use crate::domain::{ImportRun, IncomingPost, NewPost};
use crate::ingest::{Ingest, MAX_GROUP_POSTS, Matcher};
use crate::sources::listening::Listening;
use crate::store::{CustomerRepo, Db};
use report::{Better, Report, median, quantile};
use sides::{
    Timed, fresh, remove_db, run_pipeline, store_err, write_baseline, write_grouped, write_ours,
};

/// What ingest sees from a source catching up: a Mastodon timeline page (`limit=40`). Bluesky pages are 50 and
/// streams deliver one post at a time, so 40 is the smaller of the pages a backlog arrives in.
pub const DEFAULT_BATCH: usize = 40;

#[derive(Debug, Clone)]
pub struct Options {
    pub posts: usize,
    pub batch: usize,
    /// Repetitions of each side; medians are reported.
    pub runs: usize,
    pub seed: u64,
    pub customers: usize,
    /// Where the store files go (default: a new directory under the system's temp dir).
    pub dir: Option<PathBuf>,
    /// Keep the first run's store (`regulars.db` in the directory) for the console.
    pub keep: bool,
    /// Open the console on the first run's store and measure it (first frame, keys, search, memory).
    pub console: bool,
}

/// Every run's timings, by side.
#[derive(Default)]
struct Runs {
    ours: Vec<Timed>,
    baseline: Vec<Timed>,
    grouped: Vec<Timed>,
    /// The full pipeline's posts per second.
    pipeline: Vec<f64>,
}

impl Runs {
    fn report(&self, opts: &Options, prepare_rate: f64) -> Report {
        let mut report = Report {
            title: format!(
                "regulars bench: {} posts, batches of {}, {} run(s), seed {}",
                opts.posts, opts.batch, opts.runs, opts.seed
            ),
            ..Report::default()
        };
        let rates = |t: &[Timed]| median(&t.iter().map(|t| t.rate(opts.posts)).collect::<Vec<_>>());
        let ms = |t: &[Timed], q: f64| {
            quantile(
                &t.iter()
                    .flat_map(|t| t.batches.iter().copied())
                    .collect::<Vec<_>>(),
                q,
            )
        };
        let size = |t: &[Timed]| t.first().map_or(0.0, |t| t.bytes as f64 / 1e6);
        let base = Some(rates(&self.baseline));
        report.add(
            "ingest: store write, median",
            "posts/s",
            rates(&self.ours),
            base,
            Better::Higher,
        );
        report.add(
            format!("ingest: store write, backlog grouped (<= {MAX_GROUP_POSTS}/tx), median"),
            "posts/s",
            rates(&self.grouped),
            base,
            Better::Higher,
        );
        report.add(
            "ingest: full pipeline incl. triage, median",
            "posts/s",
            median(&self.pipeline),
            base,
            Better::Higher,
        );
        report.add(
            "prepare (sanitize, match, triage)",
            "posts/s",
            prepare_rate,
            None,
            Better::Higher,
        );
        let (ours, baseline) = (&self.ours, &self.baseline);
        report.add(
            "batch write, median",
            "ms",
            ms(ours, 0.5),
            Some(ms(baseline, 0.5)),
            Better::Lower,
        );
        report.add(
            "batch write, p99",
            "ms",
            ms(ours, 0.99),
            Some(ms(baseline, 0.99)),
            Better::Lower,
        );
        report.add(
            "store file size",
            "MB",
            size(ours),
            Some(size(baseline)),
            Better::Lower,
        );
        report
    }
}

pub fn run(opts: &Options, progress: &mut dyn Write) -> anyhow::Result<Report> {
    anyhow::ensure!(
        opts.posts > 0 && opts.batch > 0 && opts.runs > 0,
        "--posts, --batch and --runs must be above 0"
    );
    let dir = opts.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("regulars-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let kept = dir.join("regulars.db");
    anyhow::ensure!(
        !kept.exists(),
        "{} exists: the bench builds a fresh store; remove it or pick another --dir",
        kept.display()
    );
    let settings = crate::config::demo(5.0);
    let classifier = Arc::new(settings.config.classifier().map_err(anyhow::Error::msg)?);
    let schema = baseline::fresh_schema(&dir.join("schema.db"))?;

    // The first store is ours for run 1 and, with --keep, the console's afterwards.
    let mut first = Db::open(&kept).map_err(store_err)?;
    let made_up = customers::customers(opts.seed, opts.customers);
    let run = ImportRun::whole("bench", chrono::Utc::now(), &made_up);
    let customers = first.import_customers(&run, &made_up).map_err(store_err)?;
    let listening = Listening::new(&settings.config, &customers);
    let ingest = Ingest::new(classifier, Matcher::new(&listening));
    let now = Utc::now();
    let started = Instant::now();
    let incoming: Vec<Vec<IncomingPost>> = chunks(
        generate::Generator::new(opts.seed, opts.posts, now, &listening, &customers),
        opts.batch,
    );
    let generated = started.elapsed();
    writeln!(
        progress,
        "generated {} posts in {generated:.1?}",
        opts.posts
    )?;
    let started = Instant::now();
    let prepared: Vec<Vec<NewPost>> = incoming
        .iter()
        .map(|b| b.iter().map(|p| ingest.prepare(p.clone(), now)).collect())
        .collect();
    let prepare_rate = rate(opts.posts, started.elapsed());
    writeln!(
        progress,
        "prepared (sanitize, match, triage) at {prepare_rate:.0} posts/s"
    )?;

    let mut runs = Runs::default();
    let mut first = Some(first);
    let mut rows = None;
    for r in 0..opts.runs {
        let (db, path) = match first.take() {
            Some(db) => (db, kept.clone()),
            None => {
                let path = dir.join(format!("ours-{r}.db"));
                (fresh(&path, &customers)?, path)
            }
        };
        let t = write_ours(db, &prepared, &path)?;
        writeln!(
            progress,
            "run {}: ours, store write {:.0} posts/s",
            r + 1,
            t.rate(opts.posts)
        )?;
        runs.ours.push(t);
        if r > 0 {
            remove_db(&path);
        }
        let rows = match &rows {
            Some(rows) => rows,
            None => rows.insert([
                baseline::read_rows(&kept, "customers", &[])?,
                baseline::read_rows(&kept, "customer_handles", &[])?,
                baseline::read_rows(&kept, "posts", &["id"])?,
            ]),
        };
        let path = dir.join(format!("baseline-{r}.db"));
        let t = write_baseline(&path, &schema, rows, opts.batch)?;
        writeln!(
            progress,
            "run {}: baseline {:.0} posts/s",
            r + 1,
            t.rate(opts.posts)
        )?;
        runs.baseline.push(t);
        remove_db(&path);
        let path = dir.join(format!("grouped-{r}.db"));
        let t = write_grouped(fresh(&path, &customers)?, &prepared, &path)?;
        writeln!(
            progress,
            "run {}: ours, backlog grouped {:.0} posts/s",
            r + 1,
            t.rate(opts.posts)
        )?;
        runs.grouped.push(t);
        remove_db(&path);
        let path = dir.join(format!("pipeline-{r}.db"));
        let t = run_pipeline(&path, &customers, &ingest, &incoming)?;
        writeln!(
            progress,
            "run {}: ours, full pipeline {:.0} posts/s",
            r + 1,
            rate(opts.posts, t)
        )?;
        runs.pipeline.push(rate(opts.posts, t));
        remove_db(&path);
    }
    let mut report = runs.report(opts, prepare_rate);
    report.notes.extend(composition(&prepared));
    report.notes.push(format!(
        "store write: Db::insert_batch per batch (dedupe, shop answers, a cursor), posts prepared beforehand; \
         baseline: the same rows, same schema ({} statements from a fresh store), WAL + synchronous=NORMAL + \
         foreign keys, one prepared INSERT per row, one transaction per batch",
        schema.len()
    ));
    report.notes.push(format!(
        "backlog grouped: Db::insert_batches, {MAX_GROUP_POSTS} posts' worth of batches per transaction; full \
         pipeline: the ingest task fed the batches as a queued backlog (triage, then the store thread); ratios \
         are against the baseline's batches of {}",
        opts.batch
    ));
    if opts.console {
        writeln!(progress, "measuring the console on {}", kept.display())?;
        console::in_child(&kept, &mut report)?;
    }
    writeln!(progress, "measuring `export posts` on {}", kept.display())?;
    export::in_child(&kept, &mut report)?;
    if opts.keep {
        report.notes.push(format!(
            "store kept: {} (regulars --demo --db {0})",
            kept.display()
        ));
    } else {
        remove_db(&kept);
        if opts.dir.is_none() {
            let _ = std::fs::remove_dir(&dir);
        }
    }
    Ok(report)
}

/// What the generated month holds, as ingest saw it.
fn composition(prepared: &[Vec<NewPost>]) -> Vec<String> {
    let all = || prepared.iter().flatten();
    let count = |f: &dyn Fn(&NewPost) -> bool| all().filter(|p| f(p)).count();
    vec![format!(
        "posts: {} by customers, {} mentions, {} complaints or distress, {} replies, {} by the shop",
        count(&|p| p.customer.is_some()),
        count(&|p| p.is_mention),
        count(&|p| p.triage.category.needs_attention()),
        count(&|p| p.incoming.in_reply_to.is_some()),
        count(&|p| p.by_shop),
    )]
}

fn chunks<T>(items: impl Iterator<Item = T>, size: usize) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut chunk = Vec::with_capacity(size);
    for item in items {
        chunk.push(item);
        if chunk.len() == size {
            out.push(std::mem::replace(&mut chunk, Vec::with_capacity(size)));
        }
    }
    if !chunk.is_empty() {
        out.push(chunk);
    }
    out
}

fn rate(posts: usize, elapsed: Duration) -> f64 {
    posts as f64 / elapsed.as_secs_f64().max(1e-9)
}
