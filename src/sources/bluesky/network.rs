//! Bluesky in the network registry: domain handles (`name.bsky.social`, a custom domain) or DIDs, 300 graphemes.

use std::sync::Arc;

use super::{BlueskyConfig, BlueskySource, api};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = BlueskyConfig;
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Graphemes(300);
    const ACCOUNTS: bool = true;

    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let handle = raw.trim().trim_start_matches('@').to_lowercase();
        let domain = handle.contains('.')
            && !handle.starts_with('.')
            && !handle.ends_with('.')
            && handle
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'));
        if domain || (handle.starts_with("did:") && !handle.contains(char::is_whitespace)) {
            Ok(handle)
        } else {
            Err(format!(
                "`{}` is not a Bluesky handle; write it like name.bsky.social (or the account's own domain)",
                raw.trim()
            ))
        }
    }

    fn post_url(handle: &str, native_id: &str) -> Option<String> {
        native_id
            .starts_with("at://")
            .then(|| api::web_url(handle, native_id))
    }

    fn build(
        source: &str,
        cfg: &BlueskyConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let polling = BlueskySource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = polling.replier();
        let accounts = polling.accounts();
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
    fn handles_and_urls() {
        assert_eq!(
            Kind::handle(" @Priya.BSKY.social", None).as_deref(),
            Ok("priya.bsky.social")
        );
        assert!(Kind::handle("did:plc:abc", None).is_ok());
        let err = Kind::handle("priya", None).unwrap_err();
        assert!(err.contains("name.bsky.social"), "{err}");
        assert_eq!(
            Kind::post_url("a.test", "at://did:plc:x/app.bsky.feed.post/3k").as_deref(),
            Some("https://bsky.app/profile/a.test/post/3k")
        );
        assert_eq!(Kind::post_url("a.test", "guid-1"), None);
    }
}
