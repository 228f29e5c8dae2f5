//! `SystemStore` on SQLite: the `systems` table.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, map_err};
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
impl SystemStore for SqliteStore {
    async fn get_system_value(&self, name: &str) -> Result<String, StoreError> {
        let name = name.to_string();
        self.read(move |conn| {
            conn.query_row("SELECT value FROM systems WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .map_err(map_err)
        })
        .await
    }

    async fn set_system_value(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let (name, value) = (name.to_string(), value.to_string());
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO systems (name, value) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        params![name, value],
                    )
                    .map_err(map_err)?;
                tx.emit(draft(&name, &value))?;
                Ok(())
            })
            .await
    }

    async fn init_system_value(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let (name, value) = (name.to_string(), value.to_string());
        self.writer
            .write(move |tx| {
                let existing: Option<String> = tx
                    .conn()
                    .query_row(
                        "SELECT value FROM systems WHERE name = ?1",
                        [&name],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(map_err)?;
                if let Some(existing) = existing {
                    return Ok(existing);
                }
                tx.conn()
                    .execute(
                        "INSERT INTO systems (name, value) VALUES (?1, ?2)",
                        params![name, value],
                    )
                    .map_err(map_err)?;
                tx.emit(draft(&name, &value))?;
                Ok(value)
            })
            .await
    }

    async fn health_check(&self) -> Result<(), StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))
                .map_err(map_err)?;
            Ok(())
        })
        .await
    }
}
