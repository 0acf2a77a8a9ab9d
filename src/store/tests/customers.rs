use super::customer;
use crate::domain::{CustomerId, Network};
use crate::store::repository::*;
use crate::store::{Db, StoreError};

#[test]
fn upsert_assigns_ids_orders_by_rank_and_replaces_handles() {
    let mut db = Db::open_in_memory().unwrap();
    let first = db
        .upsert_customers(&[
            customer("C2", 2, &[(Network::Bluesky, "bo.bsky.social")]),
            customer(
                "C1",
                1,
                &[
                    (Network::Mastodon, "Ana@Example.Social"),
                    (Network::Bluesky, "ana.bsky.social"),
                ],
            ),
        ])
        .unwrap();
    assert_eq!(
        first
            .iter()
            .map(|c| c.external_id.as_str())
            .collect::<Vec<_>>(),
        ["C1", "C2"]
    );
    assert!(first.iter().all(|c| c.id != CustomerId(0)));
    let ana = first[0].id;

    // Re-import: same ids, new rank/name, handles replaced.
    let mut c1 = customer("C1", 3, &[(Network::Mastodon, "ana@example.social")]);
    c1.name = "Ana Ruiz".into();
    c1.id = CustomerId(777); // ignored
    let second = db.upsert_customers(&[c1]).unwrap();
    assert_eq!(second[0].id, ana);
    let all = db.customers().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].external_id, "C2");
    assert_eq!(all[1].name, "Ana Ruiz");
    assert_eq!(all[1].handles.len(), 1);
    assert_eq!(all[1].rank, 3);
    assert_eq!(
        db.customer_by_handle(Network::Bluesky, "ana.bsky.social"),
        None
    );
}

#[test]
fn handle_lookup_is_case_insensitive_and_per_network() {
    let mut db = Db::open_in_memory().unwrap();
    let ids = db
        .upsert_customers(&[customer(
            "C1",
            1,
            &[(Network::Mastodon, "Ana@Example.Social")],
        )])
        .unwrap();
    let found = db.customer_by_handle(Network::Mastodon, "ana@EXAMPLE.social");
    assert_eq!(found, Some(ids[0].id));
    assert_eq!(
        db.customer_by_handle(Network::Mastodon, "@ana@example.social"),
        Some(ids[0].id)
    );
    assert_eq!(
        db.customer_by_handle(Network::Bluesky, "ana@example.social"),
        None
    );
    assert_eq!(
        db.customer_by_handle(Network::Mastodon, "bob@example.social"),
        None
    );
}

#[test]
fn a_handle_claimed_by_two_customers_is_a_conflict_and_writes_nothing() {
    let mut db = Db::open_in_memory().unwrap();
    let err = db
        .upsert_customers(&[
            customer("C1", 1, &[(Network::Mastodon, "same@example.social")]),
            customer("C2", 2, &[(Network::Mastodon, "SAME@example.social")]),
        ])
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        err.to_string().contains("C1") && err.to_string().contains("C2"),
        "{err}"
    );
    assert!(db.customers().unwrap().is_empty());
}
