//! `AuditStore` on PostgreSQL: the `audits` table.

use async_trait::async_trait;

use super::{PgStore, big, map_err};
use crate::model::Audit;
use crate::store::{AuditStore, StoreError};

#[async_trait]
impl AuditStore for PgStore {
    async fn record_audit(&self, audit: &Audit) -> Result<(), StoreError> {
        let a = audit;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO audits (id, create_at, user_id, action, extra_info, ip_address, session_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&a.id, &a.create_at, &a.user_id, &a.action, &a.extra_info, &a.ip_address, &a.session_id],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_audits(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Audit>, StoreError> {
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(
                "SELECT id, create_at, user_id, action, extra_info, ip_address, session_id
                 FROM audits WHERE $1::text IS NULL OR user_id = $1
                 ORDER BY create_at DESC, id LIMIT $2 OFFSET $3",
            )
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(Audit {
                    id: row.try_get(0)?,
                    create_at: row.try_get(1)?,
                    user_id: row.try_get(2)?,
                    action: row.try_get(3)?,
                    extra_info: row.try_get(4)?,
                    ip_address: row.try_get(5)?,
                    session_id: row.try_get(6)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(map_err)
    }
}
