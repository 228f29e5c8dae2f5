//! The change feed and system values: ordering, atomicity with the change, concurrent
//! writers, live delivery.

use crate::store::{Store, StoreError};

async fn system_values_round_trip_and_emit_changes(store: &dyn Store) {
    assert!(matches!(
        store.get_system_value("missing").await,
        Err(StoreError::NotFound)
    ));
    let before = store.last_seq().await.unwrap();
    store.set_system_value("Alpha", "1").await.unwrap();
    store
        .set_system_value("Alpha", "2 ✓ ünïcødé")
        .await
        .unwrap();
    assert_eq!(
        store.get_system_value("Alpha").await.unwrap(),
        "2 ✓ ünïcødé"
    );
    assert_eq!(
        store.init_system_value("Alpha", "3").await.unwrap(),
        "2 ✓ ünïcødé"
    );
    assert_eq!(store.init_system_value("Beta", "b").await.unwrap(), "b");
    let changes = store.changes_since(before, 100).await.unwrap();
    let kinds: Vec<_> = changes
        .iter()
        .map(|c| (c.kind.as_str(), c.entity_id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("system_value_updated", "Alpha"),
            ("system_value_updated", "Alpha"),
            ("system_value_updated", "Beta")
        ]
    );
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(store.last_seq().await.unwrap(), changes[2].seq);
    // Paging through the feed.
    let first = store.changes_since(before, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    let rest = store.changes_since(first[0].seq, 100).await.unwrap();
    assert_eq!(rest.len(), 2);
    store.health_check().await.unwrap();
}

async fn a_refused_write_leaves_no_change(store: &dyn Store) {
    let before = store.last_seq().await.unwrap();
    // Names are 1–64 characters; the engine refuses the rest.
    let error = store.set_system_value("", "x").await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    let long = "n".repeat(65);
    assert!(store.set_system_value(&long, "x").await.is_err());
    assert_eq!(store.last_seq().await.unwrap(), before);
    // A large value is kept whole.
    let big = "ü".repeat(300_000);
    store.set_system_value("big", &big).await.unwrap();
    assert_eq!(store.get_system_value("big").await.unwrap(), big);
}

async fn concurrent_writers_are_all_kept_in_one_order(store: &dyn Store) {
    let before = store.last_seq().await.unwrap();
    let mut live = store.subscribe();
    let names: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
    let writes = names.iter().map(|name| store.set_system_value(name, "v"));
    for result in futures_util::future::join_all(writes).await {
        result.unwrap();
    }
    let changes = store.changes_since(before, 1000).await.unwrap();
    assert_eq!(changes.len(), 40);
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    let mut names: Vec<_> = changes.iter().map(|c| c.entity_id.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 40);
    // Live subscribers hear every change, in seq order, exactly once.
    let mut heard = Vec::new();
    for _ in 0..40 {
        heard.push(live.recv().await.unwrap().seq);
    }
    assert_eq!(heard, changes.iter().map(|c| c.seq).collect::<Vec<_>>());
}

async fn old_changes_are_pruned_but_the_position_stays(store: &dyn Store) {
    let start = store.last_seq().await.unwrap();
    for i in 0..10 {
        store.set_system_value(&format!("p{i}"), "v").await.unwrap();
    }
    let seqs: Vec<i64> = store
        .changes_since(start, 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    let remaining = |after: i64| async move {
        let changes = store.changes_since(after, 100).await.unwrap();
        changes.iter().map(|c| c.seq).collect::<Vec<_>>()
    };
    let later = crate::model::now_millis() + 60_000;
    // Too recent: nothing goes.
    assert_eq!(store.prune_changes(i64::MAX, 0, 100).await.unwrap(), 0);
    // Only `limit` at a time, oldest first, and only below the position.
    let all = remaining(0).await;
    assert_eq!(store.prune_changes(seqs[5], later, 2).await.unwrap(), 2);
    assert_eq!(remaining(0).await, all[2..]);
    let below = all.iter().filter(|seq| **seq < seqs[5]).count() as u64;
    assert_eq!(
        store.prune_changes(seqs[5], later, 100).await.unwrap(),
        below - 2
    );
    assert_eq!(remaining(0).await, seqs[5..]);
    // However far it is asked to go, the newest change stays, and so does the position.
    store.prune_changes(i64::MAX, later, 100).await.unwrap();
    assert_eq!(remaining(0).await, [seqs[9]]);
    assert_eq!(store.last_seq().await.unwrap(), seqs[9]);
    store.set_system_value("after", "v").await.unwrap();
    assert!(store.last_seq().await.unwrap() > seqs[9]);
}

super::suite!(
    old_changes_are_pruned_but_the_position_stays,
    system_values_round_trip_and_emit_changes,
    a_refused_write_leaves_no_change,
    concurrent_writers_are_all_kept_in_one_order,
);
