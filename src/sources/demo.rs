//! The embedded demo feed: a small jewellery shop's world. A backlog at start (timestamps relative to now),
//! then one live post every few seconds. Its cursor remembers how many live posts were played, so a restart
//! goes on where it stopped.

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

#[derive(Debug, Deserialize)]
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
            for (i, post) in live.into_iter().enumerate().skip(played) {
                if !super::http::sleep_for(self.interval, &ctx.cancel).await {
                    return Ok(());
                }
                let cursor = Cursor {
                    key: PLAYED.into(),
                    value: (i + 1).to_string(),
                };
                if !ctx
                    .batch(vec![post.into_incoming(Utc::now())], vec![cursor])
                    .await
                {
                    return Ok(());
                }
            }
            ctx.health(Health::Finished(format!(
                "all {total} live demo posts played"
            )))
            .await;
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
