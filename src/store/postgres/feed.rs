//! `ChangeFeed` on PostgreSQL: the `change_feed` table plus the in-process broadcast.

use async_trait::async_trait;
use tokio::sync::broadcast;

use super::{PgStore, big, map_err};
use crate::store::common::prune_changes_sql;
use crate::store::{Change, ChangeFeed, StoreError};

#[async_trait]
impl ChangeFeed for PgStore {
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT seq, kind, entity_id, team_id, channel_id, user_id, data, create_at
                 FROM change_feed WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&after, &big(limit)])
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get(6)?;
                Ok(Change {
                    seq: row.try_get(0)?,
                    kind: row.try_get(1)?,
                    entity_id: row.try_get(2)?,
                    team_id: row.try_get(3)?,
                    channel_id: row.try_get(4)?,
                    user_id: row.try_get(5)?,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                    create_at: row.try_get(7)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(map_err)
    }

    async fn last_seq(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT COALESCE(MAX(seq), 0)::BIGINT FROM change_feed", &[])
            .await
            .map_err(map_err)?;
        row.try_get(0).map_err(map_err)
    }

    async fn prune_changes(
        &self,
        below_seq: i64,
        before: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client
            .execute(
                &prune_changes_sql("$1", "$2", "$3"),
                &[&below_seq, &before, &big(limit)],
            )
            .await
            .map_err(map_err)
    }

    fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.feed.subscribe()
    }
}
