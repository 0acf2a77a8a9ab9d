//! The console's side of `regulars bench`: the console opened on a built store, measured as a user meets it.
//! Run in a process of its own ([`in_child`]), so its memory is the console's alone.
//!
//! - first frame: `Workspace::open` + `initial_state` (every pane's first page, counts and Detail) + a frame;
//! - key to frame: a key applied (with the live posts that arrived since) and the frame drawn, while a writer
//!   stores live posts through the store as ingest does; a key that needs a page also waits for it;
//! - search: Enter on a `/` query to the frame with every pane's matches and counts;
//! - customer history: the key to the frame listing the customer's posts;
//! - memory: resident set at the end, and its peak.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use super::report::{Better, Report, median, quantile};
use crate::app::{Command, Effect, Msg, update};
use crate::domain::{Author, IncomingPost, Network};
use crate::state::{AppState, Pane};
use crate::store::Store;
use crate::workspace::Workspace;

/// Opens of the console timed (the median is reported).
const OPENS: usize = 5;
/// Keys pressed while live posts arrive.
const KEYS: usize = 600;
/// One live post stored every this long during the key run (a busy brand's stream).
const LIVE_EVERY: Duration = Duration::from_millis(20);

/// The searches timed: common and rare words, a customer, a category over a week, a handle, nothing.
fn searches(state: &AppState) -> Vec<String> {
    let week_ago = (state.now - chrono::Duration::days(7)).format("%Y-%m-%d");
    let mut out = vec![
        "order".to_string(),
        "refund".into(),
        "engraving".into(),
        format!("cat:complaint since:{week_ago}"),
        "is:open ring".into(),
        "@user12".into(),
        "zzqxnothing".into(),
    ];
    if let Some(c) = state.customers.values().min_by_key(|c| c.rank) {
        out.push(format!("customer:{}", c.first_name()));
    }
    out
}

/// Measures the console on `db` in a child process (`regulars bench --console DB`), adding its figures and
/// notes to `report`.
pub fn in_child(db: &Path, report: &mut Report) -> anyhow::Result<()> {
    let exe =
        std::env::current_exe().context("cannot find this program to run the console bench")?;
    let out = std::process::Command::new(exe)
        .args(["bench", "--console"])
        .arg(db)
        .output()
        .context("cannot run the console bench")?;
    anyhow::ensure!(
        out.status.success(),
        "the console bench failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        match line.split('\t').collect::<Vec<_>>()[..] {
            ["note", note] => report.notes.push(note.to_string()),
            [name, unit, value] => {
                let unit = match unit {
                    "ms" => "ms",
                    "MB" => "MB",
                    other => anyhow::bail!("the console bench gave an unknown unit {other:?}"),
                };
                let value = value
                    .parse()
                    .with_context(|| format!("the console bench gave {line:?}"))?;
                report.add(name, unit, value, None, Better::Lower);
            }
            _ => anyhow::bail!("the console bench gave {line:?}"),
        }
    }
    Ok(())
}

/// The child's side of [`in_child`]: measures, then writes each figure as `name TAB unit TAB value` and each
/// note as `note TAB text`.
pub fn child(db: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut report = Report::default();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(measure(db, &mut report))?;
    for f in &report.figures {
        writeln!(out, "{}\t{}\t{}", f.name, f.unit, f.ours)?;
    }
    for note in &report.notes {
        writeln!(out, "note\t{note}")?;
    }
    Ok(())
}

async fn measure(db: &Path, report: &mut Report) -> anyhow::Result<()> {
    let mut opens = Vec::new();
    let mut last = None;
    for _ in 0..OPENS {
        if let Some((ws, _)) = last.take() {
            let ws: Workspace = ws;
            ws.store.close().await;
        }
        let started = Instant::now();
        let ws = Workspace::open(crate::config::demo(5.0), db.to_path_buf(), false).await?;
        let state = ws.initial_state(Default::default()).await?;
        draw(&state)?;
        opens.push(ms(started.elapsed()));
        last = Some((ws, state));
    }
    let (ws, mut state) = last.context("no open")?;
    let filled = state.panes().iter().all(|p| match state.list(*p) {
        Some(list) => list.window.loaded,
        None => state.log.window.loaded,
    });
    anyhow::ensure!(filled, "the first frame came before every pane was filled");
    report.add(
        "console: first frame, every pane filled, median",
        "ms",
        median(&opens),
        None,
        Better::Lower,
    );
    report.notes.push(format!(
        "console on {}: Regulars {}, Mentions {}, Attention {} open, Log {}",
        db.display(),
        total(&state, Pane::Regulars),
        total(&state, Pane::Mentions),
        total(&state, Pane::Attention),
        state.log.window.total
    ));

    let (frames, pages) = keys(&ws, &mut state).await?;
    report.add(
        "console: key to frame, p50",
        "ms",
        quantile(&frames, 0.5),
        None,
        Better::Lower,
    );
    report.add(
        "console: key to frame, p99",
        "ms",
        quantile(&frames, 0.99),
        None,
        Better::Lower,
    );
    if !pages.is_empty() {
        report.add(
            "console: key needing a page to frame, p50",
            "ms",
            median(&pages),
            None,
            Better::Lower,
        );
    }

    let mut times = Vec::new();
    let mut each = Vec::new();
    for query in searches(&state) {
        let started = Instant::now();
        send(&ws.store, &mut state, Msg::Command(Command::Filter)).await?;
        update(&mut state, Msg::Paste(query.clone()));
        send(&ws.store, &mut state, Msg::Key(enter())).await?;
        draw(&state)?;
        times.push(ms(started.elapsed()));
        each.push(format!(
            "/{query} {:.0} ms ({} in Mentions)",
            ms(started.elapsed()),
            total(&state, Pane::Mentions)
        ));
        send(&ws.store, &mut state, Msg::Command(Command::ClearFilter)).await?;
    }
    report.notes.push(format!("searches: {}", each.join(", ")));
    report.add(
        "console: search to frame, median",
        "ms",
        median(&times),
        None,
        Better::Lower,
    );
    report.add(
        "console: search to frame, slowest",
        "ms",
        quantile(&times, 1.0),
        None,
        Better::Lower,
    );

    let mut times = Vec::new();
    state.focus = Pane::Regulars;
    for _ in 0..10 {
        let started = Instant::now();
        send(
            &ws.store,
            &mut state,
            Msg::Command(Command::CustomerHistory),
        )
        .await?;
        draw(&state)?;
        times.push(ms(started.elapsed()));
        send(&ws.store, &mut state, Msg::Command(Command::Close)).await?;
        for _ in 0..7 {
            send(&ws.store, &mut state, Msg::Command(Command::NextPost)).await?;
        }
    }
    report.add(
        "console: customer history to frame, median",
        "ms",
        median(&times),
        None,
        Better::Lower,
    );

    let (rss, peak) = memory();
    report.add("console: resident memory", "MB", rss, None, Better::Lower);
    report.add(
        "console: peak resident memory",
        "MB",
        peak,
        None,
        Better::Lower,
    );
    ws.store.close().await;
    Ok(())
}

