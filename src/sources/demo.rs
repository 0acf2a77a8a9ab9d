//! The embedded demo feed: a small jewellery shop's world. A backlog at start (timestamps relative to now),
//! then one live post every few seconds, for ever: once every live story is told it starts again, with fresh
//! ids and times, so a console left on the demo never goes quiet. Its cursor remembers how many live posts
//! were played, so a restart goes on where it stopped.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{
    Check, CheckFuture, Cursor, Health, Prepared, Replier, ReplyFuture, ReplyRequest, Resolution,
    ResolveFuture, SentReply, Source, SourceCtx, SourceFuture,
};
use crate::domain::{Author, Customer, IncomingPost, Network};

pub const POSTS: &str = include_str!("../../assets/demo/posts.jsonl");
pub const CUSTOMERS: &str = include_str!("../../assets/demo/customers.csv");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPost {
    id: String,
    network: Network,
    author: String,
    name: String,
    text: String,
    /// Backlog posts have an age; live posts have none.
    minutes_ago: Option<i64>,
    reply_to: Option<String>,
    /// The category the story means the post to have, for `tests/demo_triage.rs` to hold triage to; the
    /// console triages the text as it would any post's.
    #[serde(rename = "category")]
    _intended: crate::triage::Category,
}

impl DemoPost {
    /// The post as told in round `round` of the live stories (0 is the first): a later round's ids are its
    /// own, replies pointing at the same round's posts, so each retelling is new to the store.
    fn retold(mut self, round: usize, live_ids: &std::collections::HashSet<String>) -> DemoPost {
        if round > 0 {
            self.id = format!("{}~{round}", self.id);
            if let Some(parent) = self.reply_to.as_mut().filter(|p| live_ids.contains(*p)) {
                *parent = format!("{parent}~{round}");
            }
        }
        self
    }

    fn into_incoming(self, created_at: DateTime<Utc>) -> IncomingPost {
        IncomingPost {
            network: self.network,
            native_id: self.id,
            url: None,
            author: Author {
                handle: self.author,
                display_name: self.name,
            },
            text: self.text,
            created_at,
            in_reply_to: self.reply_to,
            // Marks the post as the demo's, so a reply to it never reaches a real network.
            reply_ref: Some(serde_json::json!({ "demo": true })),
            addressed_to_shop: false,
            context: false,
            quotes: None,
            rating: None,
        }
    }
}

/// The demo's customers, through the import every shop's customers go through (ranked by lifetime spend,
/// which needs no date: `now` only stamps the run).
pub fn customers() -> Result<Vec<Customer>, String> {
    let config = crate::config::demo(1.0)
        .customers()
        .ok_or("the demo has its customers")?;
    let none = std::collections::HashSet::new();
    crate::customers::import::ranked(
        &config,
        &super::listening::Homes::default(),
        chrono::Utc::now(),
        &none,
        &none,
    )
    .map(|(ranked, _)| ranked)
    .map_err(|e| e.to_string())
}

pub struct DemoSource {
    name: String,
    interval: Duration,
}

impl DemoSource {
    pub fn new(name: String, interval_seconds: f64) -> DemoSource {
        DemoSource {
            name,
            interval: Duration::from_secs_f64(interval_seconds.max(0.01)),
        }
    }
}

fn parse_posts() -> Result<Vec<DemoPost>, String> {
    POSTS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("demo posts line {}: {e}", i + 1))
        })
        .collect()
}

const PLAYED: &str = "played";

