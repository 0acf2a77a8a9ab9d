//! The panes' queries against a real SQLite file: every row once, in the pane's order, across page
//! boundaries in both directions, with counts equal to a plain COUNT(*) of each pane's definition.

use chrono::FixedOffset;

use super::TestDb;
use super::{at, complaint, customer, new_post};
use crate::domain::{
    Anchor, Category, CustomerId, Listing, Page, Post, PostKey, PostQuery, Reason, Search, Triage,
};
use crate::store::Db;
use crate::store::repository::*;

/// A store of 260 posts: every third by one of two customers, every other a mention, a quarter complaints
/// (some by customers, some handled), with ties on `created_at` to test the id tiebreak.
fn store(db: &mut dyn TestDb) -> [CustomerId; 2] {
    let ids: Vec<CustomerId> = db
        .import_customers(
            &crate::store::tests::run(),
            &[customer("C1", 1, &[]), customer("C2", 30, &[])],
        )
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut posts = Vec::new();
    for i in 0..260i64 {
        // Pairs share a minute: ordering must fall back to ids.
        let mut p = if i % 4 == 0 {
            complaint(&format!("p{i}"), i / 2)
        } else {
            new_post(
                &format!("p{i}"),
                i / 2,
                &format!("ring order number {i} arrived"),
            )
        };
        if i % 3 == 0 {
            p.customer = Some(ids[(i % 5 % 2) as usize]);
        }
        p.is_mention = i % 2 == 0;
        if i % 8 == 4 {
            p.triage = Triage {
                category: Category::Distress,
                score: 0.6,
                reasons: vec![Reason::new("stuck", 0, 5)],
            };
            p.incoming.text = "stuck in a queue for my refund".into();
        }
        // Questions: every other one (the even, mentioning ones) put to the shop.
        if i % 10 == 5 || i % 10 == 6 {
            p.triage = Triage {
                category: Category::Question,
                score: 0.9,
                reasons: vec![Reason::new("question", 0, 3)],
            };
            p.incoming.text = "are you open on saturday afternoon?".into();
        }
        posts.push(p);
    }
    let stored = db.insert_batch("t", &posts, &[]).unwrap();
    for p in stored.iter().filter(|p| p.native_id.ends_with('8')) {
        db.log_action(
            "ana",
            &crate::domain::NewAction {
                post: Some(p.id),
                customer: None,
                kind: crate::domain::ActionKind::Handled,
                note: String::new(),
                at: at(500),
                url: None,
            },
        )
        .unwrap();
    }
    [ids[0], ids[1]]
}

fn query(listing: Listing, search: &str) -> PostQuery {
    PostQuery {
        listing,
        search: Search::parse(search, FixedOffset::east_opt(0).unwrap()).unwrap(),
    }
}

/// The whole list read page by page forwards from the first row, and backwards from the last.
fn walk(db: &dyn TestDb, q: &PostQuery, size: usize) -> (Vec<PostKey>, Vec<PostKey>, u64) {
    let first = db.posts_page(q, Anchor::First, size, true).unwrap();
    let total = first.total.unwrap();
    let mut forwards: Vec<PostKey> = keys(&first);
    while let Some(last) = forwards.last().copied() {
        let page = db.posts_page(q, Anchor::After(last), size, false).unwrap();
        if page.rows.is_empty() {
            break;
        }
        forwards.extend(keys(&page));
    }
    let mut backwards = keys(&db.posts_page(q, Anchor::Last, size, false).unwrap());
    while let Some(first) = backwards.first().copied() {
        let page = db
            .posts_page(q, Anchor::Before(first), size, false)
            .unwrap();
        if page.rows.is_empty() {
            break;
        }
        let mut earlier = keys(&page);
        earlier.extend(backwards);
        backwards = earlier;
    }
    (forwards, backwards, total)
}

fn keys(page: &Page<(PostKey, Post)>) -> Vec<PostKey> {
    page.rows.iter().map(|(k, _)| *k).collect()
}

/// The pane's definition as plain SQL (that both backends read alike), counted.
fn count(db: &dyn TestDb, definition: &str) -> u64 {
    db.count_rows("posts", definition)
}

