//! Alerts in the store: the "always tell me" customers, and the hourly counts and texts the spike alert reads.

use chrono::Duration;

use super::{TestDb, at, complaint, customer, new_post};
use crate::alerts::spike::{self, SpikeRule};
use crate::domain::{Network, Watched};

both_backends! {
    fn always_tell_me_is_kept_and_goes_with_a_forgotten_customer(db) {
        let stored = db
            .import_customers(
                &crate::store::tests::run(),
                &[
                    customer("C-1", 1, &[(Network::Mastodon, "ana@example.social")]),
                    customer("C-2", 2, &[]),
                ],
            )
            .unwrap();
        let (ana, ben) = (stored[0].id, stored[1].id);
        assert!(db.always_tell_me().unwrap().is_empty());
        db.set_always_tell_me(ana, true, at(0)).unwrap();
        db.set_always_tell_me(ben, true, at(0)).unwrap();
        // Turning it on twice is still on once.
        db.set_always_tell_me(ana, true, at(1)).unwrap();
        assert_eq!(db.always_tell_me().unwrap(), [ana, ben].into());
        db.set_always_tell_me(ben, false, at(2)).unwrap();
        assert_eq!(db.always_tell_me().unwrap(), [ana].into());
        db.forget_customer(ana, false, at(3)).unwrap();
        assert!(db.always_tell_me().unwrap().is_empty());
    }
}

/// Posts `minutes` after the fixed test time, `n` of them; mentions or complaints.
fn posts(db: &mut dyn TestDb, prefix: &str, minutes: i64, n: usize, mention: bool, text: &str) {
    let batch: Vec<_> = (0..n)
        .map(|i| {
            let id = format!("{prefix}{i}");
            let mut p = if mention {
                new_post(&id, minutes, text)
            } else {
                complaint(&id, minutes)
            };
            p.is_mention = mention;
            p.incoming.text = text.into();
            p
        })
        .collect();
    db.insert_batch("test", &batch, &[]).unwrap();
}

both_backends! {
    fn counts_per_hour_oldest_first_without_context_or_the_shops_own(db) {
        let until = at(13 * 60);
        // Hour 0 (the oldest of 13), hour 11, and the last hour; one post just outside each end.
        posts(db, "a", 5, 2, true, "hello shop");
        posts(db, "b", 11 * 60 + 30, 3, true, "hello shop");
        posts(db, "c", 12 * 60 + 59, 4, true, "hello shop");
        posts(db, "old", -1, 1, true, "too early");
        posts(db, "new", 13 * 60, 1, true, "too late");
        let mut context = new_post("ctx", 12 * 60 + 10, "context only");
        context.is_mention = true;
        context.incoming.context = true;
        let mut own = new_post("own", 12 * 60 + 10, "the shop's own");
        own.is_mention = true;
        own.by_shop = true;
        db.insert_batch("test", &[context, own], &[]).unwrap();
        posts(db, "k", 12 * 60 + 20, 5, false, "still waiting");
        let mentions = db.hourly_counts(Watched::Mentions, until, 13).unwrap();
        assert_eq!(mentions, [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4]);
        let complaints = db.hourly_counts(Watched::Complaints, until, 13).unwrap();
        assert_eq!(complaints.iter().sum::<u32>(), 5);
        assert_eq!(complaints[12], 5);
        let texts = db
            .watched_texts(Watched::Mentions, until - Duration::hours(1), until, 3)
            .unwrap();
        assert_eq!(texts, ["hello shop"; 3]);
    }
}

both_backends! {
    fn a_burst_of_complaints_is_measured_with_its_words(db) {
        let until = at(13 * 60);
        for hour in 0..12 {
            posts(
                db,
                &format!("h{hour}-"),
                hour * 60 + 10,
                2,
                false,
                "my order is late",
            );
        }
        posts(
            db,
            "now",
            12 * 60 + 15,
            14,
            false,
            "the clasp broke, I want a refund",
        );
        let spikes = spike::measure(&*db, &SpikeRule::default(), until).unwrap();
        assert_eq!(spikes.len(), 1, "{spikes:?}");
        let s = &spikes[0];
        assert_eq!(
            (s.watched, s.count, s.usual),
            (Watched::Complaints, 14, 2.0)
        );
        assert_eq!(s.words, ["broke", "clasp", "refund"]);
        // An hour later the burst is the usual rate's past: nothing.
        assert!(
            spike::measure(&*db, &SpikeRule::default(), until + Duration::hours(2))
                .unwrap()
                .is_empty()
        );
    }
}