/// Keys through every pane while a writer stores live posts; each key's time to its frame, and, for keys that
/// needed a page, the time until the frame with that page.
async fn keys(ws: &Workspace, state: &mut AppState) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let (live_tx, mut live) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_live(ws.store.clone(), ws.ingest(), live_tx));
    let script = [
        Command::NextPost,
        Command::NextPost,
        Command::PageDown,
        Command::NextPost,
        Command::PrevPost,
        Command::PageDown,
        Command::PageDown,
        Command::LastPost,
        Command::PageUp,
        Command::FirstPost,
        Command::NextPane,
    ];
    let (mut frames, mut pages) = (Vec::new(), Vec::new());
    for i in 0..KEYS {
        tokio::time::sleep(Duration::from_millis(2)).await;
        let started = Instant::now();
        let mut effects = Vec::new();
        while let Ok(posts) = live.try_recv() {
            effects.extend(update(
                state,
                Msg::Ingested {
                    source: "live".into(),
                    posts,
                },
            ));
        }
        effects.extend(update(state, Msg::Command(script[i % script.len()])));
        draw(state)?;
        frames.push(ms(started.elapsed()));
        let loads: Vec<_> = effects
            .into_iter()
            .filter(|e| matches!(e, Effect::Load(_)))
            .collect();
        if !loads.is_empty() {
            crate::loader::answer(&ws.store, state, loads).await?;
            draw(state)?;
            pages.push(ms(started.elapsed()));
        }
    }
    writer.abort();
    Ok((frames, pages))
}

/// Stores a live mention every [`LIVE_EVERY`] through the real ingest preparation, handing each stored post on.
async fn write_live(
    store: Store,
    ingest: crate::ingest::Ingest,
    out: mpsc::UnboundedSender<Vec<crate::domain::Post>>,
) {
    let texts = [
        "@marlowfinch still waiting for my order, it's been two weeks",
        "@marlowfinch the engraving came out beautifully, thank you!",
        "@marlowfinch do you resize rings on a Saturday?",
        "@marlowfinch my necklace broke the day after I bought it, really upset",
    ];
    for i in 0.. {
        tokio::time::sleep(LIVE_EVERY).await;
        let now = Utc::now();
        let incoming = IncomingPost {
            network: Network::Mastodon,
            native_id: format!("bench-live-{}-{i}", now.timestamp_millis()),
            url: None,
            author: Author {
                handle: format!("live{}@example.social", i % 97),
                display_name: String::new(),
            },
            text: texts[i % texts.len()].to_string(),
            created_at: now,
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        };
        let post = ingest.prepare(incoming, now);
        match store
            .call(move |db| db.insert_batch("live", &[post], &[]))
            .await
        {
            Ok(stored) => {
                if out.send(stored).is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "bench: a live post was not stored");
                return;
            }
        }
    }
}

/// Applies a message as the console does and answers the reads it asks for (and those that follow).
async fn send(store: &Store, state: &mut AppState, msg: Msg) -> anyhow::Result<()> {
    let effects = update(state, msg);
    crate::loader::answer(store, state, effects).await?;
    Ok(())
}

/// Draws a 160x45 frame, as the console's terminal would (a new buffer each time: the cost of a full redraw).
fn draw(state: &AppState) -> anyhow::Result<()> {
    let mut terminal = Terminal::new(TestBackend::new(160, 45))?;
    terminal.draw(|f| crate::ui::render(f, state))?;
    Ok(())
}

fn enter() -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter)
}

fn total(state: &AppState, pane: Pane) -> usize {
    state.list(pane).map_or(0, |l| l.window.total)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Resident and peak resident memory, in MB, from /proc (0 where there is none).
pub(super) fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
