use crate::store::repository::*;
use chrono::NaiveDate;

use super::Inspect;
use super::{at, complaint, customer, new_post};
use crate::domain::{
    ActionKind, Draft, DraftState, Network, NewAction, NewFollowUp, PostId, PriorReply, Reply,
    ReplyOrigin,
};
use crate::store::{Db, REPLY_NOTE_CHARS};

fn draft(post: PostId, text: &str, minutes: i64) -> Draft {
    Draft {
        post,
        text: text.into(),
        cursor: (1, 4),
        state: DraftState::Editing,
        idempotency_key: format!("key-{}", post.0),
        updated_at: at(minutes),
    }
}

fn action(post: Option<PostId>, kind: ActionKind, minutes: i64) -> NewAction {
    NewAction {
        post,
        customer: None,
        kind,
        note: format!("{} note", kind.as_str()),
        at: at(minutes),
        url: None,
    }
}

both_backends! {
    fn drafts_upsert_read_list_and_delete(db) {
        let ids: Vec<_> = db
            .insert_batch("m", &[new_post("1", 0, "a"), new_post("2", 1, "b")], &[])
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        db.save_draft("ana", &draft(ids[0], "Hola Ana,\nso sorry", 2))
            .unwrap();
        let mut failed = draft(ids[1], "Hi", 3);
        failed.state = DraftState::Failed("HTTP 502 from example.social".into());
        db.save_draft("ana", &failed).unwrap();
        let mut edited = draft(ids[0], "Hola Ana,\nso sorry 🙏", 4);
        edited.cursor = (1, 12);
        db.save_draft("ana", &edited).unwrap();

        assert_eq!(db.draft(ids[0]), Some(edited.clone()));
        assert_eq!(db.draft(ids[1]), Some(failed.clone()));
        assert_eq!(db.drafts("ana").unwrap(), vec![edited, failed]);
        db.delete_draft("ana", ids[0]).unwrap();
        assert_eq!(db.draft(ids[0]), None);
        assert_eq!(db.drafts("ana").unwrap().len(), 1);
    }
}

both_backends! {
    fn record_reply_logs_marks_and_clears_the_draft_at_once(db) {
        let ana = db
            .import_customers(&super::super::run(), &[customer("C1", 1, &[])])
            .unwrap()[0]
            .id;
        let mut p = complaint("1", 0);
        p.customer = Some(ana);
        let post = db.insert_batch("m", &[p], &[]).unwrap()[0].id;
        db.save_draft("ana", &draft(post, "draft", 5)).unwrap();
        let text = "Dear Ana, ".repeat(20);
        let reply = Reply {
            post,
            network: Network::Mastodon,
            text: text.clone(),
            sent_at: at(30),
            url: Some("https://example.social/@shop/99".into()),
            remote_id: Some("99".into()),
            idempotency_key: Some("key-1".into()),
            staff: "ana".into(),
        };
        let (_, logged) = db.record_reply(&reply, None).unwrap();
        assert_eq!(logged.kind, ActionKind::Replied);
        assert_eq!(
            logged.customer,
            Some(ana),
            "defaults to the post's customer"
        );
        assert_eq!(
            logged.note,
            text.chars().take(REPLY_NOTE_CHARS).collect::<String>()
        );
        assert_eq!(logged.url, reply.url);

        let stored = db.post_details(post).unwrap().unwrap().post;
        assert_eq!(stored.first_response_at, Some(at(30)));
        assert_eq!(stored.handled_at, Some(at(30)));
        assert_eq!(db.draft(post), None);
        assert_eq!(db.replies_for_post(post).unwrap(), vec![reply.clone()]);
        assert_eq!(db.recent_actions(50).into_iter().filter(|a| a.post == Some(post)).collect::<Vec<_>>(), vec![logged.clone()]);
        let details = db.post_details(post).unwrap().unwrap();
        assert_eq!(details.replies, vec![reply]);
        assert_eq!(details.customer_actions, vec![logged]);

        // A second reply keeps the first times.
        let later = Reply {
            sent_at: at(90),
            idempotency_key: Some("key-2".into()),
            ..db.replies_for_post(post).unwrap()[0].clone()
        };
        db.record_reply(&later, None).unwrap();
        let stored = db.post_details(post).unwrap().unwrap().post;
        assert_eq!(stored.first_response_at, Some(at(30)));
        assert_eq!(stored.handled_at, Some(at(30)));
        assert_eq!(db.replies_for_post(post).unwrap().len(), 2);
    }
}

