//! A month of a jeweller's social media, made up deterministically from a seed: the shop's customers and the
//! posts its sources would deliver (strangers' chatter, brand mentions with their complaints, worries, questions
//! and praise, a few thousand posts by customers, the shop's own replies), oldest first, as `IncomingPost`s for
//! the real ingest path.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::ids::{native_id, reply_ref};
use super::texts::*;
use crate::domain::{Author, Customer, IncomingPost, Network};
use crate::sources::listening::Listening;

/// How long the generated posts span, ending at `now`.
pub const SPAN: Duration = Duration::days(30);

/// Share of posts by one of the shop's customers (4,000 in a million: "a few thousand").
pub const CUSTOMER_SHARE: f64 = 0.004;
/// Share of posts by the shop itself: replies to mentions, the odd notice.
pub const SHOP_SHARE: f64 = 0.002;
/// Share of posts by strangers naming or addressing the shop.
pub const MENTION_SHARE: f64 = 0.2;
/// Share of strangers' chatter that replies to an earlier post.
const CHATTER_REPLY_SHARE: f64 = 0.25;
/// How many distinct strangers post; a few of them post a lot.
const STRANGERS: usize = 50_000;
/// Posts a reply can answer: the most recent ones.
const RECENT: usize = 512;
/// Mentions waiting for the shop's answer, oldest answered first.
const AWAITING: usize = 256;

/// What a generated post is about; its text is composed to match (triage decides for itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Complaint,
    Distress,
    Question,
    Praise,
    Neutral,
}

/// A post others may reply to.
#[derive(Debug, Clone)]
struct Target {
    network: Network,
    native_id: String,
    handle: String,
    by_shop: bool,
}

/// The posts, oldest first. Deterministic: the same seed, count, `now` and customers give the same posts.
pub struct Generator {
    rng: StdRng,
    count: usize,
    next: usize,
    start: DateTime<Utc>,
    shop: Vec<(Network, String)>,
    keywords: Vec<String>,
    hashtags: Vec<String>,
    /// Every customer handle, the best customers first.
    customers: Vec<(Network, String, String)>,
    recent: VecDeque<Target>,
    awaiting: VecDeque<Target>,
}

impl Generator {
    pub fn new(
        seed: u64,
        count: usize,
        now: DateTime<Utc>,
        listening: &Listening,
        customers: &[Customer],
    ) -> Generator {
        let mut ranked: Vec<&Customer> = customers.iter().collect();
        ranked.sort_by_key(|c| c.rank);
        Generator {
            rng: StdRng::seed_from_u64(seed),
            count,
            next: 0,
            start: now - SPAN,
            shop: listening
                .shop
                .iter()
                .filter(|(n, _)| matches!(n, Network::Mastodon | Network::Bluesky))
                .map(|(n, h)| (*n, h.clone()))
                .collect(),
            keywords: listening.keywords.clone(),
            hashtags: listening.hashtags.clone(),
            customers: ranked
                .iter()
                .flat_map(|c| {
                    c.handles
                        .iter()
                        .filter(|h| matches!(h.network, Network::Mastodon | Network::Bluesky))
                        .map(|h| (h.network, h.handle.clone(), c.name.clone()))
                })
                .collect(),
            recent: VecDeque::with_capacity(RECENT),
            awaiting: VecDeque::with_capacity(AWAITING),
        }
    }

    /// Post `i`'s time: its own slot of the span, jittered inside it, so times rise and stay inside the month.
    fn time(&mut self, i: usize) -> DateTime<Utc> {
        let slot = SPAN.num_milliseconds() as f64 / self.count as f64;
        let ms = (i as f64 + self.rng.random::<f64>()) * slot;
        self.start + Duration::milliseconds(ms as i64)
    }

