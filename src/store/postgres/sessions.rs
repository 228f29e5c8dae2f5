//! `SessionStore` on PostgreSQL: the `sessions` table.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::{PgStore, map_err, one};
use crate::model::Session;
use crate::store::{SessionStore, StoreError};

const COLUMNS: &str = "id, token, create_at, expires_at, last_activity_at, user_id, device_id, roles, is_oauth, props";

fn session_from_row(row: &Row) -> Result<Session, tokio_postgres::Error> {
    let props: &str = row.try_get(9)?;
    Ok(Session {
        id: row.try_get(0)?,
        token: row.try_get(1)?,
        create_at: row.try_get(2)?,
        expires_at: row.try_get(3)?,
        last_activity_at: row.try_get(4)?,
        user_id: row.try_get(5)?,
        device_id: row.try_get(6)?,
        roles: row.try_get(7)?,
        is_oauth: row.try_get(8)?,
        props: serde_json::from_str(props).unwrap_or_default(),
        ..Session::default()
    })
}

/// The one session whose `column` equals `value`, from the primary (a session is read
/// right after login creates it).
async fn select_session(
    client: &deadpool_postgres::ClientWrapper,
    column: &str,
    value: &str,
) -> Result<Session, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE {column} = $1"
        ))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&value]).await.map_err(map_err)?;
    session_from_row(&one(rows)?).map_err(map_err)
}

#[async_trait]
impl SessionStore for PgStore {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let s = session;
        let props = serde_json::to_string(&s.props).unwrap_or_else(|_| "{}".into());
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO sessions (id, token, create_at, expires_at, last_activity_at,
                    user_id, device_id, roles, is_oauth, props)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &s.id,
                    &s.token,
                    &s.create_at,
                    &s.expires_at,
                    &s.last_activity_at,
                    &s.user_id,
                    &s.device_id,
                    &s.roles,
                    &s.is_oauth,
                    &props,
                ],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_session_by_token(&self, token: &str) -> Result<Session, StoreError> {
        select_session(&*self.client().await?, "token", token).await
    }

    async fn get_session(&self, id: &str) -> Result<Session, StoreError> {
        select_session(&*self.client().await?, "id", id).await
    }

    async fn touch_session(
        &self,
        id: &str,
        last_activity_at: i64,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE sessions SET last_activity_at = $2, expires_at = COALESCE($3, expires_at)
             WHERE id = $1",
            &[&id, &last_activity_at, &expires_at],
        )
        .await
    }

    async fn attach_session_device(
        &self,
        id: &str,
        device_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE sessions SET device_id = $2, expires_at = $3 WHERE id = $1",
            &[&id, &device_id, &expires_at],
        )
        .await
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<Session>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY create_at DESC"
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_id]).await.map_err(map_err)?;
        rows.iter()
            .map(session_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        self.update_one("DELETE FROM sessions WHERE id = $1", &[&id])
            .await
    }

    async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])
            .await
            .map_err(map_err)
    }
}
