//! Who is at the keyboard, in the store: every action, reply, correction and check-in names its person, and
//! drafts are per person per post.

use super::{at, complaint};
use crate::domain::checkin::{CheckInRecord, Tally};
use crate::domain::{ActionKind, Category, Draft, DraftState, Network, NewAction, NewFollowUp};
use crate::domain::{PostId, Reply};

fn draft(post: PostId, text: &str, minutes: i64) -> Draft {
    Draft {
        post,
        text: text.into(),
        cursor: (0, text.len()),
        state: DraftState::Editing,
        idempotency_key: format!("key-{}-{text}", post.0),
        updated_at: at(minutes),
    }
}

fn reply(post: PostId, staff: &str, key: &str) -> Reply {
    Reply {
        post,
        network: Network::Mastodon,
        text: "Sorted, thank you!".into(),
        sent_at: at(30),
        url: None,
        remote_id: None,
        idempotency_key: Some(key.into()),
        staff: staff.into(),
    }
}

fn note(post: PostId, minutes: i64) -> NewAction {
    NewAction {
        post: Some(post),
        customer: None,
        kind: ActionKind::Note,
        note: "called back".into(),
        at: at(minutes),
        url: None,
    }
}

both_backends! {
    fn every_write_names_who_did_it_and_reads_give_it_back(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        assert_eq!(db.log_action("Ana", &note(post, 1)).unwrap().staff, "Ana");
        let (_, scheduled) = db
            .schedule_follow_up(
                "Ben",
                &NewFollowUp {
                    post: Some(post),
                    customer: None,
                    due: at(0).date_naive(),
                    note: "check the parcel".into(),
                    created_at: at(2),
                },
            )
            .unwrap();
        assert_eq!(scheduled.staff, "Ben");
        let id = db.open_follow_ups().unwrap()[0].id;
        let done = db.complete_follow_up("Cy", id, at(3)).unwrap().unwrap();
        assert_eq!(done.staff, "Cy");
        let (_, dismissed) = db.dismiss_post("Dee", post, at(4)).unwrap().unwrap();
        let (_, reopened) = db.reopen_post("Eve", post, at(5)).unwrap().unwrap();
        assert_eq!((dismissed.staff.as_str(), reopened.staff.as_str()), ("Dee", "Eve"));
        let (_, correction) = db.correct_post("Fay", post, Category::Question, at(6)).unwrap().unwrap();
        assert_eq!(correction.staff, "Fay");
        assert_eq!(db.corrections().unwrap()[0].0.staff, "Fay");
        let (sent, replied) = db.record_reply(&reply(post, "Gus", "k1"), None).unwrap();
        assert_eq!((sent.staff.as_str(), replied.staff.as_str()), ("Gus", "Gus"));
        assert_eq!(db.replies_for_post(post).unwrap()[0].staff, "Gus");

        // As the Log, Detail and `regulars export` read them.
        let logged: Vec<String> = db.recent_actions(10).into_iter().map(|a| a.staff).collect();
        assert_eq!(logged, ["Gus", "Eve", "Dee", "Cy", "Ben", "Ana"]);
        let mut exported = Vec::new();
        db.each_action(None, &mut |a| {
            exported.push(a.staff.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(exported, ["Ana", "Ben", "Cy", "Dee", "Eve", "Gus"]);
        let mut senders = Vec::new();
        db.each_reply(None, &mut |r| {
            senders.push(r.staff.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(senders, ["Gus"]);
        // The same reply recorded again (a resend the server answered with the first) keeps its sender.
        let (again, action) = db.record_reply(&reply(post, "Hal", "k1"), None).unwrap();
        assert_eq!((again.staff.as_str(), action.staff.as_str()), ("Gus", "Gus"));
    }
}

both_backends! {
    fn drafts_are_per_person_per_post(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let ana = draft(post, "Ana's words", 1);
        let ben = draft(post, "Ben's words", 2);
        db.save_draft("Ana", &ana).unwrap();
        db.save_draft("Ben", &ben).unwrap();
        // Saving again replaces one's own only.
        let ana = draft(post, "Ana's better words", 3);
        db.save_draft("Ana", &ana).unwrap();
        assert_eq!(db.drafts("Ana").unwrap(), vec![ana.clone()]);
        assert_eq!(db.drafts("Ben").unwrap(), vec![ben.clone()]);
        assert_eq!(db.team_drafts("Ana").unwrap(), vec![(post, "Ben".to_string())]);
        assert_eq!(db.team_drafts("Cy").unwrap().len(), 2);

        // Ben's reply takes his draft with it; Ana's stays hers.
        db.record_reply(&reply(post, "Ben", "k-ben"), None).unwrap();
        assert_eq!(db.drafts("Ben").unwrap(), vec![]);
        assert_eq!(db.drafts("Ana").unwrap(), vec![ana]);
        db.delete_draft("Ana", post).unwrap();
        assert_eq!(db.count_rows("drafts", "TRUE"), 0);
    }
}

both_backends! {
    fn a_draft_from_before_names_is_anyones_until_someone_saves_it(db) {
        let post = db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id;
        let old = draft(post, "written before the upgrade", 1);
        db.save_draft("", &old).unwrap();
        assert_eq!(db.drafts("Ana").unwrap(), vec![old.clone()]);
        assert_eq!(db.drafts("Ben").unwrap(), vec![old]);
        assert_eq!(db.team_drafts("Ana").unwrap(), vec![]);
        let taken = draft(post, "written before the upgrade, finished", 2);
        db.save_draft("Ana", &taken).unwrap();
        assert_eq!(db.drafts("Ana").unwrap(), vec![taken]);
        assert_eq!(db.drafts("Ben").unwrap(), vec![]);
        assert_eq!(db.count_rows("drafts", "TRUE"), 1);
    }
}

both_backends! {
    fn each_person_checks_in_from_their_own_last_check_in(db) {
        let record = |start: i64| CheckInRecord {
            started_at: at(start),
            ended_at: at(start + 5),
            planned_secs: 300,
            tally: Tally::default(),
            left: 0,
            oldest_waiting: None,
        };
        db.record_check_in("Ana", &record(0)).unwrap();
        db.record_check_in("Ben", &record(60)).unwrap();
        assert_eq!(db.last_check_in("Ana").unwrap(), Some(record(0)));
        assert_eq!(db.last_check_in("Ben").unwrap(), Some(record(60)));
        assert_eq!(db.last_check_in("Cy").unwrap(), None);
        // One from before names were kept counts as everyone's.
        db.record_check_in("", &record(30)).unwrap();
        assert_eq!(db.last_check_in("Ana").unwrap(), Some(record(30)));
        assert_eq!(db.last_check_in("Cy").unwrap(), Some(record(30)));
        assert_eq!(db.count_rows("checkins", "staff = 'Ben'"), 1);
    }
}
