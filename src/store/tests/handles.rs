use super::customer;
use crate::domain::{Handle, Network};
use crate::store::repository::*;
use crate::store::{Db, StoreError};

fn linked(network: Network, handle: &str) -> Handle {
    Handle {
        network,
        handle: handle.into(),
        linked: true,
    }
}

both_backends! {
    fn a_linked_handle_is_stored_once_and_survives_every_import(db) {
        let all = db
            .import_customers(
                &super::super::run(),
                &[customer(
                    "C1",
                    1,
                    &[(Network::Mastodon, "ana@example.social")],
                )],
            )
            .unwrap();
        let ana = all[0].id;
        let h = linked(Network::Bluesky, "ana.bsky.social");
        let after = db.link_handle(ana, &h).unwrap();
        assert!(after.handles.contains(&h), "{:?}", after.handles);
        // Twice is harmless: still one.
        let again = db.link_handle(ana, &h).unwrap();
        assert_eq!(again.handles, after.handles);
        // Re-imports (with and without the customer in the top N) keep it.
        let all = db
            .import_customers(
                &super::super::run(),
                &[customer(
                    "C1",
                    2,
                    &[(Network::Mastodon, "ana@example.social")],
                )],
            )
            .unwrap();
        assert!(all[0].handles.contains(&h));
        let all = db
            .import_customers(&super::super::run(), &[customer("C9", 1, &[])])
            .unwrap();
        let former = all.iter().find(|c| c.id == ana).unwrap();
        assert!(former.former && former.handles.contains(&h));
        assert_eq!(
            db.customer_by_handle(Network::Bluesky, "ANA.bsky.social"),
            Some(ana)
        );
    }
}

both_backends! {
    fn linking_an_imported_handle_confirms_it_and_an_import_then_keeps_it(db) {
        let all = db
            .import_customers(
                &super::super::run(),
                &[customer("C1", 1, &[(Network::X, "ana_r")])],
            )
            .unwrap();
        let after = db
            .link_handle(all[0].id, &linked(Network::X, "ana_r"))
            .unwrap();
        assert_eq!(after.handles, [linked(Network::X, "ana_r")]);
        let all = db
            .import_customers(&super::super::run(), &[customer("C1", 1, &[])])
            .unwrap();
        assert_eq!(all[0].handles, [linked(Network::X, "ana_r")]);
    }
}

both_backends! {
    fn a_handle_held_by_another_customer_is_refused_naming_them(db) {
        let all = db
            .import_customers(
                &super::super::run(),
                &[
                    customer("C1", 1, &[(Network::Bluesky, "bo.bsky.social")]),
                    customer("C2", 2, &[]),
                ],
            )
            .unwrap();
        let err = db
            .link_handle(all[1].id, &linked(Network::Bluesky, "Bo.bsky.social"))
            .unwrap_err();
        match err {
            StoreError::Conflict(why) => assert!(
                why.contains("Customer C1")
                    && why.contains("(customer C1)")
                    && why.contains("Customer C2"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(db.customers().unwrap()[1].handles.is_empty());
    }
}

both_backends! {
    fn unlink_removes_linked_and_imported_handles(db) {
        let all = db
            .import_customers(
                &super::super::run(),
                &[customer(
                    "C1",
                    1,
                    &[(Network::Mastodon, "ana@example.social")],
                )],
            )
            .unwrap();
        let ana = all[0].id;
        db.link_handle(ana, &linked(Network::X, "ana_r")).unwrap();
        let after = db.unlink_handle(ana, Network::X, "@ANA_R").unwrap();
        assert_eq!(after.handles.len(), 1);
        let after = db
            .unlink_handle(ana, Network::Mastodon, "ana@example.social")
            .unwrap();
        assert!(after.handles.is_empty());
        let err = db.unlink_handle(ana, Network::X, "ana_r").unwrap_err();
        assert!(err.to_string().contains("has no x handle ana_r"), "{err}");
        // The imported one comes back with the next import that lists it; the linked one does not.
        let all = db
            .import_customers(
                &super::super::run(),
                &[customer(
                    "C1",
                    1,
                    &[(Network::Mastodon, "ana@example.social")],
                )],
            )
            .unwrap();
        assert_eq!(all[0].handles.len(), 1);
        assert!(
            db.link_handle(crate::domain::CustomerId(999), &linked(Network::X, "zed"))
                .unwrap_err()
                .to_string()
                .contains("not stored")
        );
    }
}

#[test]
fn posts_already_stored_follow_a_linked_handle_and_leave_with_it() {
    use super::{complaint, new_post};
    let mut db = Db::open_in_memory().unwrap();
    let all = db
        .import_customers(&super::run(), &[customer("C9", 1, &[])])
        .unwrap();
    let ana = all[0].id;
    // Two posts by ana@example.social before anyone knew her (one a complaint), one by someone else.
    let mut other = new_post("p3", 3, "hello");
    other.incoming.author.handle = "bo@example.social".into();
    db.insert_batch(
        "m",
        &[new_post("p1", 1, "hi"), complaint("p2", 2), other],
        &[],
    )
    .unwrap();
    let owner = |db: &Db, native: &str| -> (Option<i64>, Option<f64>) {
        db.conn
            .query_row(
                "SELECT customer_id, attention_rank FROM posts WHERE native_id = ?1",
                [native],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let rank_before = owner(&db, "p2").1;
    db.link_handle(ana, &linked(Network::Mastodon, "Ana@Example.Social"))
        .unwrap();
    assert_eq!(owner(&db, "p1").0, Some(ana.0));
    assert_eq!(owner(&db, "p2").0, Some(ana.0));
    assert_eq!(owner(&db, "p3").0, None);
    assert!(
        owner(&db, "p2").1 > rank_before,
        "a regular's complaint ranks higher: {rank_before:?} -> {:?}",
        owner(&db, "p2").1
    );
    db.unlink_handle(ana, Network::Mastodon, "ana@example.social")
        .unwrap();
    assert_eq!(owner(&db, "p1").0, None);
    assert_eq!(owner(&db, "p2").1, rank_before);
}
