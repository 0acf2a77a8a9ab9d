//! A new network costs its folder plus one registry line. `mod pigeon` below is everything a folder
//! `src/sources/pigeon/` would hold (its config table, source, replier and `network.rs`); `mod registry` is the
//! crate's registry list with the one line added. Nothing else is written for it, yet it parses from a config
//! file (with line/column errors), checks its handles, has its reply limit and URLs, and builds a source that
//! the shared poller runs (rounds, per-query health, backoff: none of it written here) and a replier that answers.

mod pigeon {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use regulars::domain::ReplyLimit;
    use regulars::sources::http::{self, FetchError};
    use regulars::sources::poller::{self, Out, Stop, Timing};
    use regulars::sources::registry::{Built, NetworkKind};
    use regulars::sources::{
        CheckFuture, Cursor, Prepared, Replier, ReplyFuture, ReplyRequest, Resolution,
        ResolveFuture, SentReply, Source, SourceCtx, SourceFuture, Watch,
    };
    use serde::Deserialize;

    /// `[sources.<name>]` with `kind = "pigeon"`.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PigeonConfig {
        /// The loft's address; every watched hashtag is a query at `<loft>/tags/<tag>`.
        pub loft: String,
    }

    pub struct PigeonSource {
        name: String,
        watch: Watch,
        loft: String,
        client: reqwest::Client,
    }

    impl Source for PigeonSource {
        fn name(&self) -> &str {
            &self.name
        }

        /// The whole loop is the shared poller's: the network brings only its queries and one fetch.
        fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
            Box::pin(async move {
                let loft = Loft {
                    tags: self.watch.hashtags.clone(),
                    url: self.loft.clone(),
                    client: self.client.clone(),
                };
                poller::run(loft, &ctx, Timing::every(Duration::from_millis(50))).await;
                Ok(())
            })
        }

        fn doctor<'a>(&'a self, _cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
            Box::pin(async { Vec::new() })
        }
    }

    struct Loft {
        tags: Vec<String>,
        url: String,
        client: reqwest::Client,
    }

    #[derive(Deserialize)]
    struct Tag {
        latest: String,
    }

    impl poller::Network for Loft {
        type Query = String;

        fn queries(&mut self, _live: bool) -> Vec<String> {
            self.tags.clone()
        }

        fn label(&self, tag: &String) -> String {
            format!("#{tag}")
        }

        async fn fetch(&mut self, tag: &String, out: &Out<'_>) -> Result<(), Stop> {
            let req = self.client.get(format!("{}/tags/{tag}", self.url));
            let resp = http::send(req, chrono::Utc::now()).await?;
            let latest: Tag = http::json(resp).await?;
            let cursor = Cursor {
                key: format!("tag:{tag}"),
                value: latest.latest,
            };
            out.batch(Vec::new(), vec![cursor]).await
        }

        async fn reauth(&mut self) -> Result<(), FetchError> {
            Ok(())
        }

        fn auth_fix(&self) -> String {
            "ask the loft keeper".into()
        }
    }

    pub struct PigeonReplier {
        loft: String,
    }

    impl Replier for PigeonReplier {
        fn account(&self) -> String {
            format!("the {} loft", self.loft)
        }

        fn prepare(&self, _post: &regulars::domain::Post, text: &str) -> Prepared {
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
                    url: Kind::post_url("loft", &request.post.native_id),
                    remote_id: Some(request.idempotency_key),
                    text: request.text,
                })
            })
        }

        fn resolve(&self, _request: ReplyRequest, _known: Vec<String>) -> ResolveFuture<'_> {
            Box::pin(async { Resolution::NotPosted })
        }
    }

    /// `src/sources/pigeon/network.rs`.
    pub struct Kind;

    impl NetworkKind for Kind {
        type Config = PigeonConfig;
        const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(140);
        const ACCOUNTS: bool = true;

        fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
            let handle = raw.trim().trim_start_matches('@').to_lowercase();
            match handle.strip_prefix("coo-") {
                Some(rest) if !rest.is_empty() => Ok(handle),
                _ => Err(format!("`{raw}` is not a pigeon; write it like coo-name")),
            }
        }

        fn post_url(handle: &str, native_id: &str) -> Option<String> {
            Some(format!("https://pigeon.example/{handle}/{native_id}"))
        }

        fn check(source: &str, cfg: &PigeonConfig) -> Result<(), String> {
            if cfg.loft.trim().is_empty() {
                return Err(format!("sources.{source}.loft: name the loft"));
            }
            Ok(())
        }

        fn build(
            source: &str,
            cfg: &PigeonConfig,
            watch: Watch,
            client: &reqwest::Client,
        ) -> Result<Built, String> {
            Ok(Built {
                source: Box::new(PigeonSource {
                    name: source.to_string(),
                    watch,
                    loft: cfg.loft.clone(),
                    client: client.clone(),
                }),
                replier: Some(Arc::new(PigeonReplier {
                    loft: cfg.loft.clone(),
                })),
                accounts: None,
            })
        }
    }
}

