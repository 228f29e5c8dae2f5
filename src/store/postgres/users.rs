//! `UserStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl UserStore for PgStore {
    async fn create_user(
        &self,
        user: &crate::model::User,
        password_hash: &str,
        first_user_roles: &str,
    ) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_user(&self, id: &str) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_user_by_username(&self, username: &str) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_user_by_email(&self, email: &str) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_users_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<crate::model::User>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_users_by_usernames(
        &self,
        usernames: &[String],
    ) -> Result<Vec<crate::model::User>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<crate::model::User>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_user(
        &self,
        user: &crate::model::User,
    ) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_user_roles(
        &self,
        id: &str,
        roles: &str,
    ) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_user_active(
        &self,
        id: &str,
        active: bool,
    ) -> Result<crate::model::User, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_credentials(&self, id: &str) -> Result<Credentials, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn record_login_failure(&self, id: &str) -> Result<i64, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn record_login_success(&self, id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_mfa(&self, id: &str, secret: &str, active: bool) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn use_mfa_step(&self, id: &str, step: i64) -> Result<bool, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_picture(&self, id: &str, png: Option<Vec<u8>>) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_picture(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
