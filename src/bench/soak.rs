//! `regulars bench soak`: a day of a busy shop in a few minutes, with the whole app running headless (the real
//! sources, ingest, store, effect runner, `update` and the screen drawn on a test backend), and its resident
//! memory, open files and live tasks sampled every simulated hour. Memory must stay flat once warmed up.
//!
//! The clock is accelerated: the simulated time runs `hours * 3600 / (minutes * 60)` times faster than the real
//! one; the console's clock (`Msg::Tick`), the posts' times and staff's pace follow it. Posts arrive from a
//! relay appending to a JSONL file and from a fake Mastodon instance answering the source's polls.

mod fake;

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::{Command, Effect, Msg, update};
use crate::runtime::{self, Runner};
use crate::workspace::Workspace;

/// How often the headless console wakes (its clock, the feed's appends, staff's keys).
const TICK: Duration = Duration::from_millis(100);
/// A frame at most this often, as the console draws.
const FRAME: Duration = Duration::from_millis(16);
/// Simulated hours before memory counts as warmed up (caches, SQLite's page cache, the panes' pages).
const WARM_UP_HOURS: u32 = 2;
/// Flat: the end within this share of the warmed-up figure, plus [`SLACK_MB`].
const GROWTH: f64 = 0.10;
const SLACK_MB: f64 = 4.0;
/// SQLite's page cache (`cache_size = -32768`, in KiB, set in the store's schema): it fills as the database
/// grows, so memory may follow the database's growth up to this much without anything leaking.
const PAGE_CACHE_MB: f64 = 33.6;
/// Open files and live tasks may differ by this many (a poll's connection, a send in flight).
const SLACK_COUNT: usize = 4;
/// Mastodon's share of the day's posts (the rest come through the JSONL relay).
const MASTODON_SHARE: f64 = 0.2;
/// Staff act (next post, mark handled, a draft written and kept) every this many simulated minutes.
const STAFF_EVERY_MINUTES: i64 = 6;

#[derive(Debug, Clone)]
pub struct Options {
    pub hours: u32,
    pub posts_per_day: u32,
    /// Real minutes the simulated day takes.
    pub minutes: f64,
}

/// One sample of the process.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub hour: u32,
    pub posts: u64,
    /// The database file and its write-ahead log: SQLite's page cache (up to 32 MB) grows with it.
    pub db_mb: f64,
    pub rss_mb: f64,
    pub fds: usize,
    pub tasks: usize,
}

/// The samples and whether they stayed flat.
#[derive(Debug)]
pub struct Soak {
    pub samples: Vec<Sample>,
    pub flat: bool,
    pub verdict: String,
}

/// `regulars bench soak`: runs it, prints the hourly table and the verdict; `false` when memory, files or tasks
/// grew.
pub fn cli(opts: &Options, out: &mut dyn Write) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    writeln!(
        out,
        "regulars bench soak: {} simulated hours of {} posts/day in {} real minutes",
        opts.hours, opts.posts_per_day, opts.minutes
    )?;
    writeln!(out, "{}", header())?;
    let soak = runtime.block_on(run(opts, out))?;
    writeln!(out, "{}", soak.verdict)?;
    Ok(soak.flat)
}

