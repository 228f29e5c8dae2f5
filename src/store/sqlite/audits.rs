//! `AuditStore` on SQLite: the `audits` table.

use async_trait::async_trait;
use rusqlite::params;

use super::{SqliteStore, map_err};
use crate::model::Audit;
use crate::store::{AuditStore, StoreError};

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_audit(&self, audit: &Audit) -> Result<(), StoreError> {
        let a = audit.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO audits (id, create_at, user_id, action, extra_info, ip_address, session_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![a.id, a.create_at, a.user_id, a.action, a.extra_info, a.ip_address, a.session_id],
                    )
                    .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn list_audits(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Audit>, StoreError> {
        let user_id = user_id.map(str::to_string);
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, create_at, user_id, action, extra_info, ip_address, session_id
                     FROM audits WHERE ?1 IS NULL OR user_id = ?1
                     ORDER BY create_at DESC, id LIMIT ?2 OFFSET ?3",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![user_id, limit, offset], |row| {
                    Ok(Audit {
                        id: row.get(0)?,
                        create_at: row.get(1)?,
                        user_id: row.get(2)?,
                        action: row.get(3)?,
                        extra_info: row.get(4)?,
                        ip_address: row.get(5)?,
                        session_id: row.get(6)?,
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }
}
