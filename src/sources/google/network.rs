//! Google reviews in the network registry: reviewers are matched by the name Google shows (case and spacing
//! aside); replies are one per review, up to 4096 bytes.

use std::sync::Arc;

use super::map::reviewer_handle;
use super::{GoogleConfig, GoogleReplier, GoogleSource};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = GoogleConfig;
    /// 4096 bytes in fact: the replier refuses longer ones before sending.
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(4096);
    const ACCOUNTS: bool = true;
    const NO_ACCOUNT_SEARCH: Option<&'static str> = Some(
        "a Google review names its author only by display name: there is no account to look up",
    );
    const REPLY_REPLACES: bool = true;

    /// A reviewer's name as Google shows it (`Ann Lee`); a leading `@` is not part of it.
    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let handle = reviewer_handle(raw.trim().trim_start_matches('@'));
        if handle.is_empty() {
            Err("a Google reviewer is named as Google shows them, e.g. `Ann Lee`".into())
        } else {
            Ok(handle)
        }
    }

    fn check(source: &str, cfg: &GoogleConfig) -> Result<(), String> {
        super::config::validate(&format!("sources.{source}"), cfg)
    }

    fn build(
        source: &str,
        cfg: &GoogleConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let polling = GoogleSource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = GoogleReplier::new(source, cfg, client.clone())?;
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
    fn reviewer_names_as_handles() {
        assert_eq!(Kind::handle("  Ann   LEE ", None).as_deref(), Ok("ann lee"));
        assert_eq!(Kind::handle("@Zoë", None).as_deref(), Ok("zoë"));
        assert!(Kind::handle("  ", None).is_err());
    }
}
