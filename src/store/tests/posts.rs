use super::TestDb;
use super::{at, complaint, cursor, customer, new_post, reply_to};
use crate::domain::{ActionKind, Category, CustomerId, Listing, Network, NewAction, Post, PostId};
use crate::store::{Db, MAX_THREAD_DEPTH, StoreError};

/// The thread Detail shows around a post: its ancestors, then its direct replies.
fn thread_of(db: &dyn TestDb, post: &Post) -> Vec<Post> {
    let d = db.post_details(post.id).unwrap().unwrap();
    d.ancestors.into_iter().chain(d.replies_below).collect()
}

fn handle(db: &mut dyn TestDb, post: crate::domain::PostId, minutes: i64) {
    db.log_action(
        "ana",
        &NewAction {
            post: Some(post),
            customer: None,
            kind: ActionKind::Handled,
            note: String::new(),
            at: at(minutes),
            url: None,
        },
    )
    .unwrap();
}

both_backends! {
    fn a_batch_is_stored_once_and_returns_only_new_posts(db) {
        let batch = vec![new_post("1", 0, "one"), new_post("2", 1, "two")];
        let first = db
            .insert_batch("masto", &batch, &[cursor("home", "2")])
            .unwrap();
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].native_id, "1");
        assert_eq!(first[1].native_id, "2");
        assert!(first[0].id != first[1].id);
        let again = db
            .insert_batch("masto", &batch, &[cursor("home", "2")])
            .unwrap();
        assert!(again.is_empty());
        assert_eq!(db.post_count().unwrap(), 2);

        // Overlapping batch: only the new one comes back; a duplicate inside one batch is stored once.
        let mixed = vec![
            new_post("2", 1, "two"),
            new_post("3", 2, "three"),
            new_post("3", 2, "three"),
        ];
        let third = db.insert_batch("masto", &mixed, &[]).unwrap();
        assert_eq!(
            third
                .iter()
                .map(|p| p.native_id.as_str())
                .collect::<Vec<_>>(),
            ["3"]
        );
        assert_eq!(db.post_count().unwrap(), 3);

        // Same native id on another network is another post.
        let mut other = new_post("1", 3, "bsky one");
        other.incoming.network = Network::Bluesky;
        assert_eq!(db.insert_batch("bsky", &[other], &[]).unwrap().len(), 1);
    }
}

both_backends! {
    fn returned_posts_equal_what_is_read_back(db) {
        let mut p = complaint("77", 5);
        p.incoming.reply_ref = Some(serde_json::json!({"cid": "bafy", "root": {"uri": "at://x"}}));
        p.incoming.in_reply_to = Some("76".into());
        p.is_mention = true;
        let stored = db.insert_batch("masto", &[p], &[]).unwrap().remove(0);
        let read = db.post(stored.id).unwrap().unwrap();
        assert_eq!(read, stored);
        assert_eq!(read.triage.category, Category::Complaint);
        assert_eq!(read.triage.reasons[0].label, "still waiting");
        assert_eq!(
            db.post_by_native(Network::Mastodon, "77").unwrap(),
            Some(stored)
        );
        assert_eq!(db.post_by_native(Network::Bluesky, "77").unwrap(), None);
        assert_eq!(db.post(PostId(9999)).unwrap(), None);
    }
}

both_backends! {
    fn cursors_are_saved_with_the_batch(db) {
        db.insert_batch(
            "masto",
            &[new_post("1", 0, "a")],
            &[cursor("home", "1"), cursor("tag:shop", "x")],
        )
        .unwrap();
        db.insert_batch("masto", &[], &[cursor("home", "5")])
            .unwrap();
        let c = db.cursors("masto").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c["home"], "5");
        assert_eq!(c["tag:shop"], "x");
        assert!(db.cursors("bsky").unwrap().is_empty());
    }
}

both_backends! {
    fn a_failing_batch_leaves_neither_posts_nor_cursor(db) {
        db.insert_batch("masto", &[new_post("1", 0, "a")], &[cursor("home", "1")])
            .unwrap();
        // The second post names a customer that does not exist: a foreign-key violation mid-batch.
        let mut bad = new_post("3", 2, "c");
        bad.customer = Some(CustomerId(4242));
        let err = db
            .insert_batch(
                "masto",
                &[new_post("2", 1, "b"), bad],
                &[cursor("home", "3")],
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Database(_)), "{err:?}");
        assert_eq!(db.post_count().unwrap(), 1);
        assert_eq!(db.cursors("masto").unwrap()["home"], "1");
    }
}

