//! What the shop listens for, derived once from the config and the customers: its own handles per network,
//! its keywords and hashtags, and its customers' handles per network. The sources' [`Watch`], the ingest
//! matcher and the triage classifier all read it.

use std::collections::{BTreeMap, HashMap};

use super::Watch;
use super::registry::plain_handle;
use crate::config::Config;
use crate::domain::{Customer, CustomerId, Network};

/// The shop's own server per network, where known: what a bare handle (`alice`) means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Homes(BTreeMap<Network, String>);

impl Homes {
    /// From the shop's handles first (`shop@social.example` lives on `social.example`), then the configured
    /// sources (a Mastodon source's instance).
    pub fn of(config: &Config) -> Homes {
        let mut homes = BTreeMap::new();
        for (network, handle) in config.shop.handles.iter() {
            if let Some(home) = network.home_of_handle(handle) {
                homes.insert(network, home);
            }
        }
        for source in config.sources.values() {
            if let Some(home) = source.home() {
                homes.entry(source.network()).or_insert(home);
            }
        }
        Homes(homes)
    }

    pub fn get(&self, network: Network) -> Option<&str> {
        self.0.get(&network).map(String::as_str)
    }

    /// A handle as people write it, in its network's form; `Err` says how to write it.
    pub fn handle(&self, network: Network, raw: &str) -> Result<String, String> {
        network.handle(raw, self.get(network))
    }

    /// The form a handle is matched by: the network's own, or plainly normalised when it does not fit the
    /// network's syntax (a post's author is what the network says it is).
    pub fn key(&self, network: Network, raw: &str) -> String {
        self.handle(network, raw)
            .unwrap_or_else(|_| plain_handle(raw))
    }
}

/// What the shop listens for. Built once per workspace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listening {
    pub homes: Homes,
    /// The shop's own handles, per network, in each network's form.
    pub shop: BTreeMap<Network, String>,
    /// Trimmed, non-empty.
    pub keywords: Vec<String>,
    /// Without the leading `#`.
    pub hashtags: Vec<String>,
    /// Customers by handle, in each network's form.
    pub customers: HashMap<(Network, String), CustomerId>,
}

impl Listening {
    /// The config is validated when loaded, so every handle fits its network here; one that does not (a
    /// config built in code) is matched plainly normalised.
    pub fn new(config: &Config, customers: &[Customer]) -> Listening {
        let homes = Homes::of(config);
        let shop = config
            .shop
            .handles
            .iter()
            .map(|(network, raw)| (network, homes.key(network, raw)))
            .filter(|(_, h)| !h.is_empty())
            .collect();
        // Former regulars are no longer followed or matched; their stored posts stay theirs.
        let customers = customers
            .iter()
            .filter(|c| !c.former)
            .flat_map(|c| {
                c.handles
                    .iter()
                    .map(|h| ((h.network, homes.key(h.network, &h.handle)), c.id))
            })
            .collect();
        Listening {
            shop,
            keywords: config
                .shop
                .keywords
                .iter()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            hashtags: config
                .shop
                .hashtags
                .iter()
                .map(|h| h.trim().trim_start_matches('#').to_string())
                .filter(|h| !h.is_empty())
                .collect(),
            customers,
            homes,
        }
    }

    /// The shop's handles on every network.
    pub fn shop_handles(&self) -> impl Iterator<Item = &str> {
        self.shop.values().map(String::as_str)
    }

    /// The post's author is the shop itself (any of its handles, in the network's syntax).
    pub fn is_shop(&self, network: Network, author: &str) -> bool {
        self.shop
            .get(&network)
            .is_some_and(|h| *h == self.homes.key(network, author))
    }

    /// The customer who owns `handle` on `network`, however it is written.
    pub fn customer(&self, network: Network, handle: &str) -> Option<CustomerId> {
        self.customers
            .get(&(network, self.homes.key(network, handle)))
            .copied()
    }

    /// What a source of `network` watches.
    pub fn watch(&self, network: Network) -> Watch {
        let mut customer_handles: Vec<String> = self
            .customers
            .keys()
            .filter(|(n, _)| *n == network)
            .map(|(_, h)| h.clone())
            .collect();
        customer_handles.sort();
        Watch {
            shop_handle: self.shop.get(&network).cloned(),
            keywords: self.keywords.clone(),
            hashtags: self.hashtags.clone(),
            customer_handles,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Handle;

    fn config(toml: &str) -> Config {
        crate::config::parse(toml).unwrap_or_else(|e| panic!("{e}"))
    }

    fn customer(id: i64, network: Network, handle: &str) -> Customer {
        Customer {
            id: CustomerId(id),
            external_id: format!("C{id}"),
            name: "Ann".into(),
            rank: 1,
            lifetime_spend_cents: 0,
            handles: vec![Handle {
                network,
                handle: handle.into(),
                linked: false,
            }],
            note: String::new(),
            ..Default::default()
        }
    }

    #[test]
    fn homes_come_from_the_shop_handle_then_a_source() {
        let c = config("[shop.handles]\nmastodon = \"@Shop@Social.Example\"\n");
        assert_eq!(Homes::of(&c).get(Network::Mastodon), Some("social.example"));
        let c = config(
            "[sources.m]\nkind = \"mastodon\"\ninstance = \"https://Masto.Example\"\ntoken_env = \"T\"\n",
        );
        assert_eq!(Homes::of(&c).get(Network::Mastodon), Some("masto.example"));
        assert_eq!(Homes::of(&Config::default()).get(Network::Mastodon), None);
    }

    #[test]
    fn local_and_full_handles_are_one_person() {
        let c = config(
            "[shop]\nkeywords = [\" Finch \", \"\"]\nhashtags = [\"#finch\"]\n\
             [shop.handles]\nmastodon = \"shop@social.example\"\nbluesky = \"shop.example\"\n",
        );
        let l = Listening::new(
            &c,
            &[
                customer(1, Network::Mastodon, "alice@social.example"),
                customer(2, Network::Bluesky, "bob.bsky.social"),
            ],
        );
        for author in [
            "alice",
            "@Alice",
            "ALICE@social.example",
            "@alice@Social.Example",
        ] {
            assert_eq!(
                l.customer(Network::Mastodon, author),
                Some(CustomerId(1)),
                "{author}"
            );
        }
        assert_eq!(l.customer(Network::Bluesky, "alice"), None);
        assert!(l.is_shop(Network::Mastodon, "@SHOP"));
        assert!(l.is_shop(Network::Bluesky, "Shop.Example"));
        assert!(!l.is_shop(Network::Bluesky, "shop@social.example"));
        let w = l.watch(Network::Mastodon);
        assert_eq!(w.shop_handle.as_deref(), Some("shop@social.example"));
        assert_eq!(w.customer_handles, ["alice@social.example"]);
        assert_eq!(w.keywords, ["Finch"]);
        assert_eq!(w.hashtags, ["finch"]);
        assert_eq!(l.watch(Network::Rss).shop_handle, None);
    }
}
