//! Keeping the change feed from growing without end.
//!
//! Every follower of the feed is past a change once it is older than a week and below
//! the search index's position: the index has it, WebSocket clients replay from their
//! own buffers (minutes), and the hub catches up from seconds ago. Such changes are
//! deleted in small batches, so the writer is never held for long. The newest change is
//! always kept, so the feed's position survives.

use std::time::Duration;

use crate::model::now_millis;
use crate::state::AppState;
use crate::store::StoreError;

/// How long a change is kept at least.
pub const RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How often old changes are looked for (the first time shortly after start).
const EVERY: Duration = Duration::from_secs(60 * 60);
const FIRST_AFTER: Duration = Duration::from_secs(2);
/// Changes deleted per transaction.
const BATCH: u32 = 5000;

/// Deletes the changes every follower is done with, as of `now`; returns how many.
/// Nothing is deleted without a search index to ask how far it has read.
pub async fn prune(state: &AppState, now: i64) -> Result<u64, StoreError> {
    let Some(search) = &state.search else {
        return Ok(0);
    };
    let below_seq = search.index().seq();
    let before = now - i64::try_from(RETENTION.as_millis()).unwrap_or(i64::MAX);
    let mut deleted = 0;
    loop {
        let batch = state.store.prune_changes(below_seq, before, BATCH).await?;
        deleted += batch;
        if batch < u64::from(BATCH) {
            return Ok(deleted);
        }
        // Let other writers in between batches.
        tokio::task::yield_now().await;
    }
}

/// Prunes now and then, for as long as the server runs.
pub fn keep_pruning(state: AppState) {
    actix_web::rt::spawn(async move {
        tokio::time::sleep(FIRST_AFTER).await;
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            match prune(&state, now_millis()).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    deleted,
                    "removed changes older than a week from the change feed"
                ),
                Err(error) => tracing::warn!(%error, "cannot prune the change feed"),
            }
        }
    });
}
