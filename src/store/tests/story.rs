//! Customers' stories: the overview's figures, a timeline, notes, and forgetting (checked in the file itself).

use chrono::{Duration, NaiveDate};

use super::TestDb;
use super::{at, complaint, customer, new_post, reply_to, run};
use crate::domain::{
    ActionKind, CustomerId, Network, NewAction, NewFollowUp, PostId, Reply, TimelineEntry,
};
use crate::store::repository::*;
use crate::store::{Db, StoreError};

/// Ana (rank 1, mastodon ana@example.social) and Bo (rank 2, no posts); Cy, former.
fn shop(db: &mut dyn TestDb) -> (CustomerId, CustomerId) {
    let mut cy = customer("C3", 3, &[]);
    cy.name = "Cy Former".into();
    db.import_customers(&run(), &[cy]).unwrap();
    let mut ana = customer("C1", 1, &[(Network::Mastodon, "ana@example.social")]);
    ana.name = "Ana Ruiz".into();
    ana.email = "ana.ruiz@mail.example".into();
    ana.note = "prefers rose gold".into();
    let all = db
        .import_customers(&run(), &[ana, customer("C2", 2, &[])])
        .unwrap();
    (all[0].id, all[1].id)
}

fn store(
    db: &mut dyn TestDb,
    posts: Vec<crate::domain::NewPost>,
    c: Option<CustomerId>,
) -> Vec<PostId> {
    let posts: Vec<_> = posts
        .into_iter()
        .map(|mut p| {
            p.customer = c;
            p
        })
        .collect();
    db.insert_batch("t", &posts, &[])
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn action(post: Option<PostId>, c: CustomerId, kind: ActionKind, minutes: i64) -> NewAction {
    NewAction {
        post,
        customer: Some(c),
        kind,
        note: format!("{} for Ana", kind.label()),
        at: at(minutes),
        url: None,
    }
}

both_backends! {
    fn the_overview_says_where_each_customer_stands(db) {
        let (ana, bo) = shop(db);
        let ids = store(
            db,
            vec![
                new_post("p1", 0, "lovely ring"),
                complaint("p2", 10),
                complaint("p3", 20),
            ],
            Some(ana),
        );
        db.log_action("sam", &action(Some(ids[1]), ana, ActionKind::GiftSent, 30))
            .unwrap();
        // A note and a scheduled follow-up are not contact.
        db.log_action("sam", &action(None, ana, ActionKind::Note, 40))
            .unwrap();
        db.schedule_follow_up("sam", &NewFollowUp {
            post: Some(ids[0]),
            customer: Some(ana),
            due: NaiveDate::from_ymd_opt(2025, 3, 20).unwrap(),
            note: "ask about the fit".into(),
            created_at: at(50),
        })
        .unwrap();
        db.schedule_follow_up("sam", &NewFollowUp {
            post: None,
            customer: Some(ana),
            due: NaiveDate::from_ymd_opt(2025, 3, 17).unwrap(),
            note: "call".into(),
            created_at: at(51),
        })
        .unwrap();
        let rows = db.customer_overview().unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| r.customer.external_id.as_str())
                .collect::<Vec<_>>(),
            ["C1", "C2", "C3"],
            "regulars by rank, then former"
        );
        let a = &rows[0];
        assert_eq!(a.last_post, Some((at(20), Network::Mastodon)));
        assert_eq!(
            a.last_contact.map(|c| (c.at, c.kind)),
            Some((at(30), ActionKind::GiftSent))
        );
        assert_eq!(
            (a.open_follow_ups, a.next_due),
            (2, NaiveDate::from_ymd_opt(2025, 3, 17))
        );
        // p2 got a gift (a response), p3 is still unanswered.
        assert_eq!(a.unanswered, Some((ids[2], at(20))));
        let b = &rows[1];
        assert_eq!(b.customer.id, bo);
        assert_eq!(
            (b.last_post, b.last_contact, b.open_follow_ups, b.unanswered),
            (None, None, 0, None)
        );
        assert!(rows[2].customer.former);

        // A reply sent is contact, and answers p3; a follow-up completed later is the latest contact.
        db.record_reply(
            &Reply {
                post: ids[2],
                network: Network::Mastodon,
                text: "So sorry Ana".into(),
                sent_at: at(60),
                url: None,
                remote_id: None,
                idempotency_key: Some("k".into()),
                staff: "sam".into(),
            },
            None,
        )
        .unwrap();
        let open = db.open_follow_ups().unwrap();
        db.complete_follow_up("sam", open[0].id, at(70)).unwrap();
        let a = &db.customer_overview().unwrap()[0];
        assert_eq!(a.unanswered, None);
        assert_eq!(
            a.last_contact.map(|c| (c.at, c.kind)),
            Some((at(70), ActionKind::FollowUp))
        );
        assert_eq!(
            (a.open_follow_ups, a.next_due),
            (1, NaiveDate::from_ymd_opt(2025, 3, 20))
        );
    }
}

