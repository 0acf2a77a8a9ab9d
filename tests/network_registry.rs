//! A new network costs its folder plus one registry line. `mod pigeon` below is everything a folder
//! `src/sources/pigeon/` would hold (its config table, source, replier and `network.rs`); `mod registry` is the
//! crate's registry list with the one line added. Nothing else is written for it, yet it parses from a config
//! file (with line/column errors), checks its handles, has its reply limit and URLs, and builds a source that
//! runs and a replier that answers.

mod pigeon {
    use std::collections::HashMap;
    use std::sync::Arc;

    use regulars::domain::ReplyLimit;
    use regulars::sources::registry::{Built, NetworkKind};
    use regulars::sources::{
        CheckFuture, Health, Replier, ReplyFuture, ReplyRequest, SentReply, Source, SourceCtx,
        SourceFuture, Watch,
    };
    use serde::Deserialize;

    /// `[sources.<name>]` with `kind = "pigeon"`.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PigeonConfig {
        pub loft: String,
    }

    pub struct PigeonSource {
        name: String,
        watch: Watch,
    }

    impl Source for PigeonSource {
        fn name(&self) -> &str {
            &self.name
        }

        fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
            Box::pin(async move {
                // Says what it listens for, so the test sees the watch the registry handed it.
                let what = format!("listening for #{}", self.watch.hashtags.join(" #"));
                ctx.health(Health::Finished(what)).await;
                Ok(())
            })
        }

        fn doctor<'a>(&'a self, _cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
            Box::pin(async { Vec::new() })
        }
    }

    pub struct PigeonReplier {
        loft: String,
    }

    impl Replier for PigeonReplier {
        fn account(&self) -> String {
            format!("the {} loft", self.loft)
        }

        fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
            Box::pin(async move {
                Ok(SentReply {
                    url: Kind::post_url("loft", &request.post.native_id),
                    remote_id: Some(request.idempotency_key),
                })
            })
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
            _client: &reqwest::Client,
        ) -> Result<Built, String> {
            Ok(Built {
                source: Box::new(PigeonSource {
                    name: source.to_string(),
                    watch,
                }),
                replier: Some(Arc::new(PigeonReplier {
                    loft: cfg.loft.clone(),
                })),
                reply_limit: None,
            })
        }
    }
}

mod registry {
    regulars::networks! {
        Mastodon = "mastodon" => regulars::sources::mastodon::network::Kind,
        Bluesky = "bluesky" => regulars::sources::bluesky::network::Kind,
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
    assert_eq!(Network::ALL.len(), 6);
    assert_eq!(Network::parse("pigeon"), Some(Network::Pigeon));
    assert_eq!(Network::Pigeon.to_string(), "pigeon");
    assert_eq!(
        serde_json::to_string(&Network::Pigeon).unwrap(),
        "\"pigeon\""
    );
    assert_eq!(Network::Pigeon.reply_limit(), ReplyLimit::Chars(140));
    assert_eq!(
        Network::with_accounts().collect::<Vec<_>>(),
        [Network::Mastodon, Network::Bluesky, Network::Pigeon]
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
async fn it_builds_a_source_that_runs_and_a_replier_that_answers() {
    let parsed: Sources =
        toml::from_str("[sources.p]\nkind = \"pigeon\"\nloft = \"roof\"\n").unwrap();
    let watch = regulars::sources::Watch {
        hashtags: vec!["finch".into()],
        ..Default::default()
    };
    let client = reqwest::Client::new();
    let built = parsed.sources["p"].build("p", watch, &client).unwrap();
    let replier = built.replier.expect("a replier");
    assert_eq!(replier.account(), "the roof loft");

    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let ctx = regulars::sources::SourceCtx {
        name: built.source.name().to_string(),
        tx,
        cancel: tokio_util::sync::CancellationToken::new(),
        cursors: Default::default(),
    };
    built.source.run(ctx).await.unwrap();
    match rx.recv().await {
        Some(regulars::sources::SourceEvent::Health { source, health }) => {
            assert_eq!(source, "p");
            assert_eq!(health.label(), "done: listening for #finch");
        }
        other => panic!("{other:?}"),
    }
}
