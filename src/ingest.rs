//! Ingest: the one task between sources and the store. Sanitizes text, matches customers and brand rules,
//! triages, and writes each batch with its cursors in one transaction; then tells the UI.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::app::Msg;
use crate::config::ShopConfig;
use crate::customers::normalize_handle;
use crate::domain::{Customer, CustomerId, IncomingPost, Network, NewPost};
use crate::sources::SourceEvent;
use crate::store::Store;
use crate::text::sanitize;
use crate::triage::Classifier;

/// Decides who wrote a post and whether it names the shop. Built once from the config and the customers.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    customers: HashMap<(Network, String), CustomerId>,
    /// Lower-case needles: `@handle` forms, keywords, `#hashtags`.
    needles: Vec<String>,
}

impl Matcher {
    pub fn new(shop: &ShopConfig, customers: &[Customer]) -> Matcher {
        let customers = customers
            .iter()
            .flat_map(|c| {
                c.handles
                    .iter()
                    .map(move |h| ((h.network, normalize_handle(&h.handle)), c.id))
            })
            .collect();
        let mut needles: Vec<String> = shop
            .keywords
            .iter()
            .map(|k| k.trim().to_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        needles.extend(
            shop.hashtags
                .iter()
                .map(|h| format!("#{}", h.trim_start_matches('#').to_lowercase())),
        );
        for handle in [&shop.handles.mastodon, &shop.handles.bluesky]
            .into_iter()
            .flatten()
        {
            let handle = normalize_handle(handle);
            // Mastodon shows a remote mention as `@user`: match the local part too.
            if let Some((local, _)) = handle.split_once('@') {
                needles.push(format!("@{local}"));
            }
            needles.push(format!("@{handle}"));
        }
        Matcher { customers, needles }
    }

    pub fn customer(&self, network: Network, handle: &str) -> Option<CustomerId> {
        self.customers
            .get(&(network, normalize_handle(handle)))
            .copied()
    }

    pub fn names_shop(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.needles.iter().any(|n| {
            lower.match_indices(n.as_str()).any(|(i, _)| {
                // A needle must end at a word boundary: `#marlowfinch` is not `#marlowfinchfan`.
                lower[i + n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '_')
            })
        })
    }
}

/// Everything ingest needs to turn an incoming post into a stored one.
pub struct Ingest {
    pub classifier: Arc<Classifier>,
    pub matcher: Matcher,
}

impl Ingest {
    /// Pure: sanitize, match, triage.
    pub fn prepare(&self, mut post: IncomingPost, now: DateTime<Utc>) -> NewPost {
        post.text = sanitize(&post.text);
        post.author.handle = sanitize(&normalize_handle(&post.author.handle)).replace('\n', " ");
        post.author.display_name = sanitize(&post.author.display_name).replace('\n', " ");
        post.url = post.url.map(|u| sanitize(&u).replace('\n', ""));
        let customer = self.matcher.customer(post.network, &post.author.handle);
        let is_mention = post.addressed_to_shop || self.matcher.names_shop(&post.text);
        let triage = self
            .classifier
            .classify_on(post.network.as_str(), &post.text);
        NewPost {
            incoming: post,
            customer,
            is_mention,
            triage,
            ingested_at: now,
        }
    }
}

/// Runs until every source's sender is gone: stores batches, forwards health, reports failures.
pub async fn run(
    mut rx: mpsc::Receiver<SourceEvent>,
    store: Store,
    ingest: Ingest,
    ui: mpsc::UnboundedSender<Msg>,
) {
    while let Some(event) = rx.recv().await {
        let msg = match event {
            SourceEvent::Health { source, health } => Msg::SourceHealth { source, health },
            SourceEvent::ReplyLimit { network, max } => Msg::ReplyLimit { network, max },
            SourceEvent::Batch {
                source,
                posts,
                cursors,
            } => {
                let now = Utc::now();
                let prepared: Vec<NewPost> =
                    posts.into_iter().map(|p| ingest.prepare(p, now)).collect();
                let name = source.clone();
                match store
                    .call(move |db| db.insert_batch(&name, &prepared, &cursors))
                    .await
                {
                    Ok(posts) => Msg::Ingested { source, posts },
                    Err(e) => {
                        tracing::error!(source, error = %e, "storing a batch failed");
                        Msg::TaskFailed {
                            what: format!("storing posts from {source}"),
                            error: e.to_string(),
                        }
                    }
                }
            }
        };
        if ui.send(msg).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ShopHandles;
    use crate::domain::{Author, Handle};

    fn shop() -> ShopConfig {
        ShopConfig {
            name: "M&F".into(),
            handles: ShopHandles {
                mastodon: Some("marlowfinch@mastodon.social".into()),
                bluesky: Some("marlowfinch.bsky.social".into()),
            },
            keywords: vec!["Marlow & Finch".into()],
            hashtags: vec!["MarlowFinch".into()],
            customers: None,
        }
    }

    fn customer() -> Customer {
        Customer {
            id: CustomerId(7),
            external_id: "C1".into(),
            name: "Priya Raman".into(),
            rank: 1,
            lifetime_spend_cents: 100,
            handles: vec![Handle {
                network: Network::Mastodon,
                handle: "Priya@Hachyderm.io".into(),
            }],
            note: String::new(),
        }
    }

    fn incoming(handle: &str, text: &str) -> IncomingPost {
        IncomingPost {
            network: Network::Mastodon,
            native_id: "1".into(),
            url: None,
            author: Author {
                handle: handle.into(),
                display_name: "P\u{202e}R".into(),
            },
            text: text.into(),
            created_at: Utc::now(),
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: false,
        }
    }

    #[test]
    fn matches_customers_and_brand_mentions() {
        let m = Matcher::new(&shop(), &[customer()]);
        assert_eq!(
            m.customer(Network::Mastodon, "@priya@hachyderm.io"),
            Some(CustomerId(7))
        );
        assert_eq!(m.customer(Network::Bluesky, "priya@hachyderm.io"), None);
        assert!(m.names_shop("Thanks @marlowfinch for the ring"));
        assert!(m.names_shop("love my #MarlowFinch ring!"));
        assert!(m.names_shop("went to marlow & finch today"));
        assert!(!m.names_shop("my #marlowfinchfan club"));
        assert!(!m.names_shop("nothing to see"));
    }

    #[test]
    fn prepare_sanitizes_matches_and_triages() {
        let ingest = Ingest {
            classifier: Arc::new(Classifier::english()),
            matcher: Matcher::new(&shop(), &[customer()]),
        };
        let post = ingest.prepare(
            incoming(
                "Priya@hachyderm.io",
                "\x1b]0;pwned\x07@marlowfinch still waiting for my refund, 3 weeks now",
            ),
            Utc::now(),
        );
        assert_eq!(post.customer, Some(CustomerId(7)));
        assert!(post.is_mention);
        assert!(!post.incoming.text.contains('\x1b') && !post.incoming.text.contains("pwned"));
        assert!(!post.incoming.author.display_name.contains('\u{202e}'));
        assert!(post.triage.category.needs_attention(), "{:?}", post.triage);
    }
}
