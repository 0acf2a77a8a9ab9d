//! Instagram in the network registry: usernames (`ann.lee`), comments of up to 2200 characters.

use std::sync::Arc;

use super::{InstagramConfig, InstagramReplier, InstagramSource};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = InstagramConfig;
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(2200);
    const ACCOUNTS: bool = true;
    const NO_ACCOUNT_SEARCH: Option<&'static str> = Some(
        "the Instagram Graph API finds a business or creator account only by its exact username (business discovery), never a person by name",
    );

    /// Usernames are letters, digits, `.` and `_`, at most 30, compared without case.
    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let name = raw.trim().trim_start_matches('@').to_lowercase();
        let ok = !name.is_empty()
            && name.chars().count() <= 30
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'));
        if ok {
            Ok(name)
        } else {
            Err(format!(
                "`{}` is not an Instagram username; write it like ann.lee (letters, digits, . and _)",
                raw.trim()
            ))
        }
    }

    fn check(source: &str, cfg: &InstagramConfig) -> Result<(), String> {
        super::validate(source, cfg)
    }

    fn build(
        source: &str,
        cfg: &InstagramConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let shop = watch.shop_handle.clone();
        let polling = InstagramSource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = InstagramReplier::new(source, cfg, shop, client.clone())?;
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
    fn usernames() {
        assert_eq!(Kind::handle(" @Ann.Lee_ ", None).as_deref(), Ok("ann.lee_"));
        assert!(Kind::handle("ann lee", None).is_err());
        assert!(Kind::handle(&"a".repeat(31), None).is_err());
    }
}
