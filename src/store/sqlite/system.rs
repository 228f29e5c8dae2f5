//! `SystemStore` on SQLite: the `systems` table.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, map_err};
use crate::store::{
    ChangeDraft, DailyCount, ExtraStatistics, SiteStatistics, StoreError, SystemStore,
};

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

    async fn site_statistics(
        &self,
        team_id: Option<&str>,
        day_start: i64,
        month_start: i64,
    ) -> Result<SiteStatistics, StoreError> {
        let team_id = team_id.map(str::to_string);
        self.read(move |conn| {
            conn.query_row(
                "SELECT
                    (SELECT COUNT(*) FROM channels
                      WHERE type = 'O' AND (?1 IS NULL OR team_id = ?1)),
                    (SELECT COUNT(*) FROM channels
                      WHERE type = 'P' AND (?1 IS NULL OR team_id = ?1)),
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND (?1 IS NULL
                        OR channel_id IN (SELECT id FROM channels WHERE team_id = ?1))),
                    CASE WHEN ?1 IS NULL
                      THEN (SELECT COUNT(*) FROM users WHERE delete_at = 0)
                      ELSE (SELECT COUNT(*) FROM team_members m JOIN users u ON u.id = m.user_id
                             WHERE m.team_id = ?1 AND m.delete_at = 0 AND u.delete_at = 0)
                    END,
                    (SELECT COUNT(*) FROM users WHERE delete_at != 0),
                    (SELECT COUNT(*) FROM teams WHERE delete_at = 0),
                    (SELECT COUNT(*) FROM statuses s JOIN users u ON u.id = s.user_id
                      WHERE u.delete_at = 0 AND s.last_activity_at > ?2),
                    (SELECT COUNT(*) FROM statuses s JOIN users u ON u.id = s.user_id
                      WHERE u.delete_at = 0 AND s.last_activity_at > ?3)",
                params![team_id, day_start, month_start],
                |row| {
                    Ok(SiteStatistics {
                        public_channels: row.get(0)?,
                        private_channels: row.get(1)?,
                        posts: row.get(2)?,
                        users: row.get(3)?,
                        inactive_users: row.get(4)?,
                        teams: row.get(5)?,
                        daily_active_users: row.get(6)?,
                        monthly_active_users: row.get(7)?,
                    })
                },
            )
            .map_err(map_err)
        })
        .await
    }

    async fn posts_per_day(
        &self,
        team_id: Option<&str>,
        since: i64,
        count: DailyCount,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let team_id = team_id.map(str::to_string);
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT strftime('%Y-%m-%d', create_at / 1000, 'unixepoch') AS day, {}
                     FROM posts
                     WHERE delete_at = 0 AND create_at >= ?1 AND (?2 IS NULL
                        OR channel_id IN (SELECT id FROM channels WHERE team_id = ?2))
                     GROUP BY day ORDER BY day DESC LIMIT 30",
                    count.aggregate()
                ))
                .map_err(map_err)?;
            stmt.query_map(params![since, team_id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .map_err(map_err)?
            .collect::<Result<_, _>>()
            .map_err(map_err)
        })
        .await
    }

    async fn extra_statistics(
        &self,
        team_id: Option<&str>,
        now: i64,
    ) -> Result<ExtraStatistics, StoreError> {
        let team_id = team_id.map(str::to_string);
        self.read(move |conn| {
            conn.query_row(
                "SELECT
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND file_ids NOT IN ('', '[]')
                      AND (?1 IS NULL OR channel_id IN (SELECT id FROM channels WHERE team_id = ?1))),
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND hashtags != ''
                      AND (?1 IS NULL OR channel_id IN (SELECT id FROM channels WHERE team_id = ?1))),
                    (SELECT COUNT(*) FROM sessions WHERE expires_at = 0 OR expires_at > ?2)",
                params![team_id, now],
                |row| {
                    Ok(ExtraStatistics {
                        file_posts: row.get(0)?,
                        hashtag_posts: row.get(1)?,
                        sessions: row.get(2)?,
                    })
                },
            )
            .map_err(map_err)
        })
        .await
    }
}
