//! The change feed, through the store's public trait: strictly increasing sequence
//! numbers under concurrent writers, live broadcast in commit order, nothing from a
//! failed write, and no sequence number reused after a restart.

use std::sync::Arc;

use hearth::store::{Store, StoreError};

use crate::support::data_dir;

async fn open(dir: &std::path::Path) -> Arc<dyn Store> {
    crate::support::open_store(dir).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sequence_strictly_increases_under_concurrent_writers() {
    let data = data_dir();
    let store = open(data.path()).await;
    let mut live = store.subscribe();

    let writers: Vec<_> = (0..64)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.set_system_value(&format!("key{i}"), "v").await })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }

    let stored = store.changes_since(0, 1000).await.unwrap();
    assert_eq!(stored.len(), 64);
    assert!(stored.windows(2).all(|w| w[0].seq < w[1].seq), "{stored:?}");
    assert_eq!(store.last_seq().await.unwrap(), stored[63].seq);
    let mut names: Vec<_> = stored.iter().map(|c| c.entity_id.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 64, "every write is in the feed exactly once");

    // Subscribers see the same changes in the same order.
    for expected in &stored {
        let change = live.recv().await.unwrap();
        assert_eq!(&change, expected);
    }

    // Paging through the feed from a high-water mark.
    let after = store.changes_since(stored[9].seq, 5).await.unwrap();
    assert_eq!(after, stored[10..15]);
}

#[tokio::test]
async fn a_failed_write_leaves_no_feed_row() {
    let data = data_dir();
    let store = open(data.path()).await;
    store.set_system_value("before", "1").await.unwrap();
    let seq = store.last_seq().await.unwrap();

    let error = store.set_system_value("", "nameless").await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    assert_eq!(store.last_seq().await.unwrap(), seq);

    store.set_system_value("after", "2").await.unwrap();
    let changes = store.changes_since(seq, 10).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].entity_id, "after");
    assert_eq!(changes[0].data["value"], "2");
}

#[tokio::test]
async fn sequence_continues_after_reopening() {
    let data = data_dir();
    let store = open(data.path()).await;
    store.set_system_value("a", "1").await.unwrap();
    store.set_system_value("b", "1").await.unwrap();
    let last = store.last_seq().await.unwrap();
    drop(store);

    let store = open(data.path()).await;
    assert_eq!(store.get_system_value("b").await.unwrap(), "1");
    assert_eq!(store.init_system_value("a", "2").await.unwrap(), "1");
    store.set_system_value("c", "1").await.unwrap();
    let changes = store.changes_since(last, 10).await.unwrap();
    assert_eq!(
        changes.len(),
        1,
        "init of an existing value records nothing"
    );
    assert!(changes[0].seq > last);
    assert!(matches!(
        store.get_system_value("missing").await,
        Err(StoreError::NotFound)
    ));
}
