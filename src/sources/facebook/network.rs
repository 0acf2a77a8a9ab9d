//! Facebook in the network registry: people are known by their Facebook name (a page sees names and
//! page-scoped ids, never usernames), replies are comments of up to 8000 characters.

use std::sync::Arc;

use super::{FacebookConfig, FacebookReplier, FacebookSource};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = FacebookConfig;
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(8000);
    const ACCOUNTS: bool = true;
    const NO_ACCOUNT_SEARCH: Option<&'static str> = Some(
        "the Graph API offers no search for people by name (people ids are scoped to each app)",
    );

    /// A Facebook name as the page sees it (`Ann Lee`), compared without case; spaces inside are kept.
    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let name = raw
            .trim()
            .trim_start_matches('@')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            Err("a Facebook name is empty; write it as it shows on Facebook, like Ann Lee".into())
        } else {
            Ok(name.to_lowercase())
        }
    }

    /// Post and comment ids open at facebook.com/<id>.
    fn post_url(_handle: &str, native_id: &str) -> Option<String> {
        (!native_id.starts_with("rating:")).then(|| format!("https://www.facebook.com/{native_id}"))
    }

    fn check(source: &str, cfg: &FacebookConfig) -> Result<(), String> {
        super::validate(source, cfg)
    }

    fn build(
        source: &str,
        cfg: &FacebookConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let shop = watch.shop_handle.clone();
        let polling = FacebookSource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = FacebookReplier::new(source, cfg, shop, client.clone())?;
        Ok(Built {
            source: Box::new(polling),
            replier: Some(Arc::new(replier)),
            accounts: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(Kind::handle("  Ann   Lee ", None).as_deref(), Ok("ann lee"));
        assert!(Kind::handle(" ", None).is_err());
        assert_eq!(
            Kind::post_url("ann lee", "10_20").as_deref(),
            Some("https://www.facebook.com/10_20")
        );
        assert_eq!(Kind::post_url("", "rating:9:1"), None);
    }
}
