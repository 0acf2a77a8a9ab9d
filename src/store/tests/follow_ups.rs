//! Follow-ups: completing one logs its action in the same transaction, once; the view's rows.

use chrono::NaiveDate;

use super::TestDb;
use super::{at, complaint, customer};
use crate::domain::{ActionKind, CustomerId, NewAction, NewFollowUp, PostId};
use crate::store::Db;
use crate::store::repository::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
}

fn schedule(
    db: &mut dyn TestDb,
    post: Option<PostId>,
    customer: Option<CustomerId>,
    due: NaiveDate,
    note: &str,
) -> i64 {
    db.schedule_follow_up(
        "ana",
        &NewFollowUp {
            post,
            customer,
            due,
            note: note.into(),
            created_at: at(1),
        },
    )
    .unwrap()
    .0
    .id
}

fn contact(
    db: &mut dyn TestDb,
    post: Option<PostId>,
    customer: Option<CustomerId>,
    kind: ActionKind,
    m: i64,
) {
    db.log_action(
        "ana",
        &NewAction {
            post,
            customer,
            kind,
            note: String::new(),
            at: at(m),
            url: None,
        },
    )
    .unwrap();
}

both_backends! {
    fn completing_logs_exactly_one_action_with_it_and_twice_logs_nothing_more(db) {
        let ana = db
            .import_customers(&super::super::run(), &[customer("C1", 1, &[])])
            .unwrap()[0]
            .id;
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let id = schedule(
            db,
            Some(post),
            Some(ana),
            day(17),
            "check the resized ring fits",
        );
        let before = db.action_count().unwrap();

        let action = db.complete_follow_up("ana", id, at(100)).unwrap().expect("logged");
        assert_eq!(action.kind, ActionKind::FollowedUp);
        assert_eq!(action.note, "followed up: check the resized ring fits");
        assert_eq!(
            (action.post, action.customer, action.at),
            (Some(post), Some(ana), at(100))
        );
        assert_eq!(db.action_count().unwrap(), before + 1);
        assert_eq!(
            db.recent_actions(1),
            vec![action],
            "the action returned is the one stored"
        );
        assert!(db.open_follow_ups().unwrap().is_empty());
        assert_eq!(
            db.post_details(post).unwrap().unwrap().post.first_response_at,
            Some(at(100)),
            "following up answers the post"
        );

        assert_eq!(db.complete_follow_up("ana", id, at(200)).unwrap(), None);
        assert_eq!(
            db.complete_follow_up("ana", 9999, at(200)).unwrap(),
            None,
            "no such follow-up"
        );
        assert_eq!(
            db.action_count().unwrap(),
            before + 1,
            "nothing more logged"
        );
        let story = db.customer_story(ana, 10).unwrap().unwrap();
        let done_at = story.timeline.iter().find_map(|e| match e {
            crate::domain::TimelineEntry::FollowUp(f) if f.id == id => Some(f.done_at),
            _ => None,
        });
        assert_eq!(done_at, Some(Some(at(100))), "the first time is kept");
    }
}

#[test]
fn a_failed_log_leaves_the_follow_up_open() {
    let mut db = Db::open_in_memory().unwrap();
    let id = schedule(&mut db, None, None, day(17), "");
    // An action that cannot be written (the table refuses it) must take the completion down with it.
    db.conn
        .execute_batch(
            "CREATE TRIGGER no_actions BEFORE INSERT ON actions BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    assert!(db.complete_follow_up("ana", id, at(100)).is_err());
    db.conn.execute_batch("DROP TRIGGER no_actions").unwrap();
    assert_eq!(db.open_follow_ups().unwrap().len(), 1, "still open");
    let action = db.complete_follow_up("ana", id, at(101)).unwrap().unwrap();
    assert_eq!(action.note, "followed up", "an empty note says just that");
}

both_backends! {
    fn rows_come_soonest_due_first_with_their_post_and_last_contact(db) {
        let ana = db
            .import_customers(&super::super::run(), &[customer("C1", 1, &[])])
            .unwrap()[0]
            .id;
        let posts: Vec<PostId> = db
            .insert_batch("m", &[complaint("1", 0), complaint("2", 1)], &[])
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let later = schedule(db, Some(posts[0]), Some(ana), day(20), "later");
        let overdue = schedule(db, Some(posts[1]), None, day(3), "overdue");
        let same_day = schedule(db, None, None, day(3), "same day, made after");
        // Contact with Ana: a note is not contact, a gift is; the latest counts.
        contact(db, None, Some(ana), ActionKind::GiftSent, 10);
        contact(db, None, Some(ana), ActionKind::DiscountOffered, 30);
        contact(db, None, Some(ana), ActionKind::Note, 50);
        // The stranger's post: a reply about it.
        contact(db, Some(posts[1]), None, ActionKind::Replied, 20);

        let rows = db.follow_up_rows().unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.follow_up.id).collect();
        assert_eq!(ids, [overdue, same_day, later]);
        assert_eq!(
            db.open_follow_ups()
                .unwrap()
                .iter()
                .map(|f| f.id)
                .collect::<Vec<_>>(),
            ids,
            "the same order as open_follow_ups"
        );
        assert_eq!(rows[0].post.as_ref().map(|p| p.id), Some(posts[1]));
        assert_eq!(rows[0].last_contact, Some(at(20)));
        assert_eq!((rows[1].post.as_ref(), rows[1].last_contact), (None, None));
        assert_eq!(rows[2].last_contact, Some(at(30)));
    }
}
