//! `SessionStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl SessionStore for PgStore {
    async fn create_session(&self, session: &crate::model::Session) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_session_by_token(&self, token: &str) -> Result<crate::model::Session, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_session(&self, id: &str) -> Result<crate::model::Session, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn touch_session(
        &self,
        id: &str,
        last_activity_at: i64,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<crate::model::Session>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
