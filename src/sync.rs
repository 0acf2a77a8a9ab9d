//! `regulars sync`: the configured sources without the console, into the same store. With `--once`, it stops
//! when every source has settled and nothing new arrived for a moment, and prints one line per source; live,
//! it prints health changes as they come and new posts coalesced, a line per source every few seconds.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::runtime;
use crate::sources::Health;
use crate::state::live::Fetcher;
use crate::workspace::Workspace;

/// With `--once`: how long nothing new must arrive, once every source has settled, before stopping.
const QUIET: Duration = Duration::from_secs(2);
/// Following live: how often new posts are reported.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// What one run of the sources did, per source: new posts, the last health reported.
#[derive(Debug, Default)]
pub struct Report {
    sources: BTreeMap<String, SourceRun>,
    /// Failed tasks, as "what: error".
    failures: Vec<String>,
}

#[derive(Debug, Default)]
struct SourceRun {
    new_posts: usize,
    /// Since the last progress line (live only).
    unreported: usize,
    health: Option<Health>,
}

impl Report {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Report {
        Report {
            sources: names
                .into_iter()
                .map(|n| (n.to_string(), SourceRun::default()))
                .collect(),
            failures: Vec::new(),
        }
    }

    /// Takes in one message; returns the line to print at once, if any (health changes, failures).
    pub fn record(&mut self, msg: Msg) -> Option<String> {
        match msg {
            Msg::Ingested { source, posts } => {
                let run = self.sources.entry(source).or_default();
                run.new_posts += posts.len();
                run.unreported += posts.len();
                None
            }
            Msg::SourceHealth { source, health } => {
                let line = format!("{source}: {}", health.label());
                self.sources.entry(source).or_default().health = Some(health);
                Some(line)
            }
            Msg::Fetching(Fetcher::Elsewhere(by)) => Some(format!(
                "another process fetches ({}): waiting to take over",
                by.as_deref().unwrap_or("unnamed")
            )),
            Msg::Fetching(Fetcher::Here) => Some("fetching: this process holds the lock".into()),
            Msg::TaskFailed { what, error } => {
                let line = format!("{what}: {error}");
                self.failures.push(line.clone());
                Some(line)
            }
            _ => None,
        }
    }

    /// Every source has reported a health past connecting.
    pub fn settled(&self) -> bool {
        self.sources
            .values()
            .all(|r| r.health.as_ref().is_some_and(|h| *h != Health::Connecting))
    }

    /// A source is failing (backing off, auth failed, degraded, disabled, never connected) or a task failed.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
            || self.sources.values().any(|r| match &r.health {
                None | Some(Health::Connecting | Health::Disabled(_)) => true,
                Some(h) => h.is_problem(),
            })
    }

    /// Live progress: one line per source that stored posts since the last call.
    pub fn progress(&mut self) -> Vec<String> {
        self.sources
            .iter_mut()
            .filter(|(_, r)| r.unreported > 0)
            .map(|(name, r)| {
                format!(
                    "{name}: {} ({} this run)",
                    new_posts(std::mem::take(&mut r.unreported)),
                    r.new_posts
                )
            })
            .collect()
    }

    /// The closing lines: `mastodon-main: 312 new posts, polling`, one per source.
    pub fn summary(&self) -> Vec<String> {
        self.sources
            .iter()
            .map(|(name, r)| {
                let health = r
                    .health
                    .as_ref()
                    .map_or_else(|| "no report (never started)".to_string(), Health::label);
                format!("{name}: {}, {health}", new_posts(r.new_posts))
            })
            .collect()
    }
}

fn new_posts(n: usize) -> String {
    if n == 1 {
        "1 new post".into()
    } else {
        format!("{n} new posts")
    }
}