both_backends! {
    fn every_list_pages_through_every_row_once_in_order_with_a_true_count(db) {
        let [ana, bo] = store(db);
        let cases = [
            (Listing::Regulars, "customer_id IS NOT NULL".to_string()),
            (Listing::Mentions, "is_mention".to_string()),
            (
                Listing::Attention,
                "(category IN ('complaint', 'distress') OR (category = 'question' AND is_mention))
                 AND handled_at IS NULL"
                    .to_string(),
            ),
            (Listing::Customer(ana), format!("customer_id = {}", ana.0)),
            (Listing::Customer(bo), format!("customer_id = {}", bo.0)),
        ];
        for (listing, definition) in cases {
            let q = query(listing, "");
            let want = count(&*db, &definition);
            assert!(want > 10, "{listing:?} has rows to page through");
            for size in [1, 7, 50, 1000] {
                let (forwards, backwards, total) = walk(&*db, &q, size);
                assert_eq!(total, want, "{listing:?} count");
                assert_eq!(
                    forwards.len() as u64,
                    want,
                    "{listing:?} by {size}: every row once"
                );
                assert_eq!(
                    forwards, backwards,
                    "{listing:?} by {size}: both ways agree"
                );
                assert!(
                    forwards.windows(2).all(|w| w[0] > w[1]),
                    "{listing:?} by {size}: strictly in list order"
                );
            }
        }
    }
}

both_backends! {
    fn attention_orders_by_rank_then_newest_and_ranks_rise_with_the_customer(db) {
        store(db);
        let (rows, _, _) = walk(&*db, &query(Listing::Attention, ""), 1000);
        let ranks: Vec<i64> = rows.iter().map(|k| k.rank).collect();
        assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
        assert!(
            ranks.first() > ranks.last(),
            "more than one rank: {ranks:?}"
        );
        // Within a rank, newest first.
        for w in rows.windows(2).filter(|w| w[0].rank == w[1].rank) {
            assert!((w[0].created_at, w[0].id) > (w[1].created_at, w[1].id));
        }
    }
}

both_backends! {
    fn questions_to_the_shop_queue_in_attention_below_every_problem(db) {
        store(db);
        let (rows, _, total) = walk(&*db, &query(Listing::Attention, ""), 50);
        let asked = count(
            &*db,
            "category = 'question' AND is_mention AND handled_at IS NULL",
        );
        let problems = count(
            &*db,
            "category IN ('complaint', 'distress') AND handled_at IS NULL",
        );
        assert!(
            asked > 5 && problems > 5,
            "{asked} questions, {problems} problems"
        );
        assert_eq!(
            total,
            asked + problems,
            "questions among strangers stay out"
        );
        // However strongly put (score 0.9) and however valued the customer, a question comes after every problem.
        let first_question = rows.iter().position(|k| k.rank < 0).unwrap();
        assert_eq!(first_question as u64, problems);
        assert!(rows[first_question..].iter().all(|k| k.rank < 0));
        // Counted and found by words through the full-text tags as the pane counts them.
        let (found, _, n) = walk(&*db, &query(Listing::Attention, "saturday"), 7);
        assert_eq!((n, found.len() as u64), (asked, asked));
    }
}

both_backends! {
    fn a_customer_moving_up_moves_their_open_posts_up_the_queue(db) {
        store(db);
        let rank_of = |db: &dyn TestDb| {
            let (rows, _, _) = walk(db, &query(Listing::Attention, "customer:C2"), 1000);
            rows[0].rank
        };
        let before = rank_of(&*db);
        let mut best = customer("C2", 1, &[]);
        best.name = "Customer C2".into();
        db.import_customers(&crate::store::tests::run(), &[customer("C1", 2, &[]), best])
            .unwrap();
        assert!(rank_of(&*db) > before, "rank 30 -> 1 raises C2's complaints");
    }
}

both_backends! {
    fn searches_narrow_each_list_and_count_their_matches(db) {
        let [ana, _] = store(db);
        let cases = [
            ("refund", "lower(text) LIKE '%refund%'"),
            ("REFU", "lower(text) LIKE '%refund%'"),
            ("order number", "lower(text) LIKE '%order number%'"),
            ("cat:distress", "category = 'distress'"),
            (
                "cat:comp is:open",
                "category = 'complaint' AND handled_at IS NULL",
            ),
            ("@ana", "author_handle LIKE 'ana@%'"),
            (
                "since:2025-03-14 before:2025-03-15",
                "created_at >= 1741910400000 AND created_at < 1741996800000",
            ),
        ];
        for (search, narrowing) in cases {
            for (listing, definition) in [
                (Listing::Mentions, "is_mention".to_string()),
                (Listing::Customer(ana), format!("customer_id = {}", ana.0)),
            ] {
                let want = count(&*db, &format!("{definition} AND {narrowing}"));
                let (rows, back, total) = walk(&*db, &query(listing, search), 9);
                assert_eq!(total, want, "{search} in {listing:?}");
                assert_eq!(rows.len() as u64, want, "{search} in {listing:?}");
                assert_eq!(rows, back);
            }
        }
        // A customer's name is searched as text too; a term matching nothing empties the list.
        let (rows, _, total) = walk(&*db, &query(Listing::Mentions, "customer c1"), 50);
        assert_eq!(
            total,
            count(&*db, &format!("is_mention AND customer_id = {}", ana.0))
        );
        assert_eq!(rows.len() as u64, total);
        let (rows, _, total) = walk(&*db, &query(Listing::Mentions, "zebra"), 50);
        assert_eq!((rows.len(), total), (0, 0));
    }
}

