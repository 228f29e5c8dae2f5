//! `SessionStore` on SQLite: the `sessions` table.

use async_trait::async_trait;
use rusqlite::{Row, params};

use super::{SqliteStore, map_err};
use crate::model::Session;
use crate::store::{SessionStore, StoreError};

const COLUMNS: &str = "id, token, create_at, expires_at, last_activity_at, user_id, device_id, roles, is_oauth, props";

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    let props: String = row.get(9)?;
    Ok(Session {
        id: row.get(0)?,
        token: row.get(1)?,
        create_at: row.get(2)?,
        expires_at: row.get(3)?,
        last_activity_at: row.get(4)?,
        user_id: row.get(5)?,
        device_id: row.get(6)?,
        roles: row.get(7)?,
        is_oauth: row.get(8)?,
        props: serde_json::from_str(&props).unwrap_or_default(),
        ..Session::default()
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let s = session.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO sessions (id, token, create_at, expires_at, last_activity_at,
                            user_id, device_id, roles, is_oauth, props)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![
                            s.id,
                            s.token,
                            s.create_at,
                            s.expires_at,
                            s.last_activity_at,
                            s.user_id,
                            s.device_id,
                            s.roles,
                            s.is_oauth,
                            serde_json::to_string(&s.props).unwrap_or_else(|_| "{}".into()),
                        ],
                    )
                    .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn get_session_by_token(&self, token: &str) -> Result<Session, StoreError> {
        let token = token.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sessions WHERE token = ?1"))
                .and_then(|mut stmt| stmt.query_row([token], session_from_row))
                .map_err(map_err)
        })
        .await
    }

    async fn get_session(&self, id: &str) -> Result<Session, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"))
                .and_then(|mut stmt| stmt.query_row([id], session_from_row))
                .map_err(map_err)
        })
        .await
    }

    async fn touch_session(
        &self,
        id: &str,
        last_activity_at: i64,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "UPDATE sessions SET last_activity_at = ?2, expires_at = COALESCE(?3, expires_at)
             WHERE id = ?1",
            move |stmt| stmt.execute(params![id, last_activity_at, expires_at]),
        )
        .await
    }

    async fn attach_session_device(
        &self,
        id: &str,
        device_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let (id, device_id) = (id.to_string(), device_id.to_string());
        self.update_one(
            "UPDATE sessions SET device_id = ?2, expires_at = ?3 WHERE id = ?1",
            move |stmt| stmt.execute(params![id, device_id, expires_at]),
        )
        .await
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<Session>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM sessions WHERE user_id = ?1 ORDER BY create_at DESC"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map([user_id], session_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one("DELETE FROM sessions WHERE id = ?1", move |stmt| {
            stmt.execute([id])
        })
        .await
    }

    async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, StoreError> {
        let user_id = user_id.to_string();
        self.writer
            .write(move |tx| {
                let n = tx
                    .conn()
                    .execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])
                    .map_err(map_err)?;
                Ok(n as u64)
            })
            .await
    }
}
