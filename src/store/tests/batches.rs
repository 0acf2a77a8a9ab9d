//! Several batches in one transaction (a backlog), and the shop's answers found across and within batches.

use super::{at, complaint, cursor, new_post, reply_to};
use crate::domain::{CustomerId, NewPost};
use crate::store::Db;

fn shop_reply(native_id: &str, parent: &str, minutes: i64) -> NewPost {
    let mut p = reply_to(native_id, parent, minutes);
    p.incoming.author.handle = "shop@example.social".into();
    p.by_shop = true;
    p
}

both_backends! {
    fn the_shops_reply_after_what_it_answers_in_one_batch(db) {
        let both = db
            .insert_batch("m", &[complaint("30", 5), shop_reply("31", "30", 9)], &[])
            .unwrap();
        assert_eq!(both[0].first_response_at, Some(at(9)));
        assert_eq!(both[1].first_response_at, None);
        assert_eq!(db.post(both[0].id).unwrap().unwrap(), both[0]);
        // Its second reply, later in the same batch as a third post, changes nothing.
        let more = db
            .insert_batch(
                "m",
                &[shop_reply("32", "30", 20), new_post("33", 21, "x")],
                &[],
            )
            .unwrap();
        assert!(more.iter().all(|p| p.first_response_at.is_none()));
        assert_eq!(
            db.post(both[0].id).unwrap().unwrap().first_response_at,
            Some(at(9))
        );
    }
}

both_backends! {
    fn batches_in_one_transaction_are_stored_as_one_by_one(db) {
        let a = [complaint("1", 0), shop_reply("4", "3", 12)];
        let b = [shop_reply("2", "1", 10), new_post("1", 0, "a duplicate")];
        let c = [complaint("3", 11)];
        let stored = db
            .insert_batches(&[
                ("masto", &a[..], &[cursor("home", "a")][..]),
                ("bsky", &b[..], &[cursor("feed", "b")][..]),
                ("masto", &c[..], &[cursor("home", "c")][..]),
            ])
            .unwrap();
        let ids = |i: usize| {
            stored[i]
                .iter()
                .map(|p| p.native_id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (ids(0), ids(1), ids(2)),
            (vec!["1", "4"], vec!["2"], vec!["3"])
        );
        // A reply in a later batch answers a post of an earlier one, and the other way round.
        let first = db.post(stored[0][0].id).unwrap().unwrap();
        assert_eq!(first.first_response_at, Some(at(10)));
        assert_eq!(stored[2][0].first_response_at, Some(at(12)));
        assert_eq!(db.post(stored[2][0].id).unwrap().unwrap(), stored[2][0]);
        assert_eq!(db.cursors("masto").unwrap()["home"], "c");
        assert_eq!(db.cursors("bsky").unwrap()["feed"], "b");
    }
}

both_backends! {
    fn a_failing_batch_in_a_group_writes_nothing_of_the_group(db) {
        let good = [new_post("1", 0, "fine")];
        // No such customer: the foreign key refuses the row.
        let mut bad = new_post("2", 1, "by nobody");
        bad.customer = Some(CustomerId(404));
        let bad = [bad];
        let result = db.insert_batches(&[
            ("a", &good[..], &[cursor("k", "1")][..]),
            ("b", &bad[..], &[cursor("k", "2")][..]),
        ]);
        assert!(result.is_err());
        assert_eq!(db.post_count().unwrap(), 0);
        assert!(db.cursors("a").unwrap().is_empty() && db.cursors("b").unwrap().is_empty());
    }
}

/// What a batch runs per post walks an index: the dedupe on (network, native_id), the probe for a shop reply.
#[test]
fn a_batchs_lookups_use_indexes() {
    let db = Db::open_in_memory().unwrap();
    let plan = |sql: &str| -> String {
        let mut stmt = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(["mastodon", "1"], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("; ")
    };
    let p = plan(crate::store::posts::SHOP_ANSWERED);
    assert!(
        p.contains("USING INDEX posts_in_reply_to (network=? AND in_reply_to=?)"),
        "{p}"
    );
    let p = plan(crate::store::posts::FIND_POST);
    assert!(
        p.contains("USING INDEX sqlite_autoindex_posts_1 (network=? AND native_id=?)"),
        "{p}"
    );
}