/// Runs the soak in a fresh temp directory; prints progress lines to `log` as hours pass.
pub async fn run(opts: &Options, log: &mut dyn Write) -> anyhow::Result<Soak> {
    anyhow::ensure!(
        opts.hours > 0 && opts.minutes > 0.0,
        "--hours and --minutes must be more than 0"
    );
    let dir = Scratch::new()?;
    let cancel = CancellationToken::new();
    let mentions = fake::Mentions::default();
    let base = fake::mastodon(mentions.clone(), cancel.clone())
        .await
        .context("cannot start the fake Mastodon instance")?;
    let inbox = dir.0.as_path().join("inbox.jsonl");
    let config = write_config(dir.0.as_path(), &base, &inbox)?;
    let settings = crate::config::load(&config).map_err(anyhow::Error::msg)?;
    let workspace = Workspace::open(settings, dir.0.as_path().join("regulars.db"), false).await?;
    let client = crate::sources::http::client();
    let wiring = runtime::wire(&workspace.settings, &workspace.customers, &client)
        .map_err(anyhow::Error::msg)?;
    let mut state = workspace.initial_state(Default::default()).await?;
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel::<Msg>();
    let (effects_tx, effects_rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(
        Runner::new(
            workspace.store.clone(),
            wiring.repliers,
            std::sync::Arc::new(crate::notify::NullNotifier),
            workspace.settings.config.links.clone(),
            ui_tx.clone(),
        )
        .run(effects_rx),
    );
    let running = runtime::start(&workspace.store, wiring.sources, workspace.ingest(), ui_tx).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let _ = update(
        &mut state,
        Msg::Resize {
            width: 120,
            height: 40,
        },
    );

    let speed = f64::from(opts.hours) * 3600.0 / (opts.minutes * 60.0);
    let per_sim_sec = f64::from(opts.posts_per_day) / 86_400.0;
    let start = tokio::time::Instant::now();
    let sim_start = Utc::now();
    let mut feed = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&inbox)
        .with_context(|| format!("cannot append to {}", inbox.display()))?;
    let mut written = 0u64;
    let mut next_staff = sim_start;
    let mut samples = vec![sample(0, &workspace).await];
    writeln!(log, "{}", row(&samples[0]))?;
    let mut ticker = tokio::time::interval(TICK);
    let mut drawn = tokio::time::Instant::now();
    let mut dirty = true;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            msg = ui_rx.recv() => {
                if let Some(msg) = msg {
                    dispatch(&mut state, msg, &effects_tx);
                    dirty = true;
                }
                while let Ok(msg) = ui_rx.try_recv() {
                    dispatch(&mut state, msg, &effects_tx);
                }
                if dirty && drawn.elapsed() >= FRAME {
                    terminal.draw(|f| crate::ui::render(f, &state))?;
                    (drawn, dirty) = (tokio::time::Instant::now(), false);
                }
                continue;
            }
        }
        let sim_secs = start.elapsed().as_secs_f64() * speed;
        let now = sim_start + chrono::Duration::milliseconds((sim_secs * 1000.0) as i64);
        dispatch(&mut state, Msg::Tick(now), &effects_tx);
        // The day's posts, as many as are due by now.
        let due = sim_secs * per_sim_sec;
        while (written as f64) < due * (1.0 - MASTODON_SHARE) {
            writeln!(feed, "{}", fake::jsonl_line(written, now))?;
            written += 1;
        }
        let mastodon_due = (due * MASTODON_SHARE) as u64;
        mentions.add(mastodon_due.saturating_sub(mentions.count()));
        while next_staff <= now {
            for command in staff_round() {
                dispatch(&mut state, command, &effects_tx);
            }
            next_staff += chrono::Duration::minutes(STAFF_EVERY_MINUTES);
        }
        terminal.draw(|f| crate::ui::render(f, &state))?;
        (drawn, dirty) = (tokio::time::Instant::now(), false);
        let hour = (sim_secs / 3600.0) as u32;
        if hour > samples.last().map_or(0, |s| s.hour) {
            let s = sample(hour.min(opts.hours), &workspace).await;
            writeln!(log, "{}", row(&s))?;
            samples.push(s);
        }
        if hour >= opts.hours {
            break;
        }
    }
    drop(effects_tx);
    running.stop().await;
    cancel.cancel();
    let _ = runner.await;
    workspace.store.close().await;
    let (flat, verdict) = judge(&samples);
    Ok(Soak {
        samples,
        flat,
        verdict,
    })
}

/// What staff do now and then: move on, mark one handled, start a reply and keep it as a draft.
fn staff_round() -> Vec<Msg> {
    vec![
        Msg::Command(Command::NextPost),
        Msg::Command(Command::NextPost),
        Msg::Command(Command::MarkHandled),
        Msg::Command(Command::NextPost),
        Msg::Command(Command::Reply),
        Msg::Paste("Sorry about that, we are on it.".into()),
        Msg::Command(Command::CloseComposer),
    ]
}

