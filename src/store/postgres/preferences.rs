//! `PreferenceStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::model::*;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl PreferenceStore for PgStore {
    async fn get_preferences(&self, user_id: &str) -> Result<Vec<Preference>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_preferences_in_category(
        &self,
        user_id: &str,
        category: &str,
    ) -> Result<Vec<Preference>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> Result<Preference, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn delete_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_statuses(&self, user_ids: &[String]) -> Result<Vec<Status>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_ms: i64,
    ) -> Result<Status, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_custom_status(&self, user_id: &str) -> Result<CustomStatus, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_custom_status(
        &self,
        user_id: &str,
        status: &CustomStatus,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn delete_custom_status(&self, user_id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