both_backends! {
    fn recent_and_attention_windows(db) {
        let stored = db
            .insert_batch(
                "masto",
                &[
                    new_post("1", 0, "a"),
                    complaint("2", 10),
                    new_post("3", 5, "c"),
                    complaint("4", 1),
                ],
                &[],
            )
            .unwrap();
        let recent: Vec<_> = db
            .recent_posts(3)
            .unwrap()
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(recent, ["2", "3", "4"]);
        let open: Vec<_> = db
            .listed(Listing::Attention, 10)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(open, ["2", "4"]);
        handle(db, stored[1].id, 20);
        handle(db, stored[1].id, 30);
        assert_eq!(
            db.post(stored[1].id).unwrap().unwrap().handled_at,
            Some(at(20))
        );
        let open: Vec<_> = db
            .listed(Listing::Attention, 10)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(open, ["4"]);
    }
}

both_backends! {
    fn posts_by_customer_and_customer_windows(db) {
        let ana = db
            .import_customers(&crate::store::tests::run(), &[customer("C1", 1, &[])])
            .unwrap()[0]
            .id;
        let mut a = new_post("1", 0, "mine");
        a.customer = Some(ana);
        let mut b = new_post("2", 3, "mine too");
        b.customer = Some(ana);
        let mut m = new_post("3", 4, "@shop hi");
        m.is_mention = true;
        db.insert_batch("masto", &[a, b, m], &[]).unwrap();
        let ids: Vec<_> = db
            .listed(Listing::Customer(ana), 10)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(ids, ["2", "1"]);
        assert_eq!(db.listed(Listing::Regulars, 10).len(), 2);
        assert_eq!(db.listed(Listing::Mentions, 10)[0].native_id, "3");
    }
}

both_backends! {
    fn thread_walks_ancestors_then_direct_replies(db) {
        let posts = vec![
            new_post("root", 0, "root"),
            reply_to("a", "root", 1),
            reply_to("b", "a", 2),
            reply_to("c1", "b", 4),
            reply_to("c0", "b", 3),
            reply_to("d", "c0", 5),
            reply_to("other", "a", 6),
        ];
        db.insert_batch("masto", &posts, &[]).unwrap();
        let b = db.post_by_native(Network::Mastodon, "b").unwrap().unwrap();
        let thread: Vec<_> = thread_of(&*db, &b)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(thread, ["root", "a", "c0", "c1"]);

        let root = db
            .post_by_native(Network::Mastodon, "root")
            .unwrap()
            .unwrap();
        let thread: Vec<_> = thread_of(&*db, &root)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(thread, ["a"]);
    }
}

both_backends! {
    fn thread_stops_at_the_depth_limit_and_on_cycles(db) {
        let mut chain = vec![new_post("0", 0, "start")];
        for i in 1..=30 {
            chain.push(reply_to(&i.to_string(), &(i - 1).to_string(), i));
        }
        db.insert_batch("masto", &chain, &[]).unwrap();
        let last = db.post_by_native(Network::Mastodon, "30").unwrap().unwrap();
        let ancestors = db.post_details(last.id).unwrap().unwrap().ancestors;
        assert_eq!(ancestors.len(), MAX_THREAD_DEPTH);
        assert_eq!(ancestors[0].native_id, "10");
        assert_eq!(ancestors[MAX_THREAD_DEPTH - 1].native_id, "29");

        // x -> y -> x: bad data must not loop.
        db.insert_batch(
            "masto",
            &[reply_to("x", "y", 40), reply_to("y", "x", 41)],
            &[],
        )
        .unwrap();
        let x = db.post_by_native(Network::Mastodon, "x").unwrap().unwrap();
        let thread: Vec<_> = thread_of(&*db, &x)
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(thread, ["y"]);
    }
}

both_backends! {
    fn long_and_unicode_text_round_trips(db) {
        let long: String = "ab€😀".repeat(2500);
        assert_eq!(long.chars().count(), 10_000);
        let accents = "Señora Müller: ¿dónde está mi anillo? 💍🙏🏽 — ça va? 👨‍👩‍👧 naïve café";
        let mut p = new_post("long", 0, &long);
        p.incoming.author.display_name = "Zoë Ångström 🌸".into();
        let stored = db
            .insert_batch("masto", &[p, new_post("accents", 1, accents)], &[])
            .unwrap();
        let long_back = db.post(stored[0].id).unwrap().unwrap();
        assert_eq!(long_back.text, long);
        assert_eq!(long_back.author.display_name, "Zoë Ångström 🌸");
        assert_eq!(db.post(stored[1].id).unwrap().unwrap().text, accents);
    }
}

