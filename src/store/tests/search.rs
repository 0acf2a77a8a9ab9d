//! A word search reads the same rows in the same order however the store answers it: a rare word's few
//! matches read and sorted, a common word's found down the list's index (more than `FEW_MATCHES` rows).

use std::collections::HashSet;

use chrono::FixedOffset;

use super::TestDb;
use super::{complaint, new_post};
use crate::domain::{Anchor, Listing, PostId, PostKey, PostQuery, Search};

/// Posts in a mentions list: every one says "parcel", every 50th also "engraving"; a third are complaints
/// (Attention). Returns the ids holding each word.
fn store(db: &mut dyn TestDb) -> (HashSet<PostId>, HashSet<PostId>) {
    let posts: Vec<_> = (0..2_700i64)
        .map(|i| {
            let mut p = if i % 3 == 0 {
                complaint(&format!("s{i}"), i / 2)
            } else {
                new_post(&format!("s{i}"), i / 2, "")
            };
            p.incoming.text = if i % 50 == 7 {
                format!("the engraving on parcel {i} is wrong")
            } else {
                format!("parcel {i} came")
            };
            p.is_mention = i % 10 != 0;
            p
        })
        .collect();
    let stored = db.insert_batch("t", &posts, &[]).unwrap();
    let with = |word: &str| {
        stored
            .iter()
            .filter(|p| p.text.contains(word))
            .map(|p| p.id)
            .collect()
    };
    (with("engraving"), with("parcel"))
}

fn query(listing: Listing, search: &str) -> PostQuery {
    PostQuery {
        listing,
        search: Search::parse(search, FixedOffset::east_opt(0).unwrap()).unwrap(),
    }
}

/// Every row of `q`, a page of `size` at a time from the first.
fn walk(db: &dyn TestDb, q: &PostQuery, size: usize) -> Vec<PostKey> {
    let mut rows: Vec<PostKey> = Vec::new();
    loop {
        let anchor = rows.last().map_or(Anchor::First, |k| Anchor::After(*k));
        let page = db.posts_page(q, anchor, size, false).unwrap();
        if page.rows.is_empty() {
            return rows;
        }
        rows.extend(page.rows.iter().map(|(k, _)| *k));
    }
}

fn page(db: &dyn TestDb, q: &PostQuery, anchor: Anchor<PostKey>) -> Vec<PostKey> {
    let page = db.posts_page(q, anchor, 50, false).unwrap();
    page.rows.iter().map(|(k, _)| *k).collect()
}

both_backends! {
    fn rare_and_common_words_give_the_lists_rows_in_order_on_every_page(db) {
        let (rare, common) = store(db);
        assert!(rare.len() > 10 && common.len() > 2_000, "{} {}", rare.len(), common.len());
        let none = HashSet::new();
        for listing in [Listing::Mentions, Listing::Attention] {
            let all = walk(&*db, &query(listing, ""), 1_000);
            for (word, holding) in [
                ("engraving", &rare),
                ("engr", &rare),
                ("parcel", &common),
                ("engraving parcel", &rare),
                ("zzqxnothing", &none),
            ] {
                let q = query(listing, word);
                let want: Vec<PostKey> = all.iter().filter(|k| holding.contains(&k.id)).copied().collect();
                let what = format!("{word:?} in {listing:?}");
                assert_eq!(
                    db.posts_page(&q, Anchor::First, 50, true).unwrap().total,
                    Some(want.len() as u64),
                    "{what}: count"
                );
                assert_eq!(page(&*db, &q, Anchor::First), want[..want.len().min(50)], "{what}: first page");
                if want.is_empty() {
                    continue;
                }
                // A deep page, both ways: after the 1,000th match (the middle of fewer) and before it.
                let at = (want.len() / 2).min(1_000);
                let after = &want[at + 1..want.len().min(at + 51)];
                assert_eq!(page(&*db, &q, Anchor::After(want[at])), after, "{what}: after row {at}");
                let before = &want[at.saturating_sub(50)..at];
                assert_eq!(page(&*db, &q, Anchor::Before(want[at])), before, "{what}: before row {at}");
                assert_eq!(page(&*db, &q, Anchor::Last), want[want.len().saturating_sub(50)..], "{what}: last page");
                if holding.len() < 100 {
                    assert_eq!(walk(&*db, &q, 7), want, "{what}: every row once, in order");
                }
            }
        }
    }
}
