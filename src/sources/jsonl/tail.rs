//! Tailing a JSONL file: read complete lines from a stored byte offset, follow appends, start over when the file
//! is truncated, and when it is rotated finish the old file before reading the new one from its start.

use std::io::SeekFrom;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{BATCH_LINES, CURSOR_KEY, parse_logged};
use crate::domain::{IncomingPost, Network};
use crate::sources::{Cursor, Health, SourceCtx, http};

/// The longest line read; a longer one is reported and skipped.
const MAX_LINE: usize = 1 << 20;

/// Where a tailed file was read up to: stored under [`CURSOR_KEY`] with the posts of the lines before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCursor {
    /// Byte offset just past the last complete line read.
    pub offset: u64,
    /// The file's inode (0 where the platform has none): a different one means the file was replaced.
    pub inode: u64,
    /// The file's length when the cursor was taken.
    pub len: u64,
    /// Lines read up to `offset`, so error messages keep their line numbers across restarts.
    #[serde(default)]
    pub line: u64,
}

impl FileCursor {
    pub fn parse(raw: Option<&String>) -> Option<FileCursor> {
        raw.and_then(|v| serde_json::from_str(v).ok())
    }

    pub fn to_value(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

pub(super) fn inode(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

struct Tail<'a> {
    ctx: &'a SourceCtx,
    path: PathBuf,
    network: Network,
    file: Option<File>,
    inode: u64,
    offset: u64,
    line: u64,
    /// Inside a line longer than [`MAX_LINE`]: discard until its newline.
    skipping: bool,
    last_health: Option<Health>,
}

/// Lines read together: sent as one batch with the cursor after the last of them.
#[derive(Default)]
struct Batch {
    posts: Vec<IncomingPost>,
    lines: usize,
    /// Why each bad line was skipped, in order.
    errors: Vec<String>,
}

/// Bad lines reported one by one per batch; past this, one summary.
const REPORTED_PER_BATCH: usize = 5;

pub(super) async fn run(
    path: PathBuf,
    network: Network,
    poll: Duration,
    ctx: SourceCtx,
) -> anyhow::Result<()> {
    let mut stored = FileCursor::parse(ctx.cursors.get(CURSOR_KEY));
    let mut t = Tail {
        ctx: &ctx,
        path,
        network,
        file: None,
        inode: 0,
        offset: 0,
        line: 0,
        skipping: false,
        last_health: None,
    };
    if !t.health(Health::Connecting).await {
        return Ok(());
    }
    loop {
        if ctx.cancel.is_cancelled() {
            return Ok(());
        }
        if t.file.is_none() {
            match t.open(&mut stored).await {
                Ok(()) => {
                    if !t.health(Health::Live).await {
                        return Ok(());
                    }
                }
                Err(e) => {
                    let why = format!("waiting for {}: {e}", t.path.display());
                    if !t.health(Health::Degraded(why)).await
                        || !http::sleep_for(poll, &ctx.cancel).await
                    {
                        return Ok(());
                    }
                    continue;
                }
            }
        }
        let Some(progressed) = t.drain(false).await else {
            return Ok(());
        };
        match tokio::fs::metadata(&t.path).await {
            Ok(meta) if inode(&meta) != t.inode => {
                tracing::info!(source = %ctx.name, path = %t.path.display(), "file rotated: finishing the old one");
                if t.drain(true).await.is_none() {
                    return Ok(());
                }
                t.file = None;
                continue;
            }
            Ok(meta) if meta.len() < t.offset => {
                tracing::warn!(source = %ctx.name, path = %t.path.display(), "file truncated: reading from the start");
                t.offset = 0;
                t.line = 0;
                t.skipping = false;
                continue;
            }
            // Missing: mid-rotation (moved away, new one not created yet); keep reading the open file.
            _ => {}
        }
        if !progressed && !http::sleep_for(poll, &ctx.cancel).await {
            return Ok(());
        }
    }
}

impl Tail<'_> {
    /// Sends a health change (not a repeat); `false` when the receiver is gone.
    async fn health(&mut self, h: Health) -> bool {
        if self.last_health.as_ref() == Some(&h) {
            return true;
        }
        self.last_health = Some(h.clone());
        self.ctx.health(h).await
    }

    /// Opens the file, resuming from the stored cursor if it still describes this file.
    async fn open(&mut self, stored: &mut Option<FileCursor>) -> std::io::Result<()> {
        let file = File::open(&self.path).await?;
        let meta = file.metadata().await?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let ino = inode(&meta);
        (self.offset, self.line, self.skipping) = (0, 0, false);
        if let Some(c) = stored.take() {
            if c.inode == ino && c.offset <= meta.len() {
                (self.offset, self.line) = (c.offset, c.line);
            } else {
                tracing::info!(
                    source = %self.ctx.name,
                    "{} was replaced or truncated since the last run: reading it from the start",
                    self.path.display()
                );
            }
        }
        self.file = Some(file);
        self.inode = ino;
        Ok(())
    }

    /// Reads every complete line past the offset (at EOF of a rotated file, `final_line` takes an unterminated
    /// last line too). `Some(progressed)`, or `None` when the receiver is gone.
    async fn drain(&mut self, final_line: bool) -> Option<bool> {
        let mut progressed = false;
        loop {
            let Some(file) = self.file.as_mut() else {
                return Some(progressed);
            };
            let len = match file.metadata().await {
                Ok(m) => m.len(),
                Err(e) => {
                    tracing::warn!(source = %self.ctx.name, error = %e, "cannot stat the open file");
                    return Some(progressed);
                }
            };
            if len <= self.offset {
                return Some(progressed);
            }
            let mut buf = vec![0; ((len - self.offset) as usize).min(MAX_LINE)];
            let read = async {
                file.seek(SeekFrom::Start(self.offset)).await?;
                file.read_exact(&mut buf).await
            };
            if let Err(e) = read.await {
                // Truncated between stat and read: the caller notices and starts over.
                tracing::debug!(source = %self.ctx.name, error = %e, "short read");
                return Some(progressed);
            }
            let base = self.offset;
            let mut batch = Batch::default();
            let mut pos = 0;
            while let Some(nl) = buf[pos..].iter().position(|b| *b == b'\n') {
                let end = pos + nl;
                self.take_line(&buf[pos..end], &mut batch);
                pos = end + 1;
                if batch.lines >= BATCH_LINES
                    && !self.flush(&mut batch, base + pos as u64, len).await
                {
                    return None;
                }
            }
            if pos < buf.len() {
                if final_line && !self.skipping && buf.len() < MAX_LINE {
                    self.take_line(&buf[pos..], &mut batch);
                    pos = buf.len();
                } else if pos == 0 && buf.len() == MAX_LINE {
                    // No newline in a whole MAX_LINE: the line is too long; skip to its end.
                    self.skipping = true;
                    pos = buf.len();
                }
            }
            if batch.lines > 0 && !self.flush(&mut batch, base + pos as u64, len).await {
                return None;
            }
            if pos == 0 {
                // Only a partial line: it waits for its newline.
                return Some(progressed);
            }
            self.offset = base + pos as u64;
            progressed = true;
        }
    }

    fn take_line(&mut self, line: &[u8], batch: &mut Batch) {
        self.line += 1;
        batch.lines += 1;
        if std::mem::take(&mut self.skipping) {
            let why = format!(
                "line {}: longer than {} bytes; skipped",
                self.line, MAX_LINE
            );
            tracing::warn!(source = %self.ctx.name, "skipped bad JSONL {why}");
            batch.errors.push(why);
            return;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match parse_logged(&self.ctx.name, line, self.line, self.network) {
            Ok(p) => batch.posts.push(p),
            Err(why) => batch.errors.push(why),
        }
    }

    /// Sends the batch with the cursor just past its last line, then the health it leaves; `false` when the
    /// receiver is gone.
    async fn flush(&mut self, batch: &mut Batch, offset: u64, len: u64) -> bool {
        let b = std::mem::take(batch);
        let cursor = FileCursor {
            offset,
            inode: self.inode,
            len,
            line: self.line,
        };
        let cursors = vec![Cursor {
            key: CURSOR_KEY.into(),
            value: cursor.to_value(),
        }];
        if !self.ctx.batch(b.posts, cursors).await {
            return false;
        }
        for why in b.errors.iter().take(REPORTED_PER_BATCH) {
            if !self.health(Health::Degraded(why.clone())).await {
                return false;
            }
        }
        match b.errors.last() {
            None => self.health(Health::Live).await,
            Some(last) if b.errors.len() > REPORTED_PER_BATCH => {
                let n = b.errors.len() - REPORTED_PER_BATCH;
                self.health(Health::Degraded(format!(
                    "{n} more bad lines skipped; last: {last}"
                )))
                .await
            }
            Some(_) => true,
        }
    }
}
