//! `PreferenceStore` on PostgreSQL: the `preferences`, `statuses` and `custom_statuses`
//! tables.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;

use super::{PgStore, WriteTx, map_err, one};
use crate::model::{CustomStatus, Preference, Presence, Status, StatusChange, now_millis};
use crate::store::common::preferences_change;
use crate::store::{ChangeDraft, PreferenceStore, StoreError};

const PREFERENCE_COLUMNS: &str = "user_id, category, name, value";

fn preference_from_row(row: &Row) -> Result<Preference, tokio_postgres::Error> {
    Ok(Preference {
        user_id: row.try_get(0)?,
        category: row.try_get(1)?,
        name: row.try_get(2)?,
        value: row.try_get(3)?,
    })
}

fn preferences_from_rows(rows: &[Row]) -> Result<Vec<Preference>, StoreError> {
    super::from_rows(rows, preference_from_row)
}

/// Reads a stored presence; an unknown word (written by a newer version) reads as offline.
fn presence(text: Option<String>) -> Presence {
    text.as_deref()
        .and_then(Presence::parse)
        .unwrap_or(Presence::Offline)
}

/// The user's stored status, locked until the transaction ends so that two changes to
/// one status apply one after the other (as SQLite's single writer does).
async fn locked_status(
    client: &ClientWrapper,
    user_id: &str,
) -> Result<Option<Status>, StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT status, manual, last_activity_at, dnd_end_time FROM statuses
             WHERE user_id = $1 FOR UPDATE",
        )
        .await
        .map_err(map_err)?;
    let Some(row) = client
        .query_opt(&stmt, &[&user_id])
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let status = (|| {
        Ok::<_, tokio_postgres::Error>(Status {
            status: presence(row.try_get(0)?),
            manual: row.try_get(1)?,
            last_activity_at: row.try_get(2)?,
            dnd_end_time: row.try_get(3)?,
            ..Status::offline(user_id)
        })
    })()
    .map_err(map_err)?;
    Ok(Some(status))
}

