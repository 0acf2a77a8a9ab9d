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
pub mod generate;
pub mod report;
mod texts;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;

use crate::domain::{Customer, IncomingPost, NewPost};
use crate::ingest::{Ingest, MAX_GROUP_POSTS, Matcher};
use crate::sources::Cursor;
use crate::sources::listening::Listening;
use crate::store::{CustomerRepo, Db, PostRepo};
use report::{Better, Report, median, quantile};

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
}

/// One side's timings in one run.
struct Timed {
    total: Duration,
    /// Each transaction's time, in milliseconds.
    batches: Vec<f64>,
    bytes: u64,
}

impl Timed {
    fn rate(&self, posts: usize) -> f64 {
        rate(posts, self.total)
    }
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
    let customers = first
        .upsert_customers(&generate::customers(opts.seed, opts.customers))
        .map_err(store_err)?;
    let listening = Listening::new(&settings.config, &customers);
    let ingest = Ingest {
        classifier,
        matcher: Matcher::new(&listening),
    };
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

fn write_ours(mut db: Db, batches: &[Vec<NewPost>], path: &Path) -> anyhow::Result<Timed> {
    let mut times = Vec::with_capacity(batches.len());
    for (i, batch) in batches.iter().enumerate() {
        // A source sends its cursor with each page; ingest stores it with the posts.
        let cursor = cursor(i);
        let started = Instant::now();
        db.insert_batch("bench", batch, &cursor)
            .map_err(store_err)?;
        times.push(started.elapsed());
    }
    // Closed before its size is taken, as the baseline's is: the log checkpointed into the file.
    drop(db);
    Ok(timed(times, path))
}

/// The store write as the ingest task does it when batches queue up: [`MAX_GROUP_POSTS`] posts' worth of
/// batches per transaction, each with its cursor.
fn write_grouped(mut db: Db, batches: &[Vec<NewPost>], path: &Path) -> anyhow::Result<Timed> {
    let per_group = MAX_GROUP_POSTS.div_ceil(batches.first().map_or(1, Vec::len).max(1));
    let cursors: Vec<[Cursor; 1]> = (0..batches.len()).map(cursor).collect();
    let mut times = Vec::new();
    for (group, cursors) in batches.chunks(per_group).zip(cursors.chunks(per_group)) {
        let refs: Vec<(&str, &[NewPost], &[Cursor])> = group
            .iter()
            .zip(cursors)
            .map(|(b, c)| ("bench", b.as_slice(), c.as_slice()))
            .collect();
        let started = Instant::now();
        db.insert_batches(&refs).map_err(store_err)?;
        times.push(started.elapsed());
    }
    drop(db);
    Ok(timed(times, path))
}

/// The cursor a source would send with its `i`th page.
fn cursor(i: usize) -> [Cursor; 1] {
    [Cursor {
        key: "bench".into(),
        value: i.to_string(),
    }]
}

fn write_baseline(
    path: &Path,
    schema: &[String],
    tables: &[baseline::Rows; 3],
    batch: usize,
) -> anyhow::Result<Timed> {
    let [customers, handles, posts] = tables;
    let mut base = baseline::Baseline::create(path, schema)?;
    base.insert(customers, &customers.rows)?;
    base.insert(handles, &handles.rows)?;
    let mut times = Vec::with_capacity(posts.rows.len() / batch + 1);
    for chunk in posts.rows.chunks(batch) {
        let started = Instant::now();
        base.insert(posts, chunk)?;
        times.push(started.elapsed());
    }
    drop(base);
    Ok(timed(times, path))
}

/// The ingest task as the console runs it, with every batch already queued (a source's backlog).
fn run_pipeline(
    path: &Path,
    customers: &[Customer],
    ingest: &Ingest,
    batches: &[Vec<IncomingPost>],
) -> anyhow::Result<Duration> {
    let db = fresh(path, customers)?;
    let store = crate::store::Store::spawn(db).map_err(store_err)?;
    let (tx, rx) = tokio::sync::mpsc::channel(batches.len().max(1));
    for (i, posts) in batches.iter().enumerate() {
        let event = crate::sources::SourceEvent::Batch {
            source: "bench".into(),
            posts: posts.clone(),
            cursors: cursor(i).into(),
        };
        tx.try_send(event)
            .map_err(|e| anyhow::anyhow!("queueing the backlog: {e}"))?;
    }
    drop(tx);
    let ingest = Ingest {
        classifier: ingest.classifier.clone(),
        matcher: ingest.matcher.clone(),
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let (elapsed, failed) = runtime.block_on(async {
        let (ui, mut msgs) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        crate::ingest::run(rx, store.clone(), ingest, ui).await;
        let elapsed = started.elapsed();
        let mut failed = None;
        while let Ok(msg) = msgs.try_recv() {
            if let crate::app::Msg::TaskFailed { error, .. } = msg {
                failed = Some(error);
            }
        }
        store.close().await;
        (elapsed, failed)
    });
    match failed {
        Some(error) => anyhow::bail!("full pipeline: storing a batch failed: {error}"),
        None => Ok(elapsed),
    }
}

/// A fresh store at `path` with the customers (ids as in the first store: the same list upserted in order).
fn fresh(path: &Path, customers: &[Customer]) -> anyhow::Result<Db> {
    remove_db(path);
    let mut db = Db::open(path).map_err(store_err)?;
    db.upsert_customers(customers).map_err(store_err)?;
    Ok(db)
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

fn timed(times: Vec<Duration>, path: &Path) -> Timed {
    Timed {
        total: times.iter().sum(),
        batches: times.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
        bytes: db_bytes(path),
    }
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

fn store_err(e: crate::store::StoreError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The database file with its write-ahead log.
fn db_bytes(path: &Path) -> u64 {
    companions(path)
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

fn remove_db(path: &Path) {
    for p in companions(path) {
        let _ = std::fs::remove_file(p);
    }
}

fn companions(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        PathBuf::from(p)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}
