//! `SystemStore` on PostgreSQL: the `systems` table.

use async_trait::async_trait;

use super::{PgStore, map_err, one};
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

    async fn site_statistics(
        &self,
        team_id: Option<&str>,
        day_start: i64,
        month_start: i64,
    ) -> Result<SiteStatistics, StoreError> {
        // Figures for people, not decisions: a replica's slight lag is fine.
        let client = self.replica().await?;
        let row = client
            .query_one(
                "SELECT
                    (SELECT COUNT(*) FROM channels
                      WHERE type = 'O' AND ($1::text IS NULL OR team_id = $1)),
                    (SELECT COUNT(*) FROM channels
                      WHERE type = 'P' AND ($1::text IS NULL OR team_id = $1)),
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND ($1::text IS NULL
                        OR channel_id IN (SELECT id FROM channels WHERE team_id = $1))),
                    CASE WHEN $1::text IS NULL
                      THEN (SELECT COUNT(*) FROM users WHERE delete_at = 0)
                      ELSE (SELECT COUNT(*) FROM team_members m JOIN users u ON u.id = m.user_id
                             WHERE m.team_id = $1 AND m.delete_at = 0 AND u.delete_at = 0)
                    END,
                    (SELECT COUNT(*) FROM users WHERE delete_at != 0),
                    (SELECT COUNT(*) FROM teams WHERE delete_at = 0),
                    (SELECT COUNT(*) FROM statuses s JOIN users u ON u.id = s.user_id
                      WHERE u.delete_at = 0 AND s.last_activity_at > $2),
                    (SELECT COUNT(*) FROM statuses s JOIN users u ON u.id = s.user_id
                      WHERE u.delete_at = 0 AND s.last_activity_at > $3)",
                &[&team_id, &day_start, &month_start],
            )
            .await
            .map_err(map_err)?;
        let count = |i: usize| row.try_get::<_, i64>(i).map_err(map_err);
        Ok(SiteStatistics {
            public_channels: count(0)?,
            private_channels: count(1)?,
            posts: count(2)?,
            users: count(3)?,
            inactive_users: count(4)?,
            teams: count(5)?,
            daily_active_users: count(6)?,
            monthly_active_users: count(7)?,
        })
    }

    async fn posts_per_day(
        &self,
        team_id: Option<&str>,
        since: i64,
        count: DailyCount,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let client = self.replica().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT to_char(to_timestamp(create_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                            AS day, {}
                     FROM posts
                     WHERE delete_at = 0 AND create_at >= $1 AND ($2::TEXT IS NULL
                        OR channel_id IN (SELECT id FROM channels WHERE team_id = $2))
                     GROUP BY day ORDER BY day DESC LIMIT 30",
                    count.aggregate()
                ),
                &[&since, &team_id],
            )
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get(0).map_err(map_err)?,
                    row.try_get(1).map_err(map_err)?,
                ))
            })
            .collect()
    }

    async fn extra_statistics(
        &self,
        team_id: Option<&str>,
        now: i64,
    ) -> Result<ExtraStatistics, StoreError> {
        let client = self.replica().await?;
        let row = client
            .query_one(
                "SELECT
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND file_ids NOT IN ('', '[]')
                      AND ($1::TEXT IS NULL OR channel_id IN (SELECT id FROM channels WHERE team_id = $1))),
                    (SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND hashtags != ''
                      AND ($1::TEXT IS NULL OR channel_id IN (SELECT id FROM channels WHERE team_id = $1))),
                    (SELECT COUNT(*) FROM sessions WHERE expires_at = 0 OR expires_at > $2)",
                &[&team_id, &now],
            )
            .await
            .map_err(map_err)?;
        let count = |i: usize| row.try_get::<_, i64>(i).map_err(map_err);
        Ok(ExtraStatistics {
            file_posts: count(0)?,
            hashtag_posts: count(1)?,
            sessions: count(2)?,
        })
    }
}
