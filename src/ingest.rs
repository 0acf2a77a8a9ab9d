//! Ingest: the one task between sources and the store. Sanitizes text, matches customers and brand rules,
//! triages, and writes each batch with its cursors in one transaction; then tells the UI.

mod task;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::config::Config;

use crate::domain::{Customer, CustomerId, IncomingPost, Network, NewPost, Triage};
use crate::sources::listening::Listening;
use crate::sources::registry::plain_handle;
use crate::text::sanitize;
use crate::triage::{Classifier, ShopContext, with_rating};

pub use task::{MAX_GROUP_POSTS, run};

/// Decides who wrote a post (the shop, a customer) and whether it names the shop, from what the shop listens for.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    listening: Listening,
    /// Lower-case needles: `@handle` forms, keywords, `#hashtags`.
    needles: Vec<String>,
}

impl Matcher {
    pub fn new(listening: &Listening) -> Matcher {
        let mut needles: Vec<String> = listening
            .keywords
            .iter()
            .map(|k| k.to_lowercase())
            .collect();
        needles.extend(
            listening
                .hashtags
                .iter()
                .map(|h| format!("#{}", h.to_lowercase())),
        );
        for handle in listening.shop_handles() {
            // Mastodon shows a remote mention as `@user`: match the local part too.
            if let Some((local, _)) = handle.split_once('@') {
                needles.push(format!("@{local}"));
            }
            needles.push(format!("@{handle}"));
        }
        Matcher {
            listening: listening.clone(),
            needles,
        }
    }

    /// The customer who wrote as `handle` on `network`, however the handle is written.
    pub fn customer(&self, network: Network, handle: &str) -> Option<CustomerId> {
        self.listening.customer(network, handle)
    }

    /// The post was written by one of the shop's own handles.
    pub fn is_shop(&self, network: Network, handle: &str) -> bool {
        self.listening.is_shop(network, handle)
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
#[derive(Clone)]
pub struct Ingest {
    pub classifier: Arc<Classifier>,
    pub matcher: Matcher,
    /// Newer matchers, sent by a [`Rematch`] when staff link or unlink a customer's handle.
    updates: Option<watch::Receiver<Matcher>>,
    /// `[team] round_robin`: each new urgent post goes to the next teammate present.
    pub round_robin: bool,
}

/// Keeps a running ingest's matcher current with the stored customers, so a handle linked in the console is
/// matched from its next post on, not from the next start.
pub struct Rematch {
    config: Config,
    tx: watch::Sender<Matcher>,
}

impl Rematch {
    /// Starts sending matchers to `ingest` (before it runs).
    pub fn new(config: Config, ingest: &mut Ingest) -> Rematch {
        let (tx, rx) = watch::channel(ingest.matcher.clone());
        ingest.updates = Some(rx);
        Rematch { config, tx }
    }

    pub fn customers_changed(&self, customers: &[Customer]) {
        // No receiver left means ingest has stopped: nothing to keep current.
        let _ = self
            .tx
            .send(Matcher::new(&Listening::new(&self.config, customers)));
    }
}

impl Ingest {
    pub fn new(classifier: Arc<Classifier>, matcher: Matcher) -> Ingest {
        Ingest {
            classifier,
            matcher,
            updates: None,
            round_robin: false,
        }
    }

    /// Takes the newest matcher, if one was sent since the last batch.
    pub fn refresh(&mut self) {
        if let Some(updates) = &mut self.updates
            && updates.has_changed().unwrap_or(false)
        {
            self.matcher = updates.borrow_and_update().clone();
        }
    }

    /// Pure: sanitize, match, triage. The shop's own posts are stored but never triaged, counted as mentions or
    /// taken for a customer's.
    pub fn prepare(&self, mut post: IncomingPost, now: DateTime<Utc>) -> NewPost {
        post.text = sanitize(&post.text);
        post.rating = post.rating.filter(|stars| (1..=5).contains(stars));
        post.author.handle = sanitize(&plain_handle(&post.author.handle)).replace('\n', " ");
        post.author.display_name = sanitize(&post.author.display_name).replace('\n', " ");
        post.url = post
            .url
            .or_else(|| post.network.post_url(&post.author.handle, &post.native_id))
            .map(|u| sanitize(&u).replace('\n', ""));
        let by_shop = self.matcher.is_shop(post.network, &post.author.handle);
        if let Some(q) = &mut post.quotes {
            q.text = q.text.as_deref().map(sanitize);
        }
        let customer = (!by_shop)
            .then(|| self.matcher.customer(post.network, &post.author.handle))
            .flatten();
        // The shop's own posts and posts kept only as context are never triaged or counted as mentions.
        let (is_mention, triage) = if by_shop || post.context {
            (false, Triage::neutral())
        } else {
            let quoted = post.quotes.as_ref().and_then(|q| q.text.as_deref());
            let is_mention = post.addressed_to_shop || self.matcher.names_shop(&post.text);
            // Whether the post speaks to or of the shop is known here, not from its words alone.
            let context = if is_mention {
                ShopContext::Mentioned
            } else {
                ShopContext::NotMentioned
            };
            let words = self.classifier.classify_quoting(
                post.network.as_str(),
                &post.text,
                quoted,
                context,
            );
            (is_mention, with_rating(words, post.rating))
        };
        NewPost {
            incoming: post,
            customer,
            is_mention,
            by_shop,
            triage,
            ingested_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Author, Category, Customer, Handle};

    fn listening() -> Listening {
        let config = crate::config::parse(
            "[shop]\nname = \"M&F\"\nkeywords = [\"Marlow & Finch\"]\nhashtags = [\"MarlowFinch\"]\n\
             [shop.handles]\nmastodon = \"marlowfinch@mastodon.social\"\nbluesky = \"marlowfinch.bsky.social\"\n",
        )
        .unwrap();
        Listening::new(&config, &[customer()])
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
                linked: false,
            }],
            note: String::new(),
            ..Default::default()
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
            context: false,
            quotes: None,
            rating: None,
        }
    }

