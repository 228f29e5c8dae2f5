//! `PreferenceStore` on SQLite: the `preferences`, `statuses` and `custom_statuses` tables.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::writer::WriteTx;
use super::{SqliteStore, map_err};
use crate::model::{CustomStatus, Preference, Presence, Status, StatusChange};
use crate::store::common::preferences_change;
use crate::store::{ChangeDraft, PreferenceStore, StoreError};

fn preference_from_row(row: &Row<'_>) -> rusqlite::Result<Preference> {
    Ok(Preference {
        user_id: row.get(0)?,
        category: row.get(1)?,
        name: row.get(2)?,
        value: row.get(3)?,
    })
}

fn select_preferences(
    conn: &Connection,
    sql: &str,
    values: &[&str],
) -> Result<Vec<Preference>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), preference_from_row)
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// Reads a stored presence; an unknown word (written by a newer version) reads as offline.
fn presence(text: Option<String>) -> Presence {
    text.as_deref()
        .and_then(Presence::parse)
        .unwrap_or(Presence::Offline)
}

fn stored_status(conn: &Connection, user_id: &str) -> Result<Option<Status>, StoreError> {
    conn.prepare_cached(
        "SELECT status, manual, last_activity_at, dnd_end_time FROM statuses WHERE user_id = ?1",
    )
    .and_then(|mut stmt| {
        stmt.query_row([user_id], |row| {
            Ok(Status {
                status: presence(row.get(0)?),
                manual: row.get(1)?,
                last_activity_at: row.get(2)?,
                dnd_end_time: row.get(3)?,
                ..Status::offline(user_id)
            })
        })
        .optional()
    })
    .map_err(map_err)
}

