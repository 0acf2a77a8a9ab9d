//! Reopen, dismiss, undo (both ways: done, then taken back) and corrections.

use super::TestDb;
use super::{at, complaint, new_post, t0};
use crate::domain::{
    ActionKind, Category, Listing, NewAction, NewFollowUp, Post, PostId, Search, Undo,
};

fn one_complaint(db: &mut dyn TestDb) -> Post {
    db.insert_batch(
        "m",
        &[complaint("1", 0), new_post("2", 1, "lovely day")],
        &[],
    )
    .unwrap()
    .remove(0)
}

fn log(db: &mut dyn TestDb, post: PostId, kind: ActionKind, minutes: i64) -> crate::domain::Action {
    db.log_action(
        "ana",
        &NewAction {
            post: Some(post),
            customer: None,
            kind,
            note: String::new(),
            at: at(minutes),
            url: None,
        },
    )
    .unwrap()
}

fn stored(db: &dyn TestDb, id: PostId) -> Post {
    db.post_details(id).unwrap().unwrap().post
}

fn in_attention(db: &dyn TestDb, id: PostId) -> bool {
    db.listed(Listing::Attention, 50).iter().any(|p| p.id == id)
}

/// Counted the way the Attention pane counts (through the full-text tags when a search is on).
fn attention_matches(db: &dyn TestDb, words: &str) -> u64 {
    let query = crate::domain::PostQuery {
        listing: Listing::Attention,
        search: Search::parse(words, chrono::FixedOffset::east_opt(0).unwrap()).unwrap(),
    };
    db.posts_page(&query, crate::domain::Anchor::First, 10, true)
        .unwrap()
        .total
        .unwrap()
}

both_backends! {
    fn handled_then_undone_is_open_and_unanswered_again(db) {
        let post = one_complaint(db);
        let handled = log(db, post.id, ActionKind::Handled, 5);
        let p = stored(db, post.id);
        assert_eq!(
            (p.handled_at, p.first_response_at),
            (Some(at(5)), Some(at(5)))
        );
        assert!(!in_attention(db, post.id));

        let undone = db.undo(&Undo::Action(handled)).unwrap().unwrap();
        assert!(undone.is_open() && undone.first_response_at.is_none());
        assert_eq!(stored(db, post.id), undone);
        assert_eq!(db.action_count().unwrap(), 0);
        assert!(in_attention(db, post.id));
        assert_eq!(attention_matches(db, "waiting"), 1);
    }
}

both_backends! {
    fn undoing_a_later_action_keeps_what_an_earlier_one_set(db) {
        let post = one_complaint(db);
        log(db, post.id, ActionKind::GiftSent, 5);
        let resolved = log(db, post.id, ActionKind::Resolved, 9);
        db.undo(&Undo::Action(resolved)).unwrap();
        let p = stored(db, post.id);
        assert_eq!(
            p.first_response_at,
            Some(at(5)),
            "the gift answered it first"
        );
        assert!(p.handled_at.is_none());
        assert_eq!(db.action_count().unwrap(), 1);
    }
}

both_backends! {
    fn dismissed_is_closed_without_a_response_and_undone(db) {
        let post = one_complaint(db);
        let (p, action) = db.dismiss_post("ana", post.id, at(3)).unwrap().unwrap();
        assert_eq!(action.kind, ActionKind::Dismissed);
        assert_eq!(p.dismissed_at, Some(at(3)));
        assert!(p.handled_at.is_none() && p.first_response_at.is_none());
        assert!(!p.is_open() && !in_attention(db, post.id));
        assert_eq!(
            attention_matches(db, "waiting"),
            0,
            "the full-text tags follow"
        );

        let p = db.undo(&Undo::Action(action)).unwrap().unwrap();
        assert!(p.is_open() && in_attention(db, post.id));
        assert_eq!(attention_matches(db, "waiting"), 1);
        assert_eq!(db.action_count().unwrap(), 0);
        assert!(db.dismiss_post("ana", PostId(999), at(3)).unwrap().is_none());
    }
}

both_backends! {
    fn reopen_opens_handled_and_dismissed_posts_and_logs_it(db) {
        let post = one_complaint(db);
        log(db, post.id, ActionKind::Handled, 5);
        let (p, action) = db.reopen_post("ana", post.id, at(60)).unwrap().unwrap();
        assert_eq!(action.kind, ActionKind::Reopened);
        assert!(p.is_open() && in_attention(db, post.id));
        assert_eq!(
            p.first_response_at,
            Some(at(5)),
            "it was answered: that stays"
        );
        db.dismiss_post("ana", post.id, at(61)).unwrap();
        let (p, _) = db.reopen_post("ana", post.id, at(62)).unwrap().unwrap();
        assert!(p.is_open());
        assert_eq!(db.action_count().unwrap(), 4);
    }
}

both_backends! {
    fn follow_ups_scheduled_or_done_are_undone(db) {
        let post = one_complaint(db);
        let (follow_up, action) = db
            .schedule_follow_up("ana", &NewFollowUp {
                post: Some(post.id),
                customer: None,
                due: t0().date_naive(),
                note: "check".into(),
                created_at: at(1),
            })
            .unwrap();
        let done = db.complete_follow_up("ana", follow_up.id, at(2)).unwrap().unwrap();
        assert!(db.open_follow_ups().unwrap().is_empty());
        db.undo(&Undo::FollowUpCompleted {
            follow_up: follow_up.clone(),
            action: done,
        })
        .unwrap();
        assert_eq!(db.open_follow_ups().unwrap(), vec![follow_up.clone()]);
        assert!(stored(db, post.id).first_response_at.is_none());
        db.undo(&Undo::FollowUpScheduled { follow_up, action })
            .unwrap();
        assert!(db.open_follow_ups().unwrap().is_empty());
        assert_eq!(db.action_count().unwrap(), 0);
    }
}

both_backends! {
    fn corrections_keep_the_original_triage_and_move_the_post(db) {
        let post = one_complaint(db);
        let (p, first) = db
            .correct_post("ana", post.id, Category::Question, at(3))
            .unwrap()
            .unwrap();
        assert_eq!(p.triage.category, Category::Question);
        assert_eq!(
            (first.was, first.original.clone()),
            (Category::Complaint, post.triage.clone())
        );
        assert!(!in_attention(db, post.id));
        assert_eq!(attention_matches(db, "waiting"), 0);
        let (_, second) = db
            .correct_post("ana", post.id, Category::Distress, at(4))
            .unwrap()
            .unwrap();
        assert_eq!(second.was, Category::Question);
        assert_eq!(
            second.original, post.triage,
            "the triage it arrived with, not the last correction"
        );
        assert!(
            in_attention(db, post.id),
            "a distress post is in Attention again"
        );
        assert_eq!(
            db.post_details(post.id).unwrap().unwrap().correction,
            Some(second.clone())
        );
        assert_eq!(db.corrections().unwrap().len(), 2);

        let p = db.undo(&Undo::Correction(second)).unwrap().unwrap();
        assert_eq!(p.triage.category, Category::Question);
        assert_eq!(
            db.post_details(post.id).unwrap().unwrap().correction,
            Some(first.clone())
        );
        db.undo(&Undo::Correction(first)).unwrap();
        assert_eq!(stored(db, post.id).triage.category, Category::Complaint);
        assert!(in_attention(db, post.id));
        assert!(db.corrections().unwrap().is_empty());
        assert!(
            db.correct_post("ana", PostId(999), Category::Praise, at(5))
                .unwrap()
                .is_none()
        );
    }
}
