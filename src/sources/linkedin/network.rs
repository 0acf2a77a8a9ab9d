//! LinkedIn in the network registry: people are named by their member URN (`urn:li:person:…`), the only
//! identifier the Community Management API gives for a commenter; the page by its organization URN.

use std::sync::Arc;

use super::{LinkedinConfig, LinkedinSource, api};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = LinkedinConfig;
    /// Comments take up to 1,250 characters.
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(1250);
    const ACCOUNTS: bool = true;
    const NO_ACCOUNT_SEARCH: Option<&'static str> = Some(
        "LinkedIn's API offers no member search to an organisation's token (people search is closed to partners)",
    );

    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let h = raw.trim().trim_start_matches('@').to_lowercase();
        let id_ok = |id: &str| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        };
        match h.rsplit_once(':') {
            Some((kind, id))
                if matches!(
                    kind,
                    "urn:li:person" | "urn:li:member" | "urn:li:organization"
                ) && id_ok(id) =>
            {
                Ok(h)
            }
            _ => Err(format!(
                "`{}` is not a LinkedIn member URN; write it like urn:li:person:AbC123xyz (the page's own: \
                 urn:li:organization:12345)",
                raw.trim()
            )),
        }
    }

    fn post_url(_handle: &str, native_id: &str) -> Option<String> {
        if native_id.starts_with("urn:li:comment:") {
            api::comment_url(native_id)
        } else {
            native_id
                .starts_with("urn:li:")
                .then(|| api::post_url(native_id))
        }
    }

    fn check(source: &str, cfg: &LinkedinConfig) -> Result<(), String> {
        super::config::check(&format!("sources.{source}"), cfg)
    }

    fn build(
        source: &str,
        cfg: &LinkedinConfig,
        _watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let polling = LinkedinSource::new(source.to_string(), cfg, client.clone())?;
        let replier = polling.replier();
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
    fn member_urns_and_urls() {
        assert_eq!(
            Kind::handle(" urn:li:person:AbC-12_x ", None).as_deref(),
            Ok("urn:li:person:abc-12_x")
        );
        assert!(Kind::handle("urn:li:organization:42", None).is_ok());
        assert!(
            Kind::handle("Jane Doe", None)
                .unwrap_err()
                .contains("urn:li:person:")
        );
        assert_eq!(
            Kind::post_url("x", "urn:li:share:1").as_deref(),
            Some("https://www.linkedin.com/feed/update/urn:li:share:1")
        );
        assert!(
            Kind::post_url("x", "urn:li:comment:(urn:li:activity:1,2)")
                .unwrap()
                .contains("commentUrn=")
        );
        assert_eq!(Kind::post_url("x", "guid"), None);
    }
}