#[async_trait]
impl PreferenceStore for PgStore {
    async fn get_preferences(&self, user_id: &str) -> Result<Vec<Preference>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {PREFERENCE_COLUMNS} FROM preferences WHERE user_id = $1
                 ORDER BY category COLLATE \"C\", name COLLATE \"C\""
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_id]).await.map_err(map_err)?;
        preferences_from_rows(&rows)
    }

    async fn get_preferences_in_category(
        &self,
        user_id: &str,
        category: &str,
    ) -> Result<Vec<Preference>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {PREFERENCE_COLUMNS} FROM preferences
                 WHERE user_id = $1 AND category = $2 ORDER BY name COLLATE \"C\""
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &category])
            .await
            .map_err(map_err)?;
        preferences_from_rows(&rows)
    }

    async fn get_preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> Result<Preference, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {PREFERENCE_COLUMNS} FROM preferences
                 WHERE user_id = $1 AND category = $2 AND name = $3"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &category, &name])
            .await
            .map_err(map_err)?;
        preference_from_row(&one(rows)?).map_err(map_err)
    }

    async fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        save_in(&mut tx, user_id, preferences).await?;
        tx.commit().await
    }

    async fn delete_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        delete_in(&mut tx, user_id, preferences).await?;
        tx.commit().await
    }

    async fn get_statuses(&self, user_ids: &[String]) -> Result<Vec<Status>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        // Users without a status row come back with NULLs: the default status.
        let stmt = client
            .prepare_cached(
                "SELECT u.id, s.status, s.manual, s.last_activity_at, s.dnd_end_time
                 FROM users u LEFT JOIN statuses s ON s.user_id = u.id
                 WHERE u.id = ANY($1)",
            )
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_ids]).await.map_err(map_err)?;
        rows.iter()
            .map(|row| {
                let user_id: String = row.try_get(0)?;
                Ok(Status {
                    status: presence(row.try_get(1)?),
                    manual: row.try_get::<_, Option<bool>>(2)?.unwrap_or(false),
                    last_activity_at: row.try_get::<_, Option<i64>>(3)?.unwrap_or(0),
                    dnd_end_time: row.try_get::<_, Option<i64>>(4)?.unwrap_or(0),
                    ..Status::offline(&user_id)
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(map_err)
    }

    async fn update_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_ms: i64,
    ) -> Result<Status, StoreError> {
        let mut tx = self.begin().await?;
        // Read and write in one transaction, with the row locked: a status chosen by hand
        // can never be overwritten by an activity update that read the state before it.
        // A user without a row has nothing to lock; if another writer creates the row
        // between our read and our insert, the insert does nothing and we start again
        // from the row it wrote (now locked by us).
        let (before, after) = loop {
            let stored = locked_status(tx.client(), user_id).await?;
            let exists = stored.is_some();
            let before = stored.unwrap_or_else(|| Status::offline(user_id));
            let after = before.after(change, now_ms);
            if after == before {
                break (before, after);
            }
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] = [
                &after.user_id,
                &after.status.as_str(),
                &after.manual,
                &after.last_activity_at,
                &after.dnd_end_time,
            ];
            if exists {
                let stmt = tx
                    .client()
                    .prepare_cached(
                        "UPDATE statuses SET status = $2, manual = $3, last_activity_at = $4,
                            dnd_end_time = $5
                         WHERE user_id = $1",
                    )
                    .await
                    .map_err(map_err)?;
                tx.client().execute(&stmt, &params).await.map_err(map_err)?;
                break (before, after);
            }
            let stmt = tx
                .client()
                .prepare_cached(
                    "INSERT INTO statuses (user_id, status, manual, last_activity_at, dnd_end_time)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (user_id) DO NOTHING",
                )
                .await
                .map_err(map_err)?;
            if tx.client().execute(&stmt, &params).await.map_err(map_err)? == 1 {
                break (before, after);
            }
        };
        let chosen = matches!(change, StatusChange::Chosen { .. });
        if after.status != before.status || chosen {
            tx.emit(ChangeDraft {
                kind: "status_change",
                entity_id: user_id.to_string(),
                user_id: user_id.to_string(),
                data: serde_json::json!({
                    "status": after.status.as_str(),
                    "user_id": user_id,
                }),
                ..ChangeDraft::default()
            })?;
        }
        tx.commit().await?;
        Ok(after)
    }

    async fn get_custom_status(&self, user_id: &str) -> Result<CustomStatus, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT emoji, text, duration, expires_at FROM custom_statuses WHERE user_id = $1",
            )
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_id]).await.map_err(map_err)?;
        let row = one(rows)?;
        (|| {
            Ok(CustomStatus {
                emoji: row.try_get(0)?,
                text: row.try_get(1)?,
                duration: row.try_get(2)?,
                expires_at: row.try_get(3)?,
            })
        })()
        .map_err(map_err)
    }

    async fn set_custom_status(
        &self,
        user_id: &str,
        status: &CustomStatus,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let stmt = tx
            .client()
            .prepare_cached(
                "INSERT INTO custom_statuses (user_id, emoji, text, duration, expires_at, update_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET emoji = excluded.emoji,
                    text = excluded.text, duration = excluded.duration,
                    expires_at = excluded.expires_at, update_at = excluded.update_at",
            )
            .await
            .map_err(map_err)?;
        tx.client()
            .execute(
                &stmt,
                &[
                    &user_id,
                    &status.emoji,
                    &status.text,
                    &status.duration,
                    &status.expires_at,
                    &now_millis(),
                ],
            )
            .await
            .map_err(map_err)?;
        tx.emit(custom_status_change(user_id))?;
        tx.commit().await
    }

    async fn delete_custom_status(&self, user_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let deleted = tx
            .client()
            .execute(
                "DELETE FROM custom_statuses WHERE user_id = $1",
                &[&user_id],
            )
            .await
            .map_err(map_err)?;
        if deleted > 0 {
            tx.emit(custom_status_change(user_id))?;
        }
        tx.commit().await
    }
}

/// A custom status is part of the user as Mattermost clients see it (`props.customStatus`),
/// so its changes are `user_updated`, shaped as the user store writes them.
fn custom_status_change(user_id: &str) -> ChangeDraft {
    ChangeDraft {
        kind: "user_updated",
        entity_id: user_id.to_string(),
        user_id: user_id.to_string(),
        data: serde_json::json!({ "user_id": user_id }),
        ..ChangeDraft::default()
    }
}

/// Inserts or replaces `preferences` inside `tx`, with their `preferences_changed` row.
pub(super) async fn save_in(
    tx: &mut WriteTx,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), StoreError> {
    {
        let client = tx.client();
        let stmt = client
            .prepare_cached(
                "INSERT INTO preferences (user_id, category, name, value)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
            )
            .await
            .map_err(map_err)?;
        // One statement per preference, in order: a name given twice keeps the last
        // value (one multi-row upsert may not touch a row twice).
        for p in preferences {
            if p.user_id != user_id {
                return Err(StoreError::Invalid(
                    "a preference belongs to another user".into(),
                ));
            }
            client
                .execute(&stmt, &[&p.user_id, &p.category, &p.name, &p.value])
                .await
                .map_err(map_err)?;
        }
    }
    tx.emit(preferences_change(
        "preferences_changed",
        user_id,
        preferences,
    )?)
}

/// Deletes the preferences named by category and name inside `tx`, with their
/// `preferences_deleted` row.
pub(super) async fn delete_in(
    tx: &mut WriteTx,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), StoreError> {
    {
        let client = tx.client();
        let stmt = client
            .prepare_cached(
                "DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3",
            )
            .await
            .map_err(map_err)?;
        for p in preferences {
            client
                .execute(&stmt, &[&user_id, &p.category, &p.name])
                .await
                .map_err(map_err)?;
        }
    }
    tx.emit(preferences_change(
        "preferences_deleted",
        user_id,
        preferences,
    )?)
}