both_backends! {
    fn a_response_action_is_the_first_response(db) {
        let id = db.insert_batch("masto", &[complaint("1", 0)], &[]).unwrap()[0].id;
        assert_eq!(db.post(id).unwrap().unwrap().first_response_at, None);
        db.log_action("ana", &crate::domain::NewAction {
            post: Some(id),
            customer: None,
            kind: crate::domain::ActionKind::Escalated,
            note: String::new(),
            at: at(42),
            url: None,
        })
        .unwrap();
        let post = db.post(id).unwrap().unwrap();
        assert_eq!(post.first_response_at, Some(at(42)));
    }
}

/// The panes' pages must stay instant with a million posts: each walks an index in its own order, never sorts
/// the table, from the first page to a page deep down; counts read an index too.
#[test]
fn page_queries_use_indexes_without_sorting() {
    use crate::domain::{Anchor, PostId, PostKey, PostQuery, Search};
    use crate::store::lists::{count_sql, page_sql};
    use crate::store::search::plan as plan_query;
    let db = Db::open_in_memory().unwrap();
    let plan = |sql: &str, params: &[rusqlite::types::Value]| -> String {
        let mut stmt = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("; ")
    };
    let key = PostKey {
        rank: 12,
        created_at: at(0),
        id: PostId(40),
    };
    for (listing, index) in [
        (Listing::Regulars, "posts_regulars"),
        (Listing::Mentions, "posts_mention"),
        (Listing::Attention, "posts_attention"),
        (Listing::Customer(CustomerId(3)), "posts_customer"),
    ] {
        let query = PostQuery {
            listing,
            search: Search::default(),
        };
        for anchor in [
            Anchor::First,
            Anchor::Last,
            Anchor::After(key),
            Anchor::Before(key),
        ] {
            let (sql, params, _) = page_sql(
                &db.conn,
                &plan_query(&db.conn, &query).unwrap(),
                anchor,
                100,
            )
            .unwrap()
            .unwrap();
            let p = plan(&sql, &params);
            assert!(
                p.contains(index) && !p.contains("TEMP B-TREE"),
                "{listing:?} {anchor:?}: {p}"
            );
        }
        let (sql, params) = count_sql(&plan_query(&db.conn, &query).unwrap()).unwrap();
        let p = plan(&sql, &params);
        assert!(p.contains("INDEX"), "count {listing:?}: {p}");
    }
    // A category over a span of days is counted from the list's index alone.
    for listing in [Listing::Regulars, Listing::Mentions, Listing::Attention] {
        let query = PostQuery {
            listing,
            search: Search::parse(
                "cat:complaint since:2025-03-01",
                chrono::FixedOffset::east_opt(0).unwrap(),
            )
            .unwrap(),
        };
        let (sql, params) = count_sql(&plan_query(&db.conn, &query).unwrap()).unwrap();
        let p = plan(&sql, &params);
        assert!(p.contains("COVERING INDEX"), "count {listing:?}: {p}");
    }
    for sql in [
        "SELECT * FROM actions ORDER BY at DESC, id DESC LIMIT 50",
        "SELECT * FROM actions WHERE (at, id) < (1, 2) ORDER BY at DESC, id DESC LIMIT 50",
        "SELECT * FROM actions WHERE customer_id = 3 ORDER BY at DESC, id DESC LIMIT 50",
    ] {
        let p = plan(sql, &[]);
        assert!(
            p.contains("USING INDEX") && !p.contains("TEMP B-TREE"),
            "{sql}: {p}"
        );
    }
    let p = plan(
        "SELECT * FROM posts WHERE network = 'mastodon' AND in_reply_to = 'x'",
        &[],
    );
    assert!(p.contains("posts_in_reply_to"), "{p}");
}

/// A post of the shop's own replying to `parent`.
fn shop_reply(native_id: &str, parent: &str, minutes: i64) -> crate::domain::NewPost {
    let mut p = reply_to(native_id, parent, minutes);
    p.incoming.author.handle = "shop@example.social".into();
    p.by_shop = true;
    p
}

