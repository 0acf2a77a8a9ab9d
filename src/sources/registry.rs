//! The network registry: every network (or feed kind) regulars speaks, in one list.
//!
//! A network is its folder under `src/sources/` plus one line in the `networks!` invocation below. The folder's
//! `network.rs` implements [`NetworkKind`]: its config table, how to build its source and replier, its handle
//! syntax, its reply limit and its post URLs. The macro turns the list into the [`Network`] enum (the stored
//! network string and the config `kind`), the [`SourceConfig`] dispatch and the table `runtime::wire` reads.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::accounts::AccountSearch;
use super::{Replier, Source, Watch};
use crate::domain::ReplyLimit;

/// What a network folder tells the rest of the console.
pub trait NetworkKind {
    /// The `[sources.<name>]` table of a source of this network (every field but `kind`). Deny unknown fields:
    /// a misspelt option is refused with its line and column.
    type Config: DeserializeOwned + std::fmt::Debug + Clone + Send + Sync + 'static;

    /// The longest reply the network takes by default (a server may announce its own).
    const REPLY_LIMIT: ReplyLimit = ReplyLimit::Chars(500);

    /// The network's API cannot post a reply, and why (`None`: a replier posts it). The composer then offers to
    /// copy the reply and open the post in the browser, to paste it there by hand.
    const REPLY_BY_HAND: Option<&'static str> = None;

    /// A post takes one reply from the shop: a new one replaces it (Google reviews), never adds a second.
    const REPLY_REPLACES: bool = false;

    /// People have handles here: the shop's in `[shop.handles]`, the customers' in a customers-file column
    /// named after the network. Feeds (RSS, JSONL, the demo) have none.
    const ACCOUNTS: bool = false;

    /// Why the network's people cannot be found by name with the shop's credentials, for networks with
    /// accounts; `None` when its `build` hands an account search ([`Built::accounts`]).
    const NO_ACCOUNT_SEARCH: Option<&'static str> = None;

    /// A handle as people write it (`@Alice@Social.Example`, `alice`), normalised to the form the network's
    /// posts carry; `Err` says what a handle looks like. `home` is the shop's own server on this network, when
    /// known (Mastodon: the instance a bare `alice` lives on).
    fn handle(raw: &str, home: Option<&str>) -> Result<String, String> {
        let _ = home;
        Ok(plain_handle(raw))
    }

    /// The server a handle lives on, if handles name one (Mastodon's `user@instance`).
    fn home_of_handle(handle: &str) -> Option<String> {
        let _ = handle;
        None
    }

    /// The server a configured source talks to, if it is the shop's home on the network.
    fn home_of_source(cfg: &Self::Config) -> Option<String> {
        let _ = cfg;
        None
    }

    /// The web address of a post from its author's handle and its native id, for posts that arrive without one.
    fn post_url(handle: &str, native_id: &str) -> Option<String> {
        let _ = (handle, native_id);
        None
    }

    /// Checks a source's table beyond its types (run when the config is loaded); errors name the field and fix.
    fn check(source: &str, cfg: &Self::Config) -> Result<(), String> {
        let _ = (source, cfg);
        Ok(())
    }

    /// Builds the source named `source` from its table and what the shop listens for on this network.
    fn build(
        source: &str,
        cfg: &Self::Config,
        watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String>;
}

/// A configured source, built: the task to run and, when the network can reply from its account, the replier;
/// when its API can find people by name, the account search.
pub struct Built {
    pub source: Box<dyn Source>,
    pub replier: Option<Arc<dyn Replier>>,
    pub accounts: Option<Arc<dyn AccountSearch>>,
}

impl Built {
    pub fn source(source: impl Source + 'static) -> Built {
        Built {
            source: Box::new(source),
            replier: None,
            accounts: None,
        }
    }
}

/// The handle syntax of networks without one of their own: trimmed, no leading `@`, lower-case.
pub fn plain_handle(raw: &str) -> String {
    raw.trim().trim_start_matches('@').to_lowercase()
}

/// Generates, from one line per network (`Variant = "name" => folder::network::Kind`), the [`Network`] enum,
/// its per-network answers, and the `[sources.<name>]` dispatch [`SourceConfig`].
#[macro_export]
macro_rules! networks {
    ($($variant:ident = $name:literal => $kind:ty),+ $(,)?) => {
        /// A social network (or feed kind) a post comes from and a reply goes to.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        pub enum Network {
            $( #[serde(rename = $name)] $variant, )+
        }

        impl Network {
            pub const ALL: [Network; [$($name),+].len()] = [$(Network::$variant),+];

            /// The stored network string, and the `kind` of its sources in the config.
            pub fn as_str(self) -> &'static str {
                match self { $(Network::$variant => $name,)+ }
            }

            pub fn parse(s: &str) -> Option<Network> {
                Network::ALL.into_iter().find(|n| n.as_str() == s)
            }

            /// The reply length limit and what it counts.
            pub fn reply_limit(self) -> $crate::domain::ReplyLimit {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::REPLY_LIMIT,)+ }
            }