mod registry {
    regulars::networks! {
        Mastodon = "mastodon" => regulars::sources::mastodon::network::Kind,
        Bluesky = "bluesky" => regulars::sources::bluesky::network::Kind,
        Facebook = "facebook" => regulars::sources::facebook::network::Kind,
        Instagram = "instagram" => regulars::sources::instagram::network::Kind,
        Rss = "rss" => regulars::sources::rss::network::Kind,
        Jsonl = "jsonl" => regulars::sources::jsonl::network::Kind,
        Demo = "demo" => regulars::sources::demo::Kind,
        Pigeon = "pigeon" => super::pigeon::Kind,
    }
}

use registry::{Network, SourceConfig};
use regulars::domain::ReplyLimit;

#[derive(serde::Deserialize)]
struct Sources {
    sources: std::collections::BTreeMap<String, SourceConfig>,
}

#[test]
fn the_new_network_has_a_name_handles_a_reply_limit_and_urls() {
    assert_eq!(Network::ALL.len(), 8);
    assert_eq!(Network::parse("pigeon"), Some(Network::Pigeon));
    assert_eq!(Network::Pigeon.to_string(), "pigeon");
    assert_eq!(
        serde_json::to_string(&Network::Pigeon).unwrap(),
        "\"pigeon\""
    );
    assert_eq!(Network::Pigeon.reply_limit(), ReplyLimit::Chars(140));
    assert_eq!(
        Network::with_accounts().collect::<Vec<_>>(),
        [
            Network::Mastodon,
            Network::Bluesky,
            Network::Facebook,
            Network::Instagram,
            Network::Pigeon
        ]
    );
    assert_eq!(
        Network::Pigeon.handle("@Coo-Rosa", None).as_deref(),
        Ok("coo-rosa")
    );
    assert!(
        Network::Pigeon
            .handle("rosa", None)
            .unwrap_err()
            .contains("coo-name")
    );
    assert_eq!(
        Network::Pigeon.post_url("coo-rosa", "7").as_deref(),
        Some("https://pigeon.example/coo-rosa/7")
    );
    // The networks already there answer as before.
    assert_eq!(Network::Bluesky.reply_limit(), ReplyLimit::Graphemes(300));
}

#[test]
fn its_config_table_is_parsed_and_checked_like_any_other() {
    let parsed: Sources =
        toml::from_str("[sources.p]\nkind = \"pigeon\"\nloft = \"roof\"\n").unwrap();
    let cfg = &parsed.sources["p"];
    assert_eq!(cfg.network(), Network::Pigeon);
    cfg.check("p").unwrap();
    let empty: Sources = toml::from_str("[sources.p]\nkind = \"pigeon\"\nloft = \"\"\n").unwrap();
    assert!(
        empty.sources["p"]
            .check("p")
            .unwrap_err()
            .contains("sources.p.loft")
    );
    let err = toml::from_str::<Sources>("\n[sources.p]\nkind = \"pigeon\"\nlfot = \"roof\"\n")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("line 2") && err.contains("lfot") && err.contains("loft"),
        "{err}"
    );
    let err = toml::from_str::<Sources>("[sources.p]\nkind = \"carrier\"\n")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("carrier") && err.contains("pigeon"), "{err}");
}

#[tokio::test]
async fn it_builds_a_source_the_shared_poller_runs_and_a_replier_that_answers() {
    use regulars::sources::{Health, SourceEvent};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let loft = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tags/finch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"latest": "7"})))
        .mount(&loft)
        .await;
    Mock::given(method("GET"))
        .and(path("/tags/gull"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&loft)
        .await;
    let parsed: Sources = toml::from_str(&format!(
        "[sources.p]\nkind = \"pigeon\"\nloft = \"{}\"\n",
        loft.uri()
    ))
    .unwrap();
    let watch = regulars::sources::Watch {
        hashtags: vec!["finch".into(), "gull".into()],
        ..Default::default()
    };
    let client = reqwest::Client::new();
    let built = parsed.sources["p"].build("p", watch, &client).unwrap();
    let replier = built.replier.expect("a replier");
    assert_eq!(replier.account(), format!("the {} loft", loft.uri()));

    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let cancel = tokio_util::sync::CancellationToken::new();
    let ctx = regulars::sources::SourceCtx {
        name: built.source.name().to_string(),
        tx,
        cancel: cancel.clone(),
        cursors: Default::default(),
    };
    let task = tokio::spawn(built.source.run(ctx));
    // The poller reports for it: the failing query degrades alone, the other one delivers its cursor.
    let (mut cursor, mut degraded) = (None, None);
    while cursor.is_none() || degraded.is_none() {
        match tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv()).await {
            Ok(Some(SourceEvent::Batch {
                source, cursors, ..
            })) => {
                assert_eq!(source, "p");
                cursor = cursors.into_iter().next();
            }
            Ok(Some(SourceEvent::Health {
                health: Health::Degraded(why),
                ..
            })) => degraded = Some(why),
            Ok(Some(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    let cursor = cursor.unwrap();
    assert_eq!(
        (cursor.key.as_str(), cursor.value.as_str()),
        ("tag:finch", "7")
    );
    let degraded = degraded.unwrap();
    assert!(
        degraded.starts_with("#gull: server error (503)"),
        "{degraded}"
    );
    cancel.cancel();
    task.await.unwrap().unwrap();
}
