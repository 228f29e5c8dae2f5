//! `AccessTokenStore` on PostgreSQL: the `user_access_tokens` table.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::{PgStore, big, map_err, one};
use crate::model::{UserAccessToken, now_millis};
use crate::store::{AccessTokenStore, StoreError};

const COLUMNS: &str = "id, token, user_id, description, is_active";

fn token_from_row(row: &Row) -> Result<UserAccessToken, tokio_postgres::Error> {
    Ok(UserAccessToken {
        id: row.try_get(0)?,
        token: row.try_get(1)?,
        user_id: row.try_get(2)?,
        description: row.try_get(3)?,
        is_active: row.try_get(4)?,
    })
}

/// The one token whose `column` equals `value`, from the primary (a token must work
/// as soon as it is made, and stop as soon as it is disabled).
async fn select_token(
    client: &deadpool_postgres::ClientWrapper,
    column: &str,
    value: &str,
) -> Result<UserAccessToken, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM user_access_tokens WHERE {column} = $1"
        ))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&value]).await.map_err(map_err)?;
    token_from_row(&one(rows)?).map_err(map_err)
}

#[async_trait]
impl AccessTokenStore for PgStore {
    async fn create_access_token(&self, token: &UserAccessToken) -> Result<(), StoreError> {
        let t = token;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO user_access_tokens (id, token, user_id, description, is_active, create_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&t.id, &t.token, &t.user_id, &t.description, &t.is_active, &now_millis()],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_access_token(&self, id: &str) -> Result<UserAccessToken, StoreError> {
        select_token(&*self.client().await?, "id", id).await
    }

    async fn get_access_token_by_token(&self, token: &str) -> Result<UserAccessToken, StoreError> {
        select_token(&*self.client().await?, "token", token).await
    }

    async fn list_access_tokens(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<UserAccessToken>, StoreError> {
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM user_access_tokens
                 WHERE $1::text IS NULL OR user_id = $1
                 ORDER BY create_at DESC, id LIMIT $2 OFFSET $3"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(token_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn set_access_token_active(&self, id: &str, active: bool) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE user_access_tokens SET is_active = $2 WHERE id = $1",
            &[&id, &active],
        )
        .await
    }

    async fn delete_access_token(&self, id: &str) -> Result<(), StoreError> {
        self.update_one("DELETE FROM user_access_tokens WHERE id = $1", &[&id])
            .await
    }
}
