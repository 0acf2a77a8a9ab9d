//! The shop's customers: the regulars (its top N by the import's ranking) and former regulars, with their
//! accounts on the networks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CustomerId, Network};

/// One account of a customer on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handle {
    pub network: Network,
    pub handle: String,
    /// Linked by a person in the console (found by an account search and confirmed), not read from the
    /// shop's database: an import never removes it.
    #[serde(default)]
    pub linked: bool,
}

impl Handle {
    /// A handle as the shop's database lists it.
    pub fn imported(network: Network, handle: impl Into<String>) -> Handle {
        Handle {
            network,
            handle: handle.into(),
            linked: false,
        }
    }
}

/// An account an account search found for a customer's name, for staff to confirm or pass over. Every text is
/// sanitized (bios converted from HTML where the network sends HTML) before it gets here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub network: Network,
    /// As the network's registry `handle()` stores it (`priya@example.social`, `priya.bsky.social`).
    pub handle: String,
    pub display_name: String,
    pub bio: String,
    /// When the network says.
    pub followers: Option<u64>,
    /// The account's page on the network.
    pub url: Option<String>,
}

impl Candidate {
    /// The handle to store when staff confirm this candidate.
    pub fn linked(&self) -> Handle {
        Handle {
            network: self.network,
            handle: self.handle.clone(),
            linked: true,
        }
    }
}

/// 0..1, how much a customer of this rank weighs: rank 1 is 1.0, fading with rank. (The store computes the
/// Attention order from stored ranks, so the rule lives here, not on [`Customer`] alone.)
pub fn value_of_rank(rank: u32) -> f32 {
    1.0 / (1.0 + (rank.saturating_sub(1) as f32) / 10.0)
}

/// One of the shop's customers: a regular (in the top N at the last import) or a former one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    /// The shop's own key for this customer (customer number in its database); upsert key.
    pub external_id: String,
    pub name: String,
    /// 1 = the shop's best customer by the import's ranking; a former regular keeps the rank they last had.
    pub rank: u32,
    /// In the shop's currency's minor unit (pence, cents).
    pub lifetime_spend_cents: i64,
    pub handles: Vec<Handle>,
    /// The shop's private notes: seeded by the import for a new customer, then edited in the console (an
    /// import never overwrites them).
    pub note: String,
    /// Empty when the shop's database has none.
    pub email: String,
    /// Orders placed, when the import knows.
    pub orders: Option<u32>,
    pub last_purchase: Option<NaiveDate>,
    /// Spend in the ranking's recent window (`rank_by = "recent_spend"`), when ranked so.
    pub recent_spend_cents: Option<i64>,
    /// Dropped out of the top N at an import: kept with their record, notes and posts, no longer followed.
    pub former: bool,
}

impl Customer {
    /// 0..1, how much this customer's posts should weigh: rank 1 is 1.0, fading with rank; a former regular
    /// weighs as much as anyone.
    pub fn value(&self) -> Option<f32> {
        (!self.former).then(|| value_of_rank(self.rank))
    }

    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }

    /// The customer's handle on `network`, if any (a linked one first).
    pub fn handle_on(&self, network: Network) -> Option<&Handle> {
        self.handles
            .iter()
            .filter(|h| h.network == network)
            .max_by_key(|h| h.linked)
    }
}

/// One run of the customer import, as stored with its result.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRun {
    pub at: chrono::DateTime<chrono::Utc>,
    /// Where the customers came from: a file's path, a database and its query's name.
    pub origin: String,
    /// How they were ranked ("lifetime spend", "spend in the last 6 months", "order count").
    pub ranked_by: String,
    pub top: usize,
    /// Customers read before ranking.
    pub rows: usize,
}

impl ImportRun {
    /// A run that keeps a whole list as it is ranked (the demo's customers, a generated bench shop).
    pub fn whole(
        origin: &str,
        at: chrono::DateTime<chrono::Utc>,
        customers: &[Customer],
    ) -> ImportRun {
        ImportRun {
            at,
            origin: origin.to_string(),
            ranked_by: "lifetime spend".into(),
            top: customers.len(),
            rows: customers.len(),
        }
    }
}

/// The key a forgotten customer is remembered by: a hash of the shop's own key, so an import can skip them
/// without the workspace keeping anything that identifies them.
pub fn forget_key(external_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(external_id.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
