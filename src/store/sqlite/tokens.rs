//! `AccessTokenStore` on SQLite: the `user_access_tokens` table.

use async_trait::async_trait;
use rusqlite::{Row, params};

use super::{SqliteStore, map_err};
use crate::model::{UserAccessToken, now_millis};
use crate::store::{AccessTokenStore, StoreError};

const COLUMNS: &str = "id, token, user_id, description, is_active";

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<UserAccessToken> {
    Ok(UserAccessToken {
        id: row.get(0)?,
        token: row.get(1)?,
        user_id: row.get(2)?,
        description: row.get(3)?,
        is_active: row.get(4)?,
    })
}

#[async_trait]
impl AccessTokenStore for SqliteStore {
    async fn create_access_token(&self, token: &UserAccessToken) -> Result<(), StoreError> {
        let t = token.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO user_access_tokens (id, token, user_id, description, is_active, create_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![t.id, t.token, t.user_id, t.description, t.is_active, now_millis()],
                    )
                    .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn get_access_token(&self, id: &str) -> Result<UserAccessToken, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM user_access_tokens WHERE id = ?1"
            ))
            .and_then(|mut stmt| stmt.query_row([id], token_from_row))
            .map_err(map_err)
        })
        .await
    }

    async fn get_access_token_by_token(&self, token: &str) -> Result<UserAccessToken, StoreError> {
        let token = token.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM user_access_tokens WHERE token = ?1"
            ))
            .and_then(|mut stmt| stmt.query_row([token], token_from_row))
            .map_err(map_err)
        })
        .await
    }

    async fn list_access_tokens(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<UserAccessToken>, StoreError> {
        let user_id = user_id.map(str::to_string);
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM user_access_tokens
                     WHERE ?1 IS NULL OR user_id = ?1
                     ORDER BY create_at DESC, id LIMIT ?2 OFFSET ?3"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![user_id, limit, offset], token_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn set_access_token_active(&self, id: &str, active: bool) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "UPDATE user_access_tokens SET is_active = ?2 WHERE id = ?1",
            move |stmt| stmt.execute(params![id, active]),
        )
        .await
    }

    async fn delete_access_token(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "DELETE FROM user_access_tokens WHERE id = ?1",
            move |stmt| stmt.execute([id]),
        )
        .await
    }
}
