use super::customer;
use crate::domain::{CustomerId, Network};
use crate::store::StoreError;

both_backends! {
    fn upsert_assigns_ids_orders_by_rank_and_replaces_handles(db) {
        let first = db
            .import_customers(
                &super::super::run(),
                &[
                    customer("C2", 2, &[(Network::Bluesky, "bo.bsky.social")]),
                    customer(
                        "C1",
                        1,
                        &[
                            (Network::Mastodon, "Ana@Example.Social"),
                            (Network::Bluesky, "ana.bsky.social"),
                        ],
                    ),
                ],
            )
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

        // Re-import: same ids, new rank/name, imported handles replaced; C2, no longer in the top, is kept as a
        // former regular with their handles.
        let mut c1 = customer("C1", 3, &[(Network::Mastodon, "ana@example.social")]);
        c1.name = "Ana Ruiz".into();
        c1.id = CustomerId(777); // ignored
        c1.note = "from the import".into();
        let all = db.import_customers(&super::super::run(), &[c1]).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, ana);
        assert_eq!(all[0].name, "Ana Ruiz");
        assert_eq!(all[0].handles.len(), 1);
        assert_eq!(all[0].rank, 3);
        assert_eq!(
            all[0].note, "",
            "an import never overwrites the shop's notes"
        );
        assert!(!all[0].former);
        assert_eq!((all[1].external_id.as_str(), all[1].former), ("C2", true));
        assert_eq!(all[1].value(), None, "a former regular weighs as anyone");
        assert_eq!(all[1].handles.len(), 1);
        assert_eq!(
            db.customer_by_handle(Network::Bluesky, "ana.bsky.social"),
            None
        );
        // Back in the top N: a regular again, same record.
        let again = db
            .import_customers(&super::super::run(), &[customer("C2", 1, &[])])
            .unwrap();
        assert_eq!(
            (again[0].external_id.as_str(), again[0].former),
            ("C2", false)
        );
        assert_eq!(again[1].external_id, "C1");
        assert!(again[1].former);
    }
}

both_backends! {
    fn handle_lookup_is_case_insensitive_and_per_network(db) {
        let ids = db
            .import_customers(
                &super::super::run(),
                &[customer(
                    "C1",
                    1,
                    &[(Network::Mastodon, "Ana@Example.Social")],
                )],
            )
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
}

both_backends! {
    fn a_handle_claimed_by_two_customers_is_a_conflict_and_writes_nothing(db) {
        let err = db
            .import_customers(
                &super::super::run(),
                &[
                    customer("C1", 1, &[(Network::Mastodon, "same@example.social")]),
                    customer("C2", 2, &[(Network::Mastodon, "SAME@example.social")]),
                ],
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert!(
            err.to_string().contains("C1") && err.to_string().contains("C2"),
            "{err}"
        );
        assert!(db.customers().unwrap().is_empty());
    }
}
