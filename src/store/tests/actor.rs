use super::{cursor, new_post};
use crate::store::{Store, StoreError};

#[tokio::test]
async fn async_calls_run_on_the_store_thread() {
    let store = Store::open_in_memory().unwrap();
    let stored = store
        .call(|db| db.insert_batch("demo", &[new_post("1", 0, "hi")], &[cursor("k", "v")]))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    let other = store.clone();
    let (count, cursors) = tokio::join!(
        other.call(|db| db.post_count()),
        store.call(|db| db.cursors("demo"))
    );
    assert_eq!(count.unwrap(), 1);
    assert_eq!(cursors.unwrap()["k"], "v");
    store.close().await;
    assert!(matches!(
        other.call(|db| db.post_count()).await,
        Err(StoreError::Closed)
    ));
}

#[test]
fn blocking_calls_and_file_db() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = Store::open(&path).unwrap();
    store
        .call_blocking(|db| db.insert_batch("demo", &[new_post("1", 0, "hi")], &[]))
        .unwrap();

    store.close_blocking();
    // The file is closed: it can be opened again.
    let again = Store::open(&path).unwrap();
    assert_eq!(again.call_blocking(|db| db.post_count()).unwrap(), 1);
}

#[test]
fn a_panicking_request_is_reported_and_the_store_carries_on() {
    let store = Store::open_in_memory().unwrap();
    let result: Result<(), StoreError> = store.call_blocking(|_| panic!("boom"));
    match result {
        Err(StoreError::Panicked(why)) => assert!(why.contains("boom")),
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(store.call_blocking(|db| db.post_count()).unwrap(), 0);
}

#[test]
fn calls_after_close_are_closed() {
    let store = Store::open_in_memory().unwrap();
    let handle = store.clone();
    drop(store);
    // One handle remains: still open.
    assert_eq!(handle.call_blocking(|db| db.post_count()).unwrap(), 0);
    handle.close_blocking();
    assert!(matches!(
        handle.call_blocking(|db| db.post_count()),
        Err(StoreError::Closed)
    ));
    handle.close_blocking(); // closing twice is harmless
}

#[test]
fn store_is_send_sync_and_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<Store>();
}
