//! Store tests: real SQLite, in memory and in temp files. Times and ids are injected.

#[macro_use]
mod backends;
mod actor;
mod alerts;
mod assign;
mod batches;
mod checkins;
mod customers;
mod follow_ups;
mod handles;
mod lists;
mod posts;
mod reads;
mod schema;
mod search;
mod staff;
mod story;
mod team;
mod undo;
mod work;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::domain::{
    Author, Category, Customer, CustomerId, Handle, IncomingPost, Network, NewPost, Reason, Triage,
};
use crate::sources::Cursor;

#[allow(unused_imports)]
use backends::{Inspect, TestDb};

/// A fixed "now" for every test.
pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0)
        .single()
        .unwrap_or_default()
}

pub(super) fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

pub(super) fn new_post(native_id: &str, minutes: i64, text: &str) -> NewPost {
    NewPost {
        incoming: IncomingPost {
            network: Network::Mastodon,
            native_id: native_id.to_string(),
            url: Some(format!("https://example.social/@ana/{native_id}")),
            author: Author {
                handle: "ana@example.social".into(),
                display_name: "Ana Ruiz".into(),
            },
            text: text.to_string(),
            created_at: at(minutes),
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: false,
            context: false,
            quotes: None,
            rating: None,
        },
        customer: None,
        is_mention: false,
        by_shop: false,
        triage: Triage::neutral(),
        ingested_at: at(minutes + 1),
    }
}

pub(super) fn complaint(native_id: &str, minutes: i64) -> NewPost {
    let mut p = new_post(
        native_id,
        minutes,
        "still waiting for my repair, three weeks now",
    );
    p.triage = Triage {
        category: Category::Complaint,
        score: 0.875,
        reasons: vec![Reason::new("still waiting", 0, 13)],
    };
    p
}

pub(super) fn reply_to(native_id: &str, parent: &str, minutes: i64) -> NewPost {
    let mut p = new_post(native_id, minutes, &format!("reply {native_id}"));
    p.incoming.in_reply_to = Some(parent.to_string());
    p
}

pub(super) fn cursor(key: &str, value: &str) -> Cursor {
    Cursor {
        key: key.into(),
        value: value.into(),
    }
}

/// An import run at a fixed time.
pub(super) fn run() -> crate::domain::ImportRun {
    crate::domain::ImportRun {
        at: chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default(),
        origin: "test".into(),
        ranked_by: "lifetime spend".into(),
        top: 30,
        rows: 30,
    }
}

pub(super) fn customer(external_id: &str, rank: u32, handles: &[(Network, &str)]) -> Customer {
    Customer {
        id: CustomerId(0),
        external_id: external_id.into(),
        name: format!("Customer {external_id}"),
        rank,
        lifetime_spend_cents: 100_000 / i64::from(rank),
        handles: handles
            .iter()
            .map(|(network, handle)| Handle {
                network: *network,
                handle: (*handle).into(),
                linked: false,
            })
            .collect(),
        note: String::new(),
        ..Default::default()
    }
}

/// Readers the tests check the SQLite store with (PRAGMAs: SQLite's own).
impl crate::store::Db {
    pub(super) fn journal_mode(&self) -> crate::store::Result<String> {
        Ok(self
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))?)
    }

    pub(super) fn schema_version(&self) -> crate::store::Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}