both_backends! {
    fn recording_a_key_again_returns_the_first_reply_and_action_and_writes_nothing(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        assert_eq!(db.prior_reply(post).unwrap(), None);
        let first = Reply {
            post,
            network: Network::Mastodon,
            text: "So sorry, it ships today.".into(),
            sent_at: at(30),
            url: Some("https://example.social/@shop/99".into()),
            remote_id: Some("99".into()),
            idempotency_key: Some("draft-1".into()),
            staff: "ana".into(),
        };
        let (stored, action) = db.record_reply(&first, None).unwrap();
        assert_eq!(stored, first);
        // Staff start a new reply to the same post; a late resend of the first key must not take it away.
        db.save_draft("ana", &Draft {
            idempotency_key: "draft-2".into(),
            ..draft(post, "one more thing", 40)
        })
        .unwrap();
        let resend = Reply {
            text: "So sorry, it ships today. Tracking AB123".into(),
            sent_at: at(45),
            ..first.clone()
        };
        let (again, same) = db.record_reply(&resend, None).unwrap();
        assert_eq!(again, first, "the stored reply, not the resend's");
        assert_eq!(same, action);
        assert_eq!(db.replies_for_post(post).unwrap(), vec![first]);
        assert_eq!(db.recent_actions(50).into_iter().filter(|a| a.post == Some(post)).collect::<Vec<_>>(), vec![action]);
        assert_eq!(db.draft(post).unwrap().text, "one more thing");
        assert_eq!(
            db.prior_reply(post).unwrap(),
            Some(PriorReply {
                at: at(30),
                origin: ReplyOrigin::ThisConsole
            })
        );
    }
}

both_backends! {
    fn a_resend_of_the_drafts_own_key_clears_the_draft(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let reply = Reply {
            post,
            network: Network::Bluesky,
            text: "On its way!".into(),
            sent_at: at(5),
            url: None,
            remote_id: Some("at://did:plc:shop/app.bsky.feed.post/x".into()),
            idempotency_key: Some(format!("key-{}", post.0)),
            staff: "ana".into(),
        };
        db.record_reply(&reply, None).unwrap();
        db.save_draft("ana", &draft(post, "On its way!", 6)).unwrap();
        db.record_reply(&reply, None).unwrap();
        assert_eq!(db.draft(post), None);
        assert_eq!(db.replies_for_post(post).unwrap().len(), 1);
        assert_eq!(db.recent_actions(10).len(), 1);
    }
}

both_backends! {
    fn unconfirmed_drafts_keep_their_state_and_reason(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let mut d = draft(post, "locked text", 2);
        d.state = DraftState::Unconfirmed("timed out".into());
        db.save_draft("ana", &d).unwrap();
        assert_eq!(db.draft(post), Some(d));
    }
}

both_backends! {
    fn record_reply_to_a_missing_post_fails_and_writes_nothing(db) {
        let reply = Reply {
            post: PostId(404),
            network: Network::Demo,
            text: "hi".into(),
            sent_at: at(1),
            url: None,
            remote_id: None,
            idempotency_key: Some("k".into()),
            staff: "ana".into(),
        };
        assert!(db.record_reply(&reply, None).is_err());
        assert!(db.recent_actions(10).is_empty());
    }
}