/// Runs the sources until `--once` has everything (or Ctrl-C); prints progress and the summary to `out`.
/// Returns whether every source ended healthy.
pub async fn run(workspace: Workspace, once: bool, out: &mut dyn Write) -> anyhow::Result<bool> {
    let client = crate::sources::http::client();
    let wiring = runtime::wire(&workspace.settings, &workspace.customers, &client)
        .map_err(anyhow::Error::msg)?;
    if wiring.sources.is_empty() {
        anyhow::bail!(
            "no sources configured: add [sources.<name>] tables to your config (see config.example.toml)"
        );
    }
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel::<Msg>();
    let mut report = Report::new(wiring.sources.iter().map(|s| s.name()));
    let fetch = crate::fetcher::Fetch {
        store: workspace.store.clone(),
        sources: wiring.sources,
        rewire: runtime::rewire(&workspace.settings, &workspace.customers, &client),
        ingest: workspace.ingest(),
    };
    let running =
        runtime::start_sources(fetch, crate::fetcher::whoami(workspace.staff()), ui_tx).await;
    let mut progress = tokio::time::interval(PROGRESS_EVERY);
    progress.tick().await;
    loop {
        let settled = report.settled();
        let msg = tokio::select! {
            m = ui_rx.recv() => m,
            _ = tokio::signal::ctrl_c() => None,
            _ = tokio::time::sleep(QUIET), if once && settled => None,
            _ = progress.tick(), if !once => {
                for line in report.progress() {
                    writeln!(out, "{line}")?;
                }
                continue;
            }
        };
        let Some(msg) = msg else { break };
        if let Some(line) = report.record(msg)
            && !once
        {
            writeln!(out, "{line}")?;
        }
    }
    running.stop().await;
    workspace.store.close().await;
    for line in report.summary() {
        writeln!(out, "{line}")?;
    }
    for failure in &report.failures {
        writeln!(out, "failed: {failure}")?;
    }
    Ok(!report.failed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(source: &str, health: Health) -> Msg {
        Msg::SourceHealth {
            source: source.into(),
            health,
        }
    }

    fn ingested(source: &str, n: usize) -> Msg {
        let post = crate::state::fixture::post(1, "ann@example.social", None, true, 5, "hello");
        Msg::Ingested {
            source: source.into(),
            posts: vec![post; n],
        }
    }

    #[test]
    fn one_summary_line_per_source_whatever_the_batches() {
        let mut report = Report::new(["bluesky", "mastodon-main"]);
        assert!(!report.settled());
        for _ in 0..3 {
            assert_eq!(report.record(ingested("mastodon-main", 200)), None);
        }
        report.record(ingested("mastodon-main", 1));
        report.record(health("mastodon-main", Health::Polling));
        assert!(!report.settled());
        let line = report.record(health(
            "bluesky",
            Health::AuthFailed("the app password was refused".into()),
        ));
        assert_eq!(
            line.as_deref(),
            Some("bluesky: auth failed: the app password was refused")
        );
        assert!(report.settled());
        assert_eq!(
            report.summary(),
            [
                "bluesky: 0 new posts, auth failed: the app password was refused",
                "mastodon-main: 601 new posts, polling",
            ]
        );
        assert!(report.failed());
    }

    #[test]
    fn healthy_only_when_every_source_ends_healthy() {
        let mut report = Report::new(["a", "b"]);
        report.record(health("a", Health::Live));
        assert!(report.failed(), "b never reported");
        report.record(health("b", Health::Finished("end of file".into())));
        assert!(!report.failed());
        for bad in [
            Health::Disabled("no token".into()),
            Health::Degraded("search refused".into()),
            Health::BackingOff {
                until: chrono::Utc::now(),
                reason: "HTTP 500".into(),
            },
            Health::Connecting,
        ] {
            report.record(health("b", bad.clone()));
            assert!(report.failed(), "{bad:?}");
        }
        report.record(health("b", Health::Polling));
        assert!(!report.failed(), "recovered before the end");
        report.record(Msg::TaskFailed {
            what: "saving".into(),
            error: "disk full".into(),
        });
        assert!(report.failed());
    }

    #[test]
    fn live_progress_is_coalesced_per_source() {
        let mut report = Report::new(["rss"]);
        report.record(ingested("rss", 200));
        report.record(ingested("rss", 200));
        assert_eq!(report.progress(), ["rss: 400 new posts (400 this run)"]);
        assert!(report.progress().is_empty());
        report.record(ingested("rss", 1));
        assert_eq!(report.progress(), ["rss: 1 new post (401 this run)"]);
    }
}