    fn ingest() -> Ingest {
        Ingest::new(Arc::new(Classifier::english()), Matcher::new(&listening()))
    }

    #[test]
    fn a_handle_linked_while_running_is_matched_from_the_next_batch() {
        let mut ingest = ingest();
        let config = crate::config::parse("[shop]\nname = \"M&F\"\n").unwrap();
        let rematch = Rematch::new(config, &mut ingest);
        let by_kezia = || incoming("kezia@mastodon.example", "out of stock again?");
        ingest.refresh();
        assert_eq!(ingest.prepare(by_kezia(), Utc::now()).customer, None);
        let mut kezia = customer();
        kezia.id = CustomerId(9);
        kezia.handles[0] = Handle {
            network: Network::Mastodon,
            handle: "kezia@mastodon.example".into(),
            linked: true,
        };
        rematch.customers_changed(&[customer(), kezia]);
        assert_eq!(
            ingest.prepare(by_kezia(), Utc::now()).customer,
            None,
            "a batch already being prepared keeps its matcher"
        );
        ingest.refresh();
        assert_eq!(
            ingest.prepare(by_kezia(), Utc::now()).customer,
            Some(CustomerId(9))
        );
        let priya = ingest.prepare(incoming("priya@hachyderm.io", "hello"), Utc::now());
        assert_eq!(priya.customer, Some(CustomerId(7)));
    }

