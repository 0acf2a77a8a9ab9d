//! Check-ins in the store: each kept across a restart on a real file, the last one found by its end, and the
//! candidates a check-in gathers.

use chrono::Duration;

use super::{at, complaint, new_post, t0};
use crate::domain::checkin::{CheckInRecord, Tally};
use crate::domain::{Category, NewAction, Triage};
use crate::store::{CheckInRepo, Db};

fn record(start: i64, minutes: i64, handled: u32) -> CheckInRecord {
    CheckInRecord {
        started_at: at(start),
        ended_at: at(start + minutes),
        planned_secs: 300,
        tally: Tally {
            seen: 4,
            replied: 1,
            logged: 2,
            handled,
        },
        left: 7,
        oldest_waiting: Some(at(-600)),
    }
}

#[test]
fn each_check_in_is_kept_across_a_restart_and_the_last_is_found_by_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regulars.db");
    {
        let mut db = Db::open(&path).unwrap();
        assert_eq!(db.last_check_in("ana").unwrap(), None);
        db.record_check_in("ana", &record(0, 5, 1)).unwrap();
        db.record_check_in("ana", &record(60, 4, 2)).unwrap();
        // Stored late (a clock moved back): the latest end still wins.
        db.record_check_in("ana", &record(10, 5, 3)).unwrap();
    }
    let db = Db::open(&path).unwrap();
    let mut last = record(60, 4, 2);
    last.oldest_waiting = Some(at(-600));
    assert_eq!(db.last_check_in("ana").unwrap(), Some(last));
    let mut none_waiting = record(120, 5, 0);
    none_waiting.oldest_waiting = None;
    let mut db = db;
    db.record_check_in("ana", &none_waiting).unwrap();
    assert_eq!(db.last_check_in("ana").unwrap(), Some(none_waiting));
}

both_backends! {
    fn candidates_are_open_complaints_and_questions_whatever_their_age_and_the_rest_only_since(db) {
        let mut question = new_post("q", -600, "do you ship to Norway?");
        question.is_mention = true;
        question.triage = Triage {
            category: Category::Question,
            ..Triage::neutral()
        };
        let mut shop = new_post("s", 5, "our notice");
        shop.by_shop = true;
        let stored = db
            .insert_batch(
                "t",
                &[
                    complaint("old", -600),
                    complaint("handled", -500),
                    question,
                    new_post("old news", -300, "a quiet day"),
                    new_post("news", 10, "a new day"),
                    shop,
                ],
                &[],
            )
            .unwrap();
        db.log_action("ana", &NewAction {
            post: Some(stored[1].id),
            customer: None,
            kind: crate::domain::ActionKind::Handled,
            note: String::new(),
            at: t0(),
            url: None,
        })
        .unwrap();
        let found: Vec<String> = db
            .check_in_posts(t0(), 100)
            .unwrap()
            .into_iter()
            .map(|p| p.native_id)
            .collect();
        assert_eq!(found, ["news", "q", "old"], "newest first");
        assert_eq!(
            db.check_in_posts(t0() - Duration::days(1), 2)
                .unwrap()
                .len(),
            2
        );
    }
}
