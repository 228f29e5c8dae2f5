//! `AccessTokenStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl AccessTokenStore for PgStore {
    async fn create_access_token(
        &self,
        token: &crate::model::UserAccessToken,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_access_token(
        &self,
        id: &str,
    ) -> Result<crate::model::UserAccessToken, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_access_token_by_token(
        &self,
        token: &str,
    ) -> Result<crate::model::UserAccessToken, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_access_tokens(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<crate::model::UserAccessToken>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_access_token_active(&self, id: &str, active: bool) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn delete_access_token(&self, id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