both_backends! {
    fn the_shops_reply_is_a_first_response_whichever_arrives_first(db) {
        // The complaint first, then the shop's reply sent from elsewhere.
        let complaint_ = db
            .insert_batch("m", &[complaint("10", 0)], &[])
            .unwrap()
            .remove(0);
        assert_eq!(complaint_.first_response_at, None);
        let reply = db
            .insert_batch("m", &[shop_reply("11", "10", 30)], &[])
            .unwrap()
            .remove(0);
        assert!(reply.by_shop && reply.first_response_at.is_none());
        let read = db.post(complaint_.id).unwrap().unwrap();
        assert_eq!(read.first_response_at, Some(at(30)));
        // A later reply of the shop's does not move the first response.
        db.insert_batch("m", &[shop_reply("12", "10", 60)], &[])
            .unwrap();
        assert_eq!(
            db.post(complaint_.id).unwrap().unwrap().first_response_at,
            Some(at(30))
        );

        // The shop's reply first (order is not guaranteed); the post it answers gets it when it arrives.
        db.insert_batch("m", &[shop_reply("21", "20", 45)], &[])
            .unwrap();
        let late = db
            .insert_batch("m", &[complaint("20", 40)], &[])
            .unwrap()
            .remove(0);
        assert_eq!(late.first_response_at, Some(at(45)));
        assert_eq!(db.post(late.id).unwrap().unwrap(), late);

        // Both in one batch, the reply first.
        let both = db
            .insert_batch("m", &[shop_reply("31", "30", 9), complaint("30", 5)], &[])
            .unwrap();
        assert_eq!(both[1].first_response_at, Some(at(9)));
        assert_eq!(
            db.post(both[1].id).unwrap().unwrap().first_response_at,
            Some(at(9))
        );
    }
}

both_backends! {
    fn the_shops_posts_are_not_attention_mentions_or_first_responses_elsewhere(db) {
        let mut notice = shop_reply("1", "0", 0);
        notice.incoming.in_reply_to = None;
        let stored = db.insert_batch("m", &[notice], &[]).unwrap().remove(0);
        assert!(db.post(stored.id).unwrap().unwrap().by_shop);
        assert!(db.listed(Listing::Attention, 10).is_empty());
        assert!(db.listed(Listing::Mentions, 10).is_empty());
        // Another network's post with the same id is not answered; nor is the shop's own post by its reply.
        let mut other = complaint("5", 0);
        other.incoming.network = Network::Bluesky;
        let other = db.insert_batch("b", &[other], &[]).unwrap().remove(0);
        db.insert_batch(
            "m",
            &[shop_reply("6", "5", 3), shop_reply("7", "1", 4)],
            &[],
        )
        .unwrap();
        assert_eq!(db.post(other.id).unwrap().unwrap().first_response_at, None);
        assert_eq!(db.post(stored.id).unwrap().unwrap().first_response_at, None);
    }
}

both_backends! {
    fn a_context_post_found_again_by_a_query_becomes_a_post_in_full(db) {
        let mut parent = complaint("p", 0);
        parent.incoming.context = true;
        parent.is_mention = false;
        parent.triage = crate::domain::Triage::neutral();
        let stored = db.insert_batch("masto", &[parent], &[]).unwrap();
        assert!(stored[0].context);
        // Stored again as context: nothing new.
        let mut again = complaint("p", 0);
        again.incoming.context = true;
        assert!(db.insert_batch("masto", &[again], &[]).unwrap().is_empty());
        // Found by a query of its own (a mention): the same row, now triaged and in the panes.
        let found = db.insert_batch("masto", &[complaint("p", 0)], &[]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, stored[0].id);
        assert!(!found[0].context);
        let read = db.post(found[0].id).unwrap().unwrap();
        assert!(!read.context && read.triage.category == Category::Complaint);
        assert_eq!(db.listed(Listing::Attention, 10).len(), 1);
        // A full post is never turned back into context.
        let mut late = complaint("p", 0);
        late.incoming.context = true;
        assert!(db.insert_batch("masto", &[late], &[]).unwrap().is_empty());
        assert!(!db.post(found[0].id).unwrap().unwrap().context);
    }
}

both_backends! {
    fn what_a_post_quotes_is_kept(db) {
        let mut p = new_post("q", 0, "same here");
        p.incoming.quotes = Some(crate::domain::Quote {
            native_id: "44".into(),
            text: Some("never arrived".into()),
        });
        let stored = db.insert_batch("masto", &[p], &[]).unwrap();
        assert_eq!(stored[0].quotes.as_deref(), Some("44"));
        assert_eq!(
            db.post(stored[0].id).unwrap().unwrap().quotes.as_deref(),
            Some("44")
        );
    }
}
