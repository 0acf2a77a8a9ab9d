//! Tumblr in the network registry: blogs are named by their short name (`alice-knits`), which is what posts
//! and notes carry; `alice-knits.tumblr.com`, a `tumblr.com/alice-knits` address or `@alice-knits` are
//! read as that name, a custom domain is kept as written.

use super::{TumblrConfig, TumblrSource, api};
use crate::domain::ReplyLimit;
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = TumblrConfig;
    /// A reply on Tumblr takes up to 475 characters.
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(475);
    // A reblog with a comment would be a new public post on the shop's blog, not a reply.
    const REPLY_BY_HAND: Option<&'static str> = Some("Tumblr's API cannot post replies");
    const ACCOUNTS: bool = true;
    const NO_ACCOUNT_SEARCH: Option<&'static str> = Some(
        "Tumblr's API has no search for blogs; a blog is only looked up by its exact name, and guessing names from a person's name would be speculation",
    );

    fn handle(raw: &str, _home: Option<&str>) -> Result<String, String> {
        let mut h = raw.trim().trim_start_matches('@').to_lowercase();
        for prefix in ["https://", "http://"] {
            if let Some(rest) = h.strip_prefix(prefix) {
                h = rest.to_string();
            }
        }
        let h = h.trim_end_matches('/');
        let h = h
            .strip_prefix("www.tumblr.com/")
            .or_else(|| h.strip_prefix("tumblr.com/"))
            .unwrap_or(h)
            .trim_start_matches('@');
        let h = h.strip_suffix(".tumblr.com").unwrap_or(h);
        let ok = !h.is_empty()
            && !h.starts_with(['.', '-'])
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
        if ok {
            Ok(h.to_string())
        } else {
            Err(format!(
                "`{}` is not a Tumblr blog; write its name as in name.tumblr.com (e.g. alice-knits)",
                raw.trim()
            ))
        }
    }

    fn post_url(handle: &str, native_id: &str) -> Option<String> {
        (!native_id.is_empty() && native_id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| api::web_url(handle, native_id))
    }

    fn check(source: &str, cfg: &TumblrConfig) -> Result<(), String> {
        super::config::check(&format!("sources.{source}"), cfg)
    }

    fn build(
        source: &str,
        cfg: &TumblrConfig,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        // Tumblr's API has no way to reply to a post or a note: no replier.
        let source = TumblrSource::new(source.to_string(), cfg, watch, client.clone())?;
        Ok(Built::source(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blog_names_as_people_write_them() {
        for raw in [
            "alice-knits",
            "@Alice-Knits",
            "alice-knits.tumblr.com",
            "https://alice-knits.tumblr.com/",
            "https://www.tumblr.com/alice-knits",
            "tumblr.com/@alice-knits",
        ] {
            assert_eq!(
                Kind::handle(raw, None).as_deref(),
                Ok("alice-knits"),
                "{raw}"
            );
        }
        assert_eq!(
            Kind::handle("www.DavidsLog.com", None).as_deref(),
            Ok("www.davidslog.com")
        );
        assert!(
            Kind::handle("two words", None)
                .unwrap_err()
                .contains("name.tumblr.com")
        );
        assert!(Kind::handle("", None).is_err());
        assert_eq!(
            Kind::post_url("alice", "123").as_deref(),
            Some("https://www.tumblr.com/alice/123")
        );
        assert_eq!(Kind::post_url("alice", "reply:1:a:2"), None);
        assert!(Kind::REPLY_BY_HAND.is_some_and(|why| why.contains("cannot post replies")));
    }
}