    fn post(&mut self, i: usize) -> IncomingPost {
        let created_at = self.time(i);
        let roll: f64 = self.rng.random();
        let mut post = if roll < SHOP_SHARE && !self.shop.is_empty() {
            self.by_shop(i, created_at)
        } else if roll < SHOP_SHARE + CUSTOMER_SHARE && !self.customers.is_empty() {
            self.by_customer(i, created_at)
        } else if roll < SHOP_SHARE + CUSTOMER_SHARE + MENTION_SHARE {
            let (network, handle, name) = self.stranger();
            let topic = self.topic();
            self.mention(i, created_at, network, handle, name, topic)
        } else {
            self.chatter(i, created_at)
        };
        post.reply_ref = Some(reply_ref(&post));
        let target = Target {
            network: post.network,
            native_id: post.native_id.clone(),
            handle: post.author.handle.clone(),
            by_shop: self
                .shop
                .iter()
                .any(|(n, h)| *n == post.network && *h == post.author.handle),
        };
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(target);
        post
    }

    fn topic(&mut self) -> Topic {
        match self.rng.random_range(0..100) {
            0..28 => Topic::Complaint,
            28..30 => Topic::Distress,
            30..55 => Topic::Question,
            55..80 => Topic::Praise,
            _ => Topic::Neutral,
        }
    }