both_backends! {
    fn log_action_sets_first_response_and_handled_by_kind(db) {
        let ids: Vec<_> = db
            .insert_batch(
                "m",
                &[complaint("1", 0), complaint("2", 0), complaint("3", 0)],
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();

        db.log_action("ana", &action(Some(ids[0]), ActionKind::Note, 5))
            .unwrap();
        let p = db.post_details(ids[0]).unwrap().unwrap().post;
        assert_eq!(
            (p.first_response_at, p.handled_at),
            (None, None),
            "a note is not a response"
        );

        db.log_action("ana", &action(Some(ids[0]), ActionKind::GiftSent, 10))
            .unwrap();
        let p = db.post_details(ids[0]).unwrap().unwrap().post;
        assert_eq!((p.first_response_at, p.handled_at), (Some(at(10)), None));

        db.log_action("ana", &action(Some(ids[1]), ActionKind::Resolved, 20))
            .unwrap();
        db.log_action("ana", &action(Some(ids[2]), ActionKind::Handled, 25))
            .unwrap();
        db.log_action("ana", &action(Some(ids[2]), ActionKind::Handled, 35))
            .unwrap();
        for (id, t) in [(ids[1], 20), (ids[2], 25)] {
            let p = db.post_details(id).unwrap().unwrap().post;
            assert_eq!(
                (p.first_response_at, p.handled_at),
                (Some(at(t)), Some(at(t)))
            );
        }

        let log = db.recent_actions(3);
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].at, at(35));
        assert_eq!(log[2].kind, ActionKind::Resolved);
        // An action about no post at all is fine.
        let free = db.log_action("ana", &action(None, ActionKind::Note, 50)).unwrap();
        assert_eq!(db.recent_actions(1), vec![free]);
    }
}

both_backends! {
    fn follow_ups_are_scheduled_logged_listed_and_completed(db) {
        let ana = db
            .import_customers(&super::super::run(), &[customer("C1", 1, &[])])
            .unwrap()[0]
            .id;
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
        let (later, later_action) = db
            .schedule_follow_up("ana", &NewFollowUp {
                post: Some(post),
                customer: Some(ana),
                due: day(28),
                note: "check the clasp held".into(),
                created_at: at(5),
            })
            .unwrap();
        let (sooner, _) = db
            .schedule_follow_up("ana", &NewFollowUp {
                post: None,
                customer: Some(ana),
                due: day(17),
                note: "anniversary gift arrived?".into(),
                created_at: at(6),
            })
            .unwrap();
        assert_eq!(
            db.open_follow_ups().unwrap(),
            vec![sooner.clone(), later.clone()]
        );

        let log: Vec<_> = db
            .recent_actions(10)
            .into_iter()
            .filter(|a| a.customer == Some(ana))
            .collect();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].kind, ActionKind::FollowUp);
        assert_eq!(log[1].note, "follow up on 2025-03-28: check the clasp held");
        assert_eq!(
            log[1], later_action,
            "the action returned is the one logged"
        );
        let p = db.post_details(post).unwrap().unwrap().post;
        assert_eq!(p.first_response_at, None, "scheduling is not a response");

        db.complete_follow_up("ana", sooner.id, at(100)).unwrap();
        assert_eq!(db.open_follow_ups().unwrap(), vec![later]);
    }
}

#[test]
fn work_survives_reopening_a_file_db() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regulars.db");
    let post = {
        let mut db = Db::open(&path).unwrap();
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        db.save_draft("ana", &draft(post, "half a reply", 3))
            .unwrap();
        db.log_action("ana", &action(Some(post), ActionKind::Escalated, 4))
            .unwrap();
        post
    };
    let db = Db::open(&path).unwrap();
    assert_eq!(db.draft(post).unwrap().text, "half a reply");
    let log = db.recent_actions(10);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, ActionKind::Escalated);
    assert_eq!(
        db.post_details(post)
            .unwrap()
            .unwrap()
            .post
            .first_response_at,
        Some(at(4))
    );
}

both_backends! {
    fn a_reply_the_shop_sent_from_elsewhere_counts_as_already_replied(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        assert_eq!(db.prior_reply(post).unwrap(), None);
        // Someone else's reply is not the shop's.
        db.insert_batch("m", &[super::super::reply_to("2", "1", 10)], &[])
            .unwrap();
        assert_eq!(db.prior_reply(post).unwrap(), None);
        let mut shop = super::super::reply_to("3", "1", 20);
        shop.by_shop = true;
        db.insert_batch("m", &[shop], &[]).unwrap();
        assert_eq!(
            db.prior_reply(post).unwrap(),
            Some(PriorReply {
                at: at(20),
                origin: ReplyOrigin::Elsewhere
            })
        );
    }
}
