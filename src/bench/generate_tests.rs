use std::collections::HashSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};

use super::*;
use crate::bench::customers::customers;
use crate::domain::NewPost;
use crate::ingest::{Ingest, Matcher};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .unwrap()
}

fn world(seed: u64) -> (Listening, Vec<Customer>) {
    let customers = customers(seed, 120);
    (
        Listening::new(&crate::config::demo(5.0).config, &customers),
        customers,
    )
}

fn posts(seed: u64, count: usize) -> Vec<IncomingPost> {
    let (listening, customers) = world(seed);
    Generator::new(seed, count, now(), &listening, &customers).collect()
}

#[test]
fn the_same_seed_gives_the_same_posts_and_another_seed_others() {
    assert_eq!(posts(7, 3_000), posts(7, 3_000));
    assert_eq!(customers(7, 120), customers(7, 120));
    assert_ne!(posts(7, 3_000), posts(8, 3_000));
}

#[test]
fn posts_span_the_month_before_now_oldest_first_with_unique_ids() {
    let all = posts(1, 20_000);
    assert_eq!(all.len(), 20_000);
    assert!(
        all.iter()
            .all(|p| p.created_at >= now() - SPAN && p.created_at < now())
    );
    assert!(all.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    // The first and last days both have posts: the whole month is covered.
    assert!(all[0].created_at < now() - SPAN + Duration::hours(1));
    assert!(all[all.len() - 1].created_at > now() - Duration::hours(1));
    let ids: HashSet<_> = all
        .iter()
        .map(|p| (p.network, p.native_id.as_str()))
        .collect();
    assert_eq!(ids.len(), all.len());
    // Replies answer posts generated before them, on their own network.
    let earlier: HashSet<_> = all
        .iter()
        .map(|p| (p.network, p.native_id.as_str()))
        .collect();
    let replies: Vec<_> = all.iter().filter(|p| p.in_reply_to.is_some()).collect();
    assert!(
        replies
            .iter()
            .all(|p| earlier.contains(&(p.network, p.in_reply_to.as_deref().unwrap())))
    );
}

#[test]
fn customers_are_the_demos_then_made_up_ones_ranked_by_spend() {
    let list = customers(3, 120);
    assert_eq!(list.len(), 120);
    let demo = crate::sources::demo::customers().unwrap();
    assert!(
        demo.iter()
            .all(|d| list.iter().any(|c| c.external_id == d.external_id))
    );
    assert!(
        list.windows(2)
            .all(|w| w[0].lifetime_spend_cents >= w[1].lifetime_spend_cents)
    );
    assert!(
        list.iter()
            .enumerate()
            .all(|(i, c)| c.rank as usize == i + 1 && !c.handles.is_empty())
    );
    let handles: HashSet<_> = list
        .iter()
        .flat_map(|c| &c.handles)
        .map(|h| (h.network, &h.handle))
        .collect();
    assert_eq!(
        handles.len(),
        list.iter().map(|c| c.handles.len()).sum::<usize>()
    );
    assert_eq!(customers(3, 10).len(), 10);
}

/// Through the real ingest (sanitize, match, triage): the shares a shop's month would have.
#[test]
fn shares_through_real_ingest_are_realistic() {
    let seed = 11;
    let (listening, customers) = world(seed);
    let ingest = Ingest::new(
        Arc::new(crate::triage::Classifier::english()),
        Matcher::new(&listening),
    );
    let n = 20_000;
    let prepared: Vec<NewPost> = Generator::new(seed, n, now(), &listening, &customers)
        .map(|p| ingest.prepare(p, now()))
        .collect();
    let share =
        |f: &dyn Fn(&NewPost) -> bool| prepared.iter().filter(|p| f(p)).count() as f64 / n as f64;
    let by_customer = share(&|p| p.customer.is_some());
    assert!(
        (0.002..0.007).contains(&by_customer),
        "customers {by_customer}"
    );
    let by_shop = share(&|p| p.by_shop);
    assert!((0.001..0.004).contains(&by_shop), "shop {by_shop}");
    let mentions = share(&|p| p.is_mention);
    assert!((0.15..0.27).contains(&mentions), "mentions {mentions}");
    let attention = share(&|p| p.triage.category.needs_attention());
    assert!(
        (0.03..0.15).contains(&attention),
        "complaints and distress {attention}"
    );
    let mention_attention = prepared
        .iter()
        .filter(|p| p.is_mention && p.triage.category.needs_attention())
        .count() as f64
        / prepared.iter().filter(|p| p.is_mention).count() as f64;
    assert!(
        (0.15..0.5).contains(&mention_attention),
        "complaints among mentions {mention_attention}"
    );
    for category in [
        crate::domain::Category::Question,
        crate::domain::Category::Praise,
    ] {
        let s = share(&|p| p.triage.category == category);
        assert!(s > 0.02, "{category:?} {s}");
    }
    let replies = share(&|p| p.incoming.in_reply_to.is_some());
    assert!((0.1..0.35).contains(&replies), "replies {replies}");
    let shop_replies = share(&|p| p.by_shop && p.incoming.in_reply_to.is_some());
    assert!(shop_replies > 0.0005, "shop replies {shop_replies}");
    let non_ascii = share(&|p| !p.incoming.text.is_ascii());
    assert!((0.05..0.6).contains(&non_ascii), "non-ASCII {non_ascii}");
    let bluesky = share(&|p| p.incoming.network == Network::Bluesky);
    assert!((0.2..0.6).contains(&bluesky), "bluesky {bluesky}");
    // Texts vary: a month is not a handful of strings repeated.
    let distinct: HashSet<_> = prepared.iter().map(|p| p.incoming.text.as_str()).collect();
    assert!(distinct.len() > 2_000, "{} distinct texts", distinct.len());
}
