//! Claims on a post before a reply goes out: granted once, teammates named, overrides only when confirmed.

use super::{at, complaint};
use crate::domain::{Claim, Network, PostId, Reply, Taken};
use crate::store::StoreError;
use crate::store::repository::*;

fn post(db: &mut dyn super::TestDb) -> PostId {
    db.insert_batch("m", &[complaint("1", 0)], &[]).unwrap()[0].id
}

fn taken(claim: Claim) -> Taken {
    match claim {
        Claim::Taken(t) => t,
        Claim::Granted => panic!("granted, expected taken"),
    }
}

both_backends! {
    fn a_claimed_post_names_its_holder_to_teammates(db) {
        let p = post(db);
        assert_eq!(db.claim_reply(p, "ana", "k-ana", at(1), false).unwrap(), Claim::Granted);
        let t = taken(db.claim_reply(p, "ben", "k-ben", at(2), false).unwrap());
        assert_eq!(t, Taken { by: "ana".into(), at: at(1), replied: false });
        // Ana's resend of the same attempt, and a new attempt of hers, are hers to make.
        assert_eq!(db.claim_reply(p, "ana", "k-ana", at(3), false).unwrap(), Claim::Granted);
        assert_eq!(db.claim_reply(p, "ana", "k-ana-2", at(4), false).unwrap(), Claim::Granted);
    }

    fn a_recorded_reply_is_named_with_its_time(db) {
        let p = post(db);
        db.claim_reply(p, "ana", "k-ana", at(1), false).unwrap();
        let reply = Reply {
            post: p,
            network: Network::Mastodon,
            text: "So sorry".into(),
            sent_at: at(2),
            url: None,
            remote_id: Some("500".into()),
            idempotency_key: Some("k-ana".into()),
            staff: "ana".into(),
        };
        db.record_reply(&reply, None).unwrap();
        let t = taken(db.claim_reply(p, "ben", "k-ben", at(5), false).unwrap());
        assert_eq!(t, Taken { by: "ana".into(), at: at(2), replied: true });
    }

    fn sending_anyway_takes_the_claim_over(db) {
        let p = post(db);
        db.claim_reply(p, "ana", "k-ana", at(1), false).unwrap();
        assert_eq!(db.claim_reply(p, "ben", "k-ben", at(2), true).unwrap(), Claim::Granted);
        let t = taken(db.claim_reply(p, "cy", "k-cy", at(3), false).unwrap());
        assert_eq!(t.by, "ben");
    }

    fn a_released_claim_asks_nobody(db) {
        let p = post(db);
        db.claim_reply(p, "ana", "k-ana", at(1), false).unwrap();
        // Another attempt's key releases nothing.
        db.release_claim(p, "k-other").unwrap();
        assert!(matches!(db.claim_reply(p, "ben", "k-ben", at(2), false).unwrap(), Claim::Taken(_)));
        db.release_claim(p, "k-ana").unwrap();
        assert_eq!(db.claim_reply(p, "ben", "k-ben", at(3), false).unwrap(), Claim::Granted);
    }

    fn a_post_not_stored_cannot_be_claimed(db) {
        let e = db.claim_reply(PostId(999), "ana", "k", at(1), false).unwrap_err();
        assert!(matches!(e, StoreError::Conflict(ref m) if m.contains("not stored")), "{e}");
    }
}

#[test]
fn an_override_is_recorded() {
    let mut db = super::backends::sqlite();
    let p = post(&mut db);
    db.claim_reply(p, "ana", "k-ana", at(1), false).unwrap();
    db.claim_reply(p, "ben", "k-ben", at(2), true).unwrap();
    let row: (String, String, bool) = db
        .conn
        .query_row(
            "SELECT staff, over, replied FROM claim_overrides",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(row, ("ben".into(), "ana".into(), false));
}