    #[test]
    fn matches_customers_and_brand_mentions() {
        let m = Matcher::new(&listening());
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
    fn a_reviews_stars_weigh_in_and_impossible_ones_are_dropped() {
        let review = |stars| {
            let mut p = incoming("someone@else.social", "Lovely shop, not for me.");
            p.rating = Some(stars);
            ingest().prepare(p, Utc::now())
        };
        let one = review(1);
        assert_eq!(one.triage.category, Category::Complaint);
        assert_eq!(one.triage.reasons.last().unwrap().label, "1-star review");
        assert_eq!(one.incoming.rating, Some(1));
        let nine = review(9);
        assert_eq!(nine.incoming.rating, None, "out of five or not at all");
        assert!(!nine.triage.category.needs_attention());
    }

    #[test]
    fn prepare_sanitizes_matches_and_triages() {
        let post = ingest().prepare(
            incoming(
                "Priya@hachyderm.io",
                "\x1b]0;pwned\x07@marlowfinch still waiting for my refund, 3 weeks now",
            ),
            Utc::now(),
        );
        assert_eq!(post.customer, Some(CustomerId(7)));
        assert!(post.is_mention && !post.by_shop);
        assert!(!post.incoming.text.contains('\x1b') && !post.incoming.text.contains("pwned"));
        assert!(!post.incoming.author.display_name.contains('\u{202e}'));
        assert!(post.triage.category.needs_attention(), "{:?}", post.triage);
    }

    #[test]
    fn the_shops_own_posts_are_never_flagged_or_mentions() {
        let ingest = ingest();
        for (network, author, text) in [
            (
                Network::Mastodon,
                "@MarlowFinch@mastodon.social",
                "Heads up: some orders are delayed, sorry for the wait #MarlowFinch",
            ),
            (
                Network::Bluesky,
                "marlowfinch.bsky.social",
                "@priya so sorry for the wait, your refund was issued today. Marlow & Finch",
            ),
        ] {
            let mut post = incoming(author, text);
            post.network = network;
            post.addressed_to_shop = true;
            let post = ingest.prepare(post, Utc::now());
            assert!(post.by_shop, "{author}");
            assert!(!post.is_mention && post.customer.is_none(), "{author}");
            assert_eq!(post.triage.category, Category::Neutral, "{author}");
            assert!(post.triage.reasons.is_empty());
        }
        // The same handle on another network is someone else.
        let mut other = incoming("marlowfinch.bsky.social", "sorry for the wait");
        other.network = Network::Mastodon;
        assert!(!ingest.prepare(other, Utc::now()).by_shop);
    }

    #[test]
    fn posts_without_an_address_get_the_networks_url() {
        let mut post = incoming("a.bsky.social", "hello");
        post.network = Network::Bluesky;
        post.native_id = "at://did:plc:x/app.bsky.feed.post/3k".into();
        let post = ingest().prepare(post, Utc::now());
        assert_eq!(
            post.incoming.url.as_deref(),
            Some("https://bsky.app/profile/a.bsky.social/post/3k")
        );
    }

    #[test]
    fn a_quote_is_read_with_what_it_quotes() {
        let ingest = ingest();
        let mut post = incoming("cu@far.example", "Same experience here, avoid for now");
        let alone = ingest.prepare(post.clone(), Utc::now());
        assert!(
            !alone.triage.category.needs_attention(),
            "{:?}",
            alone.triage
        );
        post.quotes = Some(crate::domain::Quote {
            native_id: "44".into(),
            text: Some("My order never arrived, 3 weeks now, and nobody answers".into()),
        });
        let quoting = ingest.prepare(post.clone(), Utc::now());
        assert_eq!(quoting.triage.category, crate::domain::Category::Complaint);
        assert!(
            quoting
                .triage
                .reasons
                .iter()
                .any(|r| r.label == "quotes a complaint"),
            "{:?}",
            quoting.triage
        );
        // Praise of its own keeps its category, whatever it quotes.
        post.text = "Thank you, sorted in minutes, brilliant service".into();
        let praise = ingest.prepare(post, Utc::now());
        assert_eq!(praise.triage.category, crate::domain::Category::Praise);
    }

    #[test]
    fn context_posts_are_kept_but_never_triaged_or_mentions() {
        let mut post = incoming(
            "cu@far.example",
            "@marlowfinch still waiting for my refund, 3 weeks now",
        );
        post.context = true;
        let p = ingest().prepare(post, Utc::now());
        assert!(!p.is_mention && !p.triage.category.needs_attention());
    }
}