/// Applies a message as the console does, handing its effects to the runner; the terminal's own effects (an
/// editor, suspending, a link or the clipboard) are left out: there is no terminal or desktop here.
fn dispatch(state: &mut crate::state::AppState, msg: Msg, effects: &mpsc::UnboundedSender<Effect>) {
    for effect in update(state, msg) {
        if matches!(
            effect,
            Effect::EditDraft { .. }
                | Effect::Suspend
                | Effect::OpenLink(_)
                | Effect::Copy { .. }
                | Effect::Quit
                | Effect::Bell
        ) {
            continue;
        }
        let _ = effects.send(effect);
    }
}

/// The soak's own directory under the system's temp dir, removed when it ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("regulars-soak-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_config(
    dir: &std::path::Path,
    base: &str,
    inbox: &std::path::Path,
) -> anyhow::Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let token = dir.join("mastodon.token");
    std::fs::write(&token, "soak-token\n")?;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600))?;
    std::fs::write(inbox, "")?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"[shop]
name = "Soak & Co"
keywords = ["Soak & Co"]

[shop.handles]
mastodon = "shop@soak.test"

[notifications]
enabled = false

[sources.relay]
kind = "jsonl"
path = '{inbox}'

[sources.mastodon]
kind = "mastodon"
instance = "{base}"
token_file = '{token}'
poll_seconds = 1
stream = false
keyword_search = false
"#,
            inbox = inbox.display(),
            token = token.display(),
        ),
    )?;
    Ok(config)
}

/// This process now: resident memory (`/proc/self/statm`, 4 KiB pages), open file descriptors, live tasks.
async fn sample(hour: u32, workspace: &Workspace) -> Sample {
    let posts = workspace
        .store
        .call(|db| db.post_count())
        .await
        .unwrap_or_default();
    let pages: f64 = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0.0);
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
    let db = &workspace.db_path;
    let wal = db.with_extension("db-wal");
    let bytes = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    Sample {
        hour,
        posts,
        db_mb: (bytes(db) + bytes(&wal)) as f64 / 1e6,
        rss_mb: pages * 4096.0 / 1e6,
        fds,
        tasks: tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks(),
    }
}

pub fn header() -> String {
    format!(
        "{:>5} {:>8} {:>7} {:>8} {:>5} {:>6}",
        "hour", "posts", "DB MB", "RSS MB", "fds", "tasks"
    )
}

pub fn row(s: &Sample) -> String {
    format!(
        "{:>5} {:>8} {:>7.1} {:>8.1} {:>5} {:>6}",
        s.hour, s.posts, s.db_mb, s.rss_mb, s.fds, s.tasks
    )
}

/// Flat: the end no higher than the warmed-up sample (or the nearest before it) plus the allowances, the
/// database's growth among them while SQLite's page cache can still take it.
pub fn judge(samples: &[Sample]) -> (bool, String) {
    let (Some(end), Some(warm)) = (
        samples.last(),
        samples.iter().rev().find(|s| s.hour <= WARM_UP_HOURS),
    ) else {
        return (false, "no samples".into());
    };
    let cache = (end.db_mb - warm.db_mb).clamp(0.0, PAGE_CACHE_MB);
    let rss_limit = warm.rss_mb * (1.0 + GROWTH) + SLACK_MB + cache;
    let problems: Vec<String> = [
        (end.rss_mb > rss_limit).then(|| {
            format!(
                "memory grew: {:.1} MB at the end, over {rss_limit:.1} MB",
                end.rss_mb
            )
        }),
        (end.fds > warm.fds + SLACK_COUNT)
            .then(|| format!("open files grew: {} -> {}", warm.fds, end.fds)),
        (end.tasks > warm.tasks + SLACK_COUNT)
            .then(|| format!("live tasks grew: {} -> {}", warm.tasks, end.tasks)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let base = format!(
        "after warm-up (hour {}): {:.1} MB, {} fds, {} tasks; at the end (hour {}): {:.1} MB, {} fds, {} tasks \
         (allowed: {rss_limit:.1} MB, of which {cache:.1} MB for SQLite's page cache following the database)",
        warm.hour, warm.rss_mb, warm.fds, warm.tasks, end.hour, end.rss_mb, end.fds, end.tasks
    );
    if problems.is_empty() {
        (true, format!("FLAT: {base}"))
    } else {
        (false, format!("GROWING: {base}; {}", problems.join("; ")))
    }
}

#[cfg(test)]
mod tests;