impl Source for DemoSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let posts = parse_posts().map_err(anyhow::Error::msg)?;
            let played: usize = ctx
                .cursors
                .get(PLAYED)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let (backlog, live): (Vec<DemoPost>, Vec<DemoPost>) =
                posts.into_iter().partition(|p| p.minutes_ago.is_some());
            let now = Utc::now();
            let backlog: Vec<IncomingPost> = backlog
                .into_iter()
                .map(|p| {
                    let at = now - chrono::Duration::minutes(p.minutes_ago.unwrap_or(0));
                    p.into_incoming(at)
                })
                .collect();
            if !ctx.batch(backlog, vec![]).await || !ctx.health(Health::Live).await {
                return Ok(());
            }
            let total = live.len();
            if total == 0 {
                ctx.health(Health::Finished("no live demo posts".into()))
                    .await;
                return Ok(());
            }
            let live_ids = live.iter().map(|p| p.id.clone()).collect();
            for played in played.. {
                if !super::http::sleep_for(self.interval, &ctx.cancel).await {
                    return Ok(());
                }
                let post = live[played % total]
                    .clone()
                    .retold(played / total, &live_ids);
                let cursor = Cursor {
                    key: PLAYED.into(),
                    value: (played + 1).to_string(),
                };
                if !ctx
                    .batch(vec![post.into_incoming(Utc::now())], vec![cursor])
                    .await
                {
                    return Ok(());
                }
            }
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        Box::pin(async move {
            let detail = match parse_posts() {
                Ok(p) => format!(
                    "{} posts embedded, {} live played",
                    p.len(),
                    cursors.get(PLAYED).map_or("0", |s| s)
                ),
                Err(e) => e,
            };
            vec![Check {
                what: format!("{}: demo feed", self.name),
                ok: true,
                detail,
                fix: String::new(),
            }]
        })
    }
}

/// `[sources.<name>]` with `kind = "demo"`: the embedded demo feed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    /// Seconds between live posts.
    #[serde(default = "default_interval")]
    pub interval_seconds: f64,
}

fn default_interval() -> f64 {
    5.0
}

/// The demo in the network registry: replies are recorded, never posted.
pub struct Kind;

impl super::registry::NetworkKind for Kind {
    type Config = DemoConfig;

    fn check(source: &str, cfg: &DemoConfig) -> Result<(), String> {
        if (0.05..=3600.0).contains(&cfg.interval_seconds) {
            return Ok(());
        }
        Err(format!(
            "sources.{source}.interval_seconds = {}: use a number of seconds from 0.05 to 3600",
            cfg.interval_seconds
        ))
    }

    fn build(
        source: &str,
        cfg: &DemoConfig,
        _watch: super::Watch,
        _client: &reqwest::Client,
    ) -> Result<super::registry::Built, String> {
        Ok(super::registry::Built {
            source: Box::new(DemoSource::new(source.to_string(), cfg.interval_seconds)),
            replier: Some(std::sync::Arc::new(DemoReplier)),
            accounts: None,
        })
    }
}

/// Replies in demo mode: recorded as sent to the demo network, nothing leaves the machine.
pub struct DemoReplier;

impl Replier for DemoReplier {
    /// Nothing leaves the machine.
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn account(&self) -> String {
        "the demo shop (nothing is posted)".into()
    }

