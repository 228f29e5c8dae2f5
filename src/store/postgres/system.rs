//! `SystemStore` on PostgreSQL: the `systems` table.

use async_trait::async_trait;

use super::{PgStore, map_err, one};
use crate::store::{ChangeDraft, StoreError, SystemStore};

const SYSTEM_VALUE_UPDATED: &str = "system_value_updated";

fn draft(name: &str, value: &str) -> ChangeDraft {
    ChangeDraft {
        kind: SYSTEM_VALUE_UPDATED,
        entity_id: name.to_string(),
        data: serde_json::json!({ "name": name, "value": value }),
        ..ChangeDraft::default()
    }
}

#[async_trait]
impl SystemStore for PgStore {
    async fn get_system_value(&self, name: &str) -> Result<String, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT value FROM systems WHERE name = $1", &[&name])
            .await
            .map_err(map_err)?;
        one(rows)?.try_get(0).map_err(map_err)
    }

    async fn set_system_value(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.client()
            .execute(
                "INSERT INTO systems (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                &[&name, &value],
            )
            .await
            .map_err(map_err)?;
        tx.emit(draft(name, value))?;
        tx.commit().await
    }

    async fn init_system_value(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let mut tx = self.begin().await?;
        let inserted = tx
            .client()
            .execute(
                "INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .await
            .map_err(map_err)?;
        if inserted == 0 {
            let rows = tx
                .client()
                .query("SELECT value FROM systems WHERE name = $1", &[&name])
                .await
                .map_err(map_err)?;
            let existing: String = one(rows)?.try_get(0).map_err(map_err)?;
            tx.commit().await?;
            return Ok(existing);
        }
        tx.emit(draft(name, value))?;
        tx.commit().await?;
        Ok(value.to_string())
    }

    async fn health_check(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.query_one("SELECT 1", &[]).await.map_err(map_err)?;
        Ok(())
    }
}