    /// A stranger, chosen so that a few post a lot and most rarely.
    fn stranger(&mut self) -> (Network, String, String) {
        let k = (self.rng.random::<f64>().powi(3) * STRANGERS as f64) as usize;
        let first = FIRST_NAMES[k % FIRST_NAMES.len()];
        let last = LAST_NAMES[(k / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let slug = format!("{}{}", ascii(first), k);
        let (network, handle) = if k % 5 < 3 {
            let host = MASTODON_HOSTS[k % MASTODON_HOSTS.len()];
            (Network::Mastodon, format!("{slug}@{host}"))
        } else {
            (Network::Bluesky, format!("{slug}.bsky.social"))
        };
        let name = if k.is_multiple_of(7) {
            format!("{first} ✿")
        } else {
            format!("{first} {last}")
        };
        (network, handle, name)
    }

    fn by_customer(&mut self, i: usize, at: DateTime<Utc>) -> IncomingPost {
        // The best customers post most.
        let k = (self.rng.random::<f64>().powi(2) * self.customers.len() as f64) as usize;
        let (network, handle, name) = self.customers[k.min(self.customers.len() - 1)].clone();
        if self.rng.random_bool(0.4) {
            let topic = self.topic();
            self.mention(i, at, network, handle, name, topic)
        } else {
            let text = pick(&mut self.rng, CHATTER).to_string();
            blank(network, handle, name, text, i, at)
        }
    }

    fn by_shop(&mut self, i: usize, at: DateTime<Utc>) -> IncomingPost {
        let name = "Marlow & Finch".to_string();
        match self.awaiting.pop_front() {
            Some(t) => {
                let Some((_, handle)) = self.shop.iter().find(|(n, _)| *n == t.network).cloned()
                else {
                    return self.chatter(i, at);
                };
                let text = format!(
                    "@{} {}",
                    local(&t.handle),
                    pick(&mut self.rng, SHOP_REPLIES)
                );
                let mut p = blank(t.network, handle, name, text, i, at);
                p.in_reply_to = Some(t.native_id);
                p
            }
            None => {
                let (network, handle) = self.shop[i % self.shop.len()].clone();
                let text = pick(&mut self.rng, SHOP_NOTICES).to_string();
                blank(network, handle, name, text, i, at)
            }
        }
    }

    fn mention(
        &mut self,
        i: usize,
        at: DateTime<Utc>,
        network: Network,
        handle: String,
        name: String,
        topic: Topic,
    ) -> IncomingPost {
        let product = pick(&mut self.rng, PRODUCTS);
        let shop_handle = self
            .shop
            .iter()
            .find(|(n, _)| *n == network)
            .map(|(_, h)| h.clone());
        // Notifications (an @handle, a reply to the shop) are addressed; searches find keywords and hashtags.
        let addressed = shop_handle.is_some() && self.rng.random_bool(0.4);
        let reply_to = addressed
            .then(|| {
                self.recent
                    .iter()
                    .rev()
                    .find(|t| t.by_shop && t.network == network)
                    .map(|t| t.native_id.clone())
            })
            .flatten()
            .filter(|_| self.rng.random_bool(0.3));
        let (lead, tail) = match (addressed, &shop_handle) {
            (true, Some(h)) => (format!("@{h} "), String::new()),
            _ if self.rng.random_bool(0.5) && !self.hashtags.is_empty() => {
                let tag = &self.hashtags[self.rng.random_range(0..self.hashtags.len())];
                (String::new(), format!(" #{tag}"))
            }
            _ => match self.keywords.first() {
                Some(k) => (format!("{k}: "), String::new()),
                None => (String::new(), String::new()),
            },
        };
        let body = match topic {
            Topic::Complaint => {
                let ask = pick(&mut self.rng, ASKS);
                if self.rng.random_bool(0.5) {
                    format!("my {product} {} {ask}", pick(&mut self.rng, PROBLEMS))
                } else {
                    let order = self.rng.random_range(10_000..99_999);
                    format!(
                        "{} for the {product}, order #MF{order}. {ask}",
                        pick(&mut self.rng, WAITS)
                    )
                }
            }
            Topic::Distress => pick(&mut self.rng, DISTRESS).replace("{p}", product),
            Topic::Question => pick(&mut self.rng, QUESTIONS).replace("{p}", product),
            Topic::Praise => pick(&mut self.rng, PRAISE).replace("{p}", product),
            Topic::Neutral => {
                let shop = self.keywords.first().cloned().unwrap_or_default();
                pick(&mut self.rng, NEUTRAL_MENTIONS)
                    .replace("{s}", &shop)
                    .replace("{p}", product)
            }
        };
        let text = format!("{lead}{}{tail}", body.trim_end());
        let mut p = blank(network, handle, name, text, i, at);
        p.addressed_to_shop = addressed;
        p.in_reply_to = reply_to;
        if matches!(topic, Topic::Complaint | Topic::Distress | Topic::Question) {
            if self.awaiting.len() == AWAITING {
                self.awaiting.pop_front();
            }
            self.awaiting.push_back(Target {
                network: p.network,
                native_id: p.native_id.clone(),
                handle: p.author.handle.clone(),
                by_shop: false,
            });
        }
        p
    }

    fn chatter(&mut self, i: usize, at: DateTime<Utc>) -> IncomingPost {
        let (mut network, handle, name) = self.stranger();
        let parent = (self.rng.random_bool(CHATTER_REPLY_SHARE) && !self.recent.is_empty())
            .then(|| self.recent[self.rng.random_range(0..self.recent.len())].clone())
            .filter(|t| !t.by_shop);
        let text = match &parent {
            Some(t) => {
                network = t.network;
                format!("@{} {}", local(&t.handle), pick(&mut self.rng, REPLIES))
            }
            None if self.rng.random_bool(0.15) => format!(
                "{} {}",
                pick(&mut self.rng, CHATTER),
                pick(&mut self.rng, CHATTER)
            ),
            None => pick(&mut self.rng, CHATTER).to_string(),
        };
        // A stranger's handle is in their own network's form.
        let handle = match (network, handle.split_once('@')) {
            (Network::Bluesky, Some((user, _))) => format!("{user}.bsky.social"),
            (Network::Mastodon, None) => format!("{}@mastodon.social", local(&handle)),
            _ => handle,
        };
        let mut p = blank(network, handle, name, text, i, at);
        p.in_reply_to = parent.map(|t| t.native_id);
        p
    }
}

impl Iterator for Generator {
    type Item = IncomingPost;

    fn next(&mut self) -> Option<IncomingPost> {
        (self.next < self.count).then(|| {
            self.next += 1;
            self.post(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

/// A plain post by `handle`, the `i`th generated, its id in the network's own form.
fn blank(
    network: Network,
    handle: String,
    display_name: String,
    text: String,
    i: usize,
    created_at: DateTime<Utc>,
) -> IncomingPost {
    IncomingPost {
        network,
        native_id: native_id(network, &handle, i, created_at),
        url: None,
        author: Author {
            handle,
            display_name,
        },
        text,
        created_at,
        in_reply_to: None,
        reply_ref: None,
        addressed_to_shop: false,
        context: false,
        quotes: None,
        rating: None,
    }
}

/// The part of a handle a reply addresses (`user` of `user@host`, a Bluesky handle whole).
fn local(handle: &str) -> &str {
    handle.split_once('@').map_or(handle, |(user, _)| user)
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
