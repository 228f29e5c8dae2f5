//! `ChangeFeed` on SQLite: the `change_feed` table plus the in-process broadcast.

use async_trait::async_trait;
use tokio::sync::broadcast;

use super::{SqliteStore, map_err};
use crate::store::common::prune_changes_sql;
use crate::store::{Change, ChangeFeed, StoreError};

#[async_trait]
impl ChangeFeed for SqliteStore {
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT seq, kind, entity_id, team_id, channel_id, user_id, data, create_at
                     FROM change_feed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map(rusqlite::params![after, limit], |row| {
                    let data: String = row.get(6)?;
                    Ok(Change {
                        seq: row.get(0)?,
                        kind: row.get(1)?,
                        entity_id: row.get(2)?,
                        team_id: row.get(3)?,
                        channel_id: row.get(4)?,
                        user_id: row.get(5)?,
                        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                        create_at: row.get(7)?,
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
        })
        .await
    }

    async fn last_seq(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM change_feed", [], |row| {
                row.get(0)
            })
            .map_err(map_err)
        })
        .await
    }

    async fn prune_changes(
        &self,
        below_seq: i64,
        before: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.writer
            .write(move |tx| {
                let deleted = tx
                    .conn()
                    .execute(
                        &prune_changes_sql("?1", "?2", "?3"),
                        rusqlite::params![below_seq, before, limit],
                    )
                    .map_err(map_err)?;
                Ok(deleted as u64)
            })
            .await
    }

    fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.feed.subscribe()
    }
}