            /// Why a reply to this network's posts is pasted by hand (its API cannot post one), if it is.
            pub fn reply_by_hand(self) -> Option<&'static str> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::REPLY_BY_HAND,)+ }
            }

            /// A new reply replaces the shop's earlier one on this network's posts.
            pub fn reply_replaces(self) -> bool {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::REPLY_REPLACES,)+ }
            }

            /// People have handles on this network (a `[shop.handles]` key, a customers-file column).
            pub fn has_accounts(self) -> bool {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::ACCOUNTS,)+ }
            }

            /// People on this network can be searched by name (a configured source's account search), or why not.
            pub fn account_search(self) -> Result<(), &'static str> {
                use $crate::sources::registry::NetworkKind as _;
                match self {
                    $(Network::$variant => match (<$kind>::ACCOUNTS, <$kind>::NO_ACCOUNT_SEARCH) {
                        (false, _) => Err("its posts come from feeds, not people's accounts"),
                        (true, Some(why)) => Err(why),
                        (true, None) => Ok(()),
                    },)+
                }
            }

            /// The networks people have handles on.
            pub fn with_accounts() -> impl Iterator<Item = Network> {
                Network::ALL.into_iter().filter(|n| n.has_accounts())
            }

            /// A handle as people write it, in the network's own form; `Err` says what a handle looks like.
            pub fn handle(self, raw: &str, home: Option<&str>) -> Result<String, String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::handle(raw, home),)+ }
            }

            /// The server a handle of this network lives on, if its handles name one.
            pub fn home_of_handle(self, handle: &str) -> Option<String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::home_of_handle(handle),)+ }
            }

            /// The web address of a post, for posts that arrive without one.
            pub fn post_url(self, handle: &str, native_id: &str) -> Option<String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(Network::$variant => <$kind>::post_url(handle, native_id),)+ }
            }
        }

        impl std::fmt::Display for Network {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// `[sources.<name>]`: one configured source, by its `kind` (a network's name).
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(tag = "kind", deny_unknown_fields)]
        pub enum SourceConfig {
            $( #[serde(rename = $name)] $variant(<$kind as $crate::sources::registry::NetworkKind>::Config), )+
        }

        impl SourceConfig {
            pub fn network(&self) -> Network {
                match self { $(SourceConfig::$variant(_) => Network::$variant,)+ }
            }

            /// Checks the table beyond its types; errors name `sources.<source>.<field>` and the fix.
            pub fn check(&self, source: &str) -> Result<(), String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(SourceConfig::$variant(cfg) => <$kind>::check(source, cfg),)+ }
            }

            /// The shop's home server on the source's network, if the source names it.
            pub fn home(&self) -> Option<String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(SourceConfig::$variant(cfg) => <$kind>::home_of_source(cfg),)+ }
            }

            /// Builds the source named `source`, listening for `watch`.
            pub fn build(
                &self,
                source: &str,
                watch: $crate::sources::Watch,
                client: &reqwest::Client,
            ) -> Result<$crate::sources::registry::Built, String> {
                use $crate::sources::registry::NetworkKind as _;
                match self { $(SourceConfig::$variant(cfg) => <$kind>::build(source, cfg, watch, client),)+ }
            }
        }
    };
}

networks! {
    Mastodon = "mastodon" => super::mastodon::network::Kind,
    Bluesky = "bluesky" => super::bluesky::network::Kind,
    X = "x" => super::x::network::Kind,
    Facebook = "facebook" => super::facebook::network::Kind,
    Instagram = "instagram" => super::instagram::network::Kind,
    Tumblr = "tumblr" => super::tumblr::network::Kind,
    Linkedin = "linkedin" => super::linkedin::network::Kind,
    Google = "google" => super::google::network::Kind,
    Rss = "rss" => super::rss::network::Kind,
    Jsonl = "jsonl" => super::jsonl::network::Kind,
    Demo = "demo" => super::demo::Kind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serde_uses_them() {
        for n in Network::ALL {
            assert_eq!(Network::parse(n.as_str()), Some(n));
            assert_eq!(n.to_string(), n.as_str());
            assert_eq!(
                serde_json::to_string(&n).unwrap(),
                format!("\"{}\"", n.as_str())
            );
        }
        assert_eq!(Network::parse("myspace"), None);
        assert_eq!(
            Network::with_accounts().collect::<Vec<_>>(),
            [
                Network::Mastodon,
                Network::Bluesky,
                Network::X,
                Network::Facebook,
                Network::Instagram,
                Network::Tumblr,
                Network::Linkedin,
                Network::Google
            ]
        );
        assert_eq!(Network::Bluesky.reply_limit(), ReplyLimit::Graphemes(300));
        assert_eq!(Network::Rss.reply_limit(), ReplyLimit::Chars(500));
    }
}
