//! JSONL: one post per line (schema in `docs/jsonl.md`), from a file that is tailed (follows appends, survives
//! truncation and rotation, resumes from a stored byte offset) or from stdin until EOF. The door for any other
//! network's export, webhook relay or script.

mod line;
pub mod network;
mod tail;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use super::{Check, CheckFuture, Health, Source, SourceCtx, SourceFuture};
use crate::domain::{IncomingPost, Network};

pub use line::{parse_line, parse_line_as};
pub use tail::FileCursor;

/// The cursor key under which a file source stores its [`FileCursor`].
pub const CURSOR_KEY: &str = "offset";
/// Lines grouped into one batch (one store transaction) at most.
pub const BATCH_LINES: usize = 200;

fn default_network() -> String {
    "jsonl".into()
}

/// `[sources.<name>]` with `kind = "jsonl"` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlConfig {
    /// A file to tail, or "-" for stdin.
    pub path: String,
    /// The network of lines that name none (default "jsonl").
    #[serde(default = "default_network")]
    pub network: String,
}

enum Input {
    File(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Unpin>),
}

pub struct JsonlSource {
    name: String,
    input: Input,
    network: Network,
    poll: Duration,
}

impl JsonlSource {
    pub fn new(name: &str, cfg: &JsonlConfig) -> Result<JsonlSource, String> {
        let network = Network::parse(cfg.network.trim()).ok_or_else(|| {
            format!(
                "source `{name}`: `network` = \"{}\" is not a network; use one of {}",
                cfg.network,
                Network::ALL.map(Network::as_str).join(", ")
            )
        })?;
        let input = match cfg.path.trim() {
            "" => {
                return Err(format!(
                    "source `{name}`: `path` is empty; give a file to tail, or \"-\" for stdin"
                ));
            }
            "-" => Input::Reader(Box::new(tokio::io::stdin())),
            p => Input::File(PathBuf::from(p)),
        };
        Ok(JsonlSource {
            name: name.to_string(),
            input,
            network,
            poll: Duration::from_millis(500),
        })
    }

    /// Reads lines from any reader until EOF (tests, `regulars import`), like stdin mode.
    pub fn from_reader(
        name: &str,
        network: Network,
        reader: Box<dyn AsyncRead + Send + Unpin>,
    ) -> JsonlSource {
        JsonlSource {
            name: name.to_string(),
            input: Input::Reader(reader),
            network,
            poll: Duration::from_millis(500),
        }
    }

    /// How often a tailed file is checked for new lines, truncation and rotation (default 500 ms).
    pub fn with_poll_interval(mut self, poll: Duration) -> JsonlSource {
        self.poll = poll;
        self
    }

    async fn run_input(self, ctx: SourceCtx) -> anyhow::Result<()> {
        match self.input {
            Input::File(path) => tail::run(path, self.network, self.poll, ctx).await,
            Input::Reader(reader) => run_reader(reader, self.network, ctx).await,
        }
    }
}

/// `doctor` for one JSONL source: `path` is `None` in stdin mode.
async fn checks(
    name: String,
    path: Option<PathBuf>,
    cursors: &HashMap<String, String>,
) -> Vec<Check> {
    let what = format!("{name}: input");
    let path = match &path {
        None => {
            return vec![Check {
                what,
                ok: true,
                detail: "reads stdin until end of input".into(),
                fix: String::new(),
            }];
        }
        Some(p) => p,
    };
    match tokio::fs::metadata(path).await {
        Ok(meta) if meta.is_file() => {
            let cursor = FileCursor::parse(cursors.get(CURSOR_KEY));
            let detail = match cursor {
                Some(c) if c.inode == tail::inode(&meta) && c.offset <= meta.len() => format!(
                    "{}: {} bytes, {} unread",
                    path.display(),
                    meta.len(),
                    meta.len() - c.offset
                ),
                Some(_) => format!(
                    "{}: {} bytes; replaced or truncated since last read, will read from the start",
                    path.display(),
                    meta.len()
                ),
                None => format!("{}: {} bytes, not read yet", path.display(), meta.len()),
            };
            vec![Check {
                what,
                ok: true,
                detail,
                fix: String::new(),
            }]
        }
        Ok(_) => vec![Check {
            what,
            ok: false,
            detail: format!("{} is not a regular file", path.display()),
            fix: "set `path` to a .jsonl file, or \"-\" to read stdin".into(),
        }],
        Err(e) => vec![Check {
            what,
            ok: false,
            detail: format!("{}: {e}", path.display()),
            fix: "create the file (the source waits for it) or fix `path`".into(),
        }],
    }
}

impl Source for JsonlSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(self.run_input(ctx))
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        let path = match &self.input {
            Input::File(p) => Some(p.clone()),
            Input::Reader(_) => None,
        };
        Box::pin(checks(self.name.clone(), path, cursors))
    }
}

/// Parses a line, logging and returning the reason when it is bad.
fn parse_logged(
    source: &str,
    line: &[u8],
    line_no: u64,
    network: Network,
) -> Result<IncomingPost, String> {
    let parsed = parse_line_as(line, line_no, Utc::now(), network);
    match &parsed {
        Err(why) => tracing::warn!(source, "skipped bad JSONL {why}"),
        Ok(_) if std::str::from_utf8(line).is_err() => tracing::warn!(
            source,
            "JSONL line {line_no} is not valid UTF-8: stored with U+FFFD in place of the bad bytes; write the file as UTF-8"
        ),
        Ok(_) => {}
    }
    parsed
}

/// Stdin (or any reader): lines until EOF, batched by what arrived together, then `Finished`.
async fn run_reader(
    reader: Box<dyn AsyncRead + Send + Unpin>,
    network: Network,
    ctx: SourceCtx,
) -> anyhow::Result<()> {
    let mut reader = BufReader::new(reader);
    let mut batch = Vec::new();
    let (mut line_no, mut posts, mut bad) = (0u64, 0u64, 0u64);
    let mut buf = Vec::new();
    if !ctx.health(Health::Live).await {
        return Ok(());
    }
    loop {
        buf.clear();
        let read = tokio::select! {
            _ = ctx.cancel.cancelled() => return Ok(()),
            r = reader.read_until(b'\n', &mut buf) => r?,
        };
        if read == 0 {
            break;
        }
        line_no += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if !line.iter().all(u8::is_ascii_whitespace) {
            match parse_logged(&ctx.name, line, line_no, network) {
                Ok(p) => batch.push(p),
                Err(why) => {
                    bad += 1;
                    if !ctx.health(Health::Degraded(why)).await {
                        return Ok(());
                    }
                }
            }
        }
        if batch.len() >= BATCH_LINES || (reader.buffer().is_empty() && !batch.is_empty()) {
            posts += batch.len() as u64;
            if !ctx.batch(std::mem::take(&mut batch), Vec::new()).await {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        posts += batch.len() as u64;
        if !ctx.batch(batch, Vec::new()).await {
            return Ok(());
        }
    }
    ctx.health(Health::Finished(format!(
        "{posts} posts from {line_no} lines ({bad} bad)"
    )))
    .await;
    Ok(())
}