#[async_trait]
impl PreferenceStore for SqliteStore {
    async fn get_preferences(&self, user_id: &str) -> Result<Vec<Preference>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            select_preferences(
                conn,
                "SELECT user_id, category, name, value FROM preferences WHERE user_id = ?1
                 ORDER BY category, name",
                &[user_id.as_str()],
            )
        })
        .await
    }

    async fn get_preferences_in_category(
        &self,
        user_id: &str,
        category: &str,
    ) -> Result<Vec<Preference>, StoreError> {
        let (user_id, category) = (user_id.to_string(), category.to_string());
        self.read(move |conn| {
            select_preferences(
                conn,
                "SELECT user_id, category, name, value FROM preferences
                 WHERE user_id = ?1 AND category = ?2 ORDER BY name",
                &[user_id.as_str(), category.as_str()],
            )
        })
        .await
    }

    async fn get_preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> Result<Preference, StoreError> {
        let (user_id, category, name) =
            (user_id.to_string(), category.to_string(), name.to_string());
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT user_id, category, name, value FROM preferences
                 WHERE user_id = ?1 AND category = ?2 AND name = ?3",
            )
            .and_then(|mut stmt| stmt.query_row([user_id, category, name], preference_from_row))
            .map_err(map_err)
        })
        .await
    }

    async fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_string();
        let preferences = preferences.to_vec();
        self.writer
            .write(move |tx| save_in(tx, &user_id, &preferences))
            .await
    }

    async fn delete_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_string();
        let preferences = preferences.to_vec();
        self.writer
            .write(move |tx| delete_in(tx, &user_id, &preferences))
            .await
    }

    async fn get_statuses(&self, user_ids: &[String]) -> Result<Vec<Status>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = user_ids.to_vec();
        self.read(move |conn| {
            let marks = vec!["?"; ids.len()].join(",");
            // Users without a status row come back with NULLs: the default status.
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT u.id, s.status, s.manual, s.last_activity_at, s.dnd_end_time
                     FROM users u LEFT JOIN statuses s ON s.user_id = u.id
                     WHERE u.id IN ({marks})"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(&ids), |row| {
                    let user_id: String = row.get(0)?;
                    Ok(Status {
                        status: presence(row.get(1)?),
                        manual: row.get::<_, Option<bool>>(2)?.unwrap_or(false),
                        last_activity_at: row.get::<_, Option<i64>>(3)?.unwrap_or(0),
                        dnd_end_time: row.get::<_, Option<i64>>(4)?.unwrap_or(0),
                        ..Status::offline(&user_id)
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn update_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_ms: i64,
    ) -> Result<Status, StoreError> {
        let user_id = user_id.to_string();
        self.writer
            .write(move |tx| {
                // Read and write in one transaction: a status chosen by hand can never be
                // overwritten by an activity update that read the state before it.
                let before = stored_status(tx.conn(), &user_id)?
                    .unwrap_or_else(|| Status::offline(&user_id));
                let after = before.after(change, now_ms);
                if after != before {
                    tx.conn()
                        .prepare_cached(
                            "INSERT INTO statuses (user_id, status, manual, last_activity_at, dnd_end_time)
                             VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT (user_id) DO UPDATE SET status = excluded.status,
                                manual = excluded.manual,
                                last_activity_at = excluded.last_activity_at,
                                dnd_end_time = excluded.dnd_end_time",
                        )
                        .and_then(|mut stmt| {
                            stmt.execute(params![
                                after.user_id,
                                after.status.as_str(),
                                after.manual,
                                after.last_activity_at,
                                after.dnd_end_time,
                            ])
                        })
                        .map_err(map_err)?;
                }
                let chosen = matches!(change, StatusChange::Chosen { .. });
                if after.status != before.status || chosen {
                    tx.emit(ChangeDraft {
                        kind: "status_change",
                        entity_id: user_id.clone(),
                        user_id: user_id.clone(),
                        data: serde_json::json!({
                            "status": after.status.as_str(),
                            "user_id": user_id,
                        }),
                        ..ChangeDraft::default()
                    })?;
                }
                Ok(after)
            })
            .await
    }

    async fn get_custom_status(&self, user_id: &str) -> Result<CustomStatus, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT emoji, text, duration, expires_at FROM custom_statuses WHERE user_id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([user_id], |row| {
                    Ok(CustomStatus {
                        emoji: row.get(0)?,
                        text: row.get(1)?,
                        duration: row.get(2)?,
                        expires_at: row.get(3)?,
                    })
                })
            })
            .map_err(map_err)
        })
        .await
    }

    async fn set_custom_status(
        &self,
        user_id: &str,
        status: &CustomStatus,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_string();
        let status = status.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .prepare_cached(
                        "INSERT INTO custom_statuses (user_id, emoji, text, duration, expires_at, update_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (user_id) DO UPDATE SET emoji = excluded.emoji,
                            text = excluded.text, duration = excluded.duration,
                            expires_at = excluded.expires_at, update_at = excluded.update_at",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![
                            user_id,
                            status.emoji,
                            status.text,
                            status.duration,
                            status.expires_at,
                            crate::model::now_millis(),
                        ])
                    })
                    .map_err(map_err)?;
                tx.emit(custom_status_change(&user_id))?;
                Ok(())
            })
            .await
    }

    async fn delete_custom_status(&self, user_id: &str) -> Result<(), StoreError> {
        let user_id = user_id.to_string();
        self.writer
            .write(move |tx| {
                let deleted = tx
                    .conn()
                    .execute("DELETE FROM custom_statuses WHERE user_id = ?1", [&user_id])
                    .map_err(map_err)?;
                if deleted > 0 {
                    tx.emit(custom_status_change(&user_id))?;
                }
                Ok(())
            })
            .await
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
pub(super) fn save_in(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), StoreError> {
    {
        let mut stmt = tx
            .conn()
            .prepare_cached(
                "INSERT INTO preferences (user_id, category, name, value)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
            )
            .map_err(map_err)?;
        for p in preferences {
            if p.user_id != user_id {
                return Err(StoreError::Invalid(
                    "a preference belongs to another user".into(),
                ));
            }
            stmt.execute(params![p.user_id, p.category, p.name, p.value])
                .map_err(map_err)?;
        }
    }
    tx.emit(preferences_change(
        "preferences_changed",
        user_id,
        preferences,
    )?)?;
    Ok(())
}

/// Deletes the preferences named by category and name inside `tx`, with their
/// `preferences_deleted` row.
pub(super) fn delete_in(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), StoreError> {
    {
        let mut stmt = tx
            .conn()
            .prepare_cached(
                "DELETE FROM preferences WHERE user_id = ?1 AND category = ?2 AND name = ?3",
            )
            .map_err(map_err)?;
        for p in preferences {
            stmt.execute(params![user_id, p.category, p.name])
                .map_err(map_err)?;
        }
    }
    tx.emit(preferences_change(
        "preferences_deleted",
        user_id,
        preferences,
    )?)?;
    Ok(())
}
