//! Assignments (logged, shown only on open posts, the Mine condition), heartbeats (expiring, never one's own)
//! and the round robin, alike on both backends.

use chrono::Duration;

use super::{at, complaint};
use crate::domain::{
    ActionKind, Anchor, Doing, Listing, PostId, PostQuery, Presence, Search, Term,
};
use crate::store::StoreError;

fn posts(db: &mut dyn super::TestDb, n: usize) -> Vec<PostId> {
    let batch: Vec<_> = (0..n)
        .map(|i| complaint(&i.to_string(), i as i64))
        .collect();
    db.insert_batch("m", &batch, &[])
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn mine(db: &dyn super::TestDb, who: &str) -> (Vec<PostId>, Option<u64>) {
    let query = PostQuery {
        listing: Listing::Attention,
        search: Search {
            terms: vec![Term::Assigned(who.into())],
        },
    };
    let page = db.posts_page(&query, Anchor::First, 10, true).unwrap();
    (page.rows.iter().map(|(_, p)| p.id).collect(), page.total)
}

both_backends! {
    fn an_assignment_is_logged_shown_and_taken_back(db) {
        let p = posts(db, 2);
        let action = db.assign(p[0], Some("ana"), "ben", at(10)).unwrap().unwrap();
        assert_eq!((action.kind, action.note.as_str(), action.post), (ActionKind::Assigned, "to ana", Some(p[0])));
        assert!(db.post(p[0]).unwrap().unwrap().first_response_at.is_none(), "not a response");
        assert_eq!(db.assign(p[0], Some("ana"), "ana", at(11)).unwrap(), None, "already hers: nothing logged");
        let view = db.team_view("ana", at(11)).unwrap();
        assert_eq!(view.assignees.get(&p[0]).map(String::as_str), Some("ana"));
        assert_eq!(view.assignees.len(), 1);

        let moved = db.assign(p[0], Some("cy"), "ana", at(12)).unwrap().unwrap();
        assert_eq!(moved.note, "to cy");
        let back = db.assign(p[0], None, "cy", at(13)).unwrap().unwrap();
        assert_eq!(back.note, "unassigned (was cy)");
        assert_eq!(db.assign(p[0], None, "cy", at(14)).unwrap(), None);
        assert!(db.team_view("ana", at(14)).unwrap().assignees.is_empty());
        let logged: Vec<String> = db.recent_actions(10).into_iter().map(|a| a.note).collect();
        assert_eq!(logged, ["unassigned (was cy)", "to cy", "to ana"]);
    }

    fn a_handled_posts_assignee_is_not_read_back(db) {
        let p = posts(db, 1)[0];
        db.assign(p, Some("ana"), "ana", at(10)).unwrap();
        db.log_action("ana", &crate::domain::NewAction {
            post: Some(p),
            customer: None,
            kind: ActionKind::Handled,
            note: String::new(),
            at: at(11),
            url: None,
        })
        .unwrap();
        assert!(db.team_view("ben", at(11)).unwrap().assignees.is_empty());
    }

    fn assigning_a_post_not_stored_says_so(db) {
        let err = db.assign(PostId(999), Some("ana"), "ana", at(1)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("post 999")), "{err}");
    }

    fn mine_lists_and_counts_only_my_posts(db) {
        let p = posts(db, 3);
        db.assign(p[0], Some("ana"), "ana", at(10)).unwrap();
        db.assign(p[2], Some("ana"), "ben", at(10)).unwrap();
        db.assign(p[1], Some("ben"), "ben", at(10)).unwrap();
        assert_eq!(mine(db, "ana"), (vec![p[2], p[0]], Some(2)));
        assert_eq!(mine(db, "ben"), (vec![p[1]], Some(1)));
        assert_eq!(mine(db, "cy"), (vec![], Some(0)));
    }

    fn heartbeats_show_others_until_they_expire(db) {
        let p = posts(db, 2);
        db.beat("ana", Some((p[0], Doing::Viewing)), at(10)).unwrap();
        db.beat("ben", Some((p[0], Doing::Replying)), at(10)).unwrap();
        // Ana moves on; her one heartbeat is replaced.
        db.beat("ana", Some((p[1], Doing::Viewing)), at(10) + Duration::seconds(10)).unwrap();
        let view = db.team_view("ana", at(10)).unwrap();
        assert_eq!(
            view.present,
            [Presence { staff: "ben".into(), post: p[0], doing: Doing::Replying, at: at(10) }],
            "never one's own"
        );
        let seen = db.team_view("cy", at(10)).unwrap();
        assert_eq!(seen.present.len(), 2);
        assert_eq!(seen.present[0].staff, "ana", "newest first");
        // Read as of 35 s later (the console asks from now - 30 s): Ben's went stale, Ana's (at 10 s) too.
        let later = db.team_view("cy", at(10) + Duration::seconds(11)).unwrap();
        assert_eq!(later.present.len(), 0);
        db.beat("ben", None, at(11)).unwrap();
        db.beat("ana", Some((p[1], Doing::Viewing)), at(11)).unwrap();
        let view = db.team_view("cy", at(11)).unwrap();
        assert_eq!(view.present.iter().map(|p| p.staff.as_str()).collect::<Vec<_>>(), ["ana"]);
    }

    fn the_round_robin_deals_urgent_posts_to_those_present_in_turn(db) {
        let p = posts(db, 5);
        // Nobody present: nothing dealt.
        assert!(db.deal(&p[..1], at(0), at(1)).unwrap().is_empty());
        db.beat("cy", Some((p[4], Doing::Viewing)), at(10)).unwrap();
        db.beat("ana", Some((p[4], Doing::Viewing)), at(10)).unwrap();
        db.beat("gone", Some((p[4], Doing::Viewing)), at(2)).unwrap();
        // One post a teammate already has keeps its assignee.
        db.assign(p[1], Some("zoe"), "zoe", at(10)).unwrap();
        let dealt = db.deal(&p[..4], at(9), at(11)).unwrap();
        let notes: Vec<&str> = dealt.iter().map(|a| a.note.as_str()).collect();
        assert_eq!(notes, ["to ana (round robin)", "to cy (round robin)", "to ana (round robin)"]);
        let view = db.team_view("x", at(9)).unwrap();
        assert_eq!(view.assignees.get(&p[1]).map(String::as_str), Some("zoe"));
        // The turn carries on from whoever got the last one (ana): cy next.
        let dealt = db.deal(&p[4..], at(9), at(12)).unwrap();
        assert_eq!(dealt[0].note, "to cy (round robin)");
    }
}
