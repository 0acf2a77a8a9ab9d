//! Read state in a real SQLite file: new posts unread (the shop's own and context read), counts per list and
//! in all, marking read (one post, a whole filtered list), the next unread post with its place, and the saved
//! place of the console.

use chrono::FixedOffset;

use super::TestDb;
use super::{at, complaint, new_post};
use crate::domain::{Listing, PostId, PostQuery, Search};
use crate::store::Db;
use crate::store::repository::*;

fn query(listing: Listing, search: &str) -> PostQuery {
    PostQuery {
        listing,
        search: Search::parse(search, FixedOffset::east_opt(0).unwrap()).unwrap(),
    }
}

/// Ten mentions (p0..p9, the even ones complaints), a post by the shop and a context post.
fn store(db: &mut dyn TestDb) -> Vec<PostId> {
    let mut posts: Vec<_> = (0..10i64)
        .map(|i| {
            let mut p = if i % 2 == 0 {
                complaint(&format!("p{i}"), i)
            } else {
                new_post(&format!("p{i}"), i, &format!("lovely ring number {i}"))
            };
            p.is_mention = true;
            p
        })
        .collect();
    let mut own = new_post("shop", 20, "our saturday hours");
    own.by_shop = true;
    own.is_mention = true;
    let mut context = new_post("ctx", 21, "a parent post");
    context.incoming.context = true;
    context.is_mention = true;
    posts.extend([own, context]);
    let ids = db
        .insert_batch("demo", &posts, &[])
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    ids
}

both_backends! {
    fn new_posts_are_unread_but_the_shops_own_and_context_are_read(db) {
        let ids = store(db);
        let stored = db.recent_posts(20).unwrap();
        for p in &stored {
            let born_read = p.by_shop || p.context;
            assert_eq!(p.read_at.is_some(), born_read, "{}", p.native_id);
        }
        assert_eq!(ids.len(), 12);
        let counts = db
            .unread_counts(&[
                query(Listing::Mentions, ""),
                query(Listing::Attention, ""),
                query(Listing::Regulars, ""),
            ])
            .unwrap();
        assert_eq!(counts, [10, 5, 0]);
        let total = db
            .unread_total(&[Listing::Regulars, Listing::Mentions, Listing::Attention])
            .unwrap();
        assert_eq!(total, 10, "a post in two lists counts once");
    }
}

both_backends! {
    fn marking_read_keeps_the_first_time_and_counts_follow(db) {
        let ids = store(db);
        db.mark_read(&ids[..2], at(30)).unwrap();
        db.mark_read(&ids[..1], at(40)).unwrap();
        let read: Vec<_> = db
            .recent_posts(20)
            .unwrap()
            .into_iter()
            .filter(|p| ids[..2].contains(&p.id))
            .map(|p| p.read_at)
            .collect();
        assert_eq!(read, [Some(at(30)), Some(at(30))]);
        assert_eq!(
            db.unread_counts(&[query(Listing::Mentions, ""), query(Listing::Attention, "")])
                .unwrap(),
            [8, 4]
        );
    }
}

both_backends! {
    fn mark_all_read_takes_the_filter_and_touches_nothing_else(db) {
        store(db);
        // Words go through the full-text index: the update narrows by it too.
        assert_eq!(
            db.mark_all_read(&query(Listing::Mentions, "lovely"), at(50))
                .unwrap(),
            5
        );
        assert_eq!(
            db.unread_counts(&[
                query(Listing::Mentions, ""),
                query(Listing::Mentions, "lovely")
            ])
            .unwrap(),
            [5, 0]
        );
        assert_eq!(
            db.mark_all_read(&query(Listing::Attention, ""), at(51))
                .unwrap(),
            5
        );
        assert_eq!(
            db.mark_all_read(&query(Listing::Attention, ""), at(52))
                .unwrap(),
            0,
            "nothing left to mark"
        );
        assert_eq!(
            db.unread_total(&[Listing::Mentions, Listing::Attention])
                .unwrap(),
            0
        );
    }
}

both_backends! {
    fn the_next_unread_post_comes_with_its_place_in_the_list(db) {
        let ids = store(db);
        // Mentions, newest first: ctx, shop, p9 .. p0. The first unread is p9, after the two read ones.
        let first = db
            .next_unread(&query(Listing::Mentions, ""), None)
            .unwrap()
            .unwrap();
        assert_eq!((first.post.id, first.offset, first.total), (ids[9], 2, 12));
        db.mark_read(&[ids[8], ids[7]], at(60)).unwrap();
        let next = db
            .next_unread(&query(Listing::Mentions, ""), Some(first.key))
            .unwrap()
            .unwrap();
        assert_eq!((next.post.id, next.offset), (ids[6], 5));
        // Attention is in its own order (rank first); a search narrows it.
        let urgent = db
            .next_unread(&query(Listing::Attention, "cat:complaint"), None)
            .unwrap()
            .unwrap();
        assert!(urgent.key.rank > 0);
        assert_eq!(urgent.total, 5);
        db.mark_all_read(&query(Listing::Mentions, ""), at(61))
            .unwrap();
        assert_eq!(
            db.next_unread(&query(Listing::Mentions, ""), None).unwrap(),
            None
        );
    }
}

#[test]
fn the_saved_place_is_replaced_whole_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("place.db");
    {
        let mut db = Db::open(&path).unwrap();
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        db.save_ui_state(&pairs(&[("focus", "log"), ("old", "x")]), at(0))
            .unwrap();
        db.save_ui_state(
            &pairs(&[("focus", "mentions"), ("filter", "cat:comp")]),
            at(1),
        )
        .unwrap();
    }
    let db = Db::open(&path).unwrap();
    let place = db.ui_state().unwrap();
    assert_eq!(place.len(), 2, "{place:?}");
    assert_eq!(place["focus"], "mentions");
    assert_eq!(place["filter"], "cat:comp");
}
