//! The sides the bench times, each on fresh files: ours through `insert_batch` and grouped through
//! `insert_batches`, the plain baseline, and the whole ingest task.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::baseline;
use super::rate;
use crate::domain::{Customer, ImportRun, IncomingPost, NewPost};
use crate::ingest::{Ingest, MAX_GROUP_POSTS};
use crate::sources::Cursor;
use crate::store::{CustomerRepo, Db, PostRepo};

/// One side's timings in one run.
pub(super) struct Timed {
    pub(super) total: Duration,
    /// Each transaction's time, in milliseconds.
    pub(super) batches: Vec<f64>,
    pub(super) bytes: u64,
}

impl Timed {
    pub(super) fn rate(&self, posts: usize) -> f64 {
        rate(posts, self.total)
    }
}

pub(super) fn write_ours(
    mut db: Db,
    batches: &[Vec<NewPost>],
    path: &Path,
) -> anyhow::Result<Timed> {
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
pub(super) fn write_grouped(
    mut db: Db,
    batches: &[Vec<NewPost>],
    path: &Path,
) -> anyhow::Result<Timed> {
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

pub(super) fn write_baseline(
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
pub(super) fn run_pipeline(
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
    let ingest = Ingest::new(ingest.classifier.clone(), ingest.matcher.clone());
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let (elapsed, failed) = runtime.block_on(async {
        let (ui, mut msgs) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        crate::ingest::run(rx, store.clone(), ingest, ui, Default::default()).await;
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
pub(super) fn fresh(path: &Path, customers: &[Customer]) -> anyhow::Result<Db> {
    remove_db(path);
    let mut db = Db::open(path).map_err(store_err)?;
    let run = ImportRun::whole("bench", chrono::Utc::now(), customers);
    db.import_customers(&run, customers).map_err(store_err)?;
    Ok(db)
}

fn timed(times: Vec<Duration>, path: &Path) -> Timed {
    Timed {
        total: times.iter().sum(),
        batches: times.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
        bytes: db_bytes(path),
    }
}

pub(super) fn store_err(e: crate::store::StoreError) -> anyhow::Error {
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

pub(super) fn remove_db(path: &Path) {
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