both_backends! {
    fn the_log_pages_newest_first_both_ways(db) {
        store(db);
        for i in 0..30 {
            db.log_action("ana", &crate::domain::NewAction {
                post: None,
                customer: None,
                kind: crate::domain::ActionKind::Note,
                note: format!("note {i}"),
                at: at(i % 10),
                url: None,
            })
            .unwrap();
        }
        let first = db.actions_page(Anchor::First, 7, true).unwrap();
        let total = first.total.unwrap();
        assert_eq!(total, count_actions(&*db));
        let mut all = first.rows;
        while let Some(last) = all.last() {
            let page = db
                .actions_page(Anchor::After(crate::domain::ActionKey::of(last)), 7, false)
                .unwrap();
            if page.rows.is_empty() {
                break;
            }
            all.extend(page.rows);
        }
        assert_eq!(all.len() as u64, total);
        assert!(
            all.windows(2)
                .all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id))
        );
        let last = db.actions_page(Anchor::Last, 7, false).unwrap().rows;
        assert_eq!(last, all[all.len() - 7..]);
        let before = db
            .actions_page(
                Anchor::Before(crate::domain::ActionKey::of(&last[0])),
                7,
                false,
            )
            .unwrap()
            .rows;
        assert_eq!(before, all[all.len() - 14..all.len() - 7]);
    }
}

fn count_actions(db: &dyn TestDb) -> u64 {
    db.count_rows("actions", "TRUE")
}

/// A word in thousands of mentions is read down the Mentions index (the first page is near the top); a rare
/// word is read from its few matches. Either way the count comes from the full-text index alone.
#[test]
fn searches_pick_their_way_by_how_many_posts_match() {
    use crate::store::lists::{count_sql, page_sql};
    use crate::store::search::plan as plan_query;
    let mut db = Db::open_in_memory().unwrap();
    let posts: Vec<_> = (0..2_300)
        .map(|i| {
            let text = if i % 500 == 0 {
                "a zebra print ring"
            } else {
                "my ring arrived"
            };
            let mut p = new_post(&format!("m{i}"), i, text);
            p.is_mention = true;
            p
        })
        .collect();
    db.insert_batch("t", &posts, &[]).unwrap();
    let plan_of = |sql: &str, params: &[rusqlite::types::Value]| -> String {
        let mut stmt = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            r.get::<_, String>(3)
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>()
        .join("; ")
    };
    for (word, matches, lead) in [("ring", 2_300, "posts_mention"), ("zebra", 5, "posts_fts")] {
        let q = query(Listing::Mentions, word);
        let (sql, params, _) = page_sql(
            &db.conn,
            &plan_query(&db.conn, &q).unwrap(),
            Anchor::First,
            100,
        )
        .unwrap()
        .unwrap();
        let plan = plan_of(&sql, &params);
        assert!(
            plan.starts_with(&format!("SEARCH p USING COVERING INDEX {lead}"))
                || plan.contains(&format!("SCAN {lead}"))
                || plan.contains(&format!("INDEX {lead}")),
            "{word}: {plan}"
        );
        let (sql, _) = count_sql(&plan_query(&db.conn, &q).unwrap()).unwrap();
        assert!(sql.contains("FROM posts_fts"), "{word}: {sql}");
        let page = db.posts_page(&q, Anchor::First, 100, true).unwrap();
        assert_eq!(page.total, Some(matches));
        assert_eq!(page.rows.len() as u64, matches.min(100));
        assert!(page.rows.windows(2).all(|w| w[0].0 > w[1].0));
        assert_eq!(
            page.rows[0].1.native_id,
            if word == "ring" { "m2299" } else { "m2000" }
        );
    }
    // A date term is checked on the posts themselves, so it is counted there.
    let q = query(Listing::Mentions, "zebra since:2025-03-14");
    let (sql, _) = count_sql(&plan_query(&db.conn, &q).unwrap()).unwrap();
    assert!(sql.starts_with("SELECT COUNT(*) FROM posts p"), "{sql}");
    assert_eq!(
        db.posts_page(&q, Anchor::First, 100, true).unwrap().total,
        Some(5)
    );
    // Nothing can match a category prefix naming none: no query runs.
    assert!(
        count_sql(&plan_query(&db.conn, &query(Listing::Mentions, "cat:zz")).unwrap()).is_none()
    );
}
