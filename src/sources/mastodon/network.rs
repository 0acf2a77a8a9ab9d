//! Mastodon in the network registry: `user@instance` handles (a bare `user` lives on the shop's own instance).

use std::sync::Arc;

use super::accounts::MastodonAccounts;
use super::{MastodonConfig, MastodonReplier, MastodonSource};
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = MastodonConfig;
    const ACCOUNTS: bool = true;

    fn handle(raw: &str, home: Option<&str>) -> Result<String, String> {
        let handle = raw.trim().trim_start_matches('@').to_lowercase();
        let word = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        };
        match handle.split_once('@') {
            Some((user, domain)) if word(user) && word(domain) && domain.contains('.') => {
                Ok(handle)
            }
            None if word(&handle) => match home {
                Some(home) => Ok(format!("{handle}@{home}")),
                None => Err(format!(
                    "`{}` names no instance: write it as {handle}@your.instance, or set the shop's own \
                     handle (`[shop.handles] mastodon = \"shop@your.instance\"`) or a Mastodon source, so a \
                     bare name means someone on the shop's instance",
                    raw.trim()
                )),
            },
            _ => Err(format!(
                "`{}` is not a Mastodon handle; write it like user@instance.social",
                raw.trim()
            )),
        }
    }

    fn home_of_handle(handle: &str) -> Option<String> {
        let (_, domain) = handle.trim().trim_start_matches('@').split_once('@')?;
        Some(domain.to_lowercase()).filter(|d| !d.is_empty())
    }

    fn home_of_source(cfg: &MastodonConfig) -> Option<String> {
        let url = url::Url::parse(cfg.instance.trim()).ok()?;
        url.host_str().map(str::to_lowercase)
    }

    fn build(
        source: &str,
        cfg: &MastodonConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let shop = watch.shop_handle.clone();
        let polling = MastodonSource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = MastodonReplier::new(source, cfg, shop, client.clone())?;
        let accounts = MastodonAccounts::new(source, cfg, client.clone())?;
        Ok(Built {
            source: Box::new(polling),
            replier: Some(Arc::new(replier)),
            accounts: Some(Arc::new(accounts)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_as_people_write_them() {
        let home = Some("social.example");
        for raw in [
            "alice",
            "@alice",
            "Alice@Social.Example",
            "@ALICE@social.example",
        ] {
            assert_eq!(
                Kind::handle(raw, home).as_deref(),
                Ok("alice@social.example"),
                "{raw}"
            );
        }
        assert_eq!(
            Kind::handle("bob@mas.to", None).as_deref(),
            Ok("bob@mas.to")
        );
        let err = Kind::handle("alice", None).unwrap_err();
        assert!(
            err.contains("alice@your.instance") && err.contains("[shop.handles]"),
            "{err}"
        );
        assert!(Kind::handle("a@b@c.d", home).is_err());
        assert!(Kind::handle("two words", home).is_err());
        assert_eq!(
            Kind::home_of_handle("@Shop@Social.Example").as_deref(),
            Some("social.example")
        );
        assert_eq!(Kind::home_of_handle("shop"), None);
    }
}
