//! The bench shop's customers.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::texts::{FIRST_NAMES, LAST_NAMES, MASTODON_HOSTS, ascii, pick};
use crate::domain::{Customer, CustomerId, Handle, Network};

/// The shop's customers: the demo's own (so the demo console recognises them), then made-up ones with smaller
/// spends, up to `count`, ranked by spend.
pub fn customers(seed: u64, count: usize) -> Vec<Customer> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC057_0E45);
    let mut list = crate::sources::demo::customers().unwrap_or_default();
    list.truncate(count);
    let mut spend = list
        .iter()
        .map(|c| c.lifetime_spend_cents)
        .min()
        .unwrap_or(1_500_000);
    for k in list.len()..count {
        spend = spend * rng.random_range(90..100) / 100;
        let (first, last) = (pick(&mut rng, FIRST_NAMES), pick(&mut rng, LAST_NAMES));
        let slug = format!("{}{}{k}", ascii(first), ascii(last));
        let mut handles = Vec::new();
        if rng.random_bool(0.8) {
            let host = pick(&mut rng, MASTODON_HOSTS);
            handles.push(Handle {
                network: Network::Mastodon,
                handle: format!("{slug}@{host}"),
                linked: false,
            });
        }
        if handles.is_empty() || rng.random_bool(0.5) {
            handles.push(Handle {
                network: Network::Bluesky,
                handle: format!("{slug}.bsky.social"),
                linked: false,
            });
        }
        list.push(Customer {
            id: CustomerId(k as i64 + 1),
            external_id: format!("C-B{k:04}"),
            name: format!("{first} {last}"),
            rank: 0,
            lifetime_spend_cents: spend,
            handles,
            note: String::new(),
            ..Default::default()
        });
    }
    list.sort_by_key(|c| std::cmp::Reverse(c.lifetime_spend_cents));
    for (i, c) in list.iter_mut().enumerate() {
        c.rank = i as u32 + 1;
    }
    list
}