both_backends! {
    fn a_story_is_the_customers_timeline_newest_first(db) {
        let (ana, _) = shop(db);
        let ids = store(
            db,
            vec![complaint("p1", 0), new_post("p2", 100, "thanks!")],
            Some(ana),
        );
        db.record_reply(
            &Reply {
                post: ids[0],
                network: Network::Mastodon,
                text: "So sorry, Ana: it ships today".into(),
                sent_at: at(30),
                url: Some("https://example.social/@shop/9".into()),
                remote_id: None,
                idempotency_key: Some("k1".into()),
                staff: "sam".into(),
            },
            None,
        )
        .unwrap();
        db.log_action("sam", &action(Some(ids[1]), ana, ActionKind::DiscountOffered, 110))
            .unwrap();
        db.log_action("sam", &action(Some(ids[1]), ana, ActionKind::Replied, 112))
            .unwrap();
        db.schedule_follow_up("sam", &NewFollowUp {
            post: Some(ids[1]),
            customer: Some(ana),
            due: NaiveDate::from_ymd_opt(2025, 3, 20).unwrap(),
            note: "ask about the fit".into(),
            created_at: at(120),
        })
        .unwrap();
        let story = db.customer_story(ana, 50).unwrap().unwrap();
        assert_eq!(story.summary.customer.note, "prefers rose gold");
        assert_eq!(story.posts, 2);
        let kinds: Vec<String> = story
            .timeline
            .iter()
            .map(|e| match e {
                TimelineEntry::Post(p) => format!("post {}", p.text),
                TimelineEntry::Reply(r) => format!("reply to {}", r.answered),
                TimelineEntry::Action(a) => format!("action {}", a.kind.as_str()),
                TimelineEntry::FollowUp(f) => format!("follow-up {}", f.note),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "follow-up ask about the fit",
                "action follow_up",
                "action replied",
                "action discount_offered",
                "post thanks!",
                "reply to still waiting for my repair, three weeks now",
                "post still waiting for my repair, three weeks now",
            ],
            "the reply's own `replied` action is told by the reply"
        );
        let TimelineEntry::Post(first) = &story.timeline[6] else {
            panic!()
        };
        assert_eq!(first.first_response(), Some(Duration::minutes(30)));
        // p1 answered in 30 minutes, p2 in 10: the median of the two.
        assert_eq!(story.median_first_response, Some(Duration::minutes(20)));
        let short = db.customer_story(ana, 2).unwrap().unwrap();
        assert_eq!(short.timeline.len(), 2);
        assert_eq!(db.customer_story(CustomerId(999), 10).unwrap(), None);
    }
}

both_backends! {
    fn notes_are_the_shops_and_an_import_keeps_them(db) {
        let (ana, _) = shop(db);
        let saved = db
            .set_customer_note(ana, "ring size N\nallergic to nickel")
            .unwrap();
        assert_eq!(saved.note, "ring size N\nallergic to nickel");
        assert_eq!(saved.handles.len(), 1);
        let mut again = customer("C1", 1, &[]);
        again.note = "from the shop's database".into();
        db.import_customers(&super::super::run(), &[again]).unwrap();
        assert_eq!(
            db.customer_story(ana, 1)
                .unwrap()
                .unwrap()
                .summary
                .customer
                .note,
            "ring size N\nallergic to nickel"
        );
        assert!(matches!(
            db.set_customer_note(CustomerId(999), "x"),
            Err(StoreError::Conflict(_))
        ));
    }
}

