//! X in the network registry: usernames of 1-15 letters, digits and underscores, matched case-insensitively.

use std::sync::Arc;

use super::{XConfig, XReplier, XSource};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = XConfig;
    const ACCOUNTS: bool = true;
    /// 280 characters. X weighs some characters double (CJK) and counts a URL as 23; the composer counts
    /// plain characters, so a reply heavy in those may still be refused as too long.
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(280);

    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let name = raw.trim().trim_start_matches('@');
        let name = name
            .strip_prefix("https://x.com/")
            .or_else(|| name.strip_prefix("https://twitter.com/"))
            .unwrap_or(name)
            .trim_end_matches('/');
        let valid = (1..=15).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(name.to_ascii_lowercase())
        } else {
            Err(format!(
                "`{}` is not an X username: write it like @shop_name (1 to 15 letters, digits or \
                 underscores, no spaces or dots)",
                raw.trim()
            ))
        }
    }

    fn post_url(handle: &str, native_id: &str) -> Option<String> {
        let handle = handle.trim().trim_start_matches('@');
        Some(super::api::post_url(Some(handle), native_id))
    }

    fn check(source: &str, cfg: &XConfig) -> Result<(), String> {
        cfg.base(&format!("sources.{source}"))?;
        if cfg.monthly_read_budget == Some(0) {
            return Err(format!(
                "sources.{source}.monthly_read_budget: 0 would never read; leave it out for no limit, or \
                 set the posts your X plan allows per month"
            ));
        }
        Ok(())
    }

    fn build(
        source: &str,
        cfg: &XConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        let shop = watch.shop_handle.clone();
        let polling = XSource::new(source.to_string(), cfg, watch, client.clone())?;
        let replier = XReplier::new(source, cfg, shop, client.clone())?;
        let accounts = super::accounts::XAccounts::new(source, cfg, client.clone())?;
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
    fn usernames_as_people_write_them() {
        for raw in [
            "@Shop_Name",
            "shop_name",
            " @SHOP_NAME ",
            "https://x.com/Shop_Name",
        ] {
            assert_eq!(Kind::handle(raw, None).as_deref(), Ok("shop_name"), "{raw}");
        }
        for bad in [
            "",
            "@",
            "shop.name",
            "two words",
            "a_name_far_too_long",
            "shop@x.com",
        ] {
            let err = Kind::handle(bad, None).unwrap_err();
            assert!(err.contains("1 to 15 letters"), "{bad}: {err}");
        }
        assert_eq!(
            Kind::post_url("@alice", "1460323737035677698").as_deref(),
            Some("https://x.com/alice/status/1460323737035677698")
        );
    }

    #[test]
    fn the_table_is_checked_and_unknown_fields_refused() {
        let cfg: XConfig =
            toml::from_str("token_env = \"X_TOKEN\"\nmonthly_read_budget = 0\n").unwrap();
        assert_eq!(cfg.api, "https://api.x.com");
        assert_eq!(cfg.poll_seconds, 300);
        let err = Kind::check("x", &cfg).unwrap_err();
        assert!(err.contains("sources.x.monthly_read_budget"), "{err}");
        let plain = XConfig {
            api: "http://api.x.com".into(),
            monthly_read_budget: None,
            ..cfg
        };
        assert!(Kind::check("x", &plain).unwrap_err().contains("only https"));
        let typo = toml::from_str::<XConfig>("token_env = \"X\"\nmonthly_budget = 5\n");
        assert!(typo.unwrap_err().to_string().contains("monthly_budget"));
    }
}
