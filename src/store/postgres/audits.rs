//! `AuditStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl AuditStore for PgStore {
    async fn record_audit(&self, audit: &crate::model::Audit) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_audits(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<crate::model::Audit>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