/// Every text cell of every table (the full-text index's shadow tables included) that contains `needle`,
/// case-insensitively, as "table.column".
fn cells_with(db: &rusqlite::Connection, needle: &str) -> Vec<String> {
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut found = Vec::new();
    for table in tables.iter().filter(|t| *t != "posts_fts") {
        let columns: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for column in columns {
            let n: i64 = db
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM \"{table}\" WHERE instr(lower(CAST(\"{column}\" AS TEXT)), lower(?1)) > 0"
                    ),
                    [needle],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

/// Ana with everything the console can hold about her: posts (one from her handle before she was matched),
/// a thread reply greeting her, a draft, a reply sent, actions and a follow-up naming her.
fn ana_everywhere(db: &mut dyn TestDb, ana: CustomerId) -> Vec<PostId> {
    let mut loose = new_post("p0", -10, "hello from Ana");
    loose.incoming.author.display_name = "Ana R.".into();
    let mut ids = store(db, vec![loose], None);
    ids.extend(store(
        db,
        vec![
            complaint("p1", 0),
            new_post("p2", 5, "I'm Ana Ruiz, ana.ruiz@mail.example"),
        ],
        Some(ana),
    ));
    let mut thread = reply_to("t1", "p1", 8);
    thread.incoming.author = crate::domain::Author {
        handle: "bo@example.social".into(),
        display_name: "Bo".into(),
    };
    thread.incoming.url = None;
    thread.incoming.text = "@ana@example.social same here Ana!".into();
    store(db, vec![thread], None);
    db.save_draft(
        "sam",
        &crate::domain::Draft {
            post: ids[1],
            text: "Hi Ana".into(),
            cursor: (0, 0),
            state: crate::domain::DraftState::Editing,
            idempotency_key: "d".into(),
            updated_at: at(9),
        },
    )
    .unwrap();
    db.record_reply(
        &Reply {
            post: ids[1],
            network: Network::Mastodon,
            text: "@ana@example.social So sorry Ana, order C-1042 ships today".into(),
            sent_at: at(10),
            url: None,
            remote_id: None,
            idempotency_key: Some("k".into()),
            staff: "sam".into(),
        },
        None,
    )
    .unwrap();
    db.log_action("sam", &action(Some(ids[2]), ana, ActionKind::GiftSent, 20))
        .unwrap();
    db.schedule_follow_up(
        "sam",
        &NewFollowUp {
            post: Some(ids[2]),
            customer: Some(ana),
            due: NaiveDate::from_ymd_opt(2025, 3, 20).unwrap(),
            note: "ask Ana Ruiz about the fit".into(),
            created_at: at(30),
        },
    )
    .unwrap();
    ids
}

/// Ana (key C-1042) everywhere, then forgotten: what the repository says is left of her.
fn forget_ana(db: &mut dyn TestDb, with_posts: bool) {
    let mut cy = customer("C3", 3, &[]);
    cy.name = "Cy Former".into();
    let mut ana = customer("C-1042", 1, &[(Network::Mastodon, "ana@example.social")]);
    ana.name = "Ana Ruiz".into();
    ana.email = "ana.ruiz@mail.example".into();
    ana.note = "prefers rose gold".into();
    let all = db.import_customers(&run(), &[ana, cy]).unwrap();
    let ana = all[0].id;
    ana_everywhere(db, ana);
    let done = db.forget_customer(ana, with_posts, at(99)).unwrap();
    assert_eq!(done.handles, 1);
    assert_eq!((done.replies_unlinked, done.follow_ups_unlinked), (1, 1));
    assert_eq!(done.actions_unlinked, 3, "replied, gift sent, follow-up");
    if with_posts {
        assert_eq!((done.posts_kept, done.posts_deleted), (0, 3));
    } else {
        assert_eq!((done.posts_kept, done.posts_deleted), (3, 0));
    }
    assert_eq!(
        db.forgotten_keys().unwrap(),
        [crate::domain::forget_key("C-1042")].into_iter().collect()
    );
    let kept = db
        .recent_posts(50)
        .unwrap()
        .into_iter()
        .filter(|p| p.author.handle == crate::domain::FORGOTTEN_HANDLE && p.customer.is_none())
        .count();
    assert_eq!(kept, if with_posts { 0 } else { 3 });
    let names: Vec<String> = db
        .customers()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Cy Former"], "nobody else is touched");
    assert_eq!(db.action_count().unwrap(), 3, "what the shop did stays");
}

/// What identifies Ana, searched for in every text stored.
const ANA: [&str; 6] = [
    "Ana",
    "Ruiz",
    "ana.ruiz@mail.example",
    "ana@example.social",
    "prefers rose gold",
    "C-1042",
];

#[test]
fn forgetting_leaves_nothing_that_identifies_them() {
    for with_posts in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut db = Db::open(&path).unwrap();
        forget_ana(&mut db, with_posts);
        drop(db);

        let conn = rusqlite::Connection::open(&path).unwrap();
        for needle in ANA {
            assert_eq!(
                cells_with(&conn, needle),
                Vec::<String>::new(),
                "{needle:?} is still stored (with_posts: {with_posts})"
            );
        }
        for word in ["ana", "ruiz", "\"ana example social\""] {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH ?1",
                    [word],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 0, "the full-text index still finds {word}");
        }
        // Nor in the file's bytes: deleted rows are overwritten, the log emptied.
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(
            !text.contains("ruiz") && !text.contains("rose gold"),
            "the file still holds her data"
        );
    }
}