    fn prepare(&self, _post: &crate::domain::Post, text: &str) -> Prepared {
        Prepared {
            text: text.to_string(),
            visibility: "public",
            account: self.account(),
            caution: None,
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(async move {
            Ok(SentReply {
                url: Some(format!(
                    "demo://{}/{}/reply",
                    request.post.network, request.post.native_id
                )),
                remote_id: Some(request.idempotency_key),
                text: request.text,
            })
        })
    }

    /// A demo send never leaves the machine, so it is never left unconfirmed.
    fn resolve(&self, _request: ReplyRequest, _known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(async { Resolution::NotPosted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_demo_is_consistent() {
        let posts = parse_posts().unwrap();
        assert!(posts.len() >= 250, "{}", posts.len());
        let live = posts.iter().filter(|p| p.minutes_ago.is_none()).count();
        assert!(live >= 30, "{live} live posts");
        let mut ids = std::collections::HashSet::new();
        for p in &posts {
            if let Some(parent) = &p.reply_to {
                assert!(ids.contains(parent), "{} replies to unknown {parent}", p.id);
            }
            assert!(ids.insert(p.id.clone()), "duplicate {}", p.id);
        }
        let customers = customers().unwrap();
        let handles: std::collections::HashSet<String> = customers
            .iter()
            .flat_map(|c| c.handles.iter().map(|h| h.handle.clone()))
            .collect();
        let from_customers = posts
            .iter()
            .filter(|p| handles.contains(&p.author.to_lowercase()))
            .count();
        assert!(from_customers > 50, "{from_customers} posts by customers");
    }

    /// Paused time: the sleeps between posts pass at once, so every live story is played past its end.
    #[tokio::test(start_paused = true)]
    async fn the_live_feed_starts_again_with_new_ids_when_its_stories_run_out() {
        let live = parse_posts()
            .unwrap()
            .into_iter()
            .filter(|p| p.minutes_ago.is_none())
            .count();
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let cancel = tokio_util::sync::CancellationToken::new();
        let ctx = SourceCtx {
            name: "demo".into(),
            tx,
            cancel: cancel.clone(),
            cursors: HashMap::from([(PLAYED.to_string(), (live - 2).to_string())]),
        };
        let task = tokio::spawn(Box::new(DemoSource::new("demo".into(), 5.0)).run(ctx));
        let started = tokio::time::Instant::now();
        let mut posts = Vec::new();
        while posts.len() < 1 + 5 {
            match rx.recv().await {
                Some(super::super::SourceEvent::Batch { posts: p, .. }) => posts.push(p),
                Some(super::super::SourceEvent::Health { health, .. }) => {
                    assert!(
                        !matches!(health, Health::Finished(_)),
                        "never done: {health:?}"
                    )
                }
                Some(_) => {}
                None => panic!("the feed stopped"),
            }
        }
        cancel.cancel();
        task.await.unwrap().unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(25),
            "one post per interval"
        );
        let live_posts: Vec<&IncomingPost> = posts[1..].iter().map(|b| &b[0]).collect();
        let ids: Vec<&str> = live_posts.iter().map(|p| p.native_id.as_str()).collect();
        // The last two stories, then the first three again under new ids.
        assert!(!ids[0].contains('~') && !ids[1].contains('~'), "{ids:?}");
        assert!(ids[2..].iter().all(|id| id.ends_with("~1")), "{ids:?}");
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        let first = parse_posts()
            .unwrap()
            .into_iter()
            .find(|p| p.minutes_ago.is_none())
            .unwrap();
        assert_eq!(live_posts[2].text, first.text, "the first story retold");
        for p in &live_posts {
            if let Some(parent) = &p.in_reply_to {
                assert!(
                    !ids.contains(&parent.as_str())
                        || p.native_id.ends_with("~1") == parent.ends_with("~1"),
                    "{} replies within its own round: {parent}",
                    p.native_id
                );
            }
        }
    }

    #[tokio::test]
    async fn plays_backlog_then_live_posts_and_resumes_from_its_cursor() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let cancel = tokio_util::sync::CancellationToken::new();
        let ctx = SourceCtx {
            name: "demo".into(),
            tx,
            cancel: cancel.clone(),
            cursors: HashMap::from([(PLAYED.to_string(), "2".to_string())]),
        };
        let task = tokio::spawn(Box::new(DemoSource::new("demo".into(), 0.01)).run(ctx));
        let mut batches = Vec::new();
        while batches.len() < 3 {
            if let Some(super::super::SourceEvent::Batch { posts, cursors, .. }) = rx.recv().await {
                batches.push((posts, cursors));
            }
        }
        cancel.cancel();
        task.await.unwrap().unwrap();
        assert!(batches[0].0.len() > 200, "backlog first");
        assert!(batches[0].0.iter().all(|p| p.created_at < Utc::now()));
        assert_eq!(
            batches[1].1,
            vec![Cursor {
                key: PLAYED.into(),
                value: "3".into()
            }],
            "resumed after 2 played"
        );
        assert_eq!(batches[2].1[0].value, "4");
    }
}