/// On PostgreSQL: no text column of any table (the words index included) holds anything of hers.
#[test]
fn forgetting_leaves_nothing_that_identifies_them_on_postgres() {
    for with_posts in [false, true] {
        let Some(mut db) = super::backends::postgres() else {
            return;
        };
        forget_ana(&mut db, with_posts);
        let mut conn = db.conn().unwrap();
        let columns = conn
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND data_type IN ('text', 'tsvector')",
                &[],
            )
            .unwrap();
        for needle in ANA {
            let mut found = Vec::new();
            for c in &columns {
                let (table, column): (String, String) = (c.get(0), c.get(1));
                let n: i64 = conn
                    .query_one(
                        &format!(
                            "SELECT COUNT(*) FROM \"{table}\" WHERE strpos(lower(\"{column}\"::text), lower($1)) > 0"
                        ),
                        &[&needle],
                    )
                    .unwrap()
                    .get(0);
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
            assert_eq!(
                found,
                Vec::<String>::new(),
                "{needle:?} is still stored (with_posts: {with_posts})"
            );
        }
    }
}

both_backends! {
    fn forgetting_twice_is_refused_without_harm(db) {
        let (ana, _) = shop(db);
        db.forget_customer(ana, false, at(0)).unwrap();
        assert!(matches!(
            db.forget_customer(ana, false, at(1)),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(db.customers().unwrap().len(), 2);
        assert_eq!(db.forgotten_keys().unwrap().len(), 1);
    }
}

/// The overview reads each customer down indexes, never a scan of posts, actions or replies.
#[test]
fn the_overview_reads_down_indexes() {
    let mut db = Db::open_in_memory().unwrap();
    shop(&mut db);
    for sql in crate::store::story::per_customer_sql() {
        let plan: Vec<String> = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let plan = plan.join(" / ");
        assert!(
            !plan.contains("SCAN posts")
                && !plan.contains("SCAN actions")
                && !plan.contains("SCAN replies"),
            "{sql}\n{plan}"
        );
    }
}

/// The overview and a story on a large store: 200 customers, 100k posts (measured, not asserted: run with
/// `cargo test --lib overview_on_a_large_store -- --ignored --nocapture`).
#[test]
#[ignore]
fn overview_on_a_large_store() {
    let mut db = Db::open_in_memory().unwrap();
    let customers: Vec<_> = (1..=200)
        .map(|i| customer(&format!("C{i}"), i, &[]))
        .collect();
    let all = db.import_customers(&run(), &customers).unwrap();
    let started = std::time::Instant::now();
    for batch in 0..100 {
        let posts: Vec<_> = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                let mut p = if n % 7 == 0 {
                    complaint(&format!("p{n}"), n)
                } else {
                    new_post(&format!("p{n}"), n, "a post")
                };
                // Half the posts are strangers'.
                p.customer = (n % 2 == 0).then(|| all[(n as usize / 2) % all.len()].id);
                p
            })
            .collect();
        db.insert_batch("t", &posts, &[]).unwrap();
    }
    for i in 0..2000 {
        db.log_action(
            "sam",
            &action(None, all[i % all.len()].id, ActionKind::Replied, i as i64),
        )
        .unwrap();
    }
    eprintln!("built in {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let rows = db.customer_overview().unwrap();
    eprintln!(
        "overview of {} customers: {:?}",
        rows.len(),
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let story = db.customer_story(all[0].id, 200).unwrap().unwrap();
    eprintln!(
        "story of {} posts, 200 entries: {:?}",
        story.posts,
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let done = db.forget_customer(all[0].id, false, at(0)).unwrap();
    eprintln!(
        "forget ({} posts kept anonymous): {:?}",
        done.posts_kept,
        started.elapsed()
    );
}
